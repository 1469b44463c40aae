"""Run time: a trial that cannot run forever, installs nothing when it starts, and carries no
secret in plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from compiler.policy.api import Context, Finding, Subject, rule
from compiler.policy.cost import deadline

INSTALL = re.compile(
    r"\b(?:pip3?|python3?\s+-m\s+pip|uv\s+pip|conda|mamba|micromamba)\s+install\b"
    r"|\bapt(?:-get)?\s+(?:-\S+\s+)*install\b|\bapk\s+add\b|\byum\s+install\b|\bdnf\s+install\b"
)
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I
)
SECRET_VALUE = re.compile(
    r"AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|sk-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)


@rule(
    "runtime-deadline",
    title="Trials have a time limit",
    rationale="A trial that hangs (a dead data loader, a deadlock between replicas) holds its "
    "resources forever; the experiment never finishes and its cost has no bound.",
    fix="Set trial.deadline (seconds): it becomes activeDeadlineSeconds on a Job, "
    "runPolicy.activeDeadlineSeconds on TFJob, PyTorchJob, MPIJob and XGBoostJob.",
)
def time_limit(subject: Subject, context: Context) -> Iterator[Finding]:
    if not subject.pods and subject.kind in ("", "TrainJob"):
        return  # nothing visible to bound (a ConfigMap template); see trial-pods-visible
    seconds, where = deadline(subject)
    if seconds is None:
        kind = subject.kind or "trial job"
        yield Finding(f"the {kind} has no time limit (activeDeadlineSeconds)", where)


def _command_lines(items: object) -> list[str]:
    return [str(x) for x in items] if isinstance(items, tuple) else []


@rule(
    "runtime-pip-install",
    title="No package installs at run time",
    rationale="Installing packages when a trial starts makes trials of one experiment run "
    "different code, slows every trial, and pulls unreviewed code from the network.",
    fix="Install the packages when building the image, and pin the image.",
)
def installs(subject: Subject, context: Context) -> Iterator[Finding]:
    for c in subject.containers:
        for key in ("command", "args"):
            items = _command_lines(c.get(key))
            for i, text in enumerate(items):
                window = " ".join(items[i : i + 4])  # ["pip", "install", "x"] spans items
                match = INSTALL.search(window)
                if match and match.start() < len(text):
                    yield Finding(
                        f"container {c.name!r} installs packages at run time: {match.group(0)!r}",
                        c.at(key, i),
                    )
                    break


@rule(
    "runtime-secret-env",
    title="No literal secrets in env",
    rationale="A secret written into the spec is in git history for good, in every compiled "
    "manifest, and readable by anyone who can read the Experiment or its Trials.",
    fix="Put the secret in a Kubernetes Secret and use env[].valueFrom.secretKeyRef.",
)
def secrets(subject: Subject, context: Context) -> Iterator[Finding]:
    for c in subject.containers:
        for i, var in enumerate(c.get("env") or ()):
            if not isinstance(var, Mapping) or not isinstance(var.get("value"), str):
                continue
            name, value = str(var.get("name", "")), var["value"]
            if not value or "${" in value:
                continue
            if SECRET_NAME.search(name) or SECRET_VALUE.search(value):
                yield Finding(
                    f"container {c.name!r}: env {name} holds a literal secret",
                    c.at("env", i, "value"),
                )
