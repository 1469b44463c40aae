"""Waivers (`policies/waivers.yaml`): a reviewed, owned and dated exception to one rule for
some experiments. Every field is required, so that nobody can waive a rule without saying
why, who answers for it, and until when.

    waivers:
      - rule: pss-run-as-non-root
        target: specs/team-a/legacy.yaml   # a spec path or <namespace>/<experiment>; globs allowed
        reason: the vendor image runs as root; a rootless build is tracked in PLAT-123
        owner: ml-platform@example.com
        expires: 2026-06-30                # the last day it applies

An expired waiver is an error and waives nothing. Waived findings stay in every report,
marked as waived.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, Location, katib_path
from compiler.policy.cerb import compile_schema, validate

FIELDS = ("rule", "target", "reason", "owner", "expires")
_TEXT = {"type": "string", "required": True, "empty": False}
_ENTRY = {
    "type": "dict",
    "schema": {
        **dict.fromkeys(FIELDS[:-1], _TEXT),
        "expires": {**_TEXT, "regex": r"\d{4}-\d{2}-\d{2}"},
    },
}
_SCHEMA = {"waivers": {"type": "list", "nullable": True, "schema": _ENTRY}}


@dataclass(frozen=True)
class Waiver:
    rule: str
    target: str
    reason: str
    owner: str
    expires: dt.date
    where: Location | None = None

    def covers(self, rule_id: str, spec_path: str, experiment: str) -> bool:
        """This rule, for a spec path or a <namespace>/<name> that the target matches."""
        if rule_id != self.rule:
            return False
        return any(fnmatch.fnmatchcase(x, self.target) for x in (spec_path, experiment) if x)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        return f"waived by {self.owner} until {self.expires.isoformat()}: {self.reason}"


def waivers_from_document(doc: Document | None) -> tuple[list[Waiver], list[Diagnostic]]:
    """Every well-formed waiver, and an error for each entry that is not."""
    if doc is None or doc.data is None:
        return [], []
    errors = validate(compile_schema(_SCHEMA, allow_unknown=False), doc.data)
    problems = [_problem(doc, path, f"waiver: {_field(path)}{message}") for path, message in errors]
    bad = {path[:2] for path, _ in errors}
    out: list[Waiver] = []
    entries = doc.data.get("waivers") if isinstance(doc.data, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):  # else: an error
        if ("waivers", i) in bad or not isinstance(entry, dict):
            continue
        waiver, problem = _waiver(doc, i, entry)
        if waiver is not None:
            out.append(waiver)
        if problem is not None:
            problems.append(problem)
    return out, problems


def _waiver(
    doc: Document, i: int, entry: dict[str, str]
) -> tuple[Waiver | None, Diagnostic | None]:
    try:
        expires = dt.date.fromisoformat(entry["expires"])
    except ValueError:
        return None, _problem(
            doc, ("waivers", i, "expires"), "waiver: expires is not a date (YYYY-MM-DD)"
        )
    where = doc.where(("waivers", i, "rule"))
    rule, target, reason, owner = (entry[k].strip() for k in FIELDS[:-1])
    return Waiver(rule, target, reason, owner, expires, where), None


def _field(path: tuple[str | int, ...]) -> str:
    """`waivers[2].owner: ` for an error at ("waivers", 2, "owner")."""
    return f"{katib_path(path)}: " if path else ""


def _problem(doc: Document, path: tuple[str | int, ...], message: str) -> Diagnostic:
    hint = "every waiver needs rule, target, reason, owner and expires (YYYY-MM-DD)"
    return Diagnostic(
        code="POLICY-WAIVER-INVALID", message=message, where=doc.where(path), hint=hint
    )


def expired(waivers: Iterable[Waiver], today: dt.date) -> list[Diagnostic]:
    """An error for each expired waiver: renew it after a new review, or fix the finding."""
    return [
        Diagnostic(
            code="POLICY-WAIVER-EXPIRED",
            message=f"the waiver of {w.rule} for {w.target} expired on {w.expires.isoformat()} "
            f"(owner: {w.owner})",
            where=w.where,
            hint="fix what the rule finds, or review the exception again and move the date",
        )
        for w in waivers
        if w.expired(today)
    ]


def unknown_rules(waivers: Iterable[Waiver], known: Iterable[str]) -> list[Diagnostic]:
    ids = set(known)
    return [
        Diagnostic(
            code="POLICY-WAIVER-INVALID",
            message=f"the waiver names no known rule: {w.rule!r}",
            severity=Severity.WARNING,
            where=w.where,
            hint="use a rule id from `katib-gitops policy rules`",
        )
        for w in waivers
        if w.rule not in ids
    ]


def find(
    waivers: Sequence[Waiver], today: dt.date, rule_id: str, spec_path: str, experiment: str
) -> Waiver | None:
    """The first waiver in force that covers this finding."""
    for w in waivers:
        if not w.expired(today) and w.covers(rule_id, spec_path, experiment):
            return w
    return None
