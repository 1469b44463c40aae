"""The substituted trial template as an object (V-31) and Katib's batch/v1 Job check (V-34)."""

from __future__ import annotations

import json
from typing import Any

from compiler.errors import InputError
from compiler.goyaml import GO_SPACE
from compiler.yamlsafe import parse_go_documents


def parse_template(text: str) -> tuple[dict[str, Any] | None, str]:
    """Katib's ConvertStringToUnstructured (k8s.io/apimachinery's YAMLOrJSONDecoder): text that
    starts with `{` is tried as one JSON value first; if that fails, or otherwise, the first
    YAML document is read as sigs.k8s.io/yaml reads it. The result must be an object with a
    non-empty string `kind` (unstructured's "Object 'Kind' is missing")."""
    if text.lstrip(GO_SPACE).startswith("{"):
        obj, _ = _first_json(text.lstrip(GO_SPACE))
        if obj is not None:
            return obj, ""
    chunk, problem = first_yaml_document(text)
    if chunk is None:
        return None, problem
    try:
        docs = parse_go_documents(chunk, "template", first_only=True)
    except InputError as exc:
        return None, str(exc)
    if not docs or docs[0] is None:
        # sigs.k8s.io/yaml decodes JSON null into the interface, not the object: an empty
        # document (comments only) gives an empty object, which V-33 then rejects
        return {}, ""
    return _object(docs[0])


def _no_constants(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)  # stateless: one for every call


def _first_json(text: str) -> tuple[dict[str, Any] | None, str]:
    try:
        value, _ = _DECODER.raw_decode(text)
    except ValueError as exc:  # Go reads one value and ignores what follows it
        return None, str(exc)
    return _object(value)


def _object(value: Any) -> tuple[dict[str, Any] | None, str]:
    if not isinstance(value, dict):
        return None, "the template is not an object"
    if not isinstance(value.get("kind"), str) or not value["kind"]:
        return None, "Object 'Kind' is missing"
    return value, ""


def first_yaml_document(text: str) -> tuple[str | None, str]:
    """apimachinery's YAMLReader: lines (split at "\n", a "\r" before it dropped) up to the
    first `---` line that follows some content; a `---` line may only be followed by spaces
    or a comment. None when there is no content (Go's io.EOF)."""
    lines: list[str] = []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()  # the text ended with a newline
    for part in parts:
        line = (part[:-1] if part.endswith("\r") else part) + "\n"
        if line.startswith("---"):
            rest = line[3:].strip(GO_SPACE)
            if rest and not rest.startswith("#"):
                return None, f"invalid Yaml document separator: {rest}"
            if lines:
                break
            continue
        lines.append(line)
    if not lines:
        return None, "EOF"
    return "".join(lines), ""


def validate_trial_job(run_spec: dict[str, Any]) -> str | None:
    """V-34: only batch/v1 Jobs are checked, by a round trip through Kubernetes' Job type."""
    from compiler.kubetypes import validate_batch_job

    return validate_batch_job(run_spec)
