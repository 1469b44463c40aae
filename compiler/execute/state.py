"""The run's state: the journal's events folded, in order, into trials and conditions.

Event kinds (`event` key), each with `at` (UTC, RFC 3339 with microseconds):
  run        first line: name, namespace, revision, spec, seed
  budget     the budget in force: parallel, max, maxFailed (Katib lets these be edited)
  created    a trial: name, index, assignments, labels, memo, rules (early stopping)
  source     the suggestion source's state after a question
  started    a trial's process started: name, attempt
  finished   a trial ended: name, state, reason, message, exitCode, metrics, and logTail (the
             last lines of a failed trial's log)
  condition  an experiment condition: type, status, reason, message
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.execute.errors import StateError
from compiler.execute.journal import Event
from compiler.model.katib import Condition, EarlyStoppingRule
from compiler.model.results import TrialMetric


@dataclass
class TrialRecord:
    name: str
    index: int
    assignments: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    rules: tuple[EarlyStoppingRule, ...] = ()
    created: str = ""
    state: str = "Pending"
    reason: str = ""
    message: str = ""
    metrics: tuple[TrialMetric, ...] = ()
    started: str | None = None
    completed: str | None = None
    exit_code: int | None = None
    attempts: int = 0
    log_tail: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.state not in ("Pending", "Running")


@dataclass
class RunState:
    header: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, int | None] = field(default_factory=dict)
    trials: dict[str, TrialRecord] = field(default_factory=dict)
    conditions: list[Condition] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    last_at: str = ""

    def ordered(self) -> list[TrialRecord]:
        return sorted(self.trials.values(), key=lambda t: t.index)

    def condition(self, kind: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == kind), None)

    def has(self, kind: str) -> bool:
        c = self.condition(kind)
        return c is not None and c.status == "True"

    @property
    def completed(self) -> bool:
        return self.has("Succeeded") or self.has("Failed")


def fold(events: list[Event]) -> RunState:
    state = RunState()
    for number, event in enumerate(events, 1):
        try:
            apply(state, event)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a damaged journal
            raise StateError(
                f"journal event {number} ({str(event.get('event'))[:40]}) is damaged: "
                f"{type(exc).__name__}: {str(exc)[:200]}",
                "restore the journal, or start the experiment again with --fresh",
            ) from None
    return state


def apply(state: RunState, e: Event) -> None:
    kind = e.get("event")
    state.last_at = e.get("at", state.last_at)
    handler = _HANDLERS.get(str(kind))
    if handler is not None:
        handler(state, e)


def _run(state: RunState, e: Event) -> None:
    state.header = {k: v for k, v in e.items() if k not in ("event",)}


def _budget(state: RunState, e: Event) -> None:
    state.budget = {k: e.get(k) for k in ("parallel", "max", "maxFailed")}


def _created(state: RunState, e: Event) -> None:
    rules = tuple(EarlyStoppingRule.model_validate(r) for r in e.get("rules", ()))
    state.trials[e["name"]] = TrialRecord(
        e["name"],
        int(e["index"]),
        dict(e["assignments"]),
        dict(e.get("labels", {})),
        dict(e.get("memo", {})),
        rules,
        e.get("at", ""),
    )


def _source(state: RunState, e: Event) -> None:
    state.source = dict(e.get("state", {}))


def _started(state: RunState, e: Event) -> None:
    t = state.trials[e["name"]]
    t.state, t.started, t.attempts = "Running", e.get("at"), int(e.get("attempt", t.attempts + 1))
    t.reason, t.message, t.log_tail = "TrialRunning", "Trial is running", ()


def _finished(state: RunState, e: Event) -> None:
    t = state.trials[e["name"]]
    t.state, t.reason, t.message = e["state"], e.get("reason", ""), e.get("message", "")
    t.completed, t.exit_code = e.get("at"), e.get("exitCode")
    t.metrics = tuple(TrialMetric.model_validate(m) for m in e.get("metrics", ()))
    t.log_tail = tuple(str(line) for line in e.get("logTail", ()))


def _condition(state: RunState, e: Event) -> None:
    """Katib's setCondition (§7.1): no change when status and reason are the same; otherwise
    the old entry is removed and the new one appended, keeping lastTransitionTime when only the
    reason changes."""
    new = Condition(
        type=e["type"],
        status=e["status"],
        reason=e.get("reason", ""),
        message=e.get("message", ""),
        last_update_time=e.get("at"),
        last_transition_time=e.get("at"),
    )
    old = state.condition(new.type)
    if e.get("remove"):
        state.conditions = [c for c in state.conditions if c.type != new.type]
        return
    if old is not None and old.status == new.status and old.reason == new.reason:
        return  # setCondition: nothing changes
    if old is not None and old.status == new.status:
        new = new.model_copy(update={"last_transition_time": old.last_transition_time})
    state.conditions = [c for c in state.conditions if c.type != new.type] + [new]


_HANDLERS = {
    "run": _run,
    "budget": _budget,
    "created": _created,
    "source": _source,
    "started": _started,
    "finished": _finished,
    "condition": _condition,
}
