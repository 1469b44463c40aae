"""Flux health checks of Katib's Experiment and Trial, evaluated by Flux's own CEL evaluator.

`tools/celharness` is built from fluxcd/pkg/runtime v0.117.0 and evaluates
`compiler.gitops.flux_health` as kustomize-controller does: `cel.NewStatusReader` over the
Kustomization's `healthCheckExprs`, then the kstatus reader it returns (inProgress, failed,
current; an evaluation error is Unknown). The statuses are the Argo CD cases' testdata
(deploy/argocd/resource_customizations/kubeflow.org/<Kind>/testdata, Katib reference §7.1,
§7.2), read in place, and Flux must agree with Argo CD on each of them.
"""

from __future__ import annotations

import copy
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.gitops import flux_health
from tests.conftest import ROOT, require_go

KINDS = ("Experiment", "Trial")
CHECKS = {
    "Experiment": flux_health.EXPERIMENT_HEALTH_CHECK,
    "Trial": flux_health.TRIAL_HEALTH_CHECK,
}
ARGO_TO_FLUX = {"Healthy": "Current", "Degraded": "Failed", "Progressing": "InProgress"}
#: The one status the two tools read differently: Katib's finalizer is there, the status is not
#: written yet, and the reader stripped managedFields. Argo CD's Lua sees no status (Progressing);
#: Flux's CEL cannot test a missing top-level field, so it is Unknown, which Flux waits on as
#: on InProgress (flux_health's docstring).
UNKNOWN = {("Experiment", "testdata/finalizer-no-status-no-managedfields.yaml")}


def kind_dir(kind: str) -> Path:
    return ROOT / "deploy" / "argocd" / "resource_customizations" / "kubeflow.org" / kind


def cases(kind: str) -> list[tuple[str, dict[str, Any], str]]:
    """(inputPath, object, Argo CD's expected status) of each Argo CD case of `kind`."""
    tests = yaml.safe_load((kind_dir(kind) / "health_test.yaml").read_text())["tests"]
    return [
        (
            t["inputPath"],
            yaml.safe_load((kind_dir(kind) / t["inputPath"]).read_text()),
            t["healthStatus"]["status"],
        )
        for t in tests
    ]


@pytest.fixture(scope="module")
def cel() -> types.ModuleType:
    require_go()
    from tools.celharness import harness

    harness.build()
    return harness


def alone(check: dict[str, str], field: str) -> dict[str, str]:
    """A check whose `current` is one of `check`'s expressions: Current iff it is true."""
    return {"apiVersion": check["apiVersion"], "kind": check["kind"], "current": check[field]}


# --- the constants -----------------------------------------------------------------------------


def test_the_kustomization_lists_the_experiment_check_only() -> None:
    """Only Experiments are in a Kustomization's inventory; Katib creates the Trials."""
    assert list(flux_health.HEALTH_CHECK_EXPRS) == [flux_health.EXPERIMENT_HEALTH_CHECK]
    for check in CHECKS.values():
        assert list(check) == ["apiVersion", "kind", "current", "inProgress", "failed"]
        assert check["apiVersion"] == "kubeflow.org/v1beta1"
        assert all(isinstance(v, str) and v for v in check.values())


def test_flux_accepts_the_expressions(cel: types.ModuleType) -> None:
    """kustomize-controller parses them up front (InvalidCELExpression otherwise)."""
    assert cel.evaluate(list(CHECKS.values()), []) == []
    with pytest.raises(cel.InvalidExpressions, match="failed to parse"):
        cel.evaluate([{**flux_health.EXPERIMENT_HEALTH_CHECK, "failed": "has(status)"}], [])


# --- Katib's statuses --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_flux_agrees_with_argo_cd_on_every_status(cel: types.ModuleType, kind: str) -> None:
    found = cases(kind)
    results = cel.evaluate([CHECKS[kind]], [obj for _, obj, _ in found])
    wrong = []
    for (path, _, argo), got in zip(found, results, strict=True):
        want = "Unknown" if (kind, path) in UNKNOWN else ARGO_TO_FLUX[argo]
        if got["status"] != want:
            wrong.append(f"{kind}/{path}: Argo CD {argo}, Flux {got} (want {want})")
    assert not wrong, "\n".join(wrong)


def test_the_unknown_case_is_flux_waiting_on_a_missing_status(cel: types.ModuleType) -> None:
    ((path, obj, _),) = [c for c in cases("Experiment") if ("Experiment", c[0]) in UNKNOWN]
    (got,) = cel.evaluate(flux_health.HEALTH_CHECK_EXPRS, [obj])
    assert got["status"] == "Unknown", path
    assert "no such attribute(s): status" in got["error"]


@pytest.mark.parametrize("kind", KINDS)
def test_exactly_one_expression_holds_for_each_status(cel: types.ModuleType, kind: str) -> None:
    """current, failed and inProgress split Katib's statuses, each evaluated alone."""
    found = [c for c in cases(kind) if (kind, c[0]) not in UNKNOWN]
    objects = [obj for _, obj, _ in found]
    held = {
        field: [r["status"] for r in cel.evaluate([alone(CHECKS[kind], field)], objects)]
        for field in ("current", "failed", "inProgress")
    }
    for i, (path, _, _) in enumerate(found):
        column = {field: held[field][i] for field in held}
        assert set(column.values()) <= {"Current", "InProgress"}, (path, column)  # no errors
        assert sum(s == "Current" for s in column.values()) == 1, (path, column)


