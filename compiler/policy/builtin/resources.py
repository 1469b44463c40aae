"""Resources: requests and limits on the training container, and a cap on GPUs per trial.

Requests let the scheduler place the trial next to other teams' work; limits keep one trial
from starving the node; and the budget rules can only bound what the trial may hold.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from compiler.policy.api import Context, Finding, Subject, rule
from compiler.policy.cost import gpus

DEFAULT = ("cpu", "memory")


def _missing(resources: object, sections: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """The names set in none of the given sections of a container's resources."""
    present: set[str] = set()
    if isinstance(resources, Mapping):
        for section in sections:
            values = resources.get(section)
            present |= set(values) if isinstance(values, Mapping) else set()
    return [n for n in names if n not in present]


@rule(
    "resources-requests",
    title="The training container requests cpu and memory",
    rationale="Without requests the scheduler packs the trial anywhere, and it is the first "
    "to be evicted; quotas cannot account for it.",
    fix="Set trial.resources: {cpu: ..., memory: ...} (requests and limits), or "
    "resources.requests in a raw trial spec.",
)
def requests(subject: Subject, context: Context) -> Iterator[Finding]:
    names = tuple(context.param("resources", "requests", default=DEFAULT))
    for c in subject.training:
        # Kubernetes copies limits into requests that are not set
        missing = _missing(c.get("resources"), ("requests", "limits"), names)
        if missing:
            yield Finding(
                f"training container {c.name!r} requests no {' or '.join(missing)}",
                c.at("resources", "requests"),
            )


@rule(
    "resources-limits",
    title="The training container has cpu and memory limits",
    rationale="A trial without limits can take a whole node from the other teams; and its cost "
    "cannot be bounded.",
    fix="Set trial.resources: {cpu: ..., memory: ...} (requests and limits), or "
    "resources.limits in a raw trial spec.",
)
def limits(subject: Subject, context: Context) -> Iterator[Finding]:
    names = tuple(context.param("resources", "limits", default=DEFAULT))
    for c in subject.training:
        missing = _missing(c.get("resources"), ("limits",), names)
        if missing:
            yield Finding(
                f"training container {c.name!r} has no {' or '.join(missing)} limit",
                c.at("resources", "limits"),
            )


@rule(
    "resources-gpu-cap",
    title="GPUs per trial within the cap",
    rationale="GPUs are the scarcest resource of a shared cluster; one trial asking for more "
    "than the cap blocks other teams' work, or never schedules.",
    fix="Use fewer GPUs or replicas per trial, or raise parameters.resources.maxGpusPerTrial "
    "after review.",
)
def gpu_cap(subject: Subject, context: Context) -> Iterator[Finding]:
    cap = context.param("resources", "maxGpusPerTrial")
    if cap is None:
        return
    per_container = [(p.replicas * gpus(c), c) for p in subject.pods for c in p.main]
    total = sum(n for n, _ in per_container)
    if total > cap:
        first = next(c for n, c in per_container if n > 0)
        yield Finding(
            f"a trial uses {total:g} GPUs, over the cap of {cap:g} per trial", first.at("resources")
        )
