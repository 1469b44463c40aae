"""Generated experiments on both sides: every shape of `shapes.py`, unchanged and mutated, plus
UPDATE pairs. Reproducible: the `conformance` hypothesis profile derandomizes.

Hypothesis shrinks a disagreement to the smallest case that still shows it; the failure message
is that case as YAML with both verdicts.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import PROFILE, SCALE, Check
from .harness import Case
from .mutations import DELETE, GENERIC, GROUPS, TARGETED, Mutator, put
from .shapes import SHAPES, any_shape

pytestmark = pytest.mark.conformance


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Case], mutators: list[Mutator]) -> Case:
    case = copy.deepcopy(draw(base))
    for mutate in draw(st.lists(st.sampled_from(mutators), min_size=1, max_size=3)):
        mutate(draw, case)
    return case


@pytest.mark.parametrize("shape", sorted(SHAPES))
@settings(PROFILE, max_examples=10 * SCALE)
@given(data=st.data())
def test_valid_shape(shape: str, data: st.DataObject, check: Check) -> None:
    case = data.draw(SHAPES[shape])
    case.id = f"valid/{shape}"
    assert check(case, "generated")["allowed"]


@pytest.mark.parametrize("shape", sorted(SHAPES))
@settings(PROFILE, max_examples=80 * SCALE)
@given(data=st.data())
def test_targeted_mutation(shape: str, data: st.DataObject, check: Check) -> None:
    case = data.draw(mutated(SHAPES[shape], TARGETED))
    case.id = f"targeted/{shape}"
    check(case, "generated")


@pytest.mark.parametrize("group", sorted(GROUPS))
@settings(PROFILE, max_examples=400 * SCALE)
@given(data=st.data())
def test_field_group(group: str, data: st.DataObject, check: Check) -> None:
    """Mutations focused on one part of the spec, so each of its rules is met often."""
    base = SHAPES["configmap"] if group == "configmap" else any_shape()
    case = data.draw(mutated(base, GROUPS[group]))
    case.id = f"group/{group}"
    check(case, "generated")


@settings(PROFILE, max_examples=1000 * SCALE)
@given(case=mutated(any_shape(), GENERIC + TARGETED))
def test_any_mutation(case: Case, check: Check) -> None:
    case.id = "any"
    check(case, "generated")


# --- UPDATE pairs ----------------------------------------------------------------------------

CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "Created": [{"type": "Created", "status": "True", "reason": "ExperimentCreated"}],
    "Running": [
        {"type": "Created", "status": "True", "reason": "ExperimentCreated"},
        {"type": "Running", "status": "True", "reason": "ExperimentRunning"},
    ],
    "MaxTrialsReached": [
        {"type": "Running", "status": "False", "reason": "ExperimentRunning"},
        {"type": "Succeeded", "status": "True", "reason": "ExperimentMaxTrialsReached"},
    ],
    "GoalReached": [{"type": "Succeeded", "status": "True", "reason": "ExperimentGoalReached"}],
    "Failed": [{"type": "Failed", "status": "True", "reason": "ExperimentFailed"}],
    "SucceededFalse": [
        {"type": "Succeeded", "status": "False", "reason": "ExperimentMaxTrialsReached"}
    ],
    "FirstOfTwo": [
        {"type": "Succeeded", "status": "False", "reason": "ExperimentGoalReached"},
        {"type": "Succeeded", "status": "True", "reason": "ExperimentMaxTrialsReached"},
    ],
    "None": [],
}
BUDGET = ("maxTrialCount", "parallelTrialCount", "maxFailedTrialCount")
OTHER_EDITS: list[tuple[tuple[str | int, ...], Any]] = [
    (("spec", "algorithm", "algorithmName"), "tpe"),
    (("spec", "objective", "goal"), 0.5),
    (("spec", "objective", "type"), "minimize"),
    (("spec", "resumePolicy"), "LongRunning"),
    (("spec", "resumePolicy"), "Never"),
    (("spec", "trialTemplate", "primaryContainerName"), "other"),
    (("spec", "trialTemplate", "retain"), True),
    (("spec", "parallelTrialCount"), None),
    (("spec", "maxTrialCount"), None),
    (("spec", "maxFailedTrialCount"), None),
    (("spec", "metricsCollectorSpec"), {"collector": {"kind": "StdOut"}}),
    (("spec", "objective", "metricStrategies"), [{"name": "accuracy", "value": "max"}]),
    (("metadata", "labels"), {"team": "a"}),
    (("metadata", "annotations"), {"note": "b"}),
    (("status",), {"trials": 100}),
]


X = ("spec", "trialTemplate", "trialSpec", "spec", "x")
# (path, old value, new value): equal or not under Go's equality.Semantic.DeepEqual?
SEMANTIC_PAIRS: list[tuple[tuple[str | int, ...], Any, Any]] = [
    (X, True, 1),
    (X, 0, False),
    (X, [], None),
    (X, {}, None),
    (X, {}, []),
    (X, 1, 1.0),
    (X, "1", 1),
    (X, [1, 2], [2, 1]),
    (X, {"a": 1, "b": 2}, {"b": 2, "a": 1}),
    (("spec", "objective", "goal"), 1, 1.0),
    (("spec", "objective", "goal"), 0.9, None),
    (("spec", "objective", "additionalMetricNames"), [], None),
    (("spec", "earlyStopping"), {}, None),
    (("spec", "algorithm", "algorithmSettings"), [], None),
    (("spec", "trialTemplate", "primaryPodLabels"), {}, None),
    (("spec", "trialTemplate", "trialParameters", 0, "description"), "", None),
    (("spec", "trialTemplate", "retain"), False, None),
    (("spec", "metricsCollectorSpec"), {"collector": {"kind": "StdOut"}}, None),
    (("spec", "metricsCollectorSpec"), {}, {"collector": {}}),
    (("spec", "parameters", 0, "feasibleSpace", "distribution"), "uniform", None),
    (("spec", "resumePolicy"), "Never", None),
    (("spec", "resumePolicy"), "", None),
    (("metadata", "labels"), {"a": "b"}, None),
]


def _has_parent(obj: Any, path: tuple[str | int, ...]) -> bool:
    """Whether the map that holds the last key exists (the pair then edits, never invents, a
    section: a trialSpec made up for a ConfigMap source would not even decode)."""
    node: Any = obj
    for part in path[:-1]:
        in_map = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_map or in_list):
            return False
        node = node[part]
    return isinstance(node, dict)


@st.composite
def update_pair(draw: st.DrawFn) -> Case:
    base = draw(any_shape())
    old = copy.deepcopy(base.object)
    old["spec"]["resumePolicy"] = draw(
        st.sampled_from(["Never", "LongRunning", "FromVolume", None])
    )
    old["status"] = {
        "conditions": draw(st.sampled_from(list(CONDITIONS.values()))),
        "trials": draw(st.sampled_from([0, 1, 3, 6, 10])),
        "trialsSucceeded": draw(st.sampled_from([0, 2])),
    }
    new = copy.deepcopy(old)
    del new["status"]
    for key in draw(st.lists(st.sampled_from(BUDGET), max_size=3, unique=True)):
        new["spec"][key] = draw(st.sampled_from([None, 0, 1, 2, 3, 6, 7, 10, 12, 20]))
    for path, value in draw(st.lists(st.sampled_from(OTHER_EDITS), max_size=2)):
        put(new, path, value)
    for path, before, after in draw(st.lists(st.sampled_from(SEMANTIC_PAIRS), max_size=2)):
        if not _has_parent(old, path):
            continue  # e.g. parameters[0] of a NAS experiment, or trialSpec of a ConfigMap source
        put(old, path, before)
        put(new, path, DELETE if after is None else after)
    for key in [k for k, v in new["spec"].items() if v is None]:
        del new["spec"][key]
    return Case("update", new, old=old, configmaps=base.configmaps, katib_config=base.katib_config)


@settings(PROFILE, max_examples=500 * SCALE)
@given(case=update_pair())
def test_update_pair(case: Case, check: Check) -> None:
    check(case, "update")


@settings(PROFILE, max_examples=150 * SCALE)
@given(case=update_pair(), data=st.data())
def test_update_pair_mutated(case: Case, data: st.DataObject, check: Check) -> None:
    for mutate in data.draw(st.lists(st.sampled_from(TARGETED), min_size=1, max_size=2)):
        mutate(data.draw, case)
    check(case, "update")


@settings(PROFILE, max_examples=60 * SCALE)
@given(case=any_shape())
def test_unlabelled_namespace(case: Case, check: Check) -> None:
    case.unlabelled_namespace = True
    case.id = "unlabelled"
    assert check(case, "generated")["errors"][0]["code"] == "KATIB-H2"
