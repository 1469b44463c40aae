"""The engine: every enabled rule over one frozen experiment, each finding located at the spec
line that caused it. Pure: no files, no clock; the same inputs give the same findings.

A rule that raises does not stop the others: its failure becomes a finding of its own.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, Location, Path, katib_path
from compiler.policy.api import Context, Finding, Rule
from compiler.policy.cost import estimate
from compiler.policy.frozen import empty
from compiler.policy.subject import Subject, Summary

BUDGET_PATH: Path = ("spec", "maxTrialCount")
FAILED = "POLICY-RULE-FAILED"


@dataclass(frozen=True)
class PolicyFinding:
    rule: str
    diagnostic: Diagnostic
    path: Path = ()  # the Katib path the rule pointed at


@dataclass(frozen=True)
class Evaluation:
    """One experiment's findings (before waivers) and its summary for repository-wide rules."""

    findings: tuple[PolicyFinding, ...]
    summary: Summary


@dataclass(frozen=True)
class Ruleset:
    """The enabled rules, their configured severities, and the context they all share."""

    rules: tuple[Rule, ...]
    context: Context = field(default_factory=Context)
    severities: Mapping[str, Severity] = field(default_factory=empty)

    @property
    def per_experiment(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.across is None)

    @property
    def across(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.across is not None)


def evaluate(subject: Subject, located: Document, ruleset: Ruleset) -> Evaluation:
    found: list[PolicyFinding] = []
    for rule in ruleset.per_experiment:
        found += _run(rule, subject, located, ruleset)
    return Evaluation(_unique(found), summarize(subject, located))


def _unique(found: list[PolicyFinding]) -> tuple[PolicyFinding, ...]:
    """Replicas built from one short-form trial share its lines: one finding per line and
    message is enough."""
    seen: set[tuple[str, str, object]] = set()
    out = []
    for f in found:
        k = (f.rule, f.diagnostic.message, f.diagnostic.where)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return tuple(out)


def summarize(subject: Subject, located: Document) -> Summary:
    cost = estimate(subject)
    where = located.where(BUDGET_PATH)
    return Summary(
        subject.spec, cost.cpu_hours, cost.gpu_hours, cost.why, where, katib_path(BUDGET_PATH)
    )


def _run(rule: Rule, subject: Subject, located: Document, ruleset: Ruleset) -> list[PolicyFinding]:
    try:
        findings = [_well_formed(f) for f in rule.check(subject, ruleset.context)]
    except (Exception, SystemExit) as exc:  # a rule is the repository's code: its bugs are findings
        return [_failed(rule, located, exc)]
    return [_locate(rule, f, located, ruleset) for f in findings]


def _well_formed(f: object) -> Finding:
    """A rule's finding as the engine needs it; TypeError or ValueError, naming what is wrong,
    when the rule yields something else (the rule then fails, as when it raises)."""
    if not isinstance(f, Finding):
        raise TypeError(f"a rule yields Finding(message, path), not {reprlib.repr(f)}")
    path = tuple(f.path) if isinstance(f.path, list) else f.path
    if not isinstance(path, tuple) or not all(
        isinstance(p, str | int) and not isinstance(p, bool) for p in path
    ):
        raise TypeError(
            f"a Finding's path is a tuple of keys and indices, not {reprlib.repr(path)}"
        )
    if not isinstance(f.message, str) or not isinstance(f.hint, str):
        raise TypeError("a Finding's message and hint are strings")
    if f.severity is not None:
        Severity(f.severity)  # ValueError: not error, warning or info
    return f if path is f.path else replace(f, path=path)


def _locate(rule: Rule, f: Finding, located: Document, ruleset: Ruleset) -> PolicyFinding:
    severity = ruleset.severities.get(rule.id) or f.severity or rule.severity
    diagnostic = Diagnostic(
        code=rule.code,
        message=f.message,
        severity=severity,
        where=where(located, f.path),
        hint=f.hint or rule.fix,
        field=katib_path(f.path),
    )
    return PolicyFinding(rule.id, diagnostic, f.path)


def where(located: Document, path: Path) -> Location:
    """The spec location of a Katib path; the experiment's name when nothing nearer is known,
    so that every finding has a line."""
    found = located.where(path)
    return found if found.line > 0 else located.where(("metadata", "name"))


def _failed(rule: Rule, located: Document, exc: BaseException) -> PolicyFinding:
    message = f"rule {rule.id} ({rule.origin}) failed: {type(exc).__name__}: {exc}"
    hint = "rules get read-only inputs; fix the rule, or switch it off in policies/config.yaml"
    return PolicyFinding(
        rule.id, Diagnostic(code=FAILED, message=message, where=where(located, ()), hint=hint)
    )


def evaluate_across(
    summaries: Sequence[Summary], ruleset: Ruleset
) -> list[tuple[int, PolicyFinding]]:
    """Repository-wide rules over every experiment's summary."""
    out: list[tuple[int, PolicyFinding]] = []
    for rule in ruleset.across:
        assert rule.across is not None
        try:
            pairs = [_pair(p, len(summaries)) for p in rule.across(summaries, ruleset.context)]
        except (Exception, SystemExit) as exc:  # as in _run
            message = f"rule {rule.id} ({rule.origin}) failed: {type(exc).__name__}: {exc}"
            out.append((-1, PolicyFinding(rule.id, Diagnostic(code=FAILED, message=message))))
            continue
        for index, f in pairs:
            s = summaries[index]
            severity = ruleset.severities.get(rule.id) or f.severity or rule.severity
            diagnostic = Diagnostic(
                code=rule.code,
                message=f.message,
                severity=severity,
                where=s.where,
                hint=f.hint or rule.fix,
                field=s.field,
            )
            out.append((index, PolicyFinding(rule.id, diagnostic)))
    return out


def _pair(pair: object, count: int) -> tuple[int, Finding]:
    """An across rule's (index of an experiment, finding), checked as `_well_formed`."""
    if not isinstance(pair, tuple) or len(pair) != 2:
        raise TypeError(f"an across rule yields (index, Finding), not {reprlib.repr(pair)}")
    index, f = pair
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        raise TypeError(f"{reprlib.repr(index)} is not the index of one of the {count} experiments")
    return index, _well_formed(f)
