"""Argo CD health checks of Katib's Experiment and Trial, run in Argo CD's own Lua engine.

`tools/luaharness` is built from the argo-cd Go module and runs our health.lua files with
argo-cd's util/lua (`VM.ExecuteHealthLua`, and `GetResourceHealth` over the resource overrides
Argo CD's settings manager reads from our argocd-cm snippet). The cases are Argo CD's own test
format, `health_test.yaml` beside each health.lua; the statuses are Katib's (reference §7.1,
§7.2, §5.7), and tests/gitops/test_flux_health.py evaluates the same files with Flux.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, require_go

CUSTOMIZATIONS = ROOT / "deploy" / "argocd" / "resource_customizations"
KINDS = ("Experiment", "Trial")
CONFIGMAP = ROOT / "deploy" / "argocd" / "argocd-cm.yaml"
STATUSES = {"Healthy", "Progressing", "Degraded"}  # all our checks ever return


def kind_dir(kind: str) -> Path:
    return CUSTOMIZATIONS / "kubeflow.org" / kind


def health_tests(kind: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((kind_dir(kind) / "health_test.yaml").read_text())["tests"])


def case_object(kind: str, input_path: str) -> dict[str, Any]:
    return dict(yaml.safe_load((kind_dir(kind) / input_path).read_text()))


@pytest.fixture(scope="module")
def lua() -> types.ModuleType:
    require_go()
    from tools.luaharness import harness

    harness.build()
    return harness


# --- the cases, in Argo CD's engine ------------------------------------------------------------


def test_every_case_passes_in_argo_cds_engine(lua: types.ModuleType) -> None:
    outcomes = lua.run_tests(CUSTOMIZATIONS)
    assert sorted({o["dir"] for o in outcomes}) == [f"kubeflow.org/{k}" for k in KINDS]
    assert len(outcomes) == sum(len(health_tests(k)) for k in KINDS)
    wrong = [
        f"{o['dir']}/{o['inputPath']}: expected {o['expected']}, "
        f"as installed through argocd-cm {o['restricted']}, with open libraries {o['openLibs']}"
        for o in outcomes
        if not o["expected"] == o["restricted"] == o["openLibs"]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", KINDS)
def test_every_testdata_file_is_a_case_and_every_case_has_a_file(kind: str) -> None:
    files = sorted(f"testdata/{p.name}" for p in (kind_dir(kind) / "testdata").glob("*"))
    cases = [t["inputPath"] for t in health_tests(kind)]
    assert sorted(cases) == files
    assert len(set(cases)) == len(cases)
    for t in health_tests(kind):
        assert set(t) == {"healthStatus", "inputPath"}
        assert set(t["healthStatus"]) == {"status", "message"}
        assert t["healthStatus"]["status"] in STATUSES
        assert case_object(kind, t["inputPath"])["kind"] == kind


def test_the_seed_books_example_10_2_reads_as_katib_printed_it() -> None:
    """Example 10-2: Running, 12 trials, 10 succeeded, 2 running, best 0.981091 (§7.1)."""
    (case,) = [
        t for t in health_tests("Experiment") if t["inputPath"].endswith("example-10-2.yaml")
    ]
    assert case["healthStatus"] == {
        "status": "Progressing",
        "message": "Experiment is running: 10 of 12 trials done, 2 running; "
        "best Validation-accuracy=0.981091 so far",
    }


# --- the argocd-cm snippet ---------------------------------------------------------------------


def test_argocd_cm_embeds_exactly_the_shipped_checks() -> None:
    cm = yaml.safe_load(CONFIGMAP.read_text())
    assert (cm["apiVersion"], cm["kind"]) == ("v1", "ConfigMap")
    assert cm["metadata"]["name"] == "argocd-cm"
    data = cm["data"]
    # label tracking would claim the trials: Katib copies experiment labels onto them (§2.2)
    assert data["application.resourceTrackingMethod"] == "annotation"
    for kind in KINDS:
        shipped = (kind_dir(kind) / "health.lua").read_text()
        embedded = data[f"resource.customizations.health.kubeflow.org_{kind}"]
        assert embedded == shipped, (
            f"{CONFIGMAP.name} does not embed {kind}/health.lua byte for byte: paste the file "
            "into the block scalar, indented by four spaces"
        )
    assert set(data) == {
        "application.resourceTrackingMethod",
        *(f"resource.customizations.health.kubeflow.org_{k}" for k in KINDS),
    }  # no useOpenLibs: the checks run as Argo CD runs any argocd-cm script


def test_argo_cd_reads_the_snippet_and_finds_each_check_by_kind(lua: types.ModuleType) -> None:
    cases = [(k, t) for k in KINDS for t in health_tests(k)]
    objects = [case_object(k, t["inputPath"]) for k, t in cases]
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unrelated"}}
    tracking, results = lua.through_configmap(CONFIGMAP, [*objects, other])
    assert tracking == "annotation"
    for (kind, t), got in zip(cases, results, strict=False):
        assert got == t["healthStatus"], f"{kind}/{t['inputPath']}"
    assert results[-1] == {"error": "no health check for this kind"}  # nothing else is claimed


def test_without_the_experiment_key_argo_cd_has_no_experiment_check(
    lua: types.ModuleType, tmp_path: Path
) -> None:
    """The harness really reads the snippet: drop a key and its check is gone."""
    cm = yaml.safe_load(CONFIGMAP.read_text())
    del cm["data"]["resource.customizations.health.kubeflow.org_Experiment"]
    (tmp_path / "argocd-cm.yaml").write_text(yaml.safe_dump(cm))
    experiment = case_object("Experiment", "testdata/running.yaml")
    trial = case_object("Trial", "testdata/running.yaml")
    _, results = lua.through_configmap(tmp_path / "argocd-cm.yaml", [experiment, trial])
    assert results == [
        {"error": "no health check for this kind"},
        {"status": "Progressing", "message": "Trial is running"},
    ]


# --- malformed objects: a health, never a Lua error (Argo CD would show Unknown) ---------------


def malformed(kind: str) -> list[dict[str, Any]]:
    base = {"apiVersion": "kubeflow.org/v1beta1", "kind": kind, "metadata": {"name": "x"}}
    statuses: list[Any] = [
        "Running",
        42,
        [],
        {"conditions": "Succeeded"},
        {"conditions": {"type": "Succeeded", "status": "True"}},
        {"conditions": ["Succeeded", 7, None, True]},
        {"conditions": [{"type": 7, "status": True}, {"type": None}, {"status": "True"}]},
        {"conditions": [{"type": "Failed", "status": "True", "message": {"a": 1}}]},
        {"conditions": [{"type": "Succeeded", "status": "True", "message": ""}]},
        {"trials": "12", "trialsSucceeded": [3], "trialsRunning": {"n": 1}, "trialsFailed": -1},
        {"currentOptimalTrial": "best", "observation": 3},
        {"currentOptimalTrial": {"bestTrialName": 9, "observation": {"metrics": "x"}}},
        {"observation": {"metrics": [{"name": "acc", "max": {"v": 1}, "latest": []}]}},
        {"observation": {"metrics": [None, "acc", {"name": ["acc"]}]}},
    ]
    specs: list[Any] = [
        None,
        "spec",
        [1, 2],
        {"maxTrialCount": "12", "objective": "maximize"},
        {"objective": {"objectiveMetricName": 5, "metricStrategies": "max"}},
        {"objective": {"objectiveMetricName": "acc", "metricStrategies": [None, {"name": "acc"}]}},
        {"maxTrialCount": 1e300, "objective": {"objectiveMetricName": "acc", "type": []}},
    ]
    objects: list[dict[str, Any]] = [dict(base), {"kind": kind}]
    objects += [{**base, "status": s} for s in statuses]
    objects += [{**base, "spec": s, "status": statuses[-4]} for s in specs]
    return objects


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_objects_get_a_health_not_a_lua_error(lua: types.ModuleType, kind: str) -> None:
    objects = malformed(kind)
    results = lua.evaluate(kind_dir(kind) / "health.lua", objects)
    for obj, got in zip(objects, results, strict=True):
        assert "error" not in got and got["status"] in STATUSES, json.dumps(obj)
        assert got["message"], json.dumps(obj)


def test_a_malformed_status_is_waiting_not_healthy(lua: types.ModuleType) -> None:
    base = {"apiVersion": "kubeflow.org/v1beta1", "kind": "Experiment", "spec": "?"}
    objects = [{**base, "status": "Succeeded"}, {**base, "status": {"conditions": "Failed"}}]
    results = lua.evaluate(kind_dir("Experiment") / "health.lua", objects)
    want = {"status": "Progressing", "message": "Waiting for Katib's experiment controller: "}
    assert results == [{**want, "message": want["message"] + "0 trials done"}] * 2


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
CONDITION = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["Created", "Running", "Restarting", "Succeeded", "Failed"])
        | st.sampled_from(["EarlyStopped", "MetricsUnavailable", "Killed"])
        | JSON,
        "status": st.sampled_from(["True", "False", "Unknown"]) | JSON,
        "message": st.text(max_size=20) | JSON,
    },
)
STATUS = st.fixed_dictionaries(
    {},
    optional={
        "conditions": st.lists(CONDITION | JSON, max_size=5) | JSON,
        "trials": st.integers(0, 100) | JSON,
        "trialsSucceeded": st.integers(0, 100) | JSON,
        "trialsRunning": st.integers(0, 100) | JSON,
        "currentOptimalTrial": JSON,
        "observation": JSON,
    },
)


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(STATUS | JSON, JSON), min_size=10, max_size=10))
def test_any_json_in_status_and_spec_gets_a_health(
    lua: types.ModuleType, kind: str, cases: list[tuple[Any, Any]]
) -> None:
    """Property: whatever JSON sits in status and spec, Argo CD's engine returns a health."""
    objects = [
        {"apiVersion": "kubeflow.org/v1beta1", "kind": kind, "spec": spec, "status": status}
        for status, spec in cases
    ]
    for obj, got in zip(objects, lua.evaluate(kind_dir(kind) / "health.lua", objects), strict=True):
        assert "error" not in got and got["status"] in STATUSES, json.dumps(obj)
