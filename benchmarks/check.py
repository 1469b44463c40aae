"""`check` speed against the compile floor, measured in the same run.

- 1,000 varied, hardened specs (Job and the training-operator kinds, some breaking rules) are
  generated into a temporary repository with policies/: the built-in pack, its parameters,
  a cluster profile, and five cerberus (YAML) rules over different targets.
- The floor: `compile_specs` over the same repository, policies off (load, validate,
  normalize, Katib's admission), best of several runs.
- check, cold: the same compile plus every policy over every experiment, no cache.
- check, warm: the same, with the cache of a previous run (nothing changed: nothing re-checked).

Target: check within 2x the compile time.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from compiler.commands.check import check
from compiler.commands.compile import compile_specs

KINDS = ["Job", "Job", "Job", "TFJob", "PyTorchJob", "XGBoostJob", "MPIJob"]
ALGORITHMS = ["random", "tpe", "multivariate-tpe", "sobol", "cmaes"]

CONFIG = """\
rules: {images-digest: warning}
parameters:
  images: {registries: [registry.example.com/ml]}
  resources: {maxGpusPerTrial: 4}
  budget:
    maxTrialCount: 45
    maxParallelTrialCount: 4
    experiment: {cpuHours: 400, gpuHours: 40}
    namespace: {cpuHours: 4000, gpuHours: 400}
  tenancy:
    teams: {%s}
"""
CLUSTER = """\
name: bench
namespaces: {%s}
"""
RULE = """\
id: {id}
title: {id}
rationale: benchmark rule {id}
fix: none
target: {target}
schema: {schema}
"""
RULES = {
    "failure-budget": ("spec", "{maxFailedTrialCount: {required: true, type: integer, min: 1}}"),
    "team-label": ("metadata", "{labels: {type: dict, schema: {team: {type: string}}}}"),
    "pull-policy": ("containers", "{imagePullPolicy: {allowed: [IfNotPresent, Never]}}"),
    "algorithm-allowed": (
        "spec.algorithm",
        "{algorithmName: {allowed: [random, tpe, multivariate-tpe, sobol, cmaes]}}",
    ),
    "limits-set": (
        "training",
        "{resources: {required: true, type: dict, schema: {limits: {required: true}}}}",
    ),
}


def spec_text(i: int, rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    workers = "" if kind == "Job" else "  workers: 2\n"
    image = "registry.example.com/ml/train" + (":latest" if i % 50 == 0 else f":{i % 7}.0")
    return f"""name: exp-{i:04d}
labels: {{team: t{i % 10}}}
objective: {{{rng.choice(["maximize", "minimize"])}: accuracy, goal: 0.9, also: [loss]}}
algorithm: {rng.choice(ALGORITHMS)}
trials: {{max: {rng.randint(10, 50)}, parallel: {rng.randint(1, 4)}, failures: 3}}
parameters:
  lr: {{min: 0.001, max: 0.1, log: true}}
  momentum: {{min: 0.5, max: 0.99}}
  layers: {{min: 1, max: {rng.randint(3, 8)}}}
  optimizer: [sgd, adam]
trial:
  kind: {kind}
{workers}  image: {image}
  command: [python3, /opt/train.py]
  args:
  - --lr=${{lr}}
  - --momentum=${{momentum}}
  - --layers=${{layers}}
  - --optimizer=${{optimizer}}
  env: {{SEED: "{i}"}}
  resources: {{cpu: 1, memory: 2Gi}}
  deadline: 3600
  pod:
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      seccompProfile: {{type: RuntimeDefault}}
  container:
    imagePullPolicy: IfNotPresent
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {{drop: [ALL]}}
"""


def make_repo(root: Path, n: int) -> None:
    rng = random.Random(42)
    for i in range(n):
        path = root / "specs" / f"team-{i % 10}" / f"exp-{i:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec_text(i, rng), "utf-8")
    policies = root / "policies"
    policies.mkdir()
    teams = ", ".join(f"team-{t}: [team-{t}]" for t in range(10))
    labels = "{katib.kubeflow.org/metrics-collector-injection: enabled}"
    namespaces = ", ".join(f"team-{t}: {{labels: {labels}}}" for t in range(10))
    (policies / "config.yaml").write_text(CONFIG % teams, "utf-8")
    (policies / "cluster.yaml").write_text(CLUSTER % namespaces, "utf-8")
    for rule_id, (target, schema) in RULES.items():
        (policies / f"{rule_id}.yaml").write_text(
            RULE.format(id=rule_id, target=target, schema=schema), "utf-8"
        )


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall time and this process's CPU time (the fairer of the two on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Best wall and CPU time of each, the runs interleaved so that load drifts hit all alike."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            out[name].append(timed(fn))
    return {name: (min(w for w, _ in t), min(c for _, c in t)) for name, t in out.items()}


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = 5
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, n)
        report, outcome = check(root, use_cache=False)
        assert outcome.checked == n, (
            outcome.checked,
            [i.diagnostic.render() for i in report.items][:5],
        )
        rules = len(outcome.policies.enabled()) if outcome.policies else 0
        check(root)  # fill the cache
        times = interleaved(
            {
                "compile": lambda: compile_specs(root, policies=False),
                "cold": lambda: check(root, use_cache=False),
                "warm": lambda: check(root),
            },
            runs,
        )
        _, warm = check(root)
    base_wall, base_cpu = times["compile"]
    print(
        f"experiments: {n}; enabled rules: {rules} (built-in pack + {len(RULES)} cerberus "
        f"rules); findings: {len(report.items)}; best of {runs} interleaved runs"
    )
    print(f"{'':32}{'wall ms':>10}{'cpu ms':>10}{'ratio (cpu)':>13}{'ratio (wall)':>14}")
    labels = {
        "compile": "compile (floor, policies off)",
        "cold": "check, cold (no cache)",
        "warm": f"check, warm ({warm.cached}/{warm.checked} cached)",
    }
    for name, label in labels.items():
        wall, cpu = times[name]
        print(
            f"{label:32}{wall * 1000:10.1f}{cpu * 1000:10.1f}{cpu / base_cpu:12.2f}x"
            f"{wall / base_wall:13.2f}x"
        )
    cold_cpu = times["cold"][1]
    print(
        f"policies alone, cold: {(cold_cpu - base_cpu) / n * 1e6:.0f} us of CPU per experiment; "
        "target: check <= 2x compile"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
