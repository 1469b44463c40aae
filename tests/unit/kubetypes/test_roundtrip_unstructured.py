"""runtime.DefaultUnstructuredConverter.FromUnstructured round trips.

The converter's rules differ from encoding/json; the values below agree with the real Go
output in data/go_expected.json (cases unstructured-*).
"""

from __future__ import annotations

from typing import Any

import pytest

from compiler.kubetypes import roundtrip_unstructured

JOB = "k8s.io/api/batch/v1.Job"


def job(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {"template": {"spec": {"containers": [{"name": "t"}]}}, **spec},
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.0, 2),  # an integral float64 is accepted
        (4294967297, 1),  # int64 -> int32 keeps the low bits
        (1e10, 1410065408),  # float64 -> int64 -> int32
        (None, None),
    ],
)
def test_numeric_conversions(value: Any, expected: Any) -> None:
    r = roundtrip_unstructured(job(parallelism=value), JOB)
    assert r.ok
    assert r.value["spec"].get("parallelism") == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"parallelism": 1.5}, "cannot convert float64 to int32"),
        ({"parallelism": "test-value"}, "unrecognized type: int32"),
        ({"parallelism": True}, "unrecognized type: int32"),
        ({"template": "x"}, "cannot restore struct from: string"),
        ({"template": {"spec": {"containers": {}}}}, "cannot restore slice from map"),
        ({"template": {"spec": {"containers": [{"name": 5}]}}}, "cannot convert int64 to string"),
        ({"template": {"spec": {"containers": [{"name": 5.5}]}}}, "unrecognized type: string"),
        (
            {"template": {"spec": {"hostNetwork": "true", "containers": []}}},
            "unrecognized type: bool",
        ),
    ],
)
def test_conversion_errors(spec: dict[str, Any], message: str) -> None:
    r = roundtrip_unstructured(job(**spec), JOB)
    assert r.error is not None
    assert r.error.message == message
    assert r.error.fatal


def test_error_path_points_at_the_value() -> None:
    r = roundtrip_unstructured(job(parallelism="test-value"), JOB)
    assert r.error is not None and r.error.path == ("spec", "parallelism")


def test_custom_unmarshalers_see_go_json_text() -> None:
    src = job()
    container = src["spec"]["template"]["spec"]["containers"][0]
    container["resources"] = {"limits": {"cpu": 2.0, "memory": 1024.0}}
    container["livenessProbe"] = {"httpGet": {"port": 8080.0}}
    r = roundtrip_unstructured(src, JOB)
    assert r.ok
    out = r.value["spec"]["template"]["spec"]["containers"][0]
    assert out["resources"]["limits"] == {"cpu": "2", "memory": "1024"}
    assert out["livenessProbe"]["httpGet"]["port"] == 8080  # "8080" as JSON: an int


def test_unknown_fields_are_dropped_silently() -> None:
    r = roundtrip_unstructured({**job(foo=1), "Spec": {}}, JOB)
    assert r.ok
    assert sorted(r.unknown, key=str) == [("Spec",), ("spec", "foo")]
    assert "foo" not in r.value["spec"]


def test_null_values_become_zero() -> None:
    src = job()
    src["metadata"] = {"labels": {"a": None}}
    src["spec"]["template"]["spec"]["containers"].append(None)
    r = roundtrip_unstructured(src, JOB)
    assert r.ok
    assert r.value["metadata"]["labels"] == {"a": ""}
    assert r.value["spec"]["template"]["spec"]["containers"][1] == {"name": "", "resources": {}}


def test_needs_an_object() -> None:
    with pytest.raises(TypeError):
        roundtrip_unstructured([], JOB)  # type: ignore[arg-type]
