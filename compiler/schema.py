"""The JSON Schema of the YAML spec format, for editors (`# yaml-language-server: $schema=...`).

Generated from the spec models, so it never drifts from what `validate` accepts; every field
carries the description written beside it in `compiler/model/spec.py`.
"""

from __future__ import annotations

import json
from typing import Any

from compiler.model.spec import ExperimentSpec

SCHEMA_ID = "https://katib-gitops.dev/schemas/spec.schema.json"
SCHEMA_PATH = "schemas/spec.schema.json"


def spec_schema() -> dict[str, Any]:
    schema = ExperimentSpec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "katib-gitops experiment spec",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
