"""One concrete trial job, rendered as Katib's controller would (reference §4.3), and checked
against the Kubernetes schema of its kind, offline.

Sample values are the parameters' lower bounds and first list items unless given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.admission.template import meta_key, placeholder
from compiler.admission.trialjob import parse_template
from compiler.admission.validate import template_text
from compiler.kubetypes import Issue, check
from compiler.model.katib import Experiment, ParameterSpec

SCHEMAS = {
    ("batch/v1", "Job"): "k8s.io/api/batch/v1.Job",
    **{
        (
            "kubeflow.org/v1",
            kind,
        ): f"github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1.{kind}"
        for kind in ("TFJob", "PyTorchJob", "MPIJob", "XGBoostJob")
    },
    (
        "trainer.kubeflow.org/v1alpha1",
        "TrainJob",
    ): "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1.TrainJob",
}
NAS_SAMPLES = {
    "architecture": "[[0], [1, 0]]",
    "nn_config": "{'num_layers': 1}",
    "algorithm-settings": "{'num_epochs': '1'}",
    "search-space": "['max_pooling_3x3']",
    "num-layers": "1",
}


class RenderError(ValueError):
    """The trial job cannot be built (Katib would fail to create the trial the same way)."""


@dataclass(frozen=True)
class RenderedTrial:
    name: str
    assignments: dict[str, str]
    job: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    schema: str | None = None


def sample_value(p: ParameterSpec) -> str:
    fs = p.feasible_space
    if fs.list:
        return fs.list[0]
    return fs.min


def render_trial(
    exp: Experiment,
    template_text: str,
    overrides: Mapping[str, str] | None = None,
    trial_name: str | None = None,
) -> RenderedTrial:
    t = exp.spec.trial_template
    if t is None:
        raise RenderError("the experiment has no trialTemplate")
    overrides = dict(overrides or {})
    params = {p.name: p for p in exp.spec.parameters}
    unknown = sorted(set(overrides) - set(params) - set(NAS_SAMPLES))
    if unknown:
        raise RenderError(f"--set names no parameter: {', '.join(unknown)}")
    name = trial_name or f"{exp.metadata.name}-sample"[:63]
    namespace = exp.metadata.namespace or "default"
    trial_spec = t.trial_spec or (parse_template(template_text)[0] or {})
    values: dict[str, str] = {}
    assignments: dict[str, str] = {}
    for tp in t.trial_parameters:
        key = meta_key(tp.reference)
        if key is None:
            if tp.reference in params:
                value = overrides.get(tp.reference, sample_value(params[tp.reference]))
            elif tp.reference in NAS_SAMPLES:
                value = overrides.get(tp.reference, NAS_SAMPLES[tp.reference])
            else:
                raise RenderError(f"trialParameter {tp.name}: nothing assigns {tp.reference!r}")
            assignments[tp.reference] = value
        else:
            value = _meta_value(key, trial_spec, name, namespace)
        values[tp.name] = value
    text = template_text
    for tp_name, value in values.items():
        text = text.replace(placeholder(tp_name), value)
    job, problem = parse_template(text)
    if job is None:
        raise RenderError(f"the substituted template does not parse: {problem}")
    job.setdefault("metadata", {})
    if not isinstance(job["metadata"], dict):
        raise RenderError("the template's metadata is not a mapping")
    job["metadata"]["name"] = name
    job["metadata"]["namespace"] = namespace
    head: dict[str, Any] = {k: job[k] for k in ("apiVersion", "kind", "metadata") if k in job}
    job = {**head, **{k: v for k, v in job.items() if k not in head}}
    schema = SCHEMAS.get((str(job.get("apiVersion")), str(job.get("kind"))))
    issues = check(job, schema) if schema else []
    return RenderedTrial(name, assignments, job, issues, schema)


def _meta_value(key: tuple[str, str], trial_spec: dict[str, Any], name: str, namespace: str) -> str:
    what, index = key
    simple = {
        "Name": name,
        "Namespace": namespace,
        "Kind": str(trial_spec.get("kind", "")),
        "APIVersion": str(trial_spec.get("apiVersion", "")),
    }
    if what in simple:
        return simple[what]
    table = (trial_spec.get("metadata") or {}).get(what.lower()) or {}
    if index not in table:
        raise RenderError(f"the template's metadata has no {what.lower()}[{index!r}]")
    return str(table[index])


def trial_template_text(
    exp: Experiment, configmaps: Mapping[tuple[str, str], Mapping[str, str]]
) -> str:
    """The template text Katib substitutes into (admission's GetTrialTemplate)."""
    if exp.spec.trial_template is None:
        raise RenderError("the experiment has no trialTemplate")
    text, problem = template_text(exp, configmaps)
    if text is None:
        raise RenderError(f"{problem}; pass the ConfigMap with --configmap")
    return text
