"""Frozen models of Katib's `kubeflow.org/v1beta1` API (reference §1).

Field order follows Katib's Go structs, because that is the order the mutating webhook marshals
and so the order of our manifests. Every field defaults to Go's zero value; a `None` default
marks a Go pointer (which keeps explicit zeros such as `maxFailedTrialCount: 0`).
Strings stay strings (`feasibleSpace.min`, setting values) and numbers stay numbers (`goal`,
the trial counts), as §10.2 requires. These models hold data that has already been through Go's
decoding rules (`compiler.kubetypes`); they are for typed access, not for parsing user input.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class KatibModel(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        defer_build=True,
    )


# --- common (pkg/apis/controller/common/v1beta1) ---------------------------------------------


class Setting(KatibModel):
    """An AlgorithmSetting or EarlyStoppingSetting: both values are strings."""

    name: str = ""
    value: str = ""


class AlgorithmSpec(KatibModel):
    algorithm_name: str = ""
    algorithm_settings: tuple[Setting, ...] = ()


class EarlyStoppingSpec(KatibModel):
    algorithm_name: str = ""
    algorithm_settings: tuple[Setting, ...] = ()


class MetricStrategy(KatibModel):
    name: str = ""
    value: str = ""  # min | max | latest


class ObjectiveSpec(KatibModel):
    type: str = ""  # minimize | maximize; "" is Katib's "unknown"
    goal: float | None = None
    objective_metric_name: str = ""
    additional_metric_names: tuple[str, ...] = ()
    metric_strategies: tuple[MetricStrategy, ...] = ()


class ParameterAssignment(KatibModel):
    name: str = ""
    value: str = ""


class Metric(KatibModel):
    name: str = ""
    min: str = ""
    max: str = ""
    latest: str = ""


class Observation(KatibModel):
    metrics: tuple[Metric, ...] = ()


class FileSystemPath(KatibModel):
    path: str = ""
    kind: str = ""  # File | Directory
    format: str = ""  # TEXT | JSON


class FilterSpec(KatibModel):
    metrics_format: tuple[str, ...] = ()


class HTTPGetAction(KatibModel):
    """core/v1 HTTPGetAction; `port` is an IntOrString and is never omitted."""

    path: str = ""
    port: int | str = 0
    host: str = ""
    scheme: str = ""
    http_headers: tuple[dict[str, Any], ...] = ()


class SourceSpec(KatibModel):
    http_get: HTTPGetAction | None = None
    file_system_path: FileSystemPath | None = None
    filter: FilterSpec | None = None


class CollectorSpec(KatibModel):
    kind: str = ""
    custom_collector: dict[str, Any] | None = None  # a core/v1 Container


class MetricsCollectorSpec(KatibModel):
    source: SourceSpec | None = None
    collector: CollectorSpec | None = None


# --- experiments (pkg/apis/controller/experiments/v1beta1) ----------------------------------


class FeasibleSpace(KatibModel):
    max: str = ""
    min: str = ""
    list: tuple[str, ...] = ()
    step: str = ""
    distribution: str = ""


class ParameterSpec(KatibModel):
    name: str = ""
    parameter_type: str = ""
    feasible_space: FeasibleSpace = Field(default_factory=FeasibleSpace.model_construct)


class ConfigMapSource(KatibModel):
    config_map_name: str = ""
    config_map_namespace: str = ""
    template_path: str = ""


class TrialParameterSpec(KatibModel):
    name: str = ""
    description: str = ""
    reference: str = ""


class TrialTemplate(KatibModel):
    retain: bool = False
    trial_spec: dict[str, Any] | None = None  # unstructured: kept as written
    config_map: ConfigMapSource | None = None
    trial_parameters: tuple[TrialParameterSpec, ...] = ()
    primary_pod_labels: dict[str, str] = {}
    primary_container_name: str = ""
    success_condition: str = ""
    failure_condition: str = ""


class GraphConfig(KatibModel):
    num_layers: int | None = None
    input_sizes: tuple[int, ...] = ()
    output_sizes: tuple[int, ...] = ()


class Operation(KatibModel):
    operation_type: str = ""
    parameters: tuple[ParameterSpec, ...] = ()


class NasConfig(KatibModel):
    graph_config: GraphConfig = Field(default_factory=GraphConfig.model_construct)
    operations: tuple[Operation, ...] = ()


class ExperimentSpec(KatibModel):
    parameters: tuple[ParameterSpec, ...] = ()
    objective: ObjectiveSpec | None = None
    algorithm: AlgorithmSpec | None = None
    early_stopping: EarlyStoppingSpec | None = None
    trial_template: TrialTemplate | None = None
    parallel_trial_count: int | None = None
    max_trial_count: int | None = None
    max_failed_trial_count: int | None = None
    metrics_collector_spec: MetricsCollectorSpec | None = None
    nas_config: NasConfig | None = None
    resume_policy: str = ""


class Condition(KatibModel):
    """An Experiment, Trial or Suggestion condition."""

    type: str = ""
    status: str = ""
    reason: str = ""
    message: str = ""
    last_update_time: str | None = None
    last_transition_time: str | None = None


class OptimalTrial(KatibModel):
    best_trial_name: str = ""
    parameter_assignments: tuple[ParameterAssignment, ...] = ()
    observation: Observation = Field(default_factory=Observation.model_construct)


class ExperimentStatus(KatibModel):
    start_time: str | None = None
    completion_time: str | None = None
    last_reconcile_time: str | None = None
    conditions: tuple[Condition, ...] = ()
    current_optimal_trial: OptimalTrial = Field(default_factory=OptimalTrial.model_construct)
    running_trial_list: tuple[str, ...] = ()
    pending_trial_list: tuple[str, ...] = ()
    failed_trial_list: tuple[str, ...] = ()
    succeeded_trial_list: tuple[str, ...] = ()
    killed_trial_list: tuple[str, ...] = ()
    early_stopped_trial_list: tuple[str, ...] = ()
    metrics_unavailable_trial_list: tuple[str, ...] = ()
    trials: int = 0
    trials_succeeded: int = 0
    trials_failed: int = 0
    trials_killed: int = 0
    trials_pending: int = 0
    trials_running: int = 0
    trials_early_stopped: int = 0
    trial_metrics_unavailable: int = 0

    def condition(self, kind: str) -> Condition | None:
        """Katib's getCondition: the first condition of that type (reference §7.1)."""
        return next((c for c in self.conditions if c.type == kind), None)

    def has(self, kind: str) -> bool:
        """Katib's hasCondition: the first condition of that type is True."""
        found = self.condition(kind)
        return found is not None and found.status == "True"

    def reason_of(self, condition: str) -> str:
        return next((c.reason for c in self.conditions if c.type == condition), "")


