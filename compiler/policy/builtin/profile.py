"""The cluster profile (`policies/cluster.yaml`): experiments the target cluster would reject,
or accept and never run, are errors in review instead of surprises on apply.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.policy.api import Context, Finding, Subject, rule
from compiler.policy.cluster import INJECTION_LABEL
from compiler.policy.subject import TRIAL_SPEC

NEEDS_CONFIG = ("StdOut", "File", "TensorFlowEvent", "PrometheusMetric")


@rule(
    "cluster-algorithm",
    title="The cluster runs the algorithm",
    rationale="Katib rejects an experiment whose algorithm (or early-stopping algorithm) has no "
    "entry in the cluster's katib-config.",
    fix="Use an algorithm the cluster provides, or ask the platform team to add it to "
    "katib-config (and to policies/cluster.yaml).",
)
def algorithm(subject: Subject, context: Context) -> Iterator[Finding]:
    katib = context.cluster.katib if context.cluster else None
    if katib is None:
        return
    for section, provided in (
        ("algorithm", katib.algorithms()),
        ("earlyStopping", katib.early_stoppings()),
    ):
        name = subject.get("spec", section, "algorithmName")
        if isinstance(name, str) and name not in provided:
            shown = ", ".join(provided) or "none"
            yield Finding(
                f"the cluster does not run {section} {name!r} (it runs: {shown})",
                ("spec", section, "algorithmName"),
            )


@rule(
    "cluster-collector",
    title="The cluster provides the metrics collector",
    rationale="Katib rejects a StdOut, File, TensorFlowEvent or PrometheusMetric collector that "
    "has no image in the cluster's katib-config.",
    fix="Use a collector the cluster provides (StdOut by default), or ask for it to be added.",
)
def collector(subject: Subject, context: Context) -> Iterator[Finding]:
    katib = context.cluster.katib if context.cluster else None
    kind = str(subject.get("spec", "metricsCollectorSpec", "collector", "kind") or "StdOut")
    if katib is not None and kind in NEEDS_CONFIG and kind not in katib.collectors():
        yield Finding(
            f"the cluster provides no {kind} metrics collector",
            ("spec", "metricsCollectorSpec", "collector", "kind"),
        )


@rule(
    "cluster-trial-kind",
    title="The cluster watches the trial's kind",
    rationale="Katib admits any trial kind, but its trial controller follows only the kinds in "
    "katib-config's trialResources: other trials are created and never finish.",
    fix="Use a kind the cluster watches (Job always works), or ask for the kind to be added to "
    "init.controller.trialResources.",
)
def trial_kind(subject: Subject, context: Context) -> Iterator[Finding]:
    katib = context.cluster.katib if context.cluster else None
    api_version, kind = subject.get(*TRIAL_SPEC, "apiVersion"), subject.get(*TRIAL_SPEC, "kind")
    if katib is None or not isinstance(api_version, str) or not isinstance(kind, str):
        return
    if not katib.watches(api_version, kind):
        yield Finding(
            f"the cluster's Katib does not watch {kind} ({api_version}): its trials would "
            "never finish",
            (*TRIAL_SPEC, "kind"),
        )


@rule(
    "cluster-namespace",
    title="The namespace exists and is enabled for Katib",
    rationale="Katib's webhook rejects experiments in namespaces without the label "
    "katib.kubeflow.org/metrics-collector-injection: enabled; a namespace that does not exist "
    "rejects everything.",
    fix="Target a namespace listed in policies/cluster.yaml with Katib's injection label, or "
    "ask the platform team to create and label it.",
)
def namespace(subject: Subject, context: Context) -> Iterator[Finding]:
    cluster = context.cluster
    if cluster is None or not cluster.lists_namespaces():
        return
    labels = cluster.labels(subject.namespace)
    where = ("metadata", "namespace")
    if labels is None:
        yield Finding(
            f"namespace {subject.namespace!r} does not exist on cluster {cluster.name!r}", where
        )
    elif labels.get(INJECTION_LABEL) != "enabled":
        yield Finding(
            f"namespace {subject.namespace!r} lacks the label {INJECTION_LABEL}=enabled: "
            "Katib rejects the experiment",
            where,
        )
