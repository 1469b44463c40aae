"""Temporary repositories for the policy tests: specs, policies and a check run over them."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from compiler.commands.check import check
from compiler.model.diagnostics import Severity
from compiler.policy.report import Item, Report

HARDENED = """\
  pod:
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      seccompProfile: {type: RuntimeDefault}
  container:
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
"""

CONFIG = """\
parameters:
  images:
    registries: [registry.example.com/ml]
  resources:
    maxGpusPerTrial: 4
  budget:
    maxTrialCount: 50
    maxParallelTrialCount: 5
    experiment: {cpuHours: 100, gpuHours: 20}
    namespace: {cpuHours: 400, gpuHours: 40}
  tenancy:
    teams:
      team-a: [team-a]
      team-b: [team-b]
"""


def clean_spec(
    name: str = "exp", *, head: str = "", trial: str = "", hardened: str = HARDENED
) -> str:
    """A spec every built-in rule accepts; `head` and `trial` add lines to it."""
    return (
        f"name: {name}\n{head}objective: {{maximize: accuracy}}\nalgorithm: random\n"
        "trials: {max: 20, parallel: 2, failures: 2}\nparameters:\n  lr: {min: 0.01, max: 0.1}\n"
        "trial:\n  image: registry.example.com/ml/train:1.2.0\n"
        '  command: [python3, /opt/train.py, "--lr=${lr}"]\n'
        "  resources: {cpu: 2, memory: 4Gi}\n  deadline: 3600\n"
        f"{trial}{hardened}"
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


def repo(tmp_path: Path, specs: dict[str, str], policies: dict[str, str] | None = None) -> Path:
    """A repository with the given specs (path → text) and policies (file → text)."""
    files = {"config.yaml": CONFIG} if policies is None else policies
    (tmp_path / "policies").mkdir(exist_ok=True)
    for name, text in files.items():
        write(tmp_path, f"policies/{name}", text)
    for rel, text in specs.items():
        write(tmp_path, rel, text)
    return tmp_path


def run(root: Path, *, today: dt.date | None = None, fail_on: Severity = Severity.ERROR) -> Report:
    report, _ = check(root, today=today, fail_on=fail_on, use_cache=False)
    return report


def found(report: Report, rule: str) -> list[Item]:
    return [i for i in report.items if i.rule == rule]


def where(item: Item) -> str:
    return str(item.diagnostic.where)


def codes(report: Report) -> set[str]:
    return {i.diagnostic.code for i in report.items if not i.waived}
