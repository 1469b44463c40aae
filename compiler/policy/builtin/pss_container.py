"""Pod Security Standards, "restricted" level, container by container: what each container's
securityContext must say (https://kubernetes.io/docs/concepts/security/pod-security-standards/).

A namespace that enforces "restricted" rejects a pod that breaks any of these, so the trial
would stay pending; in any namespace they close the usual container escapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from compiler.policy.api import Container, Context, Finding, Pod, Subject, rule

SECCOMP_OK = ("RuntimeDefault", "Localhost")


def _containers(subject: Subject, complete_only: bool = False) -> Iterator[tuple[Pod, Container]]:
    for pod in subject.pods:
        if complete_only and not pod.complete:
            continue  # the rest of the pod is defined elsewhere (a TrainJob's runtime)
        for c in pod.containers:
            yield pod, c


def effective(pod: Pod, c: Container, key: str) -> Any:
    """A setting the container may override from the pod's securityContext."""
    value = c.security.get(key)
    return pod.security.get(key) if value is None else value


@rule(
    "pss-privileged",
    title="No privileged containers",
    rationale="A privileged container has every capability and the host's devices: it is root "
    "on the node.",
    fix="Remove securityContext.privileged (or set it to false).",
)
def privileged(subject: Subject, context: Context) -> Iterator[Finding]:
    for _, c in _containers(subject):
        if c.security.get("privileged") is True:
            yield Finding(
                f"container {c.name!r} is privileged", c.at("securityContext", "privileged")
            )


@rule(
    "pss-privilege-escalation",
    title="No privilege escalation",
    rationale="Without allowPrivilegeEscalation: false, a setuid binary in the image can gain "
    "more privileges than the container was started with.",
    fix="Set securityContext.allowPrivilegeEscalation: false on every container.",
)
def escalation(subject: Subject, context: Context) -> Iterator[Finding]:
    for _, c in _containers(subject, complete_only=True):
        if c.security.get("allowPrivilegeEscalation") is not False:
            yield Finding(
                f"container {c.name!r} does not set allowPrivilegeEscalation: false",
                c.at("securityContext", "allowPrivilegeEscalation"),
            )


@rule(
    "pss-capabilities",
    title="Drop ALL capabilities",
    rationale="Linux capabilities are pieces of root; training needs none of them. The "
    "restricted level allows adding back only NET_BIND_SERVICE.",
    fix="Set securityContext.capabilities.drop: [ALL] and add nothing but NET_BIND_SERVICE.",
)
def capabilities(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod, c in _containers(subject):
        caps = c.security.get("capabilities")
        caps = caps if isinstance(caps, Mapping) else {}
        added = [a for a in caps.get("add") or () if a != "NET_BIND_SERVICE"]
        if added:
            where = c.at("securityContext", "capabilities", "add")
            yield Finding(
                f"container {c.name!r} adds capabilities {', '.join(map(str, added))}", where
            )
        if pod.complete and "ALL" not in (caps.get("drop") or ()):
            where = c.at("securityContext", "capabilities", "drop")
            yield Finding(f"container {c.name!r} does not drop ALL capabilities", where)


@rule(
    "pss-run-as-non-root",
    title="Run as a non-root user",
    rationale="A process running as root in the container is root on the node after any "
    "container escape; runAsNonRoot makes the kubelet refuse to start it as root.",
    fix="Set securityContext.runAsNonRoot: true (on the pod or the container), and a non-zero "
    "runAsUser if the image's user is root.",
)
def non_root(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod, c in _containers(subject, complete_only=True):
        if effective(pod, c, "runAsUser") == 0:
            where = (
                c.at("securityContext", "runAsUser")
                if "runAsUser" in c.security
                else pod.at("securityContext", "runAsUser")
            )
            yield Finding(f"container {c.name!r} runs as user 0 (root)", where)
        elif effective(pod, c, "runAsNonRoot") is not True:
            yield Finding(
                f"container {c.name!r} does not set runAsNonRoot: true",
                c.at("securityContext", "runAsNonRoot"),
            )


@rule(
    "pss-seccomp",
    title="Seccomp profile RuntimeDefault",
    rationale="Seccomp filters the system calls a container may make; without a profile, "
    "every call of the kernel is open to it.",
    fix="Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost).",
)
def seccomp(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod, c in _containers(subject, complete_only=True):
        profile = effective(pod, c, "seccompProfile")
        kind = profile.get("type") if isinstance(profile, Mapping) else None
        if kind not in SECCOMP_OK:
            own = "seccompProfile" in c.security
            where = (
                c.at("securityContext", "seccompProfile", "type")
                if own
                else c.at("securityContext", "seccompProfile")
            )
            shown = f"seccomp profile {kind}" if kind else "no seccomp profile"
            yield Finding(f"container {c.name!r} has {shown}", where)
