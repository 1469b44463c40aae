"""The spec's `trial` for a stored trialTemplate, as candidate forms, shortest first:
the short job form, then a raw `trial.spec`, then Katib's own placeholders; each with the
trialParameters derived from the `${name}` uses, then written out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.admission.defaults import (
    JOB_FAILURE,
    JOB_SUCCESS,
    KUBEFLOW_FAILURE,
    KUBEFLOW_PRIMARY_POD_LABELS,
    KUBEFLOW_SUCCESS,
    TRAINJOB_FAILURE,
    TRAINJOB_PRIMARY_POD_LABELS,
    TRAINJOB_SUCCESS,
)
from compiler.admission.podtemplates import pod_templates
from compiler.imports.shortjob import short_trial
from compiler.imports.text import derived_name, spec_strings, token_for

# kind → (successCondition, failureCondition, primaryPodLabels) as Katib defaults them
_DEFAULTS: dict[str, tuple[str, str, dict[str, str] | None]] = {
    "Job": (JOB_SUCCESS, JOB_FAILURE, None),
    "TrainJob": (TRAINJOB_SUCCESS, TRAINJOB_FAILURE, TRAINJOB_PRIMARY_POD_LABELS),
    **dict.fromkeys(
        ("TFJob", "PyTorchJob", "XGBoostJob", "MPIJob"),
        (KUBEFLOW_SUCCESS, KUBEFLOW_FAILURE, KUBEFLOW_PRIMARY_POD_LABELS),
    ),
}
# the order a spec's `trial` is written in
ORDER = (
    "kind",
    "image",
    "command",
    "args",
    "env",
    "resources",
    "workers",
    "replicas",
    "deadline",
    "runtime",
    "container",
    "pod",
    "podMetadata",
    "job",
    "spec",
    "configMap",
    "parameters",
    "retain",
    "primaryPodLabels",
    "primaryContainer",
    "successCondition",
    "failureCondition",
)


@dataclass(frozen=True)
class TrialForm:
    trial: dict[str, Any]
    # search parameter → description, for trialParameters derived from the `${name}` uses
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Body:
    fields: dict[str, Any]
    container: str  # the primary container the compiler implies
    converted: bool  # placeholders written as `${name}`


def trial_forms(
    template: dict[str, Any] | None, params: list[str], outputs: tuple[str, ...]
) -> list[TrialForm]:
    if template is None:
        return [TrialForm({})]
    tps = [tp for tp in template.get("trialParameters") or [] if isinstance(tp, dict)]
    names = {
        tp.get("name", ""): tok
        for tp in tps
        if (tok := token_for(tp.get("reference", ""), params, outputs)) is not None
    }
    derived = _derivable(tps, params, outputs, "trialSpec" not in template)
    explicit = [_trial_parameter(tp) for tp in tps]
    forms = []
    for body in _bodies(template, names):
        common = _common(template, body.container)
        if derived is not None and body.converted:
            forms.append(TrialForm(_ordered({**body.fields, **common}), derived))
        written = {**body.fields, **common}
        if tps:
            written["parameters"] = explicit
        forms.append(TrialForm(_ordered(written)))
    return forms


def _bodies(template: dict[str, Any], names: dict[str, str]) -> list[_Body]:
    if "trialSpec" in template:
        ts = template["trialSpec"]
        converted = spec_strings(ts, names)
        raw = spec_strings(ts, {})
        bodies = []
        short = short_trial(converted) if isinstance(converted, dict) else None
        if short is not None:
            bodies.append(_Body(short[0], short[1], True))
        implied = _single_container(ts)
        bodies.append(_Body({"spec": converted}, implied, True))
        bodies.append(_Body({"spec": raw}, implied, False))
        return bodies
    cm = template.get("configMap")
    if isinstance(cm, dict):
        ref = {
            "name": cm.get("configMapName"),
            "namespace": cm.get("configMapNamespace"),
            "key": cm.get("templatePath"),
        }
        return [_Body({"configMap": ref}, "", True)]
    return [_Body({}, "", True)]


def _single_container(ts: Any) -> str:
    """The container the compiler implies for a raw spec (`trialtemplate._single_container`)."""
    if not isinstance(ts, dict):
        return ""
    pods = pod_templates(ts)
    found = [n for p in pods for n in p.container_names]
    return found[0] if len(pods) == 1 and len(found) == 1 else ""


def _derivable(
    tps: list[dict[str, Any]], params: list[str], outputs: tuple[str, ...], configmap: bool
) -> dict[str, str] | None:
    """The parameter descriptions that let the compiler derive these trialParameters, or None
    when it cannot (the search checks the order)."""
    descriptions: dict[str, str] = {}
    for tp in tps:
        ref, name, text = tp.get("reference", ""), tp.get("name", ""), tp.get("description")
        if token_for(ref, params, outputs) is None or name != derived_name(ref, params, outputs):
            return None
        if text:
            if ref not in params or ref in descriptions:
                return None
            descriptions[ref] = text
    if configmap and descriptions:
        return None
    return descriptions


def _trial_parameter(tp: dict[str, Any]) -> dict[str, Any]:
    out = {"name": tp.get("name", ""), "reference": tp.get("reference", "")}
    if tp.get("description"):
        out["description"] = tp["description"]
    return out


def _common(template: dict[str, Any], implied_container: str) -> dict[str, Any]:
    """retain, primaryPodLabels, primaryContainer and the conditions, when not implied."""
    out: dict[str, Any] = {}
    if template.get("retain"):
        out["retain"] = True
    ts = template.get("trialSpec")
    kind = ts.get("kind") if isinstance(ts, dict) else None
    success, failure, labels = _DEFAULTS.get(kind, ("", "", None)) if kind else ("", "", None)
    stored_labels = template.get("primaryPodLabels")
    if stored_labels and stored_labels != labels:
        out["primaryPodLabels"] = stored_labels
    container = template.get("primaryContainerName")
    if container and container != implied_container:
        out["primaryContainer"] = container
    for key, default in (("successCondition", success), ("failureCondition", failure)):
        value = template.get(key)
        if value and value != default:
            out[key] = value
    return out


def _ordered(trial: dict[str, Any]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(ORDER)}
    return dict(sorted(trial.items(), key=lambda kv: rank.get(kv[0], len(rank))))
