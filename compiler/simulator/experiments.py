"""The experiment controller: carries out `decide.reconcile` against the cluster (finalizers,
status, trial deletions and creations), plus the garbage collector's part for trials whose
Experiment is gone (no kube-controller-manager runs in the test cluster)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from compiler.cluster.errors import Conflict, NotFound
from compiler.cluster.kinds import EXPERIMENT, TRIAL
from compiler.execute.errors import SuggestionError
from compiler.execute.medianstop import MedianStop
from compiler.execute.sources import Suggestion
from compiler.model.katib import Experiment
from compiler.render.trial import RenderError
from compiler.simulator import decide, synthetic
from compiler.simulator.context import Shared, now
from compiler.simulator.names import Key, controller_uid, deleting, key_of, trial_name
from compiler.simulator.search import Search
from compiler.simulator.status import trial_state
from compiler.simulator.trials import DecodeError, build_trial


def owned_trials(
    shared: Shared, exp: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(its live trials in creation order, trials that carry its name but another owner)."""
    uid = (exp.get("metadata") or {}).get("uid")
    mine: list[dict[str, Any]] = []
    strangers: list[dict[str, Any]] = []
    for t in shared.trials.by_index(key_of(exp)):
        if deleting(t):
            continue
        (mine if controller_uid(t) == uid else strangers).append(t)
    mine.sort(key=lambda t: (str(t["metadata"].get("creationTimestamp") or ""), _rv(t)))
    return mine, strangers


def _rv(obj: Mapping[str, Any]) -> int:
    text = str(obj["metadata"].get("resourceVersion") or "0")
    return int(text) if text.isdigit() else 0


def reconcile(shared: Shared, key: Key) -> None:
    exp = shared.experiments.get(key)
    if exp is None:
        if shared.synced.is_set():
            for t in shared.trials.by_index(key):
                delete_trial(shared, t, "its Experiment is gone")
        return
    mine, strangers = owned_trials(shared, exp)
    if shared.synced.is_set():
        for t in strangers:
            delete_trial(shared, t, "its owner is an earlier Experiment of that name")
    label = "Experiment/{}/{}".format(*key)
    decision = decide.reconcile(exp, mine, now())
    by_name = {t["metadata"]["name"]: t for t in mine}
    for name in decision.delete:
        why = "the Experiment is being deleted" if deleting(exp) else "parallelTrialCount lowered"
        delete_trial(shared, by_name[name], why)
    if decision.finalizers is not None:
        # a merge patch of the list, without a resourceVersion: the client retries those, and
        # only Katib's controllers (we) touch these finalizers
        patch = {"metadata": {"finalizers": decision.finalizers}}
        try:
            shared.experiments.put(
                shared.cluster.patch(EXPERIMENT, key[0], key[1], patch, patch_type="merge")
            )
        except NotFound:
            return
        shared.log(f"{label}: finalizers {decision.finalizers}")
        if deleting(exp):
            shared.forget_experiment(str(exp["metadata"].get("uid", "")))
        return
    if decision.status is not None:
        written = shared.cluster.replace_status({**exp, "status": decision.status})
        shared.experiments.put(written)
        exp = written
        for event in decision.events:
            shared.log(f"{label}: {event}")
    if decision.create:
        create_trials(shared, exp, mine, decision.create)


def delete_trial(shared: Shared, trial: Mapping[str, Any], why: str) -> None:
    ns, name = key_of(trial)
    uid = str(trial["metadata"].get("uid", ""))
    with contextlib.suppress(NotFound):
        shared.cluster.delete(TRIAL, ns, name, uid=uid)
    marked = {**trial, "metadata": {**trial["metadata"], "deletionTimestamp": now()}}
    shared.trials.put(marked)  # not counted again before the watch reports it
    shared.log(f"Trial/{ns}/{name}: deleted ({why})")


def create_trials(
    shared: Shared, exp: dict[str, Any], mine: list[dict[str, Any]], count: int
) -> None:
    label = "Experiment/{}/{}".format(*key_of(exp))
    prepared = shared.prepared(exp)
    if prepared.model is None or prepared.text is None:
        return  # logged once per generation; Katib too creates no trial (§3.4)
    model = prepared.model
    search = shared.search(exp, model)
    search.adopt(mine)
    live = {t["metadata"]["name"]: t for t in mine}
    try:
        suggestions = search.suggest(count, live)
    except SuggestionError as exc:
        shared.log(f"{label}: the suggestion service gives no trials: {exc}")
        return
    # every name in sight, those of trials still being deleted included
    taken = {e.name for e in search.history} | {
        str(t["metadata"]["name"]) for t in shared.trials.by_index(key_of(exp))
    }
    early = early_rules(shared, exp, model, mine)
    for s in suggestions:
        try:
            created = _create(
                shared,
                exp,
                s,
                model=model,
                text=prepared.text,
                search=search,
                taken=taken,
                early=early,
            )
        except (RenderError, DecodeError) as exc:
            shared.log(f"{label}: a Trial cannot be rendered: {exc}")
            return
        name = str(created["metadata"]["name"])
        shared.trials.put(created)
        search.record(name, s)
        values = " ".join(f"{k}={v}" for k, v in s.assignments.items())
        shared.log(f"Trial/{key_of(exp)[0]}/{name}: created ({values})")


def _create(
    shared: Shared,
    exp: dict[str, Any],
    suggestion: Suggestion,
    *,
    model: Experiment,
    text: str,
    search: Search,
    taken: set[str],
    early: list[dict[str, Any]],
) -> dict[str, Any]:
    """Create the trial, drawing another name when the cluster already has one of that name
    (Katib's random names make that unlikely; seeded ones repeat on purpose)."""
    for attempt in range(5):
        name = suggestion.name or trial_name(
            key_of(exp)[1], search.seed, len(search.history), taken, attempt
        )
        taken.add(name)
        trial = build_trial(
            exp,
            model,
            text,
            name,
            list(suggestion.assignments.items()),
            labels=suggestion.labels,
            early_stopping_rules=early,
        )
        try:
            return shared.cluster.create(trial)
        except Conflict as exc:
            if exc.reason != "AlreadyExists" or suggestion.name or attempt == 4:
                raise
    raise AssertionError("unreachable")


def early_rules(
    shared: Shared, exp: Mapping[str, Any], model: Experiment, mine: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """medianstop's rules for the next trials (§5.8), from the Succeeded trials' objective
    reports."""
    median = MedianStop.of(model)
    if median is None:
        return []
    succeeded = []
    for t in mine:
        if trial_state(t) != "Succeeded":
            continue
        found = shared.series(key_of(t))
        if found is None:
            found = synthetic_objective_series(exp, model, t)
        succeeded.append(list(found))
    return [r.model_dump(by_alias=True) for r in median.rules(succeeded)]


def synthetic_objective_series(
    exp: Mapping[str, Any], model: Experiment, trial: Mapping[str, Any]
) -> tuple[float, ...]:
    """What a synthetic trial reported for the objective (recomputed: it is deterministic)."""
    from compiler.execute.space import parse_space

    obj = model.spec.objective
    if obj is None:
        return ()
    strategy = dict(synthetic.observed(model)).get(obj.objective_metric_name, "")
    pairs = (trial.get("spec") or {}).get("parameterAssignments") or []
    values = {str(a.get("name")): str(a.get("value", "")) for a in pairs}
    exp_label = "{}/{}".format(*key_of(exp))
    point = synthetic.Trial(exp_label, trial["metadata"]["name"], parse_space(model), values)
    return tuple(point.series(obj.objective_metric_name, strategy))
