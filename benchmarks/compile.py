"""Compile-speed benchmark: `python benchmarks/compile.py [N]` (N specs, default 1,000).

- 1,000 varied specs are generated into a temporary repository.
- The floor: reading and loading the same spec files with PyYAML's C loader, and dumping the
  same manifests with its C dumper; nothing else.
- Cold compile: our whole in-process pipeline over the same files (load, validate, normalize,
  Katib's admission, the sample trial's schema check, render), no cache, best of several runs.
- First compile into an empty cache: the same, writing `.state/compile-cache/` (what a fresh
  clone's first `compile` costs).
- Incremental compile: the same with `.state/compile-cache/` filled, after one spec of the
  1,000 changed (a different one each run): reported on its own line, as a share of the cold
  compile, never in its place.
- Cold start: `katib-gitops validate` on one spec against a bare `python -c pass`, for a spec
  just edited (a cache miss, the figure) and for an unchanged one (a hit).
- Wall and CPU time: the ratios are given in both. The floor and the compile run in the same
  process, so on a busy machine the CPU-time ratio is the steadier one.
- Bytecode: this machine may set PYTHONDONTWRITEBYTECODE; a user's does not. So the package is
  byte-compiled into its __pycache__ first (`python -m compileall`), and the subprocesses run
  without that variable, as an installed package would.

Targets: cold compile <= 2x the floor (goal 1.5x); incremental <= 10% of cold; the cold start
within 150 ms of the bare interpreter.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from compiler.commands.compile import compile_specs
from compiler.render.manifests import manifest_set

ALGORITHMS = ["random", "tpe", "multivariate-tpe", "sobol", "cmaes", "bayesianoptimization"]
KINDS = ["Job", "Job", "Job", "TFJob", "PyTorchJob", "XGBoostJob"]


def spec_text(i: int, rng: random.Random) -> str:
    algorithm = rng.choice(ALGORITHMS)
    kind = rng.choice(KINDS)
    workers = "" if kind == "Job" else "\n  workers: 2"
    collector = rng.choice(
        [
            "",
            "metrics: {collector: File, path: /out/metrics.log}\n",
            "metrics: {filter: ['(\\w+)=([0-9.]+)']}\n",
        ]
    )
    return f"""name: exp-{i:04d}
objective: {{{rng.choice(["maximize", "minimize"])}: accuracy, goal: 0.9, also: [loss]}}
algorithm: {algorithm}
trials: {{max: {rng.randint(10, 50)}, parallel: {rng.randint(1, 4)}, failures: 3}}
{collector}parameters:
  lr: {{min: 0.001, max: 0.1, log: true}}
  momentum: {{min: 0.5, max: 0.99}}
  layers: {{min: 1, max: {rng.randint(3, 8)}}}
  optimizer: [sgd, adam]
trial:
  kind: {kind}{workers}
  image: registry.example.com/team/train:{i % 7}.0
  command: [python3, /opt/train.py]
  args:
  - --lr=${{lr}}
  - --momentum=${{momentum}}
  - --layers=${{layers}}
  - --optimizer=${{optimizer}}
  env: {{SEED: "{i}"}}
  resources: {{cpu: 1, memory: 2Gi}}
  deadline: 3600
"""


def make_repo(root: Path, n: int) -> list[Path]:
    rng = random.Random(42)
    files = []
    for i in range(n):
        path = root / "specs" / f"team-{i % 10}" / f"exp-{i:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec_text(i, rng), "utf-8")
        files.append(path)
    return files


class Timing:
    """Wall time (what a person waits) and CPU time (what the work costs: the figure a busy
    machine disturbs least, since the floor and the compile run in the same process)."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu


def best(fn: Callable[[], object], runs: int) -> Timing:
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return Timing(min(walls), min(cpus))


