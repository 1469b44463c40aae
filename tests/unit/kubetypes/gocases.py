"""Expected values produced by the real Go code.

data/go_expected.json is written by tools/gotypes/crosscheck (a dev-only Go program that
runs sigs.k8s.io/json + encoding/json, runtime.DefaultUnstructuredConverter,
resource.Quantity, mattbaird/jsonpatch and Katib's V-34 logic on the corpus from
tools/gotypes/crosscheck/make_cases.py). Regenerate it with

    cd tools/gotypes && python3 crosscheck/make_cases.py | go run ./crosscheck \
        > ../../tests/unit/kubetypes/data/go_expected.json

The tests never run Go; they compare against this file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "go_expected.json"


@cache
def _all() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(DATA.read_text("utf-8")))


def go_cases(op: str) -> list[dict[str, Any]]:
    """Every Go-checked case of one kind (quantity, float, json, unstructured, patch, validate)."""
    return [c for c in _all() if c["op"] == op]


def go_case(case_id: str) -> dict[str, Any]:
    """One case by id."""
    for c in _all():
        if c["id"] == case_id:
            return c
    raise KeyError(case_id)


def ids(cases: list[dict[str, Any]]) -> list[str]:
    """Readable pytest ids."""
    return [c["id"] for c in cases]
