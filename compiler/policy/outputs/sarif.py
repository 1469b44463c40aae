"""SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers: one run, a rule
descriptor for every code that appears, and a result per finding; a waived finding carries an
accepted external suppression with the waiver's reason, so viewers show it as dismissed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from compiler import __version__
from compiler.model.diagnostics import Severity
from compiler.policy.report import Item, Report, RuleInfo

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _descriptor(code: str, info: RuleInfo | None) -> dict[str, Any]:
    if info is None:
        return {"id": code, "shortDescription": {"text": code}}
    return {
        "id": code,
        "name": info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.rationale},
        "help": {"text": info.fix, "markdown": f"**Why:** {info.rationale}\n\n**Fix:** {info.fix}"},
        "defaultConfiguration": {"level": LEVEL[info.severity], "enabled": info.enabled},
        "properties": {"origin": info.origin},
    }


def _location(item: Item) -> list[dict[str, Any]]:
    w = item.diagnostic.where
    if w is None or not w.file:
        return []
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(w.file), "uriBaseId": "%SRCROOT%"}
    }
    if w.line > 0:
        physical["region"] = {"startLine": w.line, "startColumn": max(1, w.column)}
    return [{"physicalLocation": physical}]


def _result(item: Item, index: dict[str, int]) -> dict[str, Any]:
    d = item.diagnostic
    text = d.message + (f"\nHint: {d.hint}" if d.hint else "")
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": LEVEL[d.severity],
        "message": {"text": text},
    }
    locations = _location(item)
    if locations:
        out["locations"] = locations
    if item.waiver is not None:
        w = item.waiver
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{w.reason} (owner: {w.owner}, expires: {w.expires.isoformat()})",
            }
        ]
    props = {k: v for k, v in (("experiment", item.experiment), ("field", d.field)) if v}
    if props:
        out["properties"] = props
    return out


def render(report: Report) -> str:
    infos = {r.code: r for r in report.rules}
    codes = list(
        dict.fromkeys([*(r.code for r in report.rules), *(i.diagnostic.code for i in report.items)])
    )
    index = {code: n for n, code in enumerate(codes)}
    run = {
        "tool": {
            "driver": {
                "name": "katib-gitops",
                "version": __version__,
                "rules": [_descriptor(c, infos.get(c)) for c in codes],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
        "results": [_result(i, index) for i in report.items],
    }
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
