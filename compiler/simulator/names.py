"""Katib's names, labels, finalizers and owner references for the objects the simulator writes
(reference §2.2, §4.4), and the keys it files objects under."""

from __future__ import annotations

import random
from collections.abc import Container, Mapping
from typing import Any

from compiler.execute.sources import derive_seed

API_VERSION = "kubeflow.org/v1beta1"
EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"  # consts.LabelExperimentName
EXPERIMENT_FINALIZER = "update-prometheus-metrics"  # the experiment controller's (§2.2)
TRIAL_FINALIZER = "clean-metrics-in-db"  # the trial controller's (§2.2)
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes util/rand (§4.4)
SUFFIX_LENGTH = 8

Key = tuple[str, str]  # (namespace, name)


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def trial_name(
    experiment: str, seed: int, index: int, taken: Container[str], attempt: int = 0
) -> str:
    """§4.4: `<experiment>-<8 chars of util/rand's alphabet>`. Katib draws them at random; here
    they come from the experiment's seed and the trial's index, so a rerun repeats its names."""
    while True:
        rng = random.Random(derive_seed(seed, "name", index, attempt))  # noqa: S311 - names
        name = f"{experiment}-" + "".join(rng.choice(NAME_ALPHABET) for _ in range(SUFFIX_LENGTH))
        if name not in taken:
            return name
        attempt += 1


def trial_labels(experiment: Mapping[str, Any]) -> dict[str, str]:
    """util.TrialLabels: the experiment's labels plus `katib.kubeflow.org/experiment`."""
    meta = experiment.get("metadata") or {}
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    labels[EXPERIMENT_LABEL] = str(meta.get("name", ""))
    return dict(sorted(labels.items()))  # Go marshals maps with sorted keys


def owner_reference(experiment: Mapping[str, Any]) -> dict[str, Any]:
    """controllerutil.SetControllerReference: the experiment as the trial's controller."""
    meta = experiment.get("metadata") or {}
    return {
        "apiVersion": API_VERSION,
        "kind": "Experiment",
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_uid(obj: Mapping[str, Any]) -> str:
    """The uid of the object's controlling Experiment, or "" when it has none."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == "Experiment":
            return str(ref.get("uid", ""))
    return ""


def experiment_key_of_trial(trial: Mapping[str, Any]) -> Key | None:
    meta = trial.get("metadata") or {}
    name = (meta.get("labels") or {}).get(EXPERIMENT_LABEL)
    if not name:
        refs = [r for r in meta.get("ownerReferences") or [] if r.get("kind") == "Experiment"]
        name = refs[0].get("name") if refs else None
    return (str(meta.get("namespace") or ""), str(name)) if name else None


def deleting(obj: Mapping[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def finalizers(obj: Mapping[str, Any]) -> list[str]:
    return [str(f) for f in (obj.get("metadata") or {}).get("finalizers") or []]
