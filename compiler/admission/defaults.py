"""Katib's mutating webhook: `Experiment.SetDefault` (reference §2.1), in Katib's order.

Each default applies only where the field is empty, so applying this twice changes nothing.
Source: pkg/apis/controller/experiments/v1beta1/experiment_defaults.go and constants.go.
"""

from __future__ import annotations

from compiler.model.codec import make, replace
from compiler.model.katib import (
    CollectorSpec,
    Experiment,
    ExperimentSpec,
    FileSystemPath,
    HTTPGetAction,
    MetricsCollectorSpec,
    MetricStrategy,
    ObjectiveSpec,
    SourceSpec,
    TrialTemplate,
)

DEFAULT_PARALLEL_TRIAL_COUNT = 3
DEFAULT_RESUME_POLICY = "Never"  # the type comment says LongRunning; the constant used is Never

# Exact GJSON strings the webhook stores (§2.1 item 4).
JOB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
JOB_FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
KUBEFLOW_SUCCESS = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#'
KUBEFLOW_FAILURE = JOB_FAILURE
TRAINJOB_SUCCESS = JOB_SUCCESS
TRAINJOB_FAILURE = JOB_FAILURE
KUBEFLOW_PRIMARY_POD_LABELS = {"training.kubeflow.org/job-role": "master"}
TRAINJOB_PRIMARY_POD_LABELS = {
    "jobset.sigs.k8s.io/replicatedjob-name": "node",
    "batch.kubernetes.io/job-completion-index": "0",
}
KUBEFLOW_JOB_KINDS = frozenset({"TFJob", "PyTorchJob", "XGBoostJob", "MPIJob", "TrainJob"})

DEFAULT_FILE_PATH = "/var/log/katib/metrics.log"
DEFAULT_TFEVENT_DIR = "/var/log/katib/tfevent/"
DEFAULT_PROMETHEUS_PATH = "/metrics"
DEFAULT_PROMETHEUS_PORT = 8080


def set_default(exp: Experiment) -> Experiment:
    """Return the experiment as the mutating webhook would store it."""
    spec = exp.spec
    spec = _parallel_trial_count(spec)
    spec = _resume_policy(spec)
    spec = _objective(spec)
    spec = _trial_template(spec)
    spec = _metrics_collector(spec)
    spec = _parameter_distribution(spec)
    return replace(exp, spec=spec)


def _parallel_trial_count(spec: ExperimentSpec) -> ExperimentSpec:
    if spec.parallel_trial_count is None:
        return replace(spec, parallel_trial_count=DEFAULT_PARALLEL_TRIAL_COUNT)
    return spec


def _resume_policy(spec: ExperimentSpec) -> ExperimentSpec:
    if spec.resume_policy == "":
        return replace(spec, resume_policy=DEFAULT_RESUME_POLICY)
    return spec


def strategy_for(objective_type: str) -> str:
    """The default strategy: min for minimize, max for maximize, latest otherwise. Katib uses the
    objective's direction for additional metrics too, not `latest` as its comment says."""
    return {"minimize": "min", "maximize": "max"}.get(objective_type, "latest")


def _objective(spec: ExperimentSpec) -> ExperimentSpec:
    obj = spec.objective
    if obj is None:
        return spec
    strategies = list(obj.metric_strategies)
    named = {s.name for s in strategies if s.name != obj.objective_metric_name}
    has_objective = any(s.name == obj.objective_metric_name for s in strategies)
    value = strategy_for(obj.type)
    if not has_objective:
        strategies.append(make(MetricStrategy, name=obj.objective_metric_name, value=value))
    # Katib checks each additional metric against the strategies the user wrote, not against
    # the ones appended here, so a name listed twice gets two entries.
    strategies += [
        make(MetricStrategy, name=name, value=value)
        for name in obj.additional_metric_names
        if name not in named
    ]
    new: ObjectiveSpec = replace(obj, metric_strategies=tuple(strategies))
    return replace(spec, objective=new)


def _trial_template(spec: ExperimentSpec) -> ExperimentSpec:
    t = spec.trial_template
    if t is None or t.trial_spec is None:  # nothing is defaulted for a ConfigMap source
        return spec
    kind = t.trial_spec.get("kind")
    update: dict[str, object] = {}
    if kind == "Job":
        success, failure, labels = JOB_SUCCESS, JOB_FAILURE, None
    elif kind == "TrainJob":
        success, failure, labels = TRAINJOB_SUCCESS, TRAINJOB_FAILURE, TRAINJOB_PRIMARY_POD_LABELS
    elif kind in KUBEFLOW_JOB_KINDS:
        success, failure, labels = KUBEFLOW_SUCCESS, KUBEFLOW_FAILURE, KUBEFLOW_PRIMARY_POD_LABELS
    else:
        return spec
    if not t.success_condition:
        update["success_condition"] = success
    if not t.failure_condition:
        update["failure_condition"] = failure
    if labels is not None and not t.primary_pod_labels:
        update["primary_pod_labels"] = dict(labels)
    if not update:
        return spec
    new: TrialTemplate = replace(t, **update)
    return replace(spec, trial_template=new)


def _metrics_collector(spec: ExperimentSpec) -> ExperimentSpec:
    mc = spec.metrics_collector_spec or make(MetricsCollectorSpec)
    if mc.collector is None:
        mc = replace(mc, collector=make(CollectorSpec, kind="StdOut"))
    assert mc.collector is not None
    kind = mc.collector.kind
    source = mc.source
    if kind == "PrometheusMetric":
        source = source or make(SourceSpec)
        http = source.http_get or make(HTTPGetAction)
        http = replace(
            http,
            path=http.path or DEFAULT_PROMETHEUS_PATH,
            # Katib compares the IntOrString's string form with "0"
            port=DEFAULT_PROMETHEUS_PORT if str(http.port) == "0" else http.port,
        )
        source = replace(source, http_get=http)
    elif kind in ("File", "TensorFlowEvent"):
        source = source or make(SourceSpec)
        fs = source.file_system_path or make(FileSystemPath)
        if kind == "File":
            fs = replace(
                fs,
                kind=fs.kind or "File",
                path=fs.path or DEFAULT_FILE_PATH,
                format=fs.format or "TEXT",
            )
        else:  # TensorFlowEvent leaves `format` empty
            fs = replace(fs, kind=fs.kind or "Directory", path=fs.path or DEFAULT_TFEVENT_DIR)
        source = replace(source, file_system_path=fs)
    mc = replace(mc, source=source)
    return replace(spec, metrics_collector_spec=mc)


def _parameter_distribution(spec: ExperimentSpec) -> ExperimentSpec:
    """Every parameter, categorical and discrete included; NAS operation parameters are not."""
    params = tuple(
        p
        if p.feasible_space.distribution
        else replace(p, feasible_space=replace(p.feasible_space, distribution="uniform"))
        for p in spec.parameters
    )
    return replace(spec, parameters=params)
