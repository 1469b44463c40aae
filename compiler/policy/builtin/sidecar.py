"""Katib's metrics sidecar in restricted namespaces (reference §2.2).

Katib's pod webhook adds a metrics-collector container to every primary trial pod (every
collector kind but Push). That container gets a securityContext only when the cluster's
katib-config sets `init.controller.injectSecurityContext: true`, and then it is a copy of the
first container's (Katib's `pkg/apis/config/v1beta1/types.go`; the default is false). Without
it, a namespace enforcing Pod Security "restricted" rejects the pod, however hardened the
trial's own containers are, and the trial never starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.policy.api import Context, Finding, Subject, rule

COLLECTOR_KIND = ("spec", "metricsCollectorSpec", "collector", "kind")


@rule(
    "pss-metrics-sidecar",
    severity="warning",
    title="Katib's metrics sidecar passes Pod Security in restricted namespaces",
    rationale="Katib injects a metrics sidecar into the trial pod; it gets a securityContext "
    "only when katib-config sets injectSecurityContext: true (default false). In a namespace "
    "enforcing the restricted level the pod is then rejected and the trial never runs.",
    fix="Ask the platform team to set init.controller.injectSecurityContext: true in "
    "katib-config (and record it in policies/cluster.yaml), use the Push collector, or run the "
    "experiment in a namespace that does not enforce restricted.",
)
def metrics_sidecar(subject: Subject, context: Context) -> Iterator[Finding]:
    cluster = context.cluster
    if cluster is None or cluster.enforces(subject.namespace) != "restricted":
        return
    kind = str(subject.get(*COLLECTOR_KIND) or "StdOut")
    if kind == "Push" or context.katib.inject_security_context or not subject.pods:
        return
    yield Finding(
        f"namespace {subject.namespace!r} enforces Pod Security restricted, and Katib's {kind} "
        "metrics sidecar gets no securityContext (katib-config injectSecurityContext is false): "
        "trial pods will be rejected",
        ("metadata", "namespace"),
    )
