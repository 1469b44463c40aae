"""`katib-gitops run` against floors measured in the same run.

1. Per-trial overhead with trivial trials: the study loop (suggestion, render, journal with
   fsync, process, metrics collection, outcome) for N trivial trials, one at a time, against
   the floor of spawning the same N processes one after another with `subprocess.run`.
   Target: <= 1.2x the floor.
2. Parallel efficiency with parallelTrialCount 2 on CPU-bound trials: the time of N trials
   one at a time over twice the time with two at a time. Target: >= 85% (on 2 free cores).
3. Suggestion time per trial, for each algorithm, driving its source for 100 trials with a
   synthetic objective: the mean time of one question, and the mean of the last ten.

Usage: python benchmarks/run.py [--trials N] [--cpu-trials N] [--skip-suggest]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compiler.commands.compile import compile_specs
from compiler.execute.local import RunOptions, prepare
from compiler.execute.local import run as run_local
from compiler.execute.view import PlainView
from compiler.model.results import Source

TRIVIAL = "import sys; print('loss=' + sys.argv[1])"
BURN = "import sys; n = 0\nfor i in range(3_000_000): n += i\nprint('loss=' + sys.argv[1])"


class Quiet(PlainView):
    def __init__(self) -> None:
        super().__init__(None, None, open(os.devnull, "w"))  # noqa: PTH123, SIM115

    def update(self, state: object, running: int) -> None:
        return None


def spec(code: str, trials: int, parallel: int) -> str:
    """The trial runs `<python> -c <code> <x>` through `sh -c`, as the StdOut collector does."""
    command = shlex.join([sys.executable, "-c", code]) + " ${x}"
    return (
        "name: bench\nobjective: {minimize: loss}\n"
        "algorithm: {name: random, settings: {random_state: 1}}\n"
        f"trials: {{max: {trials}, parallel: {parallel}}}\n"
        "parameters:\n  x: {min: 0.0, max: 1.0}\n"
        f"trial:\n  image: busybox\n  command: [sh, -c, {json.dumps(command)}]\n"
    )


def timed_run(root: Path, text: str, trials: int, parallel: int) -> float:
    path = root / "specs" / "bench" / "bench.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    c = compile_specs(root, ["specs/bench/bench.yaml"]).compiled[0]
    assert c.ok and c.experiment is not None, c.diagnostics
    options = RunOptions(state_dir=root / ".state" / f"{trials}-{parallel}", root=root, fresh=True)
    prepared = prepare(c.experiment, None, options)
    header = {"name": "bench", "namespace": "bench", "revision": c.revision, "spec": "x"}
    start = time.perf_counter()
    results = run_local(prepared, header, Quiet(), Source(), "x")
    elapsed = time.perf_counter() - start
    assert results.status.trials_succeeded == trials, results.status
    return elapsed


def floor(code: str, trials: int) -> float:
    argv = ["sh", "-c", shlex.join([sys.executable, "-c", code]) + " 0.5"]
    start = time.perf_counter()
    for _ in range(trials):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def overhead(root: Path, trials: int) -> None:
    timed_run(root, spec(TRIVIAL, 2, 1), 2, 1)  # warm: imports, caches
    ours, base = [], []
    for _ in range(3):
        base.append(floor(TRIVIAL, trials))
        ours.append(timed_run(root, spec(TRIVIAL, trials, 1), trials, 1))
    o, b = min(ours), min(base)
    print(f"per-trial overhead ({trials} trivial trials, best of 3):")
    print(f"  floor  subprocess.run : {b / trials * 1000:7.2f} ms/trial")
    print(f"  katib-gitops run      : {o / trials * 1000:7.2f} ms/trial")
    print(f"  ratio                 : {o / b:7.3f}x   (target <= 1.2x)")


def parallel(root: Path, trials: int) -> None:
    one = timed_run(root, spec(BURN, trials, 1), trials, 1)
    two = timed_run(root, spec(BURN, trials, 2), trials, 2)
    print(f"parallel efficiency ({trials} CPU-bound trials, {os.cpu_count()} cores):")
    print(f"  parallelTrialCount 1  : {one:7.2f} s")
    print(f"  parallelTrialCount 2  : {two:7.2f} s")
    print(f"  efficiency            : {one / (2 * two) * 100:6.1f} %   (target >= 85%)")


def suggestions(n: int) -> None:
    import importlib.util

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from compiler.execute.samplers import make_source
    from compiler.execute.sources import TrialView
    from tests.unit.execute.test_samplers import experiment, quadratic

    print(f"suggestion time per trial ({n} trials, one question per trial):")
    cases = [
        ("random", {}),
        ("grid", {}),
        ("tpe", {}),
        ("multivariate-tpe", {}),
        ("cmaes", {}),
        ("sobol", {}),
        ("bayesianoptimization", {}),
        ("hyperband", {}),
    ]
    for name, settings in cases:
        need = {"cmaes": "cmaes", "sobol": "scipy", "bayesianoptimization": "skopt"}.get(name)
        if need and importlib.util.find_spec(need) is None:
            print(f"  {name:22s}: skipped ({need} is not installed)")
            continue
        exp = _bench_experiment(experiment, name, settings)
        source = make_source(exp, 1, 1)
        trials: list[TrialView] = []
        times = []
        while len(trials) < n:
            start = time.perf_counter()
            made = source.suggest(1 if name != "hyperband" else 9, trials)
            times.append((time.perf_counter() - start) / max(1, len(made)))
            if not made:
                break
            for s in made:
                a = {k: v for k, v in s.assignments.items() if k in ("x", "y")}
                trials.append(
                    TrialView(
                        len(trials), f"t{len(trials)}", s.assignments, "Succeeded", quadratic(a)
                    )
                )
        mean = sum(times) / len(times) * 1000
        last = sum(times[-10:]) / len(times[-10:]) * 1000
        print(f"  {name:22s}: mean {mean:8.2f} ms, last ten {last:8.2f} ms ({len(trials)} trials)")


def _bench_experiment(experiment: object, name: str, settings: dict[str, str]) -> object:
    from compiler.model.katib import FeasibleSpace, ParameterSpec

    make = experiment  # type: ignore[assignment]
    if name == "grid":
        return make(name, settings, step="0.5")  # type: ignore[operator]
    if name == "hyperband":
        extra = (
            ParameterSpec(
                name="epochs", parameter_type="int", feasible_space=FeasibleSpace(min="1", max="81")
            ),
        )
        return make(name, {"r_l": "81", "resource_name": "epochs"}, extra=extra)  # type: ignore[operator]
    exp = make(name, settings)  # type: ignore[operator]
    if name == "bayesianoptimization":  # skopt's doubles are log-uniform: keep them above 0
        params = tuple(
            p.model_copy(update={"feasible_space": FeasibleSpace(min="0.1", max="10")})
            for p in exp.spec.parameters
        )
        return exp.model_copy(update={"spec": exp.spec.model_copy(update={"parameters": params})})
    return exp


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--cpu-trials", type=int, default=8)
    p.add_argument("--suggest-trials", type=int, default=100)
    p.add_argument("--skip-suggest", action="store_true")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        overhead(root, a.trials)
        parallel(root, a.cpu_trials)
    if not a.skip_suggest:
        suggestions(a.suggest_trials)


if __name__ == "__main__":
    main()
