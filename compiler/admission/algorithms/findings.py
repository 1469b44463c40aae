"""The one result type of the per-algorithm runtime rules.

A `RuntimeFinding` is a problem Katib's webhook lets through but a suggestion (or early-stopping)
service meets later: the experiment then Fails ("Suggestion has failed") or hangs with no new
trials (reference §3.4). It is plain data so the stage that calls us decides how to print it.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"  # Katib would Fail the experiment or leave it hanging
WARNING = "warning"  # accepted, but not what the spec seems to ask for


@dataclass(frozen=True)
class RuntimeFinding:
    code: str  # stable, e.g. "KATIB-R20"
    field: str  # Katib field path, Go field.Path style
    severity: str  # ERROR or WARNING
    message: str  # what is wrong, in the service's own words where it has some
    fix: str  # how to put it right, one sentence
