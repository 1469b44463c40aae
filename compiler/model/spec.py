"""What a user may write: the spec format (YAML, or built by `compiler.dsl`).

A spec says only what differs from sensible defaults; every Katib field stays reachable through
the raw forms (`trial.spec`, Katib-shaped parameters, `metrics.source`/`metrics.collector`).
Unknown fields are errors (`extra="forbid"`); the loader turns them into located diagnostics
with a "did you mean". The descriptions below become the JSON Schema (`katib-gitops schema`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = str | int | float | bool


# Empty defaults as Python functions, not `list`/`dict`: building the validator asks each
# factory's signature, and a builtin's is parsed from text (tokenize's patterns: ~10 ms of the
# first `validate`). Same defaults, same schema.
def _list() -> list[Any]:
    return []


def _dict() -> dict[str, Any]:
    return {}


class SpecModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class MetricStrategy(SpecModel):
    name: str = Field(description="The metric.")
    value: str = Field(
        description="min, max or latest. Katib stores any text here; other values fail at run time."
    )


Strategies = dict[str, Literal["min", "max", "latest"]] | list[MetricStrategy]


class Objective(SpecModel):
    maximize: str | None = Field(None, description="The metric to maximize (objectiveMetricName).")
    minimize: str | None = Field(None, description="The metric to minimize (objectiveMetricName).")
    goal: float | None = Field(
        None, description="Stop when the best trial reaches this value (inclusive)."
    )
    also: list[str] = Field(
        default_factory=_list, description="Additional metrics to collect (additionalMetricNames)."
    )
    strategies: Strategies = Field(
        default_factory=_dict,
        description="How each metric's value is taken from its reports. Katib's default is the "
        "objective's direction (min or max) for every metric; list only the exceptions. A list "
        "of {name, value} keeps repeated names and any value, as Katib stores them.",
    )
    type: str | None = Field(
        None,
        description="Katib's raw objective type, for imports (normally use maximize/minimize).",
    )
    metric: str | None = Field(
        None, description="Katib's raw objectiveMetricName, for use with `type`."
    )

    @model_validator(mode="after")
    def _one_direction(self) -> Objective:
        given = [x for x in (self.maximize, self.minimize, self.type) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of maximize or minimize")
        if self.type is not None and self.metric is None:
            raise ValueError("`type` needs `metric`")
        return self


class Setting(SpecModel):
    name: str = Field(description="The setting's name.")
    value: Scalar = Field(description="The setting's value (stored as a string).")


Settings = dict[str, Scalar] | list[Setting]


class Algorithm(SpecModel):
    name: str = Field(description="The algorithm (algorithmName), e.g. random, tpe, grid.")
    settings: Settings = Field(
        default_factory=_dict,
        description="Algorithm settings, name to value; values become strings.",
    )


class Trials(SpecModel):
    max: int | None = Field(None, description="Total number of trials (maxTrialCount).")
    parallel: int | None = Field(
        None,
        description="Trials running at once (parallelTrialCount). Defaults to 3, or to `max` "
        "when that is smaller.",
    )
    failures: int | None = Field(
        None,
        description="Failed trials (metrics-unavailable included) that fail the experiment "
        "(maxFailedTrialCount). Unset: failures never fail it.",
    )


Distribution = Literal["uniform", "logUniform", "normal", "logNormal", "unknown"]
ParameterType = Literal["int", "double", "categorical", "discrete", "unknown"]


class Parameter(SpecModel):
    """A range (`min`/`max`), or a list of `values`."""

    type: ParameterType | None = Field(
        None,
        description="int, double, categorical or discrete. Inferred: whole-number bounds give "
        "int, other numbers double; a list of numbers gives discrete, anything else categorical.",
    )
    min: int | float | str | None = Field(None, description="Lower bound.")
    max: int | float | str | None = Field(None, description="Upper bound.")
    step: int | float | str | None = Field(None, description="Step between values.")
    log: bool = Field(False, description="Sample on a log scale (distribution logUniform).")
    distribution: Distribution | None = Field(
        None, description="uniform, logUniform, normal or logNormal (Katib's default: uniform)."
    )
    values: list[Scalar] | None = Field(
        None, description="The values of a categorical or discrete parameter."
    )
    description: str | None = Field(
        None, description="Describes the parameter; becomes its trialParameter's description."
    )


class NamedParameter(Parameter):
    """A parameter whose name differs from its key in `parameters`."""

    name: str | None = Field(
        None,
        description="The parameter's name, when it is not its key: lets two parameters share a "
        "name, which Katib's webhook accepts (for imports; its trials cannot tell them apart).",
    )


# NamedParameter after Parameter: a range without `name` is a Parameter
ParameterForm = list[Scalar] | Parameter | NamedParameter


def parameter_items(params: dict[str, ParameterForm]) -> list[tuple[str, str, ParameterForm]]:
    """(key in the spec, Katib name, form) for each parameter, in order."""
    return [
        (key, form.name if isinstance(form, NamedParameter) and form.name else key, form)
        for key, form in params.items()
    ]


class Operation(SpecModel):
    type: str = Field(description="The operation type (operationType).")
    parameters: dict[str, ParameterForm] = Field(
        default_factory=_dict, description="The operation's parameters."
    )


class Nas(SpecModel):
    layers: int | None = Field(None, description="Number of layers (graphConfig.numLayers).")
    inputs: list[int] = Field(default_factory=_list, description="graphConfig.inputSizes.")
    outputs: list[int] = Field(default_factory=_list, description="graphConfig.outputSizes.")
    operations: dict[str, dict[str, ParameterForm]] | list[Operation] = Field(
        default_factory=_dict,
        description="Operations by type, each with its parameters (a list keeps duplicates).",
    )


class TrialParameter(SpecModel):
    name: str = Field(description="The placeholder's name: ${trialParameters.<name>}.")
    reference: str = Field(
        description="The search parameter (or NAS output, or ${trialSpec.Name}-style "
        "metadata) it stands for."
    )
    description: str | None = Field(None, description="Free text.")


class ConfigMapRef(SpecModel):
    name: str = Field(description="configMapName.")
    namespace: str = Field(description="configMapNamespace.")
    key: str = Field(description="templatePath: the key in the ConfigMap's data.")


TrialKind = Literal["Job", "TFJob", "PyTorchJob", "MPIJob", "XGBoostJob", "TrainJob"]


class Trial(SpecModel):
    """What each trial runs. Use `${name}` for a parameter in command, args, env or any string
    of a raw spec; `$${...}` writes a literal `${...}`."""

    kind: TrialKind = Field("Job", description="The job kind (short form).")
    image: str | None = Field(None, description="The training image.")
    command: list[str] | None = Field(None, description="The container's command.")
    args: list[str] | None = Field(None, description="The container's args.")
    env: dict[str, Scalar] | list[dict[str, Any]] | None = Field(
        None, description="Environment: name to value, or a list of Kubernetes EnvVar objects."
    )
    resources: dict[str, Any] | None = Field(
        None,
        description="{cpu, memory, gpu} (set as both requests and limits), or Kubernetes "
        "{requests, limits}.",
    )
    workers: int | None = Field(
        None, description="Distributed kinds: the number of workers (numNodes for TrainJob)."
    )
    replicas: dict[str, int] | None = Field(
        None, description="Distributed kinds: replicas by type, e.g. {Chief: 1, Worker: 2}."
    )
    deadline: int | None = Field(
        None, description="Seconds a trial may run (activeDeadlineSeconds)."
    )
    container: dict[str, Any] | None = Field(
        None, description="More fields of the training container (name, volumeMounts, ...)."
    )
    pod: dict[str, Any] | None = Field(
        None, description="More fields of the pod spec (volumes, nodeSelector, ...)."
    )
    podMetadata: dict[str, Any] | None = Field(
        None, description="labels and annotations of the trial's pods."
    )
    job: dict[str, Any] | None = Field(
        None, description="More fields of the job's spec (backoffLimit, runPolicy, ...)."
    )
    runtime: str | None = Field(None, description="TrainJob: the runtimeRef name.")
    spec: dict[str, Any] | None = Field(
        None, description="A whole trialSpec, any kind (Argo Workflow, Tekton, ...)."
    )
    configMap: ConfigMapRef | None = Field(
        None, description="A trial template shared through a ConfigMap."
    )
    parameters: list[TrialParameter] | None = Field(
        None,
        description="Katib trialParameters, written out. Normally derived from the ${name} uses.",
    )
    retain: bool = Field(False, description="Keep each trial's job after it completes.")
    primaryPodLabels: dict[str, str] | None = Field(
        None, description="Labels of the pod that gets the metrics collector."
    )
    primaryContainer: str | None = Field(
        None, description="The training container's name (primaryContainerName)."
    )
    successCondition: str | None = Field(None, description="GJSON condition of success.")
    failureCondition: str | None = Field(None, description="GJSON condition of failure.")


CollectorKind = Literal["StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push"]


class Metrics(SpecModel):
    collector: CollectorKind | None = Field(
        None, description="How metrics are collected. Katib's default: StdOut."
    )
    path: str | None = Field(
        None, description="File or TensorFlowEvent: where the metrics are written."
    )
    format: Literal["TEXT", "JSON"] | None = Field(None, description="File: TEXT or JSON.")
    filter: list[str] | None = Field(
        None, description="Regexes with two groups, name and value (metricsFormat)."
    )
    source: dict[str, Any] | None = Field(
        None, description="Katib's raw metricsCollectorSpec.source."
    )
    custom: dict[str, Any] | None = Field(
        None, description="Custom: the collector container (customCollector)."
    )
    raw: dict[str, Any] | None = Field(
        None, description="Katib's raw metricsCollectorSpec (replaces everything above)."
    )


class Local(SpecModel):
    """How `katib-gitops run` runs a trial on this machine, when the image's command is not
    runnable here."""

    command: list[str] | None = Field(None, description="Replaces command and args.")
    workdir: str | None = Field(None, description="The working directory.")
    env: dict[str, str] = Field(default_factory=_dict, description="More environment.")


class ExperimentSpec(SpecModel):
    """A Katib experiment, as short as it can be."""

    name: str = Field(
        description="The experiment's name. Katib's object is named `<name>-<revision>` (see "
        "revisionSuffix), at most 40 characters in all, so the name has at most 29."
    )
    revisionSuffix: bool = Field(
        True,
        description="Name the Katib object `<name>-<revision>`, the revision being a hash of "
        "the fields Katib cannot change in place. An edit of such a field then creates a new "
        "Experiment beside the old one, which ArgoCD, Flux and `katib-gitops apply` can sync "
        "without Katib's Forbidden answer; the old one is retired after its report is "
        "committed. false: the object is named exactly `name`, and such an edit needs a "
        "delete and a create (`katib-gitops apply` plans it as a replace).",
    )
    namespace: str | None = Field(
        None, description="Defaults to the spec's folder: specs/<namespace>/..."
    )
    labels: dict[str, str] = Field(default_factory=_dict, description="Experiment labels.")
    annotations: dict[str, str] = Field(
        default_factory=_dict, description="Experiment annotations."
    )
    objective: Objective = Field(description="What to optimize.")
    algorithm: str | Algorithm = Field(description="The search algorithm.")
    earlyStopping: str | Algorithm | None = Field(
        None, description="Early stopping, e.g. medianstop."
    )
    trials: Trials = Field(default_factory=Trials, description="The trial budget.")
    resume: Literal["Never", "LongRunning", "FromVolume"] | None = Field(
        None, description="resumePolicy (Katib's default: Never)."
    )
    parameters: dict[str, ParameterForm] = Field(
        default_factory=_dict, description="The search space: name to range or list."
    )
    nas: Nas | None = Field(None, description="Neural architecture search (nasConfig).")
    trial: Trial = Field(description="What each trial runs.")
    metrics: Metrics = Field(default_factory=Metrics, description="Metrics collection.")
    local: Local | None = Field(None, description="Overrides for the local backend.")