def no_status_objects() -> list[dict[str, Any]]:
    names = {"testdata/just-created.yaml", "testdata/finalizer-no-status.yaml"}
    objects = [obj for path, obj, _ in cases("Experiment") if path in names]
    objects += [obj for path, obj, _ in cases("Trial") if path == "testdata/no-status.yaml"]
    assert len(objects) == 3 and all("status" not in o for o in objects)
    return objects


@pytest.mark.parametrize("field", ["current", "inProgress", "failed"])
def test_no_expression_errors_on_an_object_without_status(
    cel: types.ModuleType, field: str
) -> None:
    objects = no_status_objects()
    for obj in objects:
        (got,) = cel.evaluate([alone(CHECKS[obj["kind"]], field)], [obj])
        want = "Current" if field == "inProgress" else "InProgress"  # only inProgress holds
        assert got == {"status": want}, (field, obj["metadata"])


def test_a_plain_expression_would_be_unknown_without_status(cel: types.ModuleType) -> None:
    """Why the guard: Flux errors on the missing `status`, whatever `has()` says."""
    plain = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "current": "has(status.conditions) && status.conditions.exists(c, c.type == 'Succeeded')",
    }
    (got,) = cel.evaluate([plain], no_status_objects()[:1])
    assert got["status"] == "Unknown"
    assert "no such attribute(s): status.conditions" in got["error"]


def test_a_spec_edit_does_not_hold_a_finished_experiment_back(cel: types.ModuleType) -> None:
    """Flux's built-in generation check needs status.observedGeneration, which Katib never
    writes (§7.1), so after an in-place edit (generation 2) the conditions still decide."""
    (path, obj, _) = next(c for c in cases("Experiment") if c[0].endswith("/goal-reached.yaml"))
    edited = copy.deepcopy(obj)
    edited["metadata"]["generation"] = 2
    got = cel.evaluate(flux_health.HEALTH_CHECK_EXPRS, [obj, edited])
    assert got == [{"status": "Current"}] * 2, path


# --- on a real API server: what Flux reads before and after Katib's first writes ---------------


@pytest.fixture()
def experiment_path(apiserver: Any) -> Iterator[str]:
    name = f"health-{uuid.uuid4().hex[:8]}"
    path = f"/apis/kubeflow.org/v1beta1/namespaces/{apiserver.namespace}/experiments/{name}"
    yield path
    apiserver.rest().request("DELETE", path)


@pytest.mark.apiserver
def test_live_experiment_from_create_to_succeeded(
    cel: types.ModuleType, apiserver: Any, experiment_path: str
) -> None:
    """The object as the API server serves it: no status after create (the CRD's status
    subresource drops it), Katib's finalizer, then a status written through /status."""
    require_go()
    from tools.luaharness import harness as lua

    rest = apiserver.rest()
    (_, obj, _) = next(c for c in cases("Experiment") if c[0].endswith("/running.yaml"))
    name = experiment_path.rsplit("/", 1)[1]
    body = {
        "apiVersion": obj["apiVersion"],
        "kind": "Experiment",
        "metadata": {"name": name, "labels": obj["metadata"]["labels"]},
        "spec": obj["spec"],
        "status": obj["status"],  # dropped on create
    }
    collection = experiment_path.rsplit("/", 1)[0]
    code, created = rest.request("POST", collection + "?fieldManager=kustomize-controller", body)
    assert code == 201, created
    merge = "application/merge-patch+json"

    def read() -> dict[str, Any]:
        code, live = rest.request("GET", experiment_path)
        assert code == 200, live
        return dict(live)

    def health(live: dict[str, Any]) -> tuple[str, str]:
        (flux,) = cel.evaluate(flux_health.HEALTH_CHECK_EXPRS, [live])
        (argo,) = lua.evaluate(kind_dir("Experiment") / "health.lua", [live])
        return flux["status"], argo["status"]

    live = read()
    assert "status" not in live and "finalizers" not in live["metadata"]
    assert health(live) == ("InProgress", "Progressing")

    # Katib's first reconcile: the finalizer only (reference §2.2)
    patch = {"metadata": {"finalizers": ["update-prometheus-metrics"]}}
    code, _ = rest.request(
        "PATCH", experiment_path + "?fieldManager=katib-controller", patch, merge
    )
    assert code == 200
    live = read()
    assert "status" not in live
    assert health(live) == ("InProgress", "Progressing")  # managedFields: no status writer
    stripped = copy.deepcopy(live)
    del stripped["metadata"]["managedFields"]
    assert cel.evaluate(flux_health.HEALTH_CHECK_EXPRS, [stripped])[0]["status"] == "Unknown"

    # the next reconcile writes the status, through the status subresource
    created_only = {"status": {**obj["status"], "conditions": obj["status"]["conditions"][:1]}}
    status_path = experiment_path + "/status?fieldManager=katib-controller"
    code, _ = rest.request("PATCH", status_path, created_only, merge)
    assert code == 200
    live = read()
    entries = [m for m in live["metadata"]["managedFields"] if m.get("subresource") == "status"]
    assert [m["manager"] for m in entries] == ["katib-controller"]
    assert health(live) == ("InProgress", "Progressing")
    del live["metadata"]["managedFields"]
    assert health(live) == ("InProgress", "Progressing")  # the status itself now decides

    succeeded = {
        "type": "Succeeded",
        "status": "True",
        "reason": "ExperimentMaxTrialsReached",
        "message": "Experiment has succeeded because max trial count has reached",
    }
    conditions = [*obj["status"]["conditions"], succeeded]
    code, _ = rest.request("PATCH", status_path, {"status": {"conditions": conditions}}, merge)
    assert code == 200
    assert health(read()) == ("Current", "Healthy")
