"""generated/ as objects: what `katib-gitops apply` sends and `kustomize build generated/`
gives. Pure: the folder's files (path → bytes, from the work tree or a git revision) in, the
desired Experiments out.

The experiment files hold exactly what Katib stores; `kustomization.yaml` lists them and adds
our ownership metadata with one patch each (`compiler.render.manifests`). Only that form is
read: generated/ is written by `katib-gitops compile`, and the commands that apply it first
check that it is what its specs compile to. Anything else is an `InputError` at the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.errors import InputError
from compiler.model.source import Location
from compiler.render.manifests import (
    EXPERIMENT_LABEL,
    MANAGED_LABEL,
    REVISION_ANNOTATION,
    SPEC_ANNOTATION,
)
from compiler.yamlsafe import decode_text, parse_documents

KUSTOMIZATION = "kustomization.yaml"
MAX_DEPTH = 1  # generated/kustomization.yaml lists folders; theirs list files
EXPERIMENT_API = "kubeflow.org/v1beta1"


@dataclass(frozen=True)
class Desired:
    """One Experiment that Git wants, with our ownership metadata merged in."""

    namespace: str
    experiment: str  # the spec's name: label katib-gitops.dev/experiment
    name: str  # the object's name (the spec's name and its revision suffix, by default)
    revision: str
    source: str  # the spec file
    path: str  # the file under generated/
    manifest: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.experiment)


@dataclass(frozen=True)
class DesiredSet:
    experiments: tuple[Desired, ...]

    def by_key(self) -> dict[tuple[str, str], Desired]:
        return {d.key: d for d in self.experiments}

    def by_name(self) -> dict[tuple[str, str], Desired]:
        return {(d.namespace, d.name): d for d in self.experiments}


def read_desired(files: Mapping[str, bytes], folder: str = "generated") -> DesiredSet:
    """`files` are generated/'s, by path relative to it. An empty folder wants nothing."""
    if not files:
        return DesiredSet(())
    out: list[Desired] = []
    _read_kustomization(files, "", folder, out)
    return DesiredSet(tuple(sorted(out, key=lambda d: (d.namespace, d.experiment))))


def _read_kustomization(
    files: Mapping[str, bytes], prefix: str, folder: str, out: list[Desired], depth: int = 0
) -> None:
    """One kustomization: its experiment files, and the folders it lists (the teams')."""
    name = f"{prefix}{KUSTOMIZATION}"
    if name not in files:
        raise _error(folder, name, "is missing", "run `katib-gitops compile`")
    kustomization = _one(files[name], f"{folder}/{name}")
    patches = _patches(kustomization, f"{folder}/{name}")
    for resource in _resources(kustomization, f"{folder}/{name}"):
        path = f"{prefix}{resource}"
        if f"{path}/{KUSTOMIZATION}" in files and depth < MAX_DEPTH:
            _read_kustomization(files, f"{path}/", folder, out, depth + 1)
            continue
        if path not in files:
            raise _error(folder, path, f"is listed in {name} but missing", "")
        manifest = _one(files[path], f"{folder}/{path}")
        meta = manifest.get("metadata")
        if manifest.get("kind") != "Experiment" or not isinstance(meta, dict):
            raise _error(folder, path, "is not an Experiment", "run `katib-gitops compile`")
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        out.append(_desired(_merge_metadata(manifest, patches.get(key, {})), path))


def _desired(manifest: dict[str, Any], path: str) -> Desired:
    meta = manifest["metadata"]
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    name = str(meta.get("name", ""))
    return Desired(
        namespace=str(meta.get("namespace", "")),
        # generated/ written before revision suffixes has no experiment label: its name is it
        experiment=str(labels.get(EXPERIMENT_LABEL, name)),
        name=name,
        revision=str(annotations.get(REVISION_ANNOTATION, "")),
        source=str(annotations.get(SPEC_ANNOTATION, "")),
        path=path,
        manifest=manifest,
    )


def _patches(kustomization: dict[str, Any], file: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(namespace, name) → the metadata our patch adds (labels and annotations)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in kustomization.get("patches") or []:
        target = entry.get("target") if isinstance(entry, dict) else None
        text = entry.get("patch") if isinstance(entry, dict) else None
        if not isinstance(target, dict) or not isinstance(text, str):
            raise InputError("a patch without a target or an inline patch", Location(file))
        patch = _one(text.encode(), f"{file} (patch of {target.get('name')})")
        found = patch.get("metadata")
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        key = (str(target.get("namespace", "")), str(target.get("name", "")))
        out[key] = {k: meta[k] for k in ("labels", "annotations") if isinstance(meta.get(k), dict)}
    return out


def _resources(kustomization: dict[str, Any], file: str) -> list[str]:
    resources = kustomization.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise InputError("resources must be a list of file names", Location(file))
    return list(resources)


def _merge_metadata(manifest: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """What kustomize's strategic merge does with our patch: labels and annotations are maps,
    merged key by key."""
    meta = dict(manifest["metadata"])
    for key, values in extra.items():
        meta[key] = {**(meta.get(key) or {}), **values}
    return {**manifest, "metadata": meta}


def _one(data: bytes, file: str) -> dict[str, Any]:
    docs = [d for d in parse_documents(decode_text(data, file), file, go_keys=True) if d.data]
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise InputError("expected one YAML mapping", Location(file), code="INPUT-GENERATED")
    return docs[0].data


def _error(folder: str, path: str, problem: str, hint: str) -> InputError:
    return InputError(f"{problem}", Location(f"{folder}/{path}"), hint, code="INPUT-GENERATED")


def owned(obj: Mapping[str, Any]) -> bool:
    """Carries our label and our spec annotation (ownership, reference-free: ARCHITECTURE.md)."""
    meta = obj.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    return labels.get(MANAGED_LABEL) == "true" and bool(annotations.get(SPEC_ANNOTATION))


__all__ = ["EXPERIMENT_API", "Desired", "DesiredSet", "owned", "read_desired"]
