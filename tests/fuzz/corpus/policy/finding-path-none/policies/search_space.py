"""An example Python rule: repository code, imported by `katib-gitops check`. It gets the same
frozen, read-only inputs as every other rule (see compiler/policy/api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from math import prod

from compiler.policy.api import Context, Finding, Subject, rule


def _points(parameter: object) -> int | None:
    """How many distinct values a parameter can take; None for a continuous range."""
    kind = getattr(parameter, "parameter_type", "")
    space = getattr(parameter, "feasible_space", None)
    if kind in ("categorical", "discrete"):
        return len(space.list) if space else None
    if kind == "int" and space and space.min and space.max:
        step = int(space.step or 1)
        return (int(space.max) - int(space.min)) // max(step, 1) + 1
    return None


@rule(
    "trials-within-search-space",
    severity="warning",
    title="No more trials than the search space has points",
    rationale="When every parameter is discrete, trials beyond the number of distinct points "
    "can only repeat earlier ones: they cost without telling anything new.",
    fix="Lower trials.max to the number of points, or widen the search space.",
)
def trials_within_space(subject: Subject, context: Context) -> Iterator[Finding]:
    spec = subject.experiment.spec
    counts = [_points(p) for p in spec.parameters]
    if not counts or spec.max_trial_count is None or any(c is None for c in counts):
        return
    points = prod(c for c in counts if c is not None)
    if spec.max_trial_count > points:
        message = f"maxTrialCount is {spec.max_trial_count}, but the space has only {points} points"
        yield Finding(message, (None, "maxTrialCount"))
