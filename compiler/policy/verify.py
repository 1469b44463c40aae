"""Policy tests, in the manner of `conftest verify` and `kyverno test`: a spec and the findings
expected for it (`expected.yaml` beside `spec.yaml`):

    description: a privileged container is caught at its line
    path: specs/team-a/privileged.yaml   # where the spec pretends to live (team, namespace)
    findings:                            # each must occur
      - {rule: pss-privileged, line: 14, column: 21}
      - {code: KATIB-V13}                # any diagnostic code, not only policy rules
    exact: true                          # default: no finding beyond those listed
    ignore: [pss-*]                      # rules or codes (globs) left out of the comparison
    absent: [images-tag]                 # rules that must not fire (a passing case)

A case with `findings: []` (and `exact` left at true) asserts that the spec is clean.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document
from compiler.policy.cerb import compile_schema, validate
from compiler.policy.report import Item

DEFAULT_PATH = "specs/default/spec.yaml"
_ENTRY = {
    "type": "dict",
    "schema": {
        "rule": {"type": "string", "excludes": "code"},
        "code": {"type": "string", "excludes": "rule"},
        "line": {"type": "integer", "min": 1},
        "column": {"type": "integer", "min": 1},
        "severity": {"type": "string", "allowed": ["error", "warning", "info"]},
        "waived": {"type": "boolean"},
        "message": {"type": "string"},
    },
}
_SCHEMA = {
    "description": {"type": "string"},
    "path": {"type": "string", "regex": r"[^/].*\.(yaml|yml|py)"},
    "findings": {"type": "list", "schema": _ENTRY},
    "exact": {"type": "boolean"},
    "ignore": {"type": "list", "schema": {"type": "string"}},
    "absent": {"type": "list", "schema": {"type": "string"}},
}


@dataclass(frozen=True)
class Expected:
    path: str = DEFAULT_PATH
    findings: tuple[dict[str, object], ...] = ()
    exact: bool = True
    ignore: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    description: str = ""

    def fails(self) -> set[str]:
        return {str(f["rule"]) for f in self.findings if "rule" in f}

    def passes(self, rule_ids: Iterable[str]) -> set[str]:
        """The rules this case shows not firing."""
        listed = self.fails()
        shown = set(self.absent)
        if self.exact:
            shown |= {
                r
                for r in rule_ids
                if r not in listed and not _ignored(r, f"POLICY-{r}", self.ignore)
            }
        return shown


def expected_from(doc: Document | None) -> tuple[Expected, list[Diagnostic]]:
    if doc is None:
        return Expected(), [Diagnostic(code="POLICY-TEST", message="the case has no expected.yaml")]
    data = doc.data or {}
    errors = validate(compile_schema(_SCHEMA, allow_unknown=False), data)
    if errors:
        return Expected(), [
            Diagnostic(code="POLICY-TEST", message=f"expected.yaml: {m}", where=doc.where(p))
            for p, m in errors
        ]
    return Expected(
        str(data.get("path", DEFAULT_PATH)),
        tuple(data.get("findings") or ()),
        bool(data.get("exact", True)),
        tuple(data.get("ignore") or ()),
        tuple(data.get("absent") or ()),
        str(data.get("description", "")),
    ), []


def _ignored(rule: str, code: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(rule, p) or fnmatch.fnmatchcase(code, p) for p in patterns)


def _matches(want: dict[str, object], item: Item) -> bool:
    d = item.diagnostic
    checks = (
        ("rule", item.rule),
        ("code", d.code),
        ("line", d.where.line if d.where else 0),
        ("column", d.where.column if d.where else 0),
        ("severity", d.severity.value),
        ("waived", item.waived),
    )
    if "message" in want and str(want["message"]) not in d.message:
        return False
    return all(want[k] == v for k, v in checks if k in want)


def verify(expected: Expected, items: Sequence[Item]) -> list[str]:
    """Why the case fails: each problem in words; an empty list when it passes."""
    items = [i for i in items if not _ignored(i.rule, i.diagnostic.code, expected.ignore)]
    out = [
        f"expected {_show(w)}, but it was not found"
        for w in expected.findings
        if not any(_matches(w, i) for i in items)
    ]
    out += [
        f"{i.rule or i.diagnostic.code} must not fire, but found: {_found(i)}"
        for i in items
        if i.rule in expected.absent
    ]
    if expected.exact:
        out += [
            f"unexpected finding: {_found(i)}"
            for i in items
            if i.rule not in expected.absent and not any(_matches(w, i) for w in expected.findings)
        ]
    return out


def _show(want: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in want.items())


def _found(item: Item) -> str:
    return item.diagnostic.render().splitlines()[0]
