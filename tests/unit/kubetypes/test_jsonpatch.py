"""mattbaird/jsonpatch CreatePatch behaviour (Go's results: data/go_expected.json, patch-*)."""

from __future__ import annotations

import pytest

from compiler.kubetypes import JsonPatchPanic, PatchOp, create_patch


def test_equal_documents_give_no_patch() -> None:
    assert create_patch({"a": 1, "b": [1, {"c": None}]}, {"a": 1.0, "b": [1.0, {"c": None}]}) == []


def test_add_remove_replace() -> None:
    ops = create_patch({"a": 1, "b": "x", "c": True}, {"a": 2, "b": "x", "d": None})
    assert ops == [
        PatchOp("replace", "/a", 2.0),
        PatchOp("add", "/d", None),
        PatchOp("remove", "/c"),
    ]
    assert [op.to_json() for op in ops][1] == {"op": "add", "path": "/d", "value": None}
    assert "value" not in ops[2].to_json()


def test_type_change_replaces_the_whole_value() -> None:
    ops = create_patch(
        {"a": 1, "b": [1], "c": {"x": 1}, "d": True}, {"a": "1", "b": {"x": 1}, "c": [1], "d": 1}
    )
    assert [(o.op, o.path) for o in ops] == [
        ("replace", "/a"),
        ("replace", "/b"),
        ("replace", "/c"),
        ("replace", "/d"),
    ]


def test_lists_of_equal_length_are_compared_item_by_item() -> None:
    ops = create_patch({"a": [1, "x", {"k": 1}]}, {"a": [2, "x", {"k": 2}]})
    assert ops == [PatchOp("replace", "/a/0", 2.0), PatchOp("replace", "/a/2/k", 2.0)]


def test_lists_of_different_length_use_membership() -> None:
    ops = create_patch({"a": [1, 2, 3]}, {"a": [3, 4]})
    assert ops == [
        PatchOp("remove", "/a/0"),
        PatchOp("remove", "/a/1"),
        PatchOp("add", "/a/1", 4.0),
    ]
    assert create_patch({"a": [1, 1, 2]}, {"a": [1, 2]}) == []  # duplicates vanish


def test_nulls() -> None:
    ops = create_patch({"a": [None, "x", None]}, {"a": ["y", None, None]})
    assert ops == [PatchOp("add", "/a/0", "y"), PatchOp("replace", "/a/1", None)]


def test_pointer_escaping_and_the_empty_key_quirk() -> None:
    assert create_patch({"a/b": 1, "c~d": 1}, {"a/b": 2, "c~d": 2}) == [
        PatchOp("replace", "/a~1b", 2.0),
        PatchOp("replace", "/c~0d", 2.0),
    ]
    # makePath("/", "x") is "/x": the empty key disappears from the path
    assert create_patch({"": {"x": 1}}, {"": {"x": 2}}) == [PatchOp("replace", "/x", 2.0)]


def test_object_against_non_object_in_a_list_panics_like_go() -> None:
    with pytest.raises(JsonPatchPanic, match=r"interface \{\} is string, not map"):
        create_patch({"a": [{"k": 1}]}, {"a": ["x"]})


def test_documents_must_be_objects() -> None:
    with pytest.raises(ValueError, match="Invalid JSON Document"):
        create_patch([], {})
    assert create_patch(None, {"a": 1}) == [PatchOp("add", "/a", 1.0)]
