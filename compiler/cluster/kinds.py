"""The API resources the cluster room touches, and their REST paths."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None, sub: str = "") -> str:
        """/api/v1/namespaces/ns/configmaps/name, /apis/kubeflow.org/v1beta1/experiments, ..."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
        if sub:
            base += f"/{sub}"
        return base

    def ref(self, namespace: str | None, name: str) -> str:
        """How errors and plans name an object: Experiment/ns/name."""
        return f"{self.kind}/{namespace}/{name}" if self.namespaced else f"{self.kind}/{name}"


EXPERIMENT = Kind("kubeflow.org", "v1beta1", "Experiment", "experiments")
TRIAL = Kind("kubeflow.org", "v1beta1", "Trial", "trials")
SUGGESTION = Kind("kubeflow.org", "v1beta1", "Suggestion", "suggestions")
CONFIGMAP = Kind("", "v1", "ConfigMap", "configmaps")
NAMESPACE = Kind("", "v1", "Namespace", "namespaces", namespaced=False)
CRD = Kind(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False
)

#: the CRDs a Katib install has (reference §0.1)
KATIB_CRDS = ("experiments.kubeflow.org", "trials.kubeflow.org", "suggestions.kubeflow.org")

BY_KIND = {k.kind: k for k in (EXPERIMENT, TRIAL, SUGGESTION, CONFIGMAP, NAMESPACE, CRD)}


def kind_of(obj: dict[str, object]) -> Kind:
    found = BY_KIND.get(str(obj.get("kind", "")))
    if found is None:
        raise ValueError(f"no such kind in the cluster room: {obj.get('kind')!r}")
    return found
