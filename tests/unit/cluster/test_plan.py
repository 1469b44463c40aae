"""The plan (compiler.cluster.plan): Git's experiments against live objects, as data. The live
objects here are shaped as the API server returns them (uid, managedFields, Katib's finalizer,
status); the end-to-end tests meet the real server."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from compiler.cluster.plan import INJECTION_LABEL, Observed, make_plan
from compiler.cluster.updates import update_errors
from compiler.desired import Desired, read_desired

ROOT = Path(__file__).resolve().parents[3]
LABELLED = {INJECTION_LABEL: "enabled"}


@pytest.fixture(scope="module")
def desired() -> Any:
    folder = ROOT / "generated"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}
    return read_desired(files)


def one(desired: Any, name: str) -> Desired:
    return next(d for d in desired.experiments if d.experiment == name)


def live(d: Desired, *, uid: str = "u-1", **status: Any) -> dict[str, Any]:
    """What the API server holds after an apply of `d`: server fields added."""
    obj = copy.deepcopy(dict(d.manifest))
    meta = obj["metadata"]
    meta.update(
        uid=uid,
        resourceVersion="42",
        creationTimestamp="2026-12-01T10:00:00Z",
        finalizers=["update-prometheus-metrics"],
        managedFields=[
            {
                "manager": "katib-gitops",
                "operation": "Apply",
                "fieldsV1": {"f:metadata": {"f:labels": {f"f:{k}": {} for k in meta["labels"]}}},
            }
        ],
    )
    meta["annotations"] = {**meta["annotations"], "argocd.argoproj.io/tracking-id": "x"}
    obj["status"] = {"trials": 0, **status}
    return obj


def plan_of(desired: Any, objects: list[dict[str, Any]], namespaces: Any = None, **kw: Any) -> Any:
    spaces = (
        {d.namespace: LABELLED for d in desired.experiments} if namespaces is None else namespaces
    )
    return make_plan(desired, Observed(tuple(objects), spaces), update_errors, **kw)


def action(plan: Any, experiment: str) -> Any:
    return next(a for a in plan.actions if a.experiment == experiment)


def test_nothing_live_is_all_create(desired: Any) -> None:
    plan = plan_of(desired, [])
    assert {a.action for a in plan.actions} == {"create"}
    assert len(plan.actions) == len(desired.experiments)
    assert plan.changes and not plan.stuck


def test_a_live_copy_is_unchanged_whatever_the_server_added(desired: Any) -> None:
    d = one(desired, "random-example")
    plan = plan_of(desired, [live(d)])
    a = action(plan, "random-example")
    assert (a.action, a.name, a.fields) == ("unchanged", d.name, ())


def test_a_budget_edit_is_in_place_and_checked_with_katibs_rules(desired: Any) -> None:
    d = one(desired, "random-example")
    old = live(d, trials=5)
    old["spec"]["maxTrialCount"] = 6
    a = action(plan_of(desired, [old]), "random-example")
    assert a.action == "in-place"
    assert [(f.path, f.before, f.after) for f in a.fields] == [("spec.maxTrialCount", 6, 12)]
    # Katib's U-2: the new maxTrialCount must exceed status.trials (reference §3.3)
    busy = live(d, trials=12)
    busy["spec"]["maxTrialCount"] = 6
    a = action(plan_of(desired, [busy]), "random-example")
    assert a.action == "blocked"
    assert "must be greater than status.trials count" in a.reason
    assert a.hint == "raise spec.maxTrialCount above 12, the trials already created"


def test_a_completed_never_experiment_cannot_be_edited(desired: Any) -> None:
    d = one(desired, "random-example")
    done = live(
        d,
        trials=6,
        conditions=[
            {"type": "Succeeded", "status": "True", "reason": "ExperimentMaxTrialsReached"}
        ],
    )
    done["spec"]["maxTrialCount"] = 6
    a = action(plan_of(desired, [done]), "random-example")
    assert a.action == "blocked"  # U-1: resumePolicy Never cannot restart
    assert "spec.resumePolicy = LongRunning" in a.reason


def test_a_label_removed_from_git_is_an_in_place_change(desired: Any) -> None:
    d = one(desired, "random-example")
    old = live(d)
    old["metadata"]["labels"]["team"] = "a"
    old["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"]["f:labels"]["f:team"] = {}
    a = action(plan_of(desired, [old]), "random-example")
    assert a.action == "in-place"
    assert [(f.path, f.before, f.after) for f in a.fields] == [("metadata.labels.team", "a", None)]


def test_an_older_revision_is_replaced_with_the_fields(desired: Any) -> None:
    d = one(desired, "random-example")
    old = live(d)
    old["metadata"]["name"] = "random-example-0000000000"
    old["metadata"]["annotations"]["katib-gitops.dev/revision"] = "0000000000"
    old["spec"]["algorithm"] = {"algorithmName": "tpe"}
    plan = plan_of(desired, [old])
    a = action(plan, "random-example")
    assert (a.action, a.name, a.replaces) == ("replace", d.name, "random-example-0000000000")
    assert [(f.path, f.before, f.after) for f in a.fields] == [
        ("spec.algorithm.algorithmName", "tpe", "random")
    ]
    assert "0000000000 → " in a.reason
    assert not [x for x in plan.actions if x.action == "retire"]  # the replace deletes it


def test_the_same_name_with_another_revision_is_a_replace(desired: Any) -> None:
    d = one(desired, "random-example")
    old = live(d)
    old["metadata"]["annotations"]["katib-gitops.dev/revision"] = "0000000000"
    old["spec"]["algorithm"] = {"algorithmName": "tpe"}
    a = action(plan_of(desired, [old]), "random-example")
    assert (a.action, a.replaces) == ("replace", d.name)


def test_the_same_revision_with_another_spec_is_blocked_not_replaced(desired: Any) -> None:
    """Never a delete-and-create loop when the cluster stores another form of the spec."""
    d = one(desired, "random-example")
    skewed = live(d)
    skewed["spec"]["resumePolicy"] = "LongRunning"
    a = action(plan_of(desired, [skewed]), "random-example")
    assert a.action == "blocked" and "another form" in a.reason


def test_removed_and_superseded_objects_of_ours_are_retired(desired: Any) -> None:
    d = one(desired, "random-example")
    gone = live(d, uid="u-2")
    gone["metadata"].update(name="old-exp-1234567890")
    gone["metadata"]["labels"]["katib-gitops.dev/experiment"] = "old-exp"
    gone["metadata"]["annotations"]["katib-gitops.dev/spec"] = "specs/kubeflow/old.yaml"
    elsewhere = copy.deepcopy(gone)
    elsewhere["metadata"]["namespace"] = "not-managed"
    plan = plan_of(desired, [live(d), gone, elsewhere])
    retired = [a for a in plan.actions if a.action == "retire"]
    assert [(a.namespace, a.name) for a in retired] == [("kubeflow", "old-exp-1234567890")]
    assert "removed from Git" in retired[0].reason
    plan = plan_of(desired, [live(d), elsewhere], managed=["not-managed"])
    assert [a.namespace for a in plan.actions if a.action == "retire"] == ["not-managed"]


def test_objects_not_ours_are_foreign_when_in_the_way_and_ignored_otherwise(desired: Any) -> None:
    d = one(desired, "random-example")
    squatter = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": d.name, "namespace": d.namespace, "uid": "h-1"},
        "spec": {},
    }
    bystander = copy.deepcopy(squatter)
    bystander["metadata"]["name"] = "hand-made"
    plan = plan_of(desired, [squatter, bystander])
    a = action(plan, "random-example")
    assert a.action == "foreign" and "not made by katib-gitops" in a.reason
    assert plan.stuck
    assert not any(x.name == "hand-made" for x in plan.actions)
    other_spec = live(d)
    other_spec["metadata"]["annotations"]["katib-gitops.dev/spec"] = "specs/other/x.yaml"
    a = action(plan_of(desired, [other_spec]), "random-example")
    assert a.action == "foreign" and "specs/other/x.yaml" in a.reason


def test_namespaces_missing_or_without_katibs_label_block(desired: Any) -> None:
    spaces = {d.namespace: LABELLED for d in desired.experiments}
    spaces["kubeflow"] = {}
    del spaces["demo"]
    plan = plan_of(desired, [], spaces)
    by = {a.namespace: a for a in plan.actions}
    assert (
        by["kubeflow"].action == "blocked"
        and "kubectl label namespace kubeflow" in by["kubeflow"].hint
    )
    assert by["demo"].action == "blocked" and "does not exist" in by["demo"].reason
    assert by["nlp"].action == "create"


def test_the_json_shape(desired: Any) -> None:
    body = plan_of(desired, []).as_dict()
    first = body["actions"][0]
    assert set(first) >= {"name", "namespace", "action", "fields", "reason"}
    assert first["action"] == "create" and first["fields"] == []
