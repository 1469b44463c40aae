"""What a rule sees: one experiment, normalized and read-only, with every pod template of its
trial found for each kind, and the spec's context (its path and team).

Paths are Katib paths from the Experiment's root, e.g.
("spec", "trialTemplate", "trialSpec", "spec", "template", "spec", "containers", 0, "image"),
so that the engine can point a finding at the spec line the value came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from compiler.admission.podtemplates import PodTemplate, pod_templates
from compiler.model.katib import Experiment
from compiler.model.source import Location, Path
from compiler.policy.frozen import EMPTY, empty, freeze, freeze_model, lookup

TRIAL_SPEC: Path = ("spec", "trialTemplate", "trialSpec")
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


@dataclass(frozen=True)
class SpecInfo:
    """Where the experiment was written: `specs/<team>/<file>`, and what it targets."""

    path: str
    namespace: str
    name: str
    index: int = 0

    @property
    def team(self) -> str | None:
        """The folder under specs/, or None for a spec outside a team folder."""
        parts = PurePosixPath(self.path).parts
        return parts[1] if len(parts) > 2 and parts[0] == "specs" else None


@dataclass(frozen=True)
class Container:
    """One container of a pod template. `fields` renames keys that a kind spells differently
    (TrainJob's trainer keeps its resources in `resourcesPerNode`)."""

    name: str
    data: Mapping[str, Any]
    path: Path
    list: str = "containers"  # or initContainers, ephemeralContainers, trainer
    primary: bool = False
    fields: Mapping[str, str] = field(default_factory=empty)

    def get(self, key: str) -> Any:
        return self.data.get(self.fields.get(key, key))

    def at(self, *keys: str | int) -> Path:
        """The Katib path of a field of this container (which may be absent)."""
        if not keys:
            return self.path
        head = keys[0]
        return (
            *self.path,
            self.fields.get(head, head) if isinstance(head, str) else head,
            *keys[1:],
        )

    @property
    def security(self) -> Mapping[str, Any]:
        value = self.data.get("securityContext")
        return value if isinstance(value, Mapping) else EMPTY


@dataclass(frozen=True)
class Pod:
    """A pod template of the trial. `complete` is False when part of the pod is defined
    elsewhere (a TrainJob's runtime), so rules that require a field cannot judge it."""

    role: str
    path: Path  # the PodTemplateSpec, or the trainer of a TrainJob
    spec: Mapping[str, Any]
    containers: tuple[Container, ...]
    labels: Mapping[str, str] = field(default_factory=empty)
    replicas: int = 1
    complete: bool = True

    def at(self, *keys: str | int) -> Path:
        return (*self.path, "spec", *keys) if self.complete else (*self.path, *keys)

    @property
    def security(self) -> Mapping[str, Any]:
        value = self.spec.get("securityContext")
        return value if isinstance(value, Mapping) else EMPTY

    @property
    def main(self) -> tuple[Container, ...]:
        """The regular containers (not init or ephemeral ones)."""
        return tuple(c for c in self.containers if c.list in ("containers", "trainer"))


@dataclass(frozen=True)
class Subject:
    """One experiment as every rule gets it: nothing here can be written."""

    spec: SpecInfo
    manifest: Mapping[str, Any]  # the stored Experiment, read-only
    pods: tuple[Pod, ...]
    _model: Experiment = field(repr=False, compare=False)

    @cached_property
    def experiment(self) -> Experiment:
        """The typed Experiment; its dict fields are read-only views too."""
        return freeze_model(self._model)

    @property
    def kind(self) -> str:
        return str(self.get(*TRIAL_SPEC, "kind") or "")

    @property
    def namespace(self) -> str:
        return self.spec.namespace

    def get(self, *path: str | int) -> Any:
        return lookup(self.manifest, path)

    @property
    def containers(self) -> tuple[Container, ...]:
        return tuple(c for p in self.pods for c in p.containers)

    @property
    def training(self) -> tuple[Container, ...]:
        """The training containers: `primaryContainerName` in each pod, or each pod's first."""
        marked = tuple(c for c in self.containers if c.primary)
        return marked or tuple(p.main[0] for p in self.pods if p.main)


def build_subject(manifest: dict[str, Any], experiment: Experiment, spec: SpecInfo) -> Subject:
    frozen = freeze(manifest)
    primary = str(lookup(manifest, ("spec", "trialTemplate", "primaryContainerName")) or "")
    trial = lookup(manifest, TRIAL_SPEC)
    pods: tuple[Pod, ...] = ()
    if isinstance(trial, dict):
        if trial.get("kind") == "TrainJob":
            pods = _train_job(frozen, primary)
        else:
            pods = tuple(_pod(frozen, t, primary) for t in pod_templates(trial))
    return Subject(spec, frozen, pods, experiment)


def _pod(frozen: Mapping[str, Any], template: PodTemplate, primary: str) -> Pod:
    path = (*TRIAL_SPEC, *template.path)
    pod_spec = lookup(frozen, (*path, "spec"))
    pod_spec = pod_spec if isinstance(pod_spec, Mapping) else EMPTY
    containers = tuple(
        Container(str(c.get("name", "")), c, (*path, "spec", key, i), key, c.get("name") == primary)
        for key in CONTAINER_LISTS
        for i, c in enumerate(_sequence(pod_spec.get(key)))
        if isinstance(c, Mapping)
    )
    labels = freeze(template.labels)
    return Pod(template.role, path, pod_spec, containers, labels, template.replicas)


def _sequence(value: Any) -> tuple[Any, ...] | list[Any]:
    """A list as the rules read it (frozen: a tuple); anything else is no list at all."""
    return value if isinstance(value, tuple | list) else ()


def _train_job(frozen: Mapping[str, Any], primary: str) -> tuple[Pod, ...]:
    """A TrainJob has no pod template: its trainer is the training container of each node."""
    path = (*TRIAL_SPEC, "spec", "trainer")
    trainer = lookup(frozen, path)
    if not isinstance(trainer, Mapping):
        return ()
    name = primary or "node"
    fields = freeze({"resources": "resourcesPerNode"})
    container = Container(name, trainer, path, "trainer", True, fields)
    nodes = trainer.get("numNodes", 1)
    return (
        Pod(
            "Node", path, EMPTY, (container,), EMPTY, nodes if isinstance(nodes, int) else 1, False
        ),
    )


@dataclass(frozen=True)
class Summary:
    """What repository-wide rules see of each experiment (kept in the cache, so that they can
    run without re-checking unchanged experiments): its spec, namespace and estimated cost,
    and where its budget is set."""

    spec: SpecInfo
    cpu_hours: float | None
    gpu_hours: float | None
    why: str = ""  # why a cost could not be bounded
    where: Location | None = None  # the spec line of maxTrialCount
    field: str = ""
