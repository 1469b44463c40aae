"""The one classification of plan and diff (compiler.changes): Katib's in-place rule (§3.3)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.changes import ADDED, IN_PLACE, REMOVED, REPLACE, UNCHANGED, FieldChange, compare


def manifest(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "parameters": [
            {
                "name": "lr",
                "parameterType": "double",
                "feasibleSpace": {"min": "0.01", "max": "0.1"},
            },
            {"name": "layers", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "4"}},
        ],
        "algorithm": {"algorithmName": "random"},
        "parallelTrialCount": 3,
        "maxTrialCount": 12,
        "maxFailedTrialCount": 3,
        "trialTemplate": {"trialSpec": {"spec": {"command": ["python", "train.py"]}}},
    }
    body.update(spec)
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "x", "namespace": "team", "labels": {"a": "1"}},
        "spec": body,
    }


def test_added_removed_unchanged() -> None:
    assert compare(None, manifest()).change == ADDED
    assert compare(manifest(), None).change == REMOVED
    assert compare(manifest(), manifest()).change == UNCHANGED
    assert compare(None, None).change == UNCHANGED


def test_budget_only_is_in_place() -> None:
    c = compare(manifest(), manifest(maxTrialCount=20, parallelTrialCount=5))
    assert c.change == IN_PLACE
    assert c.fields == (
        FieldChange("spec.parallelTrialCount", 3, 5),
        FieldChange("spec.maxTrialCount", 12, 20),
    )
    assert c.budget == c.fields


def test_metadata_labels_are_in_place() -> None:
    after = manifest()
    after["metadata"]["labels"] = {"a": "2", "b": "x"}
    after["metadata"]["name"] = "renamed"  # the name identifies the object; plan pairs them
    c = compare(manifest(), after)
    assert c.change == IN_PLACE
    assert [f.path for f in c.fields] == ["metadata.labels.a", "metadata.labels.b"]


def test_an_immutable_field_is_a_replace_with_the_fields() -> None:
    after = manifest(algorithm={"algorithmName": "tpe"}, maxTrialCount=30)
    after["spec"]["parameters"][0]["feasibleSpace"]["max"] = "0.2"
    c = compare(manifest(), after)
    assert c.change == REPLACE
    assert c.fields == (
        FieldChange("spec.parameters[lr].feasibleSpace.max", "0.1", "0.2"),
        FieldChange("spec.algorithm.algorithmName", "random", "tpe"),
    )
    assert c.in_place == (FieldChange("spec.maxTrialCount", 12, 30),)


def test_named_items_are_matched_by_name() -> None:
    before = manifest()
    after = copy.deepcopy(before)
    new = {"name": "momentum", "parameterType": "double", "feasibleSpace": {"min": "0", "max": "1"}}
    after["spec"]["parameters"].insert(0, new)
    c = compare(before, after)
    assert c.fields == (FieldChange("spec.parameters[momentum]", None, new),)


def test_scalar_lists_are_compared_whole() -> None:
    after = manifest(trialTemplate={"trialSpec": {"spec": {"command": ["python", "t2.py"]}}})
    assert compare(manifest(), after).fields == (
        FieldChange(
            "spec.trialTemplate.trialSpec.spec.command", ["python", "train.py"], ["python", "t2.py"]
        ),
    )


json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(json, json)
def test_diff_is_empty_exactly_when_equal(a: Any, b: Any) -> None:
    """Every difference shows, and equal values show none (seeded: derandomize). A null is an
    absent field, as Go's decoder reads it."""
    c = compare(manifest(search=a), manifest(search=b))
    assert (c.change == UNCHANGED) == (_no_nulls(a) == _no_nulls(b))
    assert all(f.before != f.after for f in c.fields)


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value