def warm_bytecode() -> dict[str, str]:
    """Byte-compile the package into __pycache__, as installing it does; the environment for
    subprocesses that may read and write bytecode."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = Path(__file__).resolve().parent.parent / "compiler"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=True)
    return env


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cold_start(root: Path, spec: Path, env: dict[str, str], runs: int = 11) -> dict[str, Timing]:
    """Median wall and CPU time of a fresh process, with bytecode as an installed package has
    it: a bare interpreter; `validate` of a spec just edited (a cache miss: what a person who
    edits a spec and validates it waits for); `validate` of an unchanged spec (a hit)."""

    def run(cmd: list[str], before: Callable[[int], None] | None = None) -> Timing:
        walls, cpus = [], []
        for i in range(runs):
            if before is not None:
                before(i)
            start, cpu = time.perf_counter(), _child_cpu()
            subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            cpus.append(_child_cpu() - cpu)
        return Timing(statistics.median(walls), statistics.median(cpus))

    text = spec.read_text("utf-8")

    def edit(i: int) -> None:
        spec.write_text(text.replace('SEED: "', f'SEED: "{i}', 1), "utf-8")

    validate = [sys.executable, "-m", "compiler", "validate", str(spec.relative_to(root))]
    run(validate)  # the first start also writes what is left of the bytecode
    out = {
        "bare": run([sys.executable, "-c", "pass"]),
        "miss": run(validate, edit),
        "hit": run(validate),
    }
    spec.write_text(text, "utf-8")
    return out


def incremental(root: Path, files: list[Path], runs: int) -> tuple[Timing, Timing]:
    """(first compile into an empty cache, best incremental compile with one spec changed)."""
    first = best(lambda: manifest_set(compile_specs(root, cache=True).compiled), 1)
    walls, cpus = [], []
    for i in range(runs):
        changed = files[(i * 97) % len(files)]
        text = changed.read_text("utf-8")
        changed.write_text(text.replace("failures: 3", f"failures: {4 + i}"), "utf-8")
        start, cpu = time.perf_counter(), time.process_time()
        result = compile_specs(root, cache=True)
        manifest_set(result.compiled)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert not result.has_errors
        assert result.cached == len(files) - 1, result.cached
    return first, Timing(min(walls), min(cpus))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=1000, help="how many specs (1000)")
    ap.add_argument("--runs", type=int, default=3, help="cold compiles and floors, best of (3)")
    args = ap.parse_args()
    n = args.n
    env = warm_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = make_repo(root, n)
        run = compile_specs(root)
        assert not run.has_errors, [d.render() for d in run.diagnostics][:5]
        manifests = [c.manifest for c in run.compiled]

        def floor() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)  # the C safe loader
            for m in manifests:
                yaml.dump(m, Dumper=yaml.CSafeDumper, sort_keys=False)

        def ours() -> None:
            result = compile_specs(root)  # no cache: every spec compiled
            manifest_set(result.compiled)

        t_floor = best(floor, args.runs)
        t_ours = best(ours, args.runs)
        t_first, t_incr = incremental(root, files, 5)
        start = cold_start(root, files[0], env)

    def ms(t: float) -> str:
        return f"{t * 1000:.0f} ms"

    print(f"specs: {n}")
    print(
        "bytecode caches: warmed (python -m compileall into __pycache__; subprocesses run "
        "without PYTHONDONTWRITEBYTECODE)"
    )
    print(f"floor (C loader + C dumper): wall {ms(t_floor.wall)}, cpu {ms(t_floor.cpu)}")
    print(
        f"cold compile (no cache): wall {ms(t_ours.wall)}, ratio {t_ours.wall / t_floor.wall:.2f}x"
        f"; cpu {ms(t_ours.cpu)}, ratio {t_ours.cpu / t_floor.cpu:.2f}x (target <= 2x, goal 1.5x)"
    )
    print(
        f"first compile into an empty cache: wall {ms(t_first.wall)} = "
        f"{t_first.wall / t_floor.wall:.2f}x the floor; cpu {ms(t_first.cpu)} = "
        f"{t_first.cpu / t_floor.cpu:.2f}x (writes {n} entries)"
    )
    print(
        f"incremental compile (1 of {n} changed, cache warm): wall {ms(t_incr.wall)} = "
        f"{t_incr.wall / t_ours.wall * 100:.1f}% of cold; cpu {ms(t_incr.cpu)} = "
        f"{t_incr.cpu / t_ours.cpu * 100:.1f}% (target <= 10%)"
    )
    bare, miss, hit = start["bare"], start["miss"], start["hit"]
    print(
        f"cold start: python -c pass wall {ms(bare.wall)}; validate of an edited spec wall "
        f"{ms(miss.wall)}, difference {ms(miss.wall - bare.wall)} (cpu {ms(miss.cpu - bare.cpu)}); "
        "target <= 150 ms"
    )
    print(
        f"cold start, validate of an unchanged spec (cache hit): wall {ms(hit.wall)}, "
        f"difference {ms(hit.wall - bare.wall)} (cpu {ms(hit.cpu - bare.cpu)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
