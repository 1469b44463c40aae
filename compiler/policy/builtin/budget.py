"""Budget: caps on the trial counts, and the estimated cost of each experiment and of each
namespace (trials × resources × time limit, in CPU-hours and GPU-hours) against a budget.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from compiler.policy.api import Context, Finding, Subject, Summary, rule, rule_across
from compiler.policy.cost import estimate

RESOURCES = (("cpuHours", "CPU-hours"), ("gpuHours", "GPU-hours"))


def _cap(
    subject: Subject, context: Context, field: str, param: str, what: str
) -> Iterator[Finding]:
    cap = context.param("budget", param)
    value = subject.get("spec", field)
    if cap is not None and isinstance(value, int) and value > cap:
        yield Finding(f"{field} is {value}, over the cap of {cap} {what}", ("spec", field))


@rule(
    "budget-max-trials",
    title="maxTrialCount within the cap",
    rationale="The number of trials is the largest factor of an experiment's cost.",
    fix="Lower trials.max, or search a smaller space; raise parameters.budget.maxTrialCount "
    "after review.",
)
def max_trials(subject: Subject, context: Context) -> Iterator[Finding]:
    yield from _cap(subject, context, "maxTrialCount", "maxTrialCount", "trials per experiment")


@rule(
    "budget-parallel-trials",
    title="parallelTrialCount within the cap",
    rationale="Trials running at once decide how much of the shared cluster one experiment "
    "holds at a time.",
    fix="Lower trials.parallel; raise parameters.budget.maxParallelTrialCount after review.",
)
def parallel_trials(subject: Subject, context: Context) -> Iterator[Finding]:
    yield from _cap(
        subject, context, "parallelTrialCount", "maxParallelTrialCount", "trials at once"
    )


def _over(hours: float | None, budget: Mapping[str, Any], key: str) -> bool:
    return hours is not None and budget.get(key) is not None and hours > budget[key]


@rule(
    "budget-experiment-cost",
    title="Estimated experiment cost within its budget",
    rationale="trials × resources × time limit bounds what an experiment can spend; a budget "
    "caught in review costs nothing, one caught on the invoice does. (An experiment whose cost "
    "has no bound is found by runtime-deadline or resources-limits.)",
    fix="Lower trials.max, the resources (GPUs) or trial.deadline; or raise "
    "parameters.budget.experiment after review.",
)
def experiment_cost(subject: Subject, context: Context) -> Iterator[Finding]:
    budget = context.param("budget", "experiment", default={})
    if not budget:
        return
    cost = estimate(subject)
    for key, unit in RESOURCES:
        hours = cost.cpu_hours if key == "cpuHours" else cost.gpu_hours
        per_trial = cost.cpus if key == "cpuHours" else cost.gpus
        if _over(hours, budget, key):
            basis = (
                f"{cost.trials} trials × {per_trial or 0:g} {unit[:3]}s × {cost.hours or 0:.2f} h"
            )
            yield Finding(
                f"estimated cost {hours:,.1f} {unit} ({basis}) is over the experiment "
                f"budget of {budget[key]:g} {unit}",
                ("spec", "maxTrialCount"),
            )


@rule_across(
    "budget-namespace-cost",
    title="Estimated cost of a namespace within its budget",
    rationale="Teams share the cluster by namespace; the experiments of one namespace together "
    "must fit its budget, however they are split into specs.",
    fix="Lower the trials, resources or time limits of the namespace's experiments, or raise "
    "parameters.budget.namespace (or namespaces.<name>) after review.",
)
def namespace_cost(summaries: Sequence[Summary], context: Context) -> Iterator[tuple[int, Finding]]:
    by_namespace: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(summaries):
        by_namespace[s.spec.namespace].append(i)
    for namespace, members in sorted(by_namespace.items()):
        budget = context.param("budget", "namespaces", namespace) or context.param(
            "budget", "namespace", default={}
        )
        for key, unit in RESOURCES:
            yield from _namespace_over(summaries, members, namespace, budget, key=key, unit=unit)


def _namespace_over(
    summaries: Sequence[Summary],
    members: list[int],
    namespace: str,
    budget: Mapping[str, Any],
    *,
    key: str,
    unit: str,
) -> Iterator[tuple[int, Finding]]:
    def hours(i: int) -> float:
        s = summaries[i]
        return (s.cpu_hours if key == "cpuHours" else s.gpu_hours) or 0.0

    total = sum(hours(i) for i in members)
    if budget.get(key) is None or total <= budget[key]:
        return
    for i in members:
        if hours(i) > 0:
            yield (
                i,
                Finding(
                    f"namespace {namespace!r} is estimated at {total:,.1f} {unit}, over its "
                    f"budget of {budget[key]:g}; this experiment: {hours(i):,.1f}"
                ),
            )
