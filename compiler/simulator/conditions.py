"""Katib's condition bookkeeping, the same for Experiments and Trials (reference §7.1, §7.2;
`experiments/v1beta1/util.go`, `trials/v1beta1/util.go`), over the JSON the API server holds.

setCondition: nothing changes when the status and the reason are the same; otherwise the old
entry of that type is removed and the new one appended (so `kubectl get` shows the latest), and
lastTransitionTime is kept when only the reason changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Conditions = list[dict[str, Any]]


def condition(conditions: Sequence[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    """getCondition: the first of that type."""
    return next((c for c in conditions if c.get("type") == kind), None)


def has(conditions: Sequence[dict[str, Any]], kind: str) -> bool:
    """hasCondition: the first of that type is True."""
    found = condition(conditions, kind)
    return found is not None and found.get("status") == "True"


def remove(conditions: Sequence[dict[str, Any]], kind: str) -> Conditions:
    return [c for c in conditions if c.get("type") != kind]


def set_condition(  # noqa: PLR0917 - Katib's setCondition(type, status, reason, message)
    conditions: Sequence[dict[str, Any]],
    kind: str,
    status: str,
    reason: str,
    message: str,
    now: str,
) -> Conditions:
    current = condition(conditions, kind)
    if current is not None and current.get("status") == status and current.get("reason") == reason:
        return list(conditions)
    transition = now
    if current is not None and current.get("status") == status:
        transition = str(current.get("lastTransitionTime") or now)
    new: dict[str, Any] = {"type": kind, "status": status}  # Go's field order
    if reason:
        new["reason"] = reason
    if message:
        new["message"] = message
    new["lastUpdateTime"] = now
    new["lastTransitionTime"] = transition
    return [*remove(conditions, kind), new]


def mark_terminal(
    conditions: Sequence[dict[str, Any]], kind: str, reason: str, message: str, now: str
) -> Conditions:
    """MarkExperimentStatusSucceeded/Failed, MarkTrialStatusSucceeded/Failed/MetricsUnavailable:
    Running becomes False (keeping its reason and message), then the terminal condition."""
    out = list(conditions)
    running = condition(out, "Running")
    if running is not None:
        out = set_condition(
            out,
            "Running",
            "False",
            str(running.get("reason", "")),
            str(running.get("message", "")),
            now,
        )
    return set_condition(out, kind, "True", reason, message, now)


def mark_restarting(conditions: Sequence[dict[str, Any]], now: str) -> Conditions:
    """MarkExperimentStatusRestarting: Succeeded and Failed removed, Restarting set (and never
    removed afterwards, §7.1)."""
    out = remove(remove(conditions, "Succeeded"), "Failed")
    return set_condition(
        out, "Restarting", "True", "ExperimentRestarting", "Experiment is restarted", now
    )
