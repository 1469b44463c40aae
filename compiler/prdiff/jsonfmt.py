"""A pull request's plan as JSON: the whole of it (nothing is cut), for the workflow artifact and
for tools. The shape is documented in `katib-gitops diff --help` and kept by the tests.
"""

from __future__ import annotations

import json
from typing import Any

from compiler.prdiff.model import (
    CHANGES,
    Cost,
    ExperimentDiff,
    Finding,
    PullRequestDiff,
    Side,
    team,
)

VERSION = 1


def render(diff: PullRequestDiff) -> str:
    return json.dumps(as_dict(diff), indent=2, ensure_ascii=False, default=str) + "\n"


def as_dict(diff: PullRequestDiff) -> dict[str, Any]:
    totals = diff.totals
    return {
        "version": VERSION,
        "base": diff.base,
        "head": diff.head,
        "stale": diff.stale,
        "staleReason": diff.stale_reason,
        "problems": list(diff.problems),
        "summary": {c: diff.count(c) for c in CHANGES},
        "experiments": [_experiment(e) for e in diff.experiments],
        "policy": {
            "new": [_finding(f) for f in diff.new],
            "fixed": [_finding(f) for f in diff.fixed],
        },
        "cost": {
            "before": _cost(totals.before),
            "after": _cost(totals.after),
            "delta": _cost(totals.delta),
            "unbounded": {"before": totals.unbounded_before, "after": totals.unbounded_after},
        },
        "namespaces": list(diff.namespaces),
        "teams": list(diff.teams),
    }


def _experiment(e: ExperimentDiff) -> dict[str, Any]:
    side = e.after or e.before
    return {
        "name": e.name,
        "namespace": e.namespace,
        "change": e.change,
        "fields": [f.as_dict() for f in e.fields],
        "revision": {"before": _get(e.before, "revision"), "after": _get(e.after, "revision")},
        "objects": {"before": _get(e.before, "object"), "after": _get(e.after, "object")},
        "spec": {"before": _get(e.before, "source"), "after": _get(e.after, "source")},
        "cost": {
            "before": _cost(e.before.cost) if e.before else None,
            "after": _cost(e.after.cost) if e.after else None,
            "delta": _cost(e.cost_delta),
        },
        # the folder under specs/ at head (at base for a removed one)
        "team": team(side.source) if side else None,
    }


def _get(side: Side | None, attr: str) -> str | None:
    return None if side is None else str(getattr(side, attr))


def _cost(c: Cost) -> dict[str, Any]:
    out: dict[str, Any] = {"cpuHours": _round(c.cpu_hours), "gpuHours": _round(c.gpu_hours)}
    if c.why:
        out["why"] = c.why
    if c.assumed_deadline:
        out["assumedDeadlineSeconds"] = c.assumed_deadline
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "rule": f.rule or None,
        "experiment": f.experiment or None,
        "severity": f.severity,
        "message": f.message,
        "location": f.location or None,
    }
