"""The cluster profile (`policies/cluster.yaml`, or `policies/clusters/<name>.yaml`): a
committed description of the target cluster, so that experiments it would reject or never run
fail in review, not on apply. Its `katibConfig` is the one katib-config of the repository:
admission reads it as well as the policies (`katib_from_profile`, which needs no cerberus, so
that `validate` stays light).

    name: shared-gpu
    katibConfig:            # the cluster's katib-config.yaml, as committed by its owners
      init: {controller: {injectSecurityContext: false, trialResources: [Job.v1.batch]}}
      runtime: {suggestions: [{algorithmName: random, image: ...}], metricsCollectors: [...]}
    namespaces:
      team-a:
        labels: {katib.kubeflow.org/metrics-collector-injection: enabled,
                 pod-security.kubernetes.io/enforce: restricted}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.admission.katibconfig import KatibConfig, KatibConfigError, config_from_document
from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document, katib_path
from compiler.policy.frozen import EMPTY, empty, freeze

INJECTION_LABEL = "katib.kubeflow.org/metrics-collector-injection"
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
CODE = "POLICY-CLUSTER"

_SCHEMA = {
    "name": {"type": "string"},
    "katibConfig": {"type": "dict"},
    "namespaces": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {
            "type": "dict",
            "nullable": True,
            "schema": {"labels": {"type": "dict", "valuesrules": {"type": "string"}}},
        },
    },
}


@dataclass(frozen=True)
class ClusterProfile:
    name: str = ""
    katib: KatibConfig | None = None  # None: the profile does not say
    namespaces: Mapping[str, Mapping[str, str]] = field(default_factory=empty)  # name → labels
    source: str = ""

    def lists_namespaces(self) -> bool:
        return bool(self.namespaces)

    def labels(self, namespace: str) -> Mapping[str, str] | None:
        return self.namespaces.get(namespace)

    def enforces(self, namespace: str) -> str:
        """The Pod Security level enforced in the namespace ('' when none is known)."""
        return str((self.labels(namespace) or EMPTY).get(ENFORCE_LABEL, ""))


def katib_from_profile(doc: Document) -> tuple[KatibConfig | None, list[Diagnostic]]:
    """The profile's katib-config (None when it says none), or the problems that keep it from
    being read, located in the profile. `cluster_from_document` reports the same problems in
    the same words, so that a command that reads both says each once."""
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        message = "cluster profile: (top): must be a mapping"
        return None, [Diagnostic(code=CODE, message=message, where=doc.where(()))]
    if data.get("katibConfig") is None:
        return None, []
    try:
        katib, embedded = config_from_document(data["katibConfig"], doc.file)
    except KatibConfigError as exc:
        where = doc.where(("katibConfig", *exc.path))
        hint = "write the content of the cluster's ConfigMap katib-config, key katib-config.yaml"
        return None, [Diagnostic(code=CODE, message=f"katibConfig: {exc}", where=where, hint=hint)]
    if embedded is not None:
        message = "katibConfig: write the content of the ConfigMap's katib-config.yaml here"
        return None, [Diagnostic(code=CODE, message=message, where=doc.where(("katibConfig",)))]
    return katib, []


def cluster_from_document(doc: Document) -> tuple[ClusterProfile | None, list[Diagnostic]]:
    from compiler.policy.cerb import compile_schema, validate  # cerberus: for the policies only

    katib, problems = katib_from_profile(doc)
    if problems:
        return None, problems
    data = doc.data if doc.data is not None else {}
    problems = [
        Diagnostic(
            code=CODE,
            message=f"cluster profile: {katib_path(p) or '(top)'}: {m}",
            where=doc.where(p),
        )
        for p, m in validate(compile_schema(_SCHEMA, allow_unknown=False), data)
    ]
    if problems:
        return None, problems
    namespaces = {str(k): _labels(v) for k, v in (data.get("namespaces") or {}).items()}
    profile = ClusterProfile(str(data.get("name", "")), katib, freeze(namespaces), doc.file)
    return profile, []


def _labels(entry: Any) -> dict[str, str]:
    labels = (entry or {}).get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()}
