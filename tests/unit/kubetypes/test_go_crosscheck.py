"""Every case of the Go cross-check corpus, compared with what the real Go code returned.

Expected values come from tools/gotypes/crosscheck (see gocases.py); Go is not needed here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from compiler.kubetypes import (
    JsonPatchPanic,
    QuantityError,
    create_patch,
    dotted,
    roundtrip_json,
    roundtrip_unstructured,
    validate_batch_job,
)
from compiler.kubetypes._gofmt import go_v, json_float_text, normalize
from compiler.kubetypes.quantity import quantity_from_json

from .gocases import go_cases, ids

QUANTITY = go_cases("quantity")
FLOATS = go_cases("float")
JSON = go_cases("json")
CONVERTER = go_cases("unstructured")
PATCH = go_cases("patch")
VALIDATE = go_cases("validate")


@pytest.mark.parametrize("case", QUANTITY, ids=ids(QUANTITY))
def test_quantity_unmarshal_marshal(case: dict[str, Any]) -> None:
    if case["error"] is None:
        assert quantity_from_json(case["input"]) == case["value"]
    else:
        with pytest.raises(QuantityError) as err:
            quantity_from_json(case["input"])
        assert str(err.value) == case["error"]


@pytest.mark.parametrize("case", FLOATS, ids=ids(FLOATS))
def test_float_spelling(case: dict[str, Any]) -> None:
    assert json_float_text(case["input"]) == case["value"]["json"]
    assert go_v(case["input"]) == case["value"]["v"]


def _exact(value: Any) -> str:
    """Key order and int-versus-float matter: compare the JSON text."""
    return json.dumps(value)


def _unknown_messages(paths: list[tuple[str | int, ...]]) -> list[str]:
    return sorted(f'unknown field "{dotted(p)}"' for p in paths)


@pytest.mark.parametrize("case", JSON, ids=ids(JSON))
def test_json_roundtrip(case: dict[str, Any]) -> None:
    result = roundtrip_json(case["input"], case["type"])
    error = result.error
    assert (error.message if error else None) == case["error"]
    if error is None or not error.fatal:  # after a fatal error Go stops; we keep going
        assert _exact(result.value) == _exact(case["value"])
    if error is None:
        assert _unknown_messages(result.unknown) == sorted(case.get("unknown") or [])


@pytest.mark.parametrize("case", CONVERTER, ids=ids(CONVERTER))
def test_unstructured_roundtrip(case: dict[str, Any]) -> None:
    result = roundtrip_unstructured(case["input"], case["type"])
    error = result.error
    assert (error.message if error else None) == case["error"]
    if error is None:
        assert _exact(result.value) == _exact(case["value"])
        unknown = case.get("unknown") or []
        expected = unknown[0].removeprefix("strict decoding error: ").split(", ") if unknown else []
        assert _unknown_messages(result.unknown) == sorted(expected)


def _ops(ops: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return sorted(
        ((o["op"], o["path"], normalize(o.get("value"))) for o in ops), key=lambda o: (o[1], o[0])
    )


@pytest.mark.parametrize("case", PATCH, ids=ids(PATCH))
def test_create_patch(case: dict[str, Any]) -> None:
    if case["error"] is not None and case["error"].startswith("panic: "):
        with pytest.raises(JsonPatchPanic) as err:
            create_patch(case["input"], case["b"])
        assert "panic: " + str(err.value) == case["error"]
        return
    ops = [op.to_json() for op in create_patch(case["input"], case["b"])]
    assert _ops(ops) == _ops(case.get("ops") or [])


@pytest.mark.parametrize("case", VALIDATE, ids=ids(VALIDATE))
def test_validate_batch_job(case: dict[str, Any]) -> None:
    message = validate_batch_job(case["input"])
    error = case["error"]
    if error is None or error.startswith("V-31: "):  # V-31 is not V-34's business
        assert message is None
        return
    assert message is not None
    violations = case.get("violations")
    if violations:  # Go reports a random one of these (map order)
        assert any(f"unable to convert: {v['path']} - " in message for v in violations)
    elif error.startswith("create patch error: panic: "):
        assert error.removeprefix("create patch error: panic: ") in message
    else:
        assert message.startswith("unable to convert spec.TrialTemplate to Job: ")
        assert error.split(" to Job: ", 1)[1] in message


def test_corpus_is_large_enough() -> None:
    assert len(QUANTITY) >= 40
    assert len(JSON) >= 50 and len(CONVERTER) >= 50
    assert len(PATCH) >= 15 and len(VALIDATE) >= 25
