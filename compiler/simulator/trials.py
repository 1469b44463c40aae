"""A Trial as Katib's experiment controller builds it (reference §2.2, §4.3, §4.4;
`experiment_controller_util.go` getTrialInstance, `manifest/generator.go`).

Metadata: the suggested name, the experiment's namespace, util.TrialLabels plus the algorithm's
labels, the experiment as controller owner, and the trial controller's finalizer (Katib's trial
controller adds it with its first update; here it is there from the start). Spec: the
experiment's objective (with the defaulted metricStrategies), the assignments, early-stopping
rules when the experiment has earlyStopping, the rendered job as runSpec (named and placed like
the trial), retainRun, the metrics collector, primaryPodLabels, primaryContainerName, and both
conditions only when both are set. Katib never writes `spec.labels`, so neither do we.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compiler.kubetypes import roundtrip_json
from compiler.model.codec import from_go
from compiler.model.katib import Experiment
from compiler.render.trial import render_trial
from compiler.simulator.names import (
    API_VERSION,
    TRIAL_FINALIZER,
    owner_reference,
    trial_labels,
)

TRIAL_TYPE = "github.com/kubeflow/katib/pkg/apis/controller/trials/v1beta1.Trial"
EXPERIMENT_TYPE = "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment"


class DecodeError(ValueError):
    """The object does not decode into Katib's Go type (Katib's controller would fail too)."""


def decode_experiment(obj: Mapping[str, Any]) -> Experiment:
    """The live Experiment as Katib's controller reads it: through its Go types."""
    result = roundtrip_json(dict(obj), EXPERIMENT_TYPE)
    if result.errors:
        raise DecodeError(
            "; ".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in result.errors)
        )
    return from_go(Experiment, result.value)


def build_trial(
    experiment: Mapping[str, Any],
    model: Experiment,
    template_text: str,
    name: str,
    assignments: Sequence[tuple[str, str]],
    *,
    labels: Mapping[str, str] | None = None,
    early_stopping_rules: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The Trial to create; raises compiler.render.trial.RenderError when Katib could not
    render the job (it would then create no trial, §3.4)."""
    meta = experiment.get("metadata") or {}
    spec = experiment.get("spec") or {}
    template = spec.get("trialTemplate") or {}
    namespace = str(meta.get("namespace") or "default")
    job = render_trial(model, template_text, dict(assignments), name).job
    all_labels = {**trial_labels(experiment), **(labels or {})}
    trial_spec: dict[str, Any] = {
        "objective": spec.get("objective"),
        "parameterAssignments": [{"name": n, "value": v} for n, v in assignments],
    }
    if spec.get("earlyStopping") is not None:
        trial_spec["earlyStoppingRules"] = [dict(r) for r in early_stopping_rules]
    trial_spec["runSpec"] = job
    trial_spec["retainRun"] = bool(template.get("retain", False))
    trial_spec["metricsCollector"] = spec.get("metricsCollectorSpec") or {}
    trial_spec["primaryPodLabels"] = template.get("primaryPodLabels")
    trial_spec["primaryContainerName"] = template.get("primaryContainerName", "")
    if template.get("successCondition") and template.get("failureCondition"):
        trial_spec["successCondition"] = template["successCondition"]
        trial_spec["failureCondition"] = template["failureCondition"]
    trial = {
        "apiVersion": API_VERSION,
        "kind": "Trial",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(sorted(all_labels.items())),
            "ownerReferences": [owner_reference(experiment)],
            "finalizers": [TRIAL_FINALIZER],
        },
        "spec": trial_spec,
    }
    return go_form(trial)


def go_form(trial: Mapping[str, Any]) -> dict[str, Any]:
    """What Katib's Go client would send: the Trial marshalled from its Go type (omitempty
    applied, Go's field order), without the empty status a create ignores anyway."""
    result = roundtrip_json(dict(trial), TRIAL_TYPE)
    if result.errors:
        raise DecodeError(
            "; ".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in result.errors)
        )
    out = dict(result.value)
    head = {k: out.pop(k) for k in ("apiVersion", "kind")}
    out.pop("status", None)
    return {**head, **out}
