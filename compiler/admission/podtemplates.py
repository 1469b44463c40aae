"""The pod templates hidden in a trial's job, for each kind Katib runs (Job, the Kubeflow
training kinds, and raw kinds where a pod template can be found).

Each template carries the labels its pods will have: the template's own labels plus those the
operator adds (`training.kubeflow.org/replica-type`, `job-role: master` on the master replica),
so that Katib's `primaryPodLabels` can be matched offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from compiler.model.source import Path

# kind → the spec key holding its replica specs (kubeflow.org/v1 training operator)
REPLICA_SPECS = {
    "TFJob": "tfReplicaSpecs",
    "PyTorchJob": "pytorchReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
}
MASTER_ROLES = {"master", "chief", "launcher"}


@dataclass(frozen=True)
class PodTemplate:
    role: str  # "Job", "Worker", "Master", or the path for raw kinds
    path: Path  # where the template sits inside trialSpec
    template: dict[str, Any]  # the PodTemplateSpec: {metadata, spec}
    labels: dict[str, str] = field(default_factory=dict)
    replicas: int = 1

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.template.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def containers(self) -> list[dict[str, Any]]:
        items = self.spec.get("containers")
        return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []

    @property
    def container_names(self) -> list[str]:
        return [str(c.get("name", "")) for c in self.containers]


def pod_templates(trial_spec: dict[str, Any]) -> list[PodTemplate]:
    kind = trial_spec.get("kind")
    spec = trial_spec.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "Job":
        tpl = spec.get("template")
        if isinstance(tpl, dict):
            return [PodTemplate("Job", ("spec", "template"), tpl, _labels(tpl))]
        return []
    if isinstance(kind, str) and kind in REPLICA_SPECS:
        return list(_replicas(kind, spec))
    return list(_search(spec, ("spec",), 0))


def _labels(tpl: dict[str, Any]) -> dict[str, str]:
    meta = tpl.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _replicas(kind: str, spec: dict[str, Any]) -> Iterator[PodTemplate]:
    key = REPLICA_SPECS[kind]
    replicas = spec.get(key)
    if not isinstance(replicas, dict):
        return
    for rtype, rspec in replicas.items():
        if not isinstance(rspec, dict) or not isinstance(rspec.get("template"), dict):
            continue
        tpl = rspec["template"]
        labels = {"training.kubeflow.org/replica-type": str(rtype).lower(), **_labels(tpl)}
        if str(rtype).lower() in MASTER_ROLES:
            labels.setdefault("training.kubeflow.org/job-role", "master")
        if kind == "MPIJob":
            labels.setdefault("mpi-job-role", str(rtype).lower())
        count = rspec.get("replicas", 1)
        yield PodTemplate(
            str(rtype),
            ("spec", key, rtype, "template"),
            tpl,
            labels,
            count if isinstance(count, int) else 1,
        )


def _search(node: Any, path: Path, depth: int) -> Iterator[PodTemplate]:
    """Raw kinds: any mapping with `spec.containers` is taken for a pod template."""
    if depth > 12:
        return
    if isinstance(node, dict):
        inner = node.get("spec")
        if isinstance(inner, dict) and isinstance(inner.get("containers"), list):
            yield PodTemplate("/".join(map(str, path)), path, node, _labels(node))
            return
        for key, value in node.items():
            yield from _search(value, (*path, key), depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _search(value, (*path, i), depth + 1)