class ObjectMeta(KatibModel):
    """The parts of metav1.ObjectMeta the compiler reads; the rest is kept as given."""

    model_config = ConfigDict(extra="allow")

    name: str = ""
    generate_name: str = ""
    namespace: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    finalizers: tuple[str, ...] = ()


class Experiment(KatibModel):
    api_version: str = "kubeflow.org/v1beta1"
    kind: str = "Experiment"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta.model_construct)
    spec: ExperimentSpec = Field(default_factory=ExperimentSpec.model_construct)
    status: ExperimentStatus = Field(default_factory=ExperimentStatus.model_construct)

    def is_completed(self) -> bool:
        """Experiment.IsCompleted: Succeeded or Failed, each judged by its first condition."""
        return self.status.has("Succeeded") or self.status.has("Failed")


# --- trials and suggestions (as far as the local backend and reports need them) --------------


class EarlyStoppingRule(KatibModel):
    name: str = ""
    value: str = ""
    comparison: str = ""  # equal | less | greater
    start_step: int = 0


class TrialSpec(KatibModel):
    objective: ObjectiveSpec | None = None
    parameter_assignments: tuple[ParameterAssignment, ...] = ()
    early_stopping_rules: tuple[EarlyStoppingRule, ...] = ()
    run_spec: dict[str, Any] | None = None
    retain_run: bool = False
    metrics_collector: MetricsCollectorSpec = Field(
        default_factory=MetricsCollectorSpec.model_construct
    )
    primary_pod_labels: dict[str, str] = {}
    primary_container_name: str = ""
    success_condition: str = ""
    failure_condition: str = ""
    labels: dict[str, str] = {}


class TrialStatus(KatibModel):
    start_time: str | None = None
    completion_time: str | None = None
    last_reconcile_time: str | None = None
    conditions: tuple[Condition, ...] = ()
    observation: Observation | None = None


class Trial(KatibModel):
    api_version: str = "kubeflow.org/v1beta1"
    kind: str = "Trial"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta.model_construct)
    spec: TrialSpec = Field(default_factory=TrialSpec.model_construct)
    status: TrialStatus = Field(default_factory=TrialStatus.model_construct)


class TrialAssignment(KatibModel):
    name: str = ""
    parameter_assignments: tuple[ParameterAssignment, ...] = ()
    early_stopping_rules: tuple[EarlyStoppingRule, ...] = ()
    labels: dict[str, str] = {}


class SuggestionSpec(KatibModel):
    algorithm: AlgorithmSpec | None = None
    early_stopping: EarlyStoppingSpec | None = None
    requests: int = 0
    resume_policy: str = ""


class SuggestionStatus(KatibModel):
    algorithm_settings: tuple[Setting, ...] = ()
    suggestion_count: int = 0
    suggestions: tuple[TrialAssignment, ...] = ()
    start_time: str | None = None
    completion_time: str | None = None
    last_reconcile_time: str | None = None
    conditions: tuple[Condition, ...] = ()


class Suggestion(KatibModel):
    api_version: str = "kubeflow.org/v1beta1"
    kind: str = "Suggestion"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta.model_construct)
    spec: SuggestionSpec = Field(default_factory=SuggestionSpec.model_construct)
    status: SuggestionStatus = Field(default_factory=SuggestionStatus.model_construct)
