"""The rule API, shared by the built-in pack and the repository's Python rules:

    from compiler.policy.api import Finding, rule

    @rule("team-label", severity="warning", title="Experiments carry a team label",
          rationale="Cost reports group experiments by team.",
          fix="Add labels: {team: <your team>} to the spec.")
    def team_label(subject, context):
        if "team" not in subject.experiment.metadata.labels:
            yield Finding("the experiment has no team label", ("metadata", "labels"))

A rule gets a frozen `Subject` and a frozen `Context`, and yields `Finding`s. It never sees the
spec file itself: it points at a Katib path and the engine finds the spec line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.admission.katibconfig import KatibConfig, default_config
from compiler.model.diagnostics import Severity
from compiler.model.source import Path
from compiler.policy.cluster import ClusterProfile
from compiler.policy.frozen import empty, lookup
from compiler.policy.subject import Container, Pod, SpecInfo, Subject, Summary

__all__ = [
    "Container",
    "Context",
    "Finding",
    "Pod",
    "Rule",
    "Severity",
    "SpecInfo",
    "Subject",
    "Summary",
    "rule",
    "rule_across",
]

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Finding:
    """What a rule returns: a message about the value at `path` (a Katib path)."""

    message: str
    path: Path = ()
    hint: str = ""
    severity: Severity | None = None  # None: the rule's (configured) severity


@dataclass(frozen=True)
class Context:
    """What every rule may consult besides the experiment: the configured parameters, the
    cluster profile (None when there is none) and the cluster's katib-config."""

    params: Mapping[str, Any] = field(default_factory=empty)
    cluster: ClusterProfile | None = None
    katib: KatibConfig = field(default_factory=default_config)

    def param(self, *keys: str, default: Any = None) -> Any:
        value = lookup(self.params, keys)
        return default if value is None else value


Check = Callable[[Subject, Context], Iterable[Finding]]
# a repository-wide rule: findings for experiments, by their index in the sequence
Across = Callable[[Sequence[Summary], Context], Iterable[tuple[int, Finding]]]


def _nothing(subject: Subject, context: Context) -> Iterable[Finding]:
    return ()


@dataclass(frozen=True)
class Rule:
    """A documented check: its id (the code is `POLICY-<id>`), why it exists and how to fix
    what it finds. `enabled` is its default; the configuration can switch it."""

    id: str
    title: str
    severity: Severity
    rationale: str
    fix: str
    check: Check = field(default=_nothing, repr=False, compare=False)
    enabled: bool = True
    origin: str = "built-in"
    across: Across | None = field(default=None, repr=False, compare=False)

    @property
    def code(self) -> str:
        return f"POLICY-{self.id}"


def rule(
    rule_id: str,
    *,
    title: str,
    rationale: str,
    fix: str,
    severity: str | Severity = Severity.ERROR,
    enabled: bool = True,
) -> Callable[[Check], Rule]:
    """Turn a function `(subject, context) -> findings` into a `Rule`."""

    _check_meta(rule_id, title, rationale, fix, enabled)

    def wrap(check: Check) -> Rule:
        meta = (rule_id, title, Severity(severity), rationale, fix)
        return Rule(*meta, check=check, enabled=enabled, origin=_origin(check))

    return wrap


def rule_across(
    rule_id: str,
    *,
    title: str,
    rationale: str,
    fix: str,
    severity: str | Severity = Severity.ERROR,
    enabled: bool = True,
) -> Callable[[Across], Rule]:
    """Turn a function `(summaries, context) -> (index, finding)` into a repository-wide rule,
    for limits that hold across experiments (a namespace's budget)."""
    _check_meta(rule_id, title, rationale, fix, enabled)

    def wrap(across: Across) -> Rule:
        meta = (rule_id, title, Severity(severity), rationale, fix)
        return Rule(*meta, enabled=enabled, origin=_origin(across), across=across)

    return wrap


def _check_meta(rule_id: str, title: str, rationale: str, fix: str, enabled: bool) -> None:
    """Raised where the rule file calls `@rule(...)`: the loader reports it at that line."""
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise ValueError(f"rule id {rule_id!r} must be lowercase words joined by '-'")
    for name, text in (("title", title), ("rationale", rationale), ("fix", fix)):
        if not isinstance(text, str):
            raise TypeError(f"rule {rule_id}: {name} must be a string, not {type(text).__name__}")
    if not isinstance(enabled, bool):
        raise TypeError(f"rule {rule_id}: enabled must be true or false")


def _origin(function: Callable[..., Any]) -> str:
    module = getattr(function, "__module__", "") or ""
    return "built-in" if module.startswith("compiler.") else module
