"""Compile speed against a floor measured in the same run.

- 1,000 varied specs are generated into a temporary repository.
- The floor: reading and loading the same spec files with PyYAML's C loader, and dumping the
  same manifests with its C dumper; nothing else.
- compile: our whole in-process pipeline over the same files (load, validate, normalize,
  Katib's admission, the sample trial's schema check, render), best of several runs.
- Cold start: `katib-gitops validate` on one spec against a bare `python -c pass`.

Targets: compile <= 1.5x the floor; the cold start within 150 ms of the bare interpreter.
"""

from __future__ import annotations

import os
import random
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


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cold_start(root: Path, spec: Path, runs: int = 11) -> tuple[float, float]:
    """Median wall time of a fresh process. Bytecode is compiled first and allowed, as in any
    installed package (this sandbox sets PYTHONDONTWRITEBYTECODE, which would otherwise make
    every start recompile the sources)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = Path(__file__).resolve().parent.parent / "compiler"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=True)

    def run(cmd: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
        return time.perf_counter() - start

    bare = statistics.median(run([sys.executable, "-c", "pass"]) for _ in range(runs))
    validate = [sys.executable, "-m", "compiler", "validate", str(spec.relative_to(root))]
    ours = statistics.median(run(validate) for _ in range(runs))
    return bare, ours


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
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
            result = compile_specs(root)
            manifest_set(result.compiled)

        t_floor = best(floor, 3)
        t_ours = best(ours, 3)
        bare, cold = cold_start(root, files[0])
    print(f"specs: {n}")
    print(f"floor (C loader + C dumper): {t_floor * 1000:8.1f} ms")
    print(
        f"compile (whole pipeline):   {t_ours * 1000:8.1f} ms   ratio {t_ours / t_floor:.2f}x "
        "(target <= 1.5x)"
    )
    print(f"per spec: floor {t_floor / n * 1e6:.0f} us, compile {t_ours / n * 1e6:.0f} us")
    print(
        f"cold start: python -c pass {bare * 1000:.0f} ms, validate {cold * 1000:.0f} ms, "
        f"difference {(cold - bare) * 1000:.0f} ms (target <= 150 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
