"""Katib rule V-34: a batch/v1 Job trial template must survive conversion to a Go Job.

Katib (pkg/webhook/v1beta1/experiment/validator/validator.go, validateTrialJob and
validatePatchJob) converts the substituted template with the unstructured converter,
marshals the Job, diffs it back to the template with mattbaird/jsonpatch and rejects any
operation other than "remove" outside resources limits/requests. So unknown fields, zero
values that Go omits (`hostNetwork: false`), non-canonical quantities outside resources
(`sizeLimit: 1024Mi`) and placeholders in numeric fields are all rejected.
"""

from __future__ import annotations

from typing import Any

from compiler.kubetypes._gofmt import go_v
from compiler.kubetypes.jsonpatch import JsonPatchPanic, create_patch
from compiler.kubetypes.results import PatchOp, dotted
from compiler.kubetypes.roundtrip import roundtrip_unstructured

__all__ = ["JOB_TYPE", "parse_group_version", "validate_batch_job"]

JOB_TYPE = "k8s.io/api/batch/v1.Job"
_ALLOWED = ("/resources/limits/", "/resources/requests/")


def parse_group_version(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion: "" and "/" are empty, more than one slash is an error."""
    if api_version in ("", "/"):
        return "", ""
    if api_version.count("/") == 0:
        return "", api_version
    if api_version.count("/") == 1:
        group, version = api_version.split("/")
        return group, version
    return None


def _lookup(doc: Any, pointer: str) -> Any:
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict):
            doc = doc.get(key)
        elif isinstance(doc, list) and key.isdigit() and int(key) < len(doc):
            doc = doc[int(key)]
        else:
            return None
    return doc


def _at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        in_dict = isinstance(doc, dict) and part in doc
        in_list = isinstance(doc, list) and isinstance(part, int) and part < len(doc)
        if in_dict or in_list:
            doc = doc[part]
        else:
            return None
    return doc


def _explain(op: PatchOp, job: Any) -> str:
    if op.op == "add" and _lookup(job, op.path) is None:
        return (
            "the field is not part of a batch/v1 Job, or Go drops it because it holds an "
            'empty value (false, 0, "", [] or {} with omitempty)'
        )
    return f"converting to a Job turns it into {go_v(_lookup(job, op.path))}"


def validate_batch_job(obj: dict[str, Any]) -> str | None:
    """Katib's V-34 check of a substituted trial template; the error message, or None.

    Only templates whose apiVersion parses to exactly batch/v1 and whose kind is Job are
    checked, as in Katib. Go reports a random offending operation (map order); this
    reports the first by JSON-pointer order.
    """
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    gv = parse_group_version(api_version if isinstance(api_version, str) else "")
    if gv != ("batch", "v1") or kind != "Job":
        return None
    result = roundtrip_unstructured(obj, JOB_TYPE)
    if result.errors:
        err = result.errors[0]
        return (
            f"unable to convert spec.TrialTemplate to Job: {err.message} "
            f"(at {dotted(err.path)}, value {go_v(_at(obj, err.path))})"
        )
    try:
        ops = create_patch(result.value, obj)
    except JsonPatchPanic as err:
        return f"the Job check in Katib's validator panics on this template: {err}"
    for op in ops:
        if op.op != "remove" and not any(part in op.path for part in _ALLOWED):
            return (
                f"unable to convert: {op.path} - {go_v(op.value)} to Job: "
                f"{_explain(op, result.value)}"
            )
    return None
