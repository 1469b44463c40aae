"""The cluster's `katib-config`: which algorithms, early-stopping services, metrics collectors
and trial kinds it provides (reference §0.6, §6.1). Admission looks names up here (V-13, V-15,
V-38): an entry must exist and have a non-blank image; the last entry of a name wins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.goyaml import GO_SPACE

_REGISTRY = "ghcr.io/kubeflow/katib/"


def _blank(image: str) -> bool:
    """Katib's `strings.TrimSpace(image) == ""`."""
    return not image.strip(GO_SPACE)


# The default katib-config of a standalone install (§6.1), written out by us.
DEFAULT_SUGGESTIONS: dict[str, str] = {
    "random": "suggestion-hyperopt",
    "tpe": "suggestion-hyperopt",
    "grid": "suggestion-optuna",
    "multivariate-tpe": "suggestion-optuna",
    "cmaes": "suggestion-goptuna",
    "sobol": "suggestion-goptuna",
    "bayesianoptimization": "suggestion-skopt",
    "hyperband": "suggestion-hyperband",
    "pbt": "suggestion-pbt",
    "enas": "suggestion-enas",
    "darts": "suggestion-darts",
}
DEFAULT_EARLY_STOPPINGS = {"medianstop": "earlystopping-medianstop"}
DEFAULT_COLLECTORS = {
    "StdOut": "file-metrics-collector",
    "File": "file-metrics-collector",
    "TensorFlowEvent": "tfevent-metrics-collector",
}
DEFAULT_TRIAL_RESOURCES = (
    "TrainJob.v1alpha1.trainer.kubeflow.org",
    "Job.v1.batch",
    "TFJob.v1.kubeflow.org",
    "PyTorchJob.v1.kubeflow.org",
    "MPIJob.v1.kubeflow.org",
    "XGBoostJob.v1.kubeflow.org",
)
# What Katib's controller uses when katib-config names no trialResources.
CONTROLLER_DEFAULT_TRIAL_RESOURCES = ("Job.v1.batch",)


@dataclass(frozen=True)
class KatibConfig:
    """Images by name; a blank image counts as missing, as in Katib."""

    suggestions: Mapping[str, str] = field(default_factory=dict)
    early_stopping: Mapping[str, str] = field(default_factory=dict)
    metrics_collectors: Mapping[str, str] = field(default_factory=dict)
    trial_resources: tuple[str, ...] = CONTROLLER_DEFAULT_TRIAL_RESOURCES
    inject_security_context: bool = False
    source: str = "the default katib-config"

    def algorithms(self) -> list[str]:
        return sorted(k for k, v in self.suggestions.items() if not _blank(v))

    def early_stoppings(self) -> list[str]:
        return sorted(k for k, v in self.early_stopping.items() if not _blank(v))

    def collectors(self) -> list[str]:
        return sorted(k for k, v in self.metrics_collectors.items() if not _blank(v))

    def suggestion_problem(self, name: str) -> str:
        return _lookup(self.suggestions, name, "suggestion config for algorithm", "algorithm name")

    def early_stopping_problem(self, name: str) -> str:
        return _lookup(
            self.early_stopping, name, "early stopping config for algorithm", "algorithm name"
        )

    def collector_problem(self, kind: str) -> str:
        return _lookup(
            self.metrics_collectors,
            kind,
            "metrics collector config for kind",
            "metrics collector kind",
        )

    def digest(self) -> str:
        """sha256 of everything admission reads here (the source aside): two configs with the
        same digest give every experiment the same verdict."""
        decided = {
            "suggestions": dict(sorted(self.suggestions.items())),
            "earlyStoppings": dict(sorted(self.early_stopping.items())),
            "metricsCollectors": dict(sorted(self.metrics_collectors.items())),
            "trialResources": list(self.trial_resources),
            "injectSecurityContext": self.inject_security_context,
        }
        return hashlib.sha256(json.dumps(decided, sort_keys=True).encode()).hexdigest()

    def watches(self, api_version: str, kind: str) -> bool:
        """Whether the trial controller watches this kind (`Kind.version.group` entries)."""
        group, _, version = api_version.rpartition("/")
        wanted = f"{kind}.{version}.{group}" if group else f"{kind}.{version}"
        return wanted in self.trial_resources


