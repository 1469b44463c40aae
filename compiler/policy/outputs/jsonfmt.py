"""The report as one JSON document, for scripts: stable keys, findings in report order."""

from __future__ import annotations

import json
from typing import Any

from compiler.model.diagnostics import Severity
from compiler.policy.report import Item, Report

VERSION = 1


def item_json(item: Item) -> dict[str, Any]:
    d = item.diagnostic
    w = d.where
    out: dict[str, Any] = {
        "code": d.code,
        "rule": item.rule or None,
        "severity": d.severity.value,
        "message": d.message,
        "file": w.file if w else None,
        "line": w.line if w and w.line else None,
        "column": w.column if w and w.column else None,
        "field": d.field or None,
        "hint": d.hint or None,
        "experiment": item.experiment or None,
        "waived": item.waived,
    }
    if item.waiver is not None:
        v = item.waiver
        out["waiver"] = {
            "reason": v.reason,
            "owner": v.owner,
            "expires": v.expires.isoformat(),
            "target": v.target,
        }
    return out


def render(report: Report) -> str:
    doc = {
        "version": VERSION,
        "summary": {
            "experiments": len(report.experiments),
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "notes": report.count(Severity.INFO),
            "waived": report.waived,
            "failOn": report.fail_on.value,
            "failed": report.exit_code != 0,
        },
        **({"katibConfig": dict(report.katib_config)} if report.katib_config else {}),
        **({"policies": {"source": report.policies}} if report.policies else {}),
        "findings": [item_json(i) for i in report.items],
        "experiments": [
            {"source": e.source, "name": e.name, "namespace": e.namespace}
            for e in report.experiments
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
