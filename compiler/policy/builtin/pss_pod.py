"""Pod Security Standards, "restricted" level, for the pod as a whole: no host namespaces,
host ports or host paths, and only the volume types the level allows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from compiler.policy.api import Context, Finding, Subject, rule

HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
# the volume types "restricted" allows
VOLUME_TYPES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


@rule(
    "pss-host-namespaces",
    title="No host namespaces",
    rationale="hostNetwork, hostPID and hostIPC let the trial see and reach the node's network, "
    "processes and shared memory, and those of every other team's pods on it.",
    fix="Remove hostNetwork, hostPID and hostIPC from the pod spec.",
)
def host_namespaces(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod in subject.pods:
        for key in HOST_NAMESPACES:
            if pod.spec.get(key) is True:
                yield Finding(f"the {pod.role} pod sets {key}: true", pod.at(key))


@rule(
    "pss-host-ports",
    title="No host ports",
    rationale="A host port binds the node's own address: it bypasses network policy and "
    "collides with other pods on the node.",
    fix="Remove hostPort from the container's ports; use a Service to reach the trial.",
)
def host_ports(subject: Subject, context: Context) -> Iterator[Finding]:
    for c in subject.containers:
        for i, port in enumerate(c.get("ports") or ()):
            if isinstance(port, Mapping) and port.get("hostPort") not in (None, 0):
                yield Finding(
                    f"container {c.name!r} binds host port {port.get('hostPort')}",
                    c.at("ports", i, "hostPort"),
                )


@rule(
    "pss-host-path",
    title="No hostPath volumes",
    rationale="A hostPath volume mounts the node's file system into the trial: it can read "
    "other pods' data and credentials, or write into the node.",
    fix="Use a persistentVolumeClaim, an emptyDir or a projected volume instead.",
)
def host_path(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod in subject.pods:
        for i, volume in enumerate(pod.spec.get("volumes") or ()):
            if isinstance(volume, Mapping) and "hostPath" in volume:
                path = (volume.get("hostPath") or {}).get("path", "")
                yield Finding(
                    f"volume {volume.get('name')!r} mounts the host path {path!r}",
                    pod.at("volumes", i, "hostPath"),
                )


@rule(
    "pss-volume-types",
    title="Only restricted volume types",
    rationale="The restricted level allows only configMap, csi, downwardAPI, emptyDir, "
    "ephemeral, persistentVolumeClaim, projected and secret volumes; other types reach storage "
    "or the node outside the platform's control.",
    fix="Use a persistentVolumeClaim (or one of the allowed types) for the data.",
)
def volume_types(subject: Subject, context: Context) -> Iterator[Finding]:
    for pod in subject.pods:
        for i, volume in enumerate(pod.spec.get("volumes") or ()):
            if not isinstance(volume, Mapping):
                continue
            kinds = [k for k in volume if k != "name" and k not in VOLUME_TYPES and k != "hostPath"]
            for kind in kinds:
                yield Finding(
                    f"volume {volume.get('name')!r} has type {kind}", pod.at("volumes", i, kind)
                )
