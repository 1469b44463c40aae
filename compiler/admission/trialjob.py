"""The substituted trial template as an object (V-31) and Katib's batch/v1 Job check (V-34)."""

from __future__ import annotations

import json
from typing import Any

from compiler.errors import InputError
from compiler.yamlsafe import parse_documents


def parse_template(text: str) -> tuple[dict[str, Any] | None, str]:
    """Katib's ConvertStringToUnstructured: JSON when the text starts with `{`, else the first
    YAML document; the result must be an object with a non-empty string `kind`."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            obj, _ = json.JSONDecoder().raw_decode(stripped)  # Go reads one value and stops
        else:
            docs = parse_documents(text, "template")
            obj = docs[0].data if docs else None
    except (ValueError, InputError) as exc:
        return None, str(exc)
    if not isinstance(obj, dict):
        return None, "the template is not an object"
    if not isinstance(obj.get("kind"), str) or not obj["kind"]:
        return None, "Object 'Kind' is missing"
    return obj, ""


def validate_trial_job(run_spec: dict[str, Any]) -> str | None:
    """V-34: only batch/v1 Jobs are checked, by a round trip through Kubernetes' Job type."""
    from compiler.kubetypes import validate_batch_job

    return validate_batch_job(run_spec)
