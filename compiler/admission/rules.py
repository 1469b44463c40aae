"""The catalogue of Katib's webhook rules (reference §3): the id, Katib's field path and error
type, Katib's own words, and how to fix it. `{name}` fields are filled in per finding.

The code of a rule is `KATIB-<id>`; docs/codes.md is written from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.admission.errors import FORBIDDEN, INVALID, REQUIRED


@dataclass(frozen=True)
class Rule:
    field: str
    type: str
    detail: str
    fix: str


TT = "spec.trialTemplate"
TP = "spec.trialTemplate.trialParameters[{i}]"
PS = "spec.parameters[{i}]"
MC = "spec.metricsCollectorSpec"
SRC = "spec.metricsCollectorSpec.source"

RULES: dict[str, Rule] = {
    "V1": Rule(
        "metadata.name",
        INVALID,
        "name must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character and may not be "
        "longer than 40 characters",
        "rename the experiment, e.g. 'mnist-random' (at most 40 characters)",
    ),
    "V2": Rule(
        "spec.maxFailedTrialCount",
        INVALID,
        "should not be less than 0",
        "use 0 or more, or leave it out to never fail on trial failures",
    ),
    "V3": Rule(
        "spec.maxTrialCount",
        INVALID,
        "must be greater than 0",
        "set the total number of trials to run, at least 1",
    ),
    "V4": Rule(
        "spec.parallelTrialCount",
        INVALID,
        "must be greater than 0",
        "set how many trials run at once, at least 1",
    ),
    "V5": Rule(
        "spec.maxFailedTrialCount",
        INVALID,
        "should be less than or equal to spec.maxTrialCount",
        "lower it to {max} or less, or raise spec.maxTrialCount",
    ),
    "V6": Rule(
        "spec.parallelTrialCount",
        INVALID,
        "should be less than or equal to spec.maxTrialCount",
        "set spec.parallelTrialCount to {max} or less (it defaults to 3 when left out)",
    ),
    "U1": Rule(
        "spec.resumePolicy",
        INVALID,
        "Experiment can be restarted if it is in succeeded state by reaching max trials "
        "and spec.resumePolicy = LongRunning or spec.resumePolicy = FromVolume, when "
        "experiment is completed",
        "only an experiment that Succeeded by reaching maxTrialCount with LongRunning or "
        "FromVolume can be resumed; create a new experiment instead",
    ),
    "U2": Rule(
        "spec.maxTrialCount",
        INVALID,
        "must be greater than status.trials count",
        "raise spec.maxTrialCount above {trials}, the trials already created",
    ),
    "U3": Rule(
        "spec",
        FORBIDDEN,
        "only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount "
        "are editable",
        "any other change needs a new Experiment (a new name, or delete and recreate)",
    ),
    "V7": Rule(
        "spec.objective",
        REQUIRED,
        "must be specified",
        "add an objective: its type (minimize or maximize) and objectiveMetricName",
    ),
    "V8": Rule(
        "spec.objective.type",
        INVALID,
        "must be minimize or maximize",
        "set spec.objective.type to minimize or maximize",
    ),
    "V9": Rule(
        "spec.objective.objectiveMetricName",
        REQUIRED,
        "must be specified",
        "name the metric the trials report, e.g. accuracy",
    ),
    "V10": Rule(
        "spec.objective.additionalMetricNames",
        INVALID,
        "should not contain spec.objective.objectiveMetricName",
        "remove {metric!r} from additionalMetricNames",
    ),
    "V11": Rule(
        "spec.algorithm",
        REQUIRED,
        "must be specified",
        "add spec.algorithm.algorithmName, e.g. random",
    ),
    "V12": Rule(
        "spec.algorithm.algorithmName",
        REQUIRED,
        "must be specified",
        "name a search algorithm, e.g. random",
    ),
    "V13": Rule(
        "spec.algorithm.algorithmName",
        INVALID,
        "unable to get Suggestion config data for algorithm {name}: {problem}",
        "use one of the katib-config's algorithms: {choices}",
    ),
    "V14": Rule(
        "spec.earlyStopping.algorithmName",
        REQUIRED,
        "must be specified",
        "name an early-stopping algorithm, e.g. medianstop",
    ),
    "V15": Rule(
        "spec.earlyStopping.algorithmName",
        INVALID,
        "unable to get EarlyStopping config data for algorithm {name}: {problem}",
        "use one of: {choices}",
    ),
    "V16": Rule(
        "spec.resumePolicy",
        INVALID,
        "invalid ResumePolicyType",
        "use Never, LongRunning or FromVolume",
    ),
    "V17": Rule(
        TT,
        REQUIRED,
        "must be specified",
        "add spec.trialTemplate with a trialSpec (the Job each trial runs)",
    ),
    "V18": Rule(
        f"{TT}.primaryContainerName",
        REQUIRED,
        "must be specified",
        "name the training container of the trial's pod",
    ),
    "V19": Rule(
        TT,
        REQUIRED,
        "successCondition and failureCondition must be specified",
        "Katib fills them in only for Job, TFJob, PyTorchJob, XGBoostJob, MPIJob and "
        "TrainJob trialSpecs; give both GJSON conditions for other kinds and for "
        "ConfigMap templates",
    ),
    "V20": Rule(
        f"{TT}.trialParameters",
        REQUIRED,
        "must be specified",
        "declare at least one trialParameter and use it as ${{trialParameters.<name>}}",
    ),
    "V21": Rule(
        f"{TT}.TrialSource",
        REQUIRED,
        "spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified",
        "give the trial's job inline as trialSpec, or point configMap at a template",
    ),
    "V22": Rule(
        TT,
        REQUIRED,
        "only one of spec.trialTemplate.trialSpec or spec.trialTemplate.configMap can be specified",
        "remove either trialSpec or configMap",
    ),
    "V23": Rule(
        f"{TT}.configMap",
        REQUIRED,
        "configMapName, configMapNamespace and templatePath must be specified",
        "give all three fields of spec.trialTemplate.configMap",
    ),
    "V24": Rule(
        TT,
        INVALID,
        "unable to parse spec.trialTemplate: {problem}",
        "pass the ConfigMap with --configmap FILE, or check its name, namespace and key",
    ),
    "V25": Rule(
        TP,
        INVALID,
        "name and reference must be specified and name must not contain '{{' or '}}'",
        "give each trialParameter a plain name and the parameter it refers to",
    ),
    "V26": Rule(
        f"{TP}.name",
        INVALID,
        "parameter name {name} can't be duplicated in spec.trialTemplate.trialParameters",
        "rename or remove the duplicate",
    ),
    "V27": Rule(
        f"{TP}.reference",
        INVALID,
        "parameter reference {ref} can't be duplicated in spec.trialTemplate.trialParameters",
        "use one trialParameter per search parameter and reuse its placeholder",
    ),
    "V28": Rule(
        f"{TP}.reference",
        INVALID,
        "parameter reference {ref} does not exist in spec.parameters",
        "{hint}",
    ),
    "V29": Rule(
        f"{TP}.name",
        INVALID,
        "parameter name: {name} in spec.trialParameters not found in spec.trialTemplate",
        "use {token} in the trial template, or remove this trialParameter",
    ),
    "V30": Rule(
        TT,
        INVALID,
        "parameters: [{left}] in spec.trialTemplate not found in spec.trialParameters",
        "declare a trialParameter for each placeholder, or remove the placeholder",
    ),
    "V31": Rule(
        TT,
        INVALID,
        "unable to convert spec.trialTemplate to unstructured: {problem}",
        "the template must be one YAML or JSON object with apiVersion and kind",
    ),
    "V32": Rule(
        TT,
        INVALID,
        "metadata.name and metadata.namespace in spec.trialTemplate must be omitted",
        "remove them: Katib names each trial's job after the trial",
    ),
    "V33": Rule(
        TT,
        REQUIRED,
        "APIVersion and Kind in spec.trialTemplate must be specified",
        "set apiVersion and kind of the trial's job, e.g. batch/v1 and Job",
    ),
    "V34": Rule(
        TT,
        INVALID,
        "invalid spec.trialTemplate: {problem}",
        "a batch/v1 Job template must be a valid Job once every placeholder is the "
        "string test-value: fix the field named above (an unknown field, a wrong type, "
        "or an empty value Kubernetes would drop)",
    ),
    "V35": Rule(
        "spec",
        REQUIRED,
        "spec.parameters or spec.nasConfig must be specified",
        "add the search space: spec.parameters (or spec.nasConfig for NAS)",
    ),
    "V36": Rule(
        "spec",
        INVALID,
        "only one of spec.parameters and spec.nasConfig can be specified",
        "remove spec.parameters for NAS, or spec.nasConfig for hyperparameter tuning",
    ),
    "V37a": Rule(
        f"{PS}.parameterType",
        INVALID,
        "parameterType: {value} is not supported",
        "use int, double, categorical or discrete",
    ),
    "V37b": Rule(
        f"{PS}.feasibleSpace.distribution",
        INVALID,
        "distribution: {value} is not supported",
        "use uniform, logUniform, normal or logNormal",
    ),
    "V37c": Rule(
        f"{PS}.feasibleSpace",
        REQUIRED,
        "feasibleSpace must be specified",
        "give min and max, or a list",
    ),
    "V37d": Rule(
        f"{PS}.feasibleSpace.list",
        INVALID,
        "feasibleSpace.list is not supported for parameterType: {value}",
        "use min and max, or make the parameter categorical or discrete",
    ),
    "V37e": Rule(
        f"{PS}.feasibleSpace.max",
        REQUIRED,
        "feasibleSpace.max or feasibleSpace.min must be specified for parameterType: {value}",
        "give both min and max, as strings",
    ),
    "V37f": Rule(
        f"{PS}.feasibleSpace",
        INVALID,
        "feasibleSpace .max, .min and .step is not supported for parameterType: {value}",
        "give only a list of values",
    ),
    "V38": Rule(
        f"{MC}.collector.kind",
        INVALID,
        "GetMetricsCollectorConfigData failed: {problem}",
        "use a collector the katib-config provides: {choices}",
    ),
    "V39": Rule(
        f"{SRC}.fileSystemPath.path",
        REQUIRED,
        "file path where metrics file exists is required",
        "set source.fileSystemPath to kind File with an absolute path",
    ),
    "V40": Rule(
        f"{SRC}.fileSystemPath.format",
        REQUIRED,
        "format of metrics file is required for metrics collector",
        "use TEXT or JSON",
    ),
    "V41": Rule(
        f"{SRC}.filter",
        INVALID,
        "filter must be nil when format of metrics file is json",
        "remove source.filter: JSON lines are read by key",
    ),
    "V42": Rule(
        SRC,
        REQUIRED,
        "directory path where tensorflow event files exist is required by "
        ".spec.metricsCollectorSpec.source.fileSystemPath.path",
        "set source.fileSystemPath to kind Directory with an absolute path",
    ),
    "V43": Rule(
        f"{SRC}.fileSystemPath.format",
        INVALID,
        "must be empty",
        "remove fileSystemPath.format for TensorFlowEvent",
    ),
    "V44": Rule(
        f"{SRC}.httpGet.port",
        INVALID,
        "must be a positive integer value for metrics collector kind: PrometheusMetric",
        "use a port number; named ports are not supported",
    ),
    "V45": Rule(
        f"{SRC}.httpGet.path",
        INVALID,
        "path is invalid for metrics collector kind: PrometheusMetric",
        "the path must start with '/', e.g. /metrics",
    ),
    "V46": Rule(
        f"{MC}.collector.customCollector",
        REQUIRED,
        "metrics collector kind: Custom is required",
        "give the collector container in collector.customCollector",
    ),
    "V47": Rule(
        f"{SRC}.fileSystemPath",
        INVALID,
        ".spec.metricsCollectorSpec.source is invalid",
        "fileSystemPath needs an absolute path and kind File or Directory",
    ),
    "V48": Rule(
        f"{MC}.collector.kind",
        INVALID,
        "invalid metrics collector kind: {value}",
        "use StdOut, File, TensorFlowEvent, PrometheusMetric, Custom or Push",
    ),
    "V49": Rule(
        f"{SRC}.filter.metricsFormat",
        INVALID,
        "invalid filter: {problem}",
        "write a valid RE2 regular expression",
    ),
    "V50": Rule(
        f"{SRC}.filter.metricsFormat",
        INVALID,
        "two top subexpressions are required",
        "use two capture groups: the metric name, then its value",
    ),
}
