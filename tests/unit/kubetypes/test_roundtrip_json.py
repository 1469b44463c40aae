"""encoding/json (sigs.k8s.io/json) round trips: the behaviours Katib's webhooks rely on.

The expected values below agree with the real Go output recorded in data/go_expected.json
(cases json-*), which test_go_crosscheck.py checks in full.
"""

from __future__ import annotations

from typing import Any

from compiler.kubetypes import roundtrip_json

JOB = "k8s.io/api/batch/v1.Job"
EXP = "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment"


def job(pod: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    container = {"name": "t", "image": "busybox"}
    pod_spec = {"containers": [container], **(pod or {})}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {"template": {"spec": pod_spec}, **spec},
    }


def pod_spec(value: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = value["spec"]["template"]["spec"]
    return spec


def test_omitempty_drops_zero_values_but_pointers_keep_them() -> None:
    r = roundtrip_json(job({"hostNetwork": False, "nodeSelector": {}}, backoffLimit=0), JOB)
    assert r.ok
    assert "hostNetwork" not in pod_spec(r.value)
    assert "nodeSelector" not in pod_spec(r.value)
    assert r.value["spec"]["backoffLimit"] == 0  # *int32: a pointer to 0 is kept


def test_empty_list_is_dropped_and_empty_struct_kept() -> None:
    src = job()
    src["spec"]["template"]["spec"]["containers"][0].update({"args": [], "resources": {}})
    r = roundtrip_json(src, JOB)
    container = pod_spec(r.value)["containers"][0]
    assert "args" not in container
    assert container["resources"] == {}


def test_go_field_order_and_untouched_structs() -> None:
    r = roundtrip_json({"spec": {"template": {}}, "kind": "Job", "apiVersion": "batch/v1"}, JOB)
    assert list(r.value) == ["kind", "apiVersion", "metadata", "spec", "status"]
    # A non-pointer struct is never omitted; a non-omitempty slice prints null.
    assert r.value["spec"]["template"] == {"metadata": {}, "spec": {"containers": None}}
    assert r.value["status"] == {}


def test_maps_are_sorted() -> None:
    r = roundtrip_json({"metadata": {"labels": {"b": "2", "a": "1"}}}, JOB)
    assert list(r.value["metadata"]["labels"]) == ["a", "b"]


def test_unknown_and_wrong_case_fields_are_dropped_and_reported() -> None:
    src = job(foo=1)
    src["Spec"] = {}
    src["spec"]["template"]["spec"]["containers"][0]["Image"] = "x"
    r = roundtrip_json(src, JOB)
    assert r.ok
    assert sorted(r.unknown, key=str) == sorted(
        [("spec", "foo"), ("Spec",), ("spec", "template", "spec", "containers", 0, "Image")],
        key=str,
    )
    assert "foo" not in r.value["spec"]


def test_null_into_non_pointer_leaves_zero() -> None:
    r = roundtrip_json(job({"hostNetwork": None, "restartPolicy": None}, parallelism=None), JOB)
    assert r.ok
    assert "parallelism" not in r.value["spec"]
    assert "hostNetwork" not in pod_spec(r.value)


def test_number_into_string_is_an_error_with_go_wording() -> None:
    src = {
        "spec": {
            "parameters": [
                {
                    "name": "lr",
                    "parameterType": "double",
                    "feasibleSpace": {"min": 0.01, "max": "0.03"},
                }
            ]
        }
    }
    r = roundtrip_json(src, EXP)
    assert r.error is not None
    assert r.error.path == ("spec", "parameters", 0, "feasibleSpace", "min")
    assert r.error.message == (
        "json: cannot unmarshal number into Go struct field "
        "FeasibleSpace.spec.parameters.feasibleSpace.min of type string"
    )
    assert r.value["spec"]["parameters"][0]["feasibleSpace"] == {"max": "0.03"}


def test_integer_fields_reject_floats_bools_and_overflow() -> None:
    cases = [
        (1.0, "number 1.0"),
        (1.5, "number 1.5"),
        (True, "bool"),
        (4294967297, "number 4294967297"),
        ("3", "string"),
    ]
    for value, desc in cases:
        r = roundtrip_json(job(parallelism=value), JOB)
        assert r.error is not None, value
        assert r.error.message == (
            f"json: cannot unmarshal {desc} into Go struct field "
            "JobSpec.spec.parallelism of type int32"
        )
        assert not r.error.fatal
        assert r.value["spec"]["parallelism"] == 0  # Go allocated the pointer before failing


def test_first_type_error_is_reported_but_decoding_goes_on() -> None:
    r = roundtrip_json(job(parallelism="x", completions="y", backoffLimit=2), JOB)
    assert [e.path for e in r.errors] == [("spec", "parallelism"), ("spec", "completions")]
    assert r.error is not None and r.error.path == ("spec", "parallelism")
    assert r.value["spec"]["backoffLimit"] == 2


def test_custom_unmarshaler_errors_are_fatal_and_win() -> None:
    src = job(parallelism="x")
    src["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "bad"}}
    r = roundtrip_json(src, JOB)
    assert r.error is not None and r.error.fatal
    assert r.error.message.startswith("quantities must match the regular expression")


def test_int_or_string() -> None:
    def port(value: Any) -> tuple[Any, str | None]:
        src = job()
        src["spec"]["template"]["spec"]["containers"][0]["livenessProbe"] = {
            "httpGet": {"port": value}
        }
        r = roundtrip_json(src, JOB)
        got = pod_spec(r.value)["containers"][0]["livenessProbe"]["httpGet"]["port"]
        return got, r.error.message if r.error else None

    assert port("http") == ("http", None)
    assert port("8080") == ("8080", None)  # a string stays a string
    assert port(8080) == (8080, None)
    assert port(None) == (0, None)
    assert port(8080.0)[1] == (
        "json: cannot unmarshal number 8080.0 into Go struct field "
        "HTTPGetAction.spec.template.spec.containers.livenessProbe.httpGet"
        ".port of type int32"
    )


def test_quantities_are_canonicalised() -> None:
    src = job()
    src["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"memory": "1024Mi", "cpu": 0.5},
        "requests": {"cpu": "1000m", "memory": 1.5},
    }
    r = roundtrip_json(src, JOB)
    assert r.ok
    res = pod_spec(r.value)["containers"][0]["resources"]
    assert res == {
        "limits": {"cpu": "500m", "memory": "1Gi"},
        "requests": {"cpu": "1", "memory": "1500m"},
    }


def test_times_are_rfc3339_utc_seconds_and_zero_is_omitted() -> None:
    src = {
        "metadata": {
            "creationTimestamp": "2024-01-01T10:00:00.5+02:00",
            "deletionTimestamp": "2024-01-01T00:00:00.999Z",
        },
        "status": {"startTime": "0001-01-01T00:00:00Z"},
    }
    r = roundtrip_json(src, JOB)
    assert r.ok
    assert r.value["metadata"] == {
        "creationTimestamp": "2024-01-01T08:00:00Z",
        "deletionTimestamp": "2024-01-01T00:00:00Z",
    }
    assert r.value["status"] == {"startTime": None}  # *Time to the zero time prints null
    assert "creationTimestamp" not in roundtrip_json({}, JOB).value["metadata"]  # omitzero


def test_trial_spec_is_kept_but_needs_a_kind() -> None:
    spec = {"apiVersion": "batch/v1", "kind": "Job", "spec": {"z": 1.0, "a": [2.5, 10]}}
    r = roundtrip_json({"spec": {"trialTemplate": {"trialSpec": spec}}}, EXP)
    assert r.ok
    assert r.value["spec"]["trialTemplate"]["trialSpec"] == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {"a": [2.5, 10], "z": 1},
    }
    for bad in (
        {"apiVersion": "batch/v1"},
        {"kind": ""},
        {"kind": 5},
        {"apiVersion": "a/b/c", "kind": "Job"},
    ):
        r = roundtrip_json({"spec": {"trialTemplate": {"trialSpec": bad}}}, EXP)
        assert r.error is not None and r.error.fatal
        assert r.error.message.startswith("Object 'Kind' is missing in '{")


def test_raw_json_is_kept_as_sent() -> None:
    fields = {"f:metadata": {"f:labels": {}}, "x": 1.0}
    src = {"metadata": {"managedFields": [{"manager": "m", "fieldsV1": fields}]}}
    r = roundtrip_json(src, JOB)
    assert r.value["metadata"]["managedFields"][0]["fieldsV1"] == fields
    assert r.value["metadata"]["managedFields"][0]["fieldsV1"] is not fields


def test_experiment_goal_is_a_number_and_settings_are_strings() -> None:
    r = roundtrip_json({"spec": {"objective": {"goal": 1}}}, EXP)
    assert r.ok and r.value["spec"]["objective"]["goal"] == 1
    r = roundtrip_json(
        {"spec": {"algorithm": {"algorithmSettings": [{"name": "n", "value": 10}]}}}, EXP
    )
    assert r.error is not None
    assert "AlgorithmSetting.spec.algorithm.algorithmSettings.value of type string" in str(r.error)


def test_top_level_shapes() -> None:
    assert roundtrip_json(None, JOB).ok
    r = roundtrip_json([1], JOB)
    assert r.error is not None
    assert r.error.message == "json: cannot unmarshal array into Go value of type v1.Job"


def test_input_is_not_mutated() -> None:
    src = job({"hostNetwork": False})
    before = repr(src)
    roundtrip_json(src, JOB)
    assert repr(src) == before