def _lookup(table: Mapping[str, str], name: str, what: str, image_of: str) -> str:
    if name not in table:
        return f"failed to find {what}: {name} in ConfigMap: katib-config"
    if _blank(table[name]):
        return f"required value for image configuration of {image_of}: {name}"
    return ""


def default_config() -> KatibConfig:
    return KatibConfig(
        suggestions={k: f"{_REGISTRY}{v}:latest" for k, v in DEFAULT_SUGGESTIONS.items()},
        early_stopping={k: f"{_REGISTRY}{v}:latest" for k, v in DEFAULT_EARLY_STOPPINGS.items()},
        metrics_collectors={k: f"{_REGISTRY}{v}:latest" for k, v in DEFAULT_COLLECTORS.items()},
        trial_resources=DEFAULT_TRIAL_RESOURCES,
    )


class KatibConfigError(ValueError):
    """The document is not a katib-config; the message says which part is wrong, `path` where
    it is (from the document's top), so that callers can locate it in their file."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


def config_from_document(doc: Any, source: str) -> tuple[KatibConfig, Any]:
    """Read a ConfigMap holding `katib-config.yaml`, or a KatibConfig document.

    Returns the config and, for a ConfigMap, the embedded YAML text still to be parsed (the
    caller owns parsing, so that errors in it are located)."""
    if not isinstance(doc, dict):
        raise KatibConfigError("expected a ConfigMap or a KatibConfig mapping")
    if doc.get("kind") == "ConfigMap":
        data = doc.get("data") or {}
        text = data.get("katib-config.yaml") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise KatibConfigError("the ConfigMap has no data key 'katib-config.yaml'")
        return KatibConfig(source=source), text
    return _from_katib_config(doc, source), None


def _from_katib_config(doc: dict[str, Any], source: str) -> KatibConfig:
    runtime = _mapping(doc.get("runtime"), ("runtime",))
    init = _mapping(doc.get("init"), ("init",))
    controller = _mapping(init.get("controller"), ("init", "controller"))
    resources = controller.get("trialResources") or list(CONTROLLER_DEFAULT_TRIAL_RESOURCES)
    where = ("init", "controller", "trialResources")
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise KatibConfigError("init.controller.trialResources must be a list of strings", where)
    injects = controller.get("injectSecurityContext", False)
    if not isinstance(injects, bool):
        raise KatibConfigError(
            "init.controller.injectSecurityContext must be true or false",
            ("init", "controller", "injectSecurityContext"),
        )
    return KatibConfig(
        suggestions=_entries(runtime, "suggestions", "algorithmName"),
        early_stopping=_entries(runtime, "earlyStoppings", "algorithmName"),
        metrics_collectors=_entries(runtime, "metricsCollectors", "kind"),
        trial_resources=tuple(resources),
        inject_security_context=injects,
        source=source,
    )


def _mapping(value: Any, where: tuple[str, ...]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise KatibConfigError(f"{'.'.join(where)} must be a mapping", where)
    return value


def _entries(runtime: dict[str, Any], key: str, name_key: str) -> dict[str, str]:
    entries = runtime.get(key) or []
    if not isinstance(entries, list):
        raise KatibConfigError(f"runtime.{key} must be a list", ("runtime", key))
    table: dict[str, str] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise KatibConfigError(f"runtime.{key}[{i}] must be a mapping", ("runtime", key, i))
        name, image = entry.get(name_key, ""), entry.get("image", "")
        for field_name, value in ((name_key, name), ("image", image)):
            if not isinstance(value, str):
                raise KatibConfigError(
                    f"runtime.{key}[{i}].{field_name} must be a string",
                    ("runtime", key, i, field_name),
                )
        table[name] = image  # the last entry of a name wins, as in Katib's lookup loop
    return table
