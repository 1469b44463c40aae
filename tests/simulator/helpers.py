"""What the simulator's real-cluster tests share: waiting, reading Experiments and Trials, and
repositories compiled by `katib-gitops compile`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compiler.cluster.client import KubeCluster
from compiler.cluster.kinds import EXPERIMENT, TRIAL


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def last_condition(kube: KubeCluster, ns: str, name: str) -> tuple[str, str] | None:
    exp = kube.get(EXPERIMENT, ns, name) or {}
    conds = (exp.get("status") or {}).get("conditions") or []
    return (conds[-1]["type"], conds[-1].get("reason", "")) if conds else None


def trials_of(kube: KubeCluster, ns: str, name: str) -> list[dict[str, Any]]:
    items = kube.list(TRIAL, ns, label_selector=f"katib.kubeflow.org/experiment={name}").items
    return sorted(items, key=lambda t: int(t["metadata"]["resourceVersion"]))


def done(kube: KubeCluster, ns: str, name: str, reason: str = "ExperimentMaxTrialsReached") -> None:
    wait_for(f"{name} {reason}", lambda: last_condition(kube, ns, name) == ("Succeeded", reason))


SPEC = """\
name: {name}
objective: {{maximize: accuracy{goal}}}
algorithm: random
trials: {{max: 3, parallel: 3, failures: 1}}
parameters:
  lr: {{min: 0.01, max: 0.1}}
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${{lr}}"]
local:
  command: [sh, -c, "python3 -c 'print(\\"{printed}\\")'"]
"""


def compiled_repo(root: Path, namespace: str, specs: dict[str, str]) -> list[dict[str, Any]]:
    """A repository with these specs, compiled by `katib-gitops compile`: the Experiments of
    its generated/, ownership metadata included (what `kustomize build` gives)."""
    from compiler.cli import main
    from compiler.desired import read_desired

    for name, text in specs.items():
        path = root / "specs" / namespace / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert main(["compile", "--root", str(root)]) == 0
    folder = root / "generated"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}
    return [dict(d.manifest) for d in read_desired(files).experiments]
