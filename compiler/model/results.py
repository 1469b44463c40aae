"""`Results`: what one run of an experiment produced, in one shape for every backend.

The local runner (`compiler.execute`) and the cluster backend both fill it; reports are rendered
from it alone (`compiler.reports`). The experiment-level part is Katib's own `ExperimentStatus`
(conditions, currentOptimalTrial, counts and trial lists, reference §1.1 and §5.7), so a reader
who knows Katib reads it as it is. Each trial adds what Katib keeps in its Trial object
(parameter assignments, observation, conditions, times, §1.3) plus the series of every metric
as it was reported, which Katib keeps only in its database (§5.6).

Serialised as `results.json` with camelCase keys (Katib's spelling); the schema is documented
in `compiler/templates/reports/RESULTS.md`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from compiler.model.katib import (
    AlgorithmSpec,
    EarlyStoppingSpec,
    ExperimentStatus,
    ObjectiveSpec,
    ParameterAssignment,
    ParameterSpec,
)

SCHEMA = "katib-gitops.dev/results/v1"
UNAVAILABLE = "unavailable"  # Katib's sentinel for a metric that was never reported (§1.2)


class ResultsModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, populate_by_name=True, extra="forbid"
    )


class MetricLog(ResultsModel):
    """One report of one metric, as the collector read it: the value is the reported text."""

    value: str
    timestamp: str = ""  # RFC 3339, or "" when the report carried none (Katib: zero time)


class TrialMetric(ResultsModel):
    """Katib's observation metric (min/max/latest, strings, §5.6) plus its series."""

    name: str
    min: str = UNAVAILABLE
    max: str = UNAVAILABLE
    latest: str = UNAVAILABLE
    series: tuple[MetricLog, ...] = ()


# the labels Katib's pbt service puts on a trial (pbt/service.py), read by reports and execute
PBT_GENERATION = "pbt.suggestion.katib.kubeflow.org/generation"
PBT_PARENT = "pbt.suggestion.katib.kubeflow.org/parent"


class Lineage(ResultsModel):
    """A PBT trial's place in its population (reference §6.8): Katib's labels
    `pbt.suggestion.katib.kubeflow.org/generation` and `.../parent`, and how the suggestion made
    it. The parent is the trial whose checkpoint folder was copied into this trial's own."""

    generation: int
    parent: str = ""  # "" in the first generation
    origin: str = ""  # random | exploit | explore | retry; "" when unknown (a cluster's trial)
    values_from: str = ""  # exploit: the top trial whose parameter values it took
    checkpoint: str = ""  # the trial's checkpoint folder, relative to the repository root


class TrialResult(ResultsModel):
    name: str
    index: int  # creation order, from 1
    state: (
        str  # Succeeded | Failed | MetricsUnavailable | EarlyStopped | Running | Pending | Killed
    )
    reason: str = ""
    message: str = ""
    parameters: tuple[ParameterAssignment, ...] = ()
    objective: float | None = None  # the objective by its metric strategy; None if unavailable
    metrics: tuple[TrialMetric, ...] = ()
    labels: dict[str, str] = {}
    start_time: str | None = None
    completion_time: str | None = None
    duration_seconds: float | None = None
    exit_code: int | None = None
    attempts: int = 0  # how many times it was started (a resumed run restarts unfinished trials)
    log: str = ""  # the trial's log, relative to the repository root
    log_tail: tuple[str, ...] = ()  # the last lines of a failed trial's log (local backend)
    lineage: Lineage | None = None  # PBT trials only

    def parameter(self, name: str) -> str | None:
        return next((p.value for p in self.parameters if p.name == name), None)

    def metric(self, name: str) -> TrialMetric | None:
        return next((m for m in self.metrics if m.name == name), None)


class Source(ResultsModel):
    spec: str = ""  # the spec's path in the repository
    spec_revision: str = ""  # the git commit of the spec file ("+dirty" when edited since)
    experiment_revision: str = ""  # the compiler's content hash of the immutable fields


class ObjectRef(ResultsModel):
    """The Katib object a report was observed from."""

    name: str = ""  # metadata.name: the spec's name and, by default, its revision suffix
    uid: str = ""  # the cluster's uid ("" for the local backend)


class Deleted(ResultsModel):
    """Why the observed object is gone. Its report stays (Katib keeps no results of a deleted
    experiment: kubeflow/katib#856)."""

    reason: str  # Replaced | Retired | DeletedOutside
    message: str = ""
    replaced_by: str = ""  # the revision that replaced it, for Replaced


class Budget(ResultsModel):
    parallel_trial_count: int | None = None
    max_trial_count: int | None = None
    max_failed_trial_count: int | None = None


class Results(ResultsModel):
    schema_: str = SCHEMA
    name: str  # the spec's name: the report's folder, the same for every revision
    namespace: str
    backend: str  # "local" or "cluster"
    source: Source = Source()
    object: ObjectRef = ObjectRef()
    deleted: Deleted | None = None
    objective: ObjectiveSpec
    algorithm: AlgorithmSpec
    early_stopping: EarlyStoppingSpec | None = None
    parameters: tuple[ParameterSpec, ...] = ()
    budget: Budget = Budget()
    status: ExperimentStatus
    trials: tuple[TrialResult, ...] = ()
    notes: tuple[str, ...] = ()

    model_config = ConfigDict(
        frozen=True,
        alias_generator=lambda n: "schema" if n == "schema_" else to_camel(n),
        populate_by_name=True,
        extra="forbid",
    )

    @property
    def outcome(self) -> str:
        """The Katib condition that ended the experiment, or Running."""
        for kind in ("Succeeded", "Failed"):
            if self.status.has(kind):
                return kind
        return "Running"

    @property
    def reason(self) -> str:
        outcome = self.outcome
        return self.status.reason_of(outcome) if outcome != "Running" else ""

    @property
    def best(self) -> TrialResult | None:
        name = self.status.current_optimal_trial.best_trial_name
        return next((t for t in self.trials if t.name == name), None) if name else None

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Results:
        return cls.model_validate_json(text)
