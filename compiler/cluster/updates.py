"""Katib's own answer to an edit of a live Experiment: the update rules U-1..U-3 (reference
§3.3), run by `compiler.admission` (which agrees with Katib's webhook code, tests/conformance)
with the live object, status included, as the old one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.admission import admit
from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document

UPDATE_RULES = ("KATIB-U1", "KATIB-U2", "KATIB-U3")


def update_errors(desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[Diagnostic]:
    verdict = admit(Document(dict(desired), "generated"), old=Document(dict(live), "live"))
    return [d for d in verdict.errors if d.code in UPDATE_RULES]
