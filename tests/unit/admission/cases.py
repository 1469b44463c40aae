"""One rejected case and one accepted variant for every webhook rule of reference §3 (H-1, H-2,
V-1 … V-50 with V-37a-f, U-1 … U-3). Each expectation is Katib's exact field path and error
type plus our code; tests/conformance/test_rule_cases.py runs every case through Katib's own
webhook code too, so each expectation is confirmed by the oracle.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .builders import Cluster, Edit, Obj, chain, del_, experiment, set_

BAD = "BadRequest"
INV = "Invalid"
REQ = "Required"
FORB = "Forbidden"
TT = "spec.trialTemplate"
TP = f"{TT}.trialParameters"
TS = f"{TT}.trialSpec"
POD = f"{TS}.spec.template.spec"
MC = "spec.metricsCollectorSpec"
SRC = f"{MC}.source"
Expect = tuple[str, str, str]  # Katib's field path, Katib's error type, our code


def katib_config(*collectors: str) -> str:
    """A bare KatibConfig of our own: the default algorithms, medianstop, these collectors."""
    algorithms = ["random", "tpe", "grid", "cmaes", "bayesianoptimization", "hyperband", "enas"]
    lines = ["runtime:", "  suggestions:"]
    lines += [f"    - {{algorithmName: {a}, image: example.org/{a}:v1}}" for a in algorithms]
    lines += ["  earlyStoppings:", "    - {algorithmName: medianstop, image: example.org/m:v1}"]
    lines += ["  metricsCollectors:"]
    lines += [f"    - {{kind: {k}, image: example.org/collector:v1}}" for k in collectors]
    return "\n".join(lines) + "\n"


WITH_PROMETHEUS = Cluster(katib_config=katib_config("StdOut", "File", "PrometheusMetric"))
TEMPLATE = """\
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: trainer
          image: registry.example.com/mnist:1.0
          args:
            - "--lr=${trialParameters.learningRate}"
            - "--layers=${trialParameters.numLayers}"
            - "--optimizer=${trialParameters.optimizer}"
"""


def configmap(text: str = TEMPLATE, key: str = "job.yaml") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "templates", "namespace": "team-a"},
        "data": {key: text},
    }


WITH_CONFIGMAP = Cluster(configmaps=[configmap()])
CONDITIONS = 'status.conditions.#(type=="Complete")#|#(status=="True")#'


def configmap_source(obj: Obj) -> None:
    """The fixture with its template moved into the ConfigMap `team-a/templates`."""
    t = obj["spec"]["trialTemplate"]
    del t["trialSpec"]
    t["configMap"] = {
        "configMapName": "templates",
        "configMapNamespace": "team-a",
        "templatePath": "job.yaml",
    }
    t["successCondition"] = CONDITIONS
    t["failureCondition"] = CONDITIONS.replace("Complete", "Failed")


def workflow(obj: Obj) -> None:
    """An Argo-like Workflow: a kind Katib defaults nothing for."""
    t = obj["spec"]["trialTemplate"]
    args = t["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["args"]
    t["trialSpec"] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "spec": {
            "entrypoint": "train",
            "templates": [
                {
                    "name": "train",
                    "container": {
                        "name": "trainer",
                        "image": "registry.example.com/mnist:1.0",
                        "args": args,
                    },
                }
            ],
        },
    }


def stored(status: dict[str, object], **spec: object) -> Obj:
    """The fixture as stored in the cluster, with a status (for UPDATE)."""
    old = experiment()
    old["spec"].update(copy.deepcopy(spec))
    old["status"] = copy.deepcopy(status)
    return old


def completed(reason: str, trials: int = 6) -> dict[str, object]:
    return {
        "conditions": [
            {"type": "Created", "status": "True", "reason": "ExperimentCreated"},
            {"type": "Succeeded", "status": "True", "reason": reason},
        ],
        "trials": trials,
    }


LONG = {"resumePolicy": "LongRunning"}
RESUME_LONG = chain(set_("spec.resumePolicy", "LongRunning"), set_("spec.maxTrialCount", 10))
RUNNING = {
    "conditions": [{"type": "Running", "status": "True", "reason": "ExperimentRunning"}],
    "trials": 6,
}


@dataclass(frozen=True)
class RuleCase:
    """`bad` must be rejected with exactly `expect`; `good` must be accepted."""

    rule: str
    what: str
    bad: Edit
    expect: tuple[Expect, ...]
    good: Edit
    cluster: Cluster = field(default_factory=Cluster)
    good_cluster: Cluster | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.what}"


def nothing(obj: Obj) -> None:
    """The fixture as it is."""


def _case(
    rule: str,
    what: str,
    bad: Edit,
    expect: list[Expect],
    good: Edit = nothing,
    *,
    cluster: Cluster | None = None,
    good_cluster: Cluster | None = None,
) -> RuleCase:
    return RuleCase(rule, what, bad, tuple(expect), good, cluster or Cluster(), good_cluster)


def h(code: str) -> Expect:
    return ("", BAD, f"KATIB-{code}")


def v(rule: str, path: str, kind: str) -> Expect:
    return (path, kind, f"KATIB-{rule}")


def _space(i: int, rest: str = "") -> str:
    return f"spec.parameters[{i}]{rest}"


def _mc(kind: str, **source: object) -> Edit:
    spec: dict[str, object] = {"collector": {"kind": kind}}
    if source:
        spec["source"] = source
    return set_(MC, spec)


def _fs(kind: str, path: str, fmt: str = "") -> dict[str, str]:
    out = {"kind": kind, "path": path}
    return {**out, "format": fmt} if fmt else out


CUSTOM = {"name": "collector", "image": "example.org/collector:v1"}


def _custom(**source: object) -> Edit:
    spec: dict[str, object] = {"collector": {"kind": "Custom", "customCollector": CUSTOM}}
    if source:
        spec["source"] = source
    return set_(MC, spec)


CASES: list[RuleCase] = [
    # H-1: the request must decode into Katib's Go types (reference §0.3, §3.1)
    _case(
        "H-1",
        "number-for-string",
        set_(_space(0, ".feasibleSpace.min"), 0.001),
        [h("H1")],
        set_(_space(0, ".feasibleSpace.min"), "0.001"),
    ),
    _case(
        "H-1",
        "string-for-goal",
        set_("spec.objective.goal", "0.95"),
        [h("H1")],
        set_("spec.objective.goal", 0.95),
    ),
    _case(
        "H-1",
        "string-for-int",
        set_("spec.maxTrialCount", "6"),
        [h("H1")],
        set_("spec.maxTrialCount", 6),
    ),
    _case(
        "H-1",
        "setting-value-number",
        set_("spec.algorithm.algorithmSettings", [{"name": "random_state", "value": 10}]),
        [h("H1")],
        set_("spec.algorithm.algorithmSettings", [{"name": "random_state", "value": "10"}]),
    ),
    _case("H-1", "trialspec-without-kind", del_(f"{TS}.kind"), [h("H1")]),
    _case(
        "H-1",
        "fraction-for-int",
        set_("spec.maxTrialCount", 6.5),
        [h("H1")],
        set_("spec.maxTrialCount", 6.0),
    ),  # 6.0 reaches Katib as 6
    _case(
        "H-1",
        "stray-apiversion-key",
        set_("APIVERSION", False),
        [h("H1")],
        set_("APIVERSION", None),
    ),
    # H-2: the namespace must be labelled for injection
    _case(
        "H-2",
        "unlabelled-namespace",
        chain(nothing, set_("spec.maxTrialCount", 0)),
        [h("H2")],
        cluster=Cluster(unlabelled=True),
        good_cluster=Cluster(),
    ),
    # V-1..V-6: name and budget
    _case(
        "V-1",
        "upper-case",
        set_("metadata.name", "Tune"),
        [v("V1", "metadata.name", INV)],
        set_("metadata.name", "tune.v1"),
    ),  # only a prefix is matched: dots pass
    _case(
        "V-1",
        "41-chars",
        set_("metadata.name", "t" * 41),
        [v("V1", "metadata.name", INV)],
        set_("metadata.name", "t" * 40),
    ),
    _case(
        "V-1",
        "41-bytes",
        set_("metadata.name", "t" + "é" * 20),
        [v("V1", "metadata.name", INV)],
        set_("metadata.name", "t" + "é" * 19),
    ),
    _case(
        "V-2",
        "negative",
        set_("spec.maxFailedTrialCount", -1),
        [v("V2", "spec.maxFailedTrialCount", INV)],
        set_("spec.maxFailedTrialCount", 0),
    ),
    _case(
        "V-3",
        "zero",
        chain(set_("spec.maxTrialCount", 0), set_("spec.maxFailedTrialCount", 0)),
        [v("V3", "spec.maxTrialCount", INV), v("V6", "spec.parallelTrialCount", INV)],
        set_("spec.maxTrialCount", 2),
    ),
    _case(
        "V-4",
        "zero",
        set_("spec.parallelTrialCount", 0),
        [v("V4", "spec.parallelTrialCount", INV)],
        set_("spec.parallelTrialCount", 1),
    ),
    _case(
        "V-5",
        "above-max",
        set_("spec.maxFailedTrialCount", 7),
        [v("V5", "spec.maxFailedTrialCount", INV)],
        set_("spec.maxFailedTrialCount", 6),
    ),
    _case(
        "V-6",
        "above-max",
        set_("spec.parallelTrialCount", 7),
        [v("V6", "spec.parallelTrialCount", INV)],
        set_("spec.parallelTrialCount", 6),
    ),
    _case(
        "V-6",
        "default-3-above-2",
        chain(del_("spec.parallelTrialCount"), set_("spec.maxTrialCount", 2)),
        [v("V6", "spec.parallelTrialCount", INV)],
        chain(del_("spec.parallelTrialCount"), set_("spec.maxTrialCount", 3)),
    ),
    # U-1..U-3: updates (reference §3.2 items 7-9)
    _case(
        "U-1",
        "goal-reached",
        RESUME_LONG,
        [v("U1", "spec.resumePolicy", INV)],
        RESUME_LONG,
        cluster=Cluster(old=stored(completed("ExperimentGoalReached"), **LONG)),
        good_cluster=Cluster(old=stored(completed("ExperimentMaxTrialsReached"), **LONG)),
    ),
    _case(
        "U-1",
        "never-resumes",
        set_("spec.maxTrialCount", 10),
        [v("U1", "spec.resumePolicy", INV)],
        chain(set_("spec.maxTrialCount", 10), set_("spec.resumePolicy", "FromVolume")),
        cluster=Cluster(old=stored(completed("ExperimentMaxTrialsReached"))),
        good_cluster=Cluster(
            old=stored(completed("ExperimentMaxTrialsReached"), resumePolicy="FromVolume")
        ),
    ),
    _case(
        "U-1",
        "failed",
        RESUME_LONG,
        [v("U1", "spec.resumePolicy", INV)],
        RESUME_LONG,
        cluster=Cluster(
            old=stored({"conditions": [{"type": "Failed", "status": "True"}], "trials": 6}, **LONG)
        ),
        good_cluster=Cluster(
            old=stored({"conditions": [{"type": "Failed", "status": "False"}], "trials": 6}, **LONG)
        ),
    ),
    _case(
        "U-2",
        "not-above-trials",
        set_("spec.parallelTrialCount", 3),
        [v("U2", "spec.maxTrialCount", INV)],
        chain(set_("spec.parallelTrialCount", 3), set_("spec.maxTrialCount", 7)),
        cluster=Cluster(old=stored(RUNNING)),
    ),
    _case(
        "U-3",
        "algorithm-changed",
        set_("spec.algorithm.algorithmName", "tpe"),
        [v("U3", "spec", FORB)],
        set_("spec.maxFailedTrialCount", 2),
        cluster=Cluster(old=stored({"trials": 2})),
    ),
    _case(
        "U-3",
        "status-and-metadata-ignored",
        set_("spec.objective.goal", 0.9),
        [v("U3", "spec", FORB)],
        chain(set_("metadata.labels", {"team": "a"}), set_("status", {"trials": 100})),
        cluster=Cluster(old=stored({"trials": 2})),
    ),
    # V-7..V-10: objective
    _case("V-7", "missing", del_("spec.objective"), [v("V7", "spec.objective", REQ)]),
    _case(
        "V-8",
        "bad-type",
        set_("spec.objective.type", "max"),
        [v("V8", "spec.objective.type", INV)],
        set_("spec.objective.type", "minimize"),
    ),
    _case(
        "V-9",
        "no-metric",
        set_("spec.objective.objectiveMetricName", ""),
        [v("V9", "spec.objective.objectiveMetricName", REQ)],
    ),
    _case(
        "V-10",
        "objective-in-additional",
        set_("spec.objective.additionalMetricNames", ["loss", "accuracy"]),
        [v("V10", "spec.objective.additionalMetricNames", INV)],
        set_("spec.objective.additionalMetricNames", ["loss", "loss"]),
    ),
    # V-11..V-16: algorithm, early stopping, resume policy
    _case("V-11", "missing", del_("spec.algorithm"), [v("V11", "spec.algorithm", REQ)]),
    _case(
        "V-12",
        "empty-name",
        set_("spec.algorithm.algorithmName", ""),
        [
            v("V12", "spec.algorithm.algorithmName", REQ),
            v("V13", "spec.algorithm.algorithmName", INV),
        ],
    ),
    _case(
        "V-13",
        "unknown",
        set_("spec.algorithm.algorithmName", "bogus"),
        [v("V13", "spec.algorithm.algorithmName", INV)],
        set_("spec.algorithm.algorithmName", "tpe"),
    ),
    _case(
        "V-13",
        "not-in-config",
        nothing,
        [v("V13", "spec.algorithm.algorithmName", INV)],
        set_("spec.algorithm.algorithmName", "tpe"),
        cluster=Cluster(
            katib_config=katib_config("StdOut").replace(
                "    - {algorithmName: random, image: example.org/random:v1}\n", ""
            )
        ),
    ),
    _case(
        "V-14",
        "empty-name",
        set_("spec.earlyStopping", {"algorithmName": ""}),
        [
            v("V14", "spec.earlyStopping.algorithmName", REQ),
            v("V15", "spec.earlyStopping.algorithmName", INV),
        ],
    ),
    _case(
        "V-15",
        "unknown",
        set_("spec.earlyStopping", {"algorithmName": "nope"}),
        [v("V15", "spec.earlyStopping.algorithmName", INV)],
        set_("spec.earlyStopping", {"algorithmName": "medianstop"}),
    ),
    _case(
        "V-16",
        "unknown",
        set_("spec.resumePolicy", "Always"),
        [v("V16", "spec.resumePolicy", INV)],
        set_("spec.resumePolicy", "FromVolume"),
    ),
    # V-17..V-34: trial template
    _case("V-17", "missing", del_(TT), [v("V17", TT, REQ)]),
    _case(
        "V-18",
        "no-primary-container",
        set_(f"{TT}.primaryContainerName", ""),
        [v("V18", f"{TT}.primaryContainerName", REQ)],
    ),
    _case(
        "V-19",
        "raw-kind-without-conditions",
        workflow,
        [v("V19", TT, REQ)],
        chain(
            workflow,
            set_(f"{TT}.successCondition", "status.phase"),
            set_(f"{TT}.failureCondition", "status.failed"),
        ),
    ),
    _case("V-20", "empty-trial-parameters", set_(TP, []), [v("V20", TP, REQ)]),
    # without a trialSpec nothing defaults the conditions: V-19 comes first
    _case("V-21", "no-source", del_(TS), [v("V19", TT, REQ), v("V21", f"{TT}.TrialSource", REQ)]),
    _case(
        "V-22",
        "both-sources",
        set_(
            f"{TT}.configMap",
            {
                "configMapName": "templates",
                "configMapNamespace": "team-a",
                "templatePath": "job.yaml",
            },
        ),
        [v("V22", TT, REQ)],
        cluster=WITH_CONFIGMAP,
    ),
    _case(
        "V-23",
        "configmap-without-path",
        chain(configmap_source, set_(f"{TT}.configMap.templatePath", "")),
        [v("V23", f"{TT}.configMap", REQ)],
        configmap_source,
        cluster=WITH_CONFIGMAP,
    ),
    _case(
        "V-24",
        "configmap-absent",
        configmap_source,
        [v("V24", TT, INV)],
        configmap_source,
        good_cluster=WITH_CONFIGMAP,
    ),
    _case(
        "V-24",
        "configmap-key-absent",
        chain(configmap_source, set_(f"{TT}.configMap.templatePath", "other.yaml")),
        [v("V24", TT, INV)],
        configmap_source,
        cluster=WITH_CONFIGMAP,
    ),
    _case(
        "V-25",
        "brace-in-name",
        set_(f"{TP}[0].name", "learning{Rate}"),
        [v("V25", f"{TP}[0]", INV), v("V30", TT, INV)],
    ),
    _case(
        "V-25",
        "no-reference",
        set_(f"{TP}[2].reference", ""),
        [v("V25", f"{TP}[2]", INV), v("V30", TT, INV)],
    ),
    _case(
        "V-26",
        "duplicate-name",
        lambda o: o["spec"]["trialTemplate"]["trialParameters"].append(
            {"name": "optimizer", "reference": "lr"}
        ),
        [v("V26", f"{TP}[3].name", INV)],
    ),
    _case(
        "V-27",
        "duplicate-reference",
        set_(f"{TP}[1].reference", "lr"),
        [v("V27", f"{TP}[1].reference", INV), v("V30", TT, INV)],
    ),
    _case(
        "V-28",
        "unknown-reference",
        set_(f"{TP}[0].reference", "learning-rate"),
        [v("V28", f"{TP}[0].reference", INV)],
        set_(f"{TP}[0].reference", "${trialSpec.Name}"),
    ),
    _case(
        "V-29",
        "name-not-in-template",
        set_(f"{TP}[1].name", "layerCount"),
        [v("V29", f"{TP}[1].name", INV)],
    ),
    _case(
        "V-30",
        "placeholder-without-parameter",
        set_(f"{POD}.containers[0].command", ["python", "${trialParameters.epochs}"]),
        [v("V30", TT, INV)],
        set_(f"{POD}.containers[0].command", ["python", "${epochs}"]),
    ),
    _case(
        "V-31",
        "template-not-yaml",
        configmap_source,
        [v("V31", TT, INV)],
        configmap_source,
        cluster=Cluster(configmaps=[configmap(TEMPLATE + "  bad: [\n")]),
        good_cluster=WITH_CONFIGMAP,
    ),
    _case(
        "V-32",
        "template-name",
        set_(f"{TS}.metadata", {"name": "trial"}),
        [v("V32", TT, INV)],
        set_(f"{TS}.metadata", {"labels": {"app": "mnist"}}),
    ),
    _case("V-33", "template-without-api-version", del_(f"{TS}.apiVersion"), [v("V33", TT, REQ)]),
    _case(
        "V-34",
        "unknown-job-field",
        set_(f"{POD}.containers[0].imagePullPolicyy", "Always"),
        [v("V34", TT, INV)],
        set_(f"{POD}.containers[0].imagePullPolicy", "Always"),
    ),
    _case(
        "V-34",
        "host-network-false",
        set_(f"{POD}.hostNetwork", False),
        [v("V34", TT, INV)],
        set_(f"{POD}.hostNetwork", True),
    ),
    _case(
        "V-34",
        "placeholder-for-number",
        set_(f"{TS}.spec.backoffLimit", "${trialParameters.numLayers}"),
        [v("V34", TT, INV)],
        set_(f"{TS}.spec.backoffLimit", 2),
    ),
    _case(
        "V-34",
        "float-for-int",
        set_(f"{TS}.spec.backoffLimit", 2.5),
        [v("V34", TT, INV)],
        set_(f"{TS}.spec.backoffLimit", 2.0),
    ),
    _case(
        "V-34",
        "quantity-outside-resources",
        set_(f"{POD}.volumes", [{"name": "scratch", "emptyDir": {"sizeLimit": "1024Mi"}}]),
        [v("V34", TT, INV)],
        set_(f"{POD}.containers[0].resources", {"limits": {"memory": "1024Mi"}}),
    ),
    # V-35..V-37: search space
    _case("V-35", "no-search-space", del_("spec.parameters"), [v("V35", "spec", REQ)]),
    _case(
        "V-36",
        "both-search-spaces",
        set_("spec.nasConfig", {"graphConfig": {"numLayers": 1}}),
        [v("V36", "spec", INV)],
    ),
    _case(
        "V-37a",
        "unsupported-type",
        set_(_space(0, ".parameterType"), "float"),
        [v("V37a", _space(0, ".parameterType"), INV)],
        set_(_space(0, ".parameterType"), "unknown"),
    ),
    _case(
        "V-37b",
        "unsupported-distribution",
        set_(_space(0, ".feasibleSpace.distribution"), "log"),
        [v("V37b", _space(0, ".feasibleSpace.distribution"), INV)],
        set_(_space(0, ".feasibleSpace.distribution"), "logUniform"),
    ),
    _case(
        "V-37d",
        "list-for-int",
        set_(_space(1, ".feasibleSpace.list"), ["1", "2"]),
        [v("V37d", _space(1, ".feasibleSpace.list"), INV)],
    ),
    _case(
        "V-37e",
        "no-max",
        del_(_space(0, ".feasibleSpace.max")),
        [v("V37e", _space(0, ".feasibleSpace.max"), REQ)],
    ),
    _case(
        "V-37e",
        "empty-feasible-space",
        set_(_space(0, ".feasibleSpace"), {}),
        [v("V37e", _space(0, ".feasibleSpace.max"), REQ)],
    ),  # V-37c cannot fire: defaulted
    _case(
        "V-37f",
        "min-for-categorical",
        set_(_space(2, ".feasibleSpace.min"), "1"),
        [v("V37f", _space(2, ".feasibleSpace"), INV)],
    ),
    # V-38..V-50: metrics collector
    _case(
        "V-38",
        "prometheus-on-default-config",
        _mc("PrometheusMetric"),
        [v("V38", f"{MC}.collector.kind", INV)],
        _mc("PrometheusMetric"),
        good_cluster=WITH_PROMETHEUS,
    ),
    _case(
        "V-39",
        "relative-path",
        _mc("File", fileSystemPath=_fs("File", "metrics.log")),
        [v("V39", f"{SRC}.fileSystemPath.path", REQ)],
        _mc("File", fileSystemPath=_fs("File", "/var/log/metrics.log")),
    ),
    _case(
        "V-39",
        "directory",
        _mc("File", fileSystemPath=_fs("Directory", "/var/log/")),
        [v("V39", f"{SRC}.fileSystemPath.path", REQ)],
    ),
    _case(
        "V-40",
        "unknown-format",
        _mc("File", fileSystemPath=_fs("File", "/m.log", "XML")),
        [v("V40", f"{SRC}.fileSystemPath.format", REQ)],
        _mc("File", fileSystemPath=_fs("File", "/m.log", "JSON")),
    ),
    _case(
        "V-41",
        "json-with-filter",
        _mc("File", fileSystemPath=_fs("File", "/m.json", "JSON"), filter={}),
        [v("V41", f"{SRC}.filter", INV)],
        _mc("File", fileSystemPath=_fs("File", "/m.log", "TEXT"), filter={}),
    ),
    _case(
        "V-42",
        "file-kind",
        _mc("TensorFlowEvent", fileSystemPath=_fs("File", "/logs")),
        [v("V42", SRC, REQ)],
        _mc("TensorFlowEvent", fileSystemPath=_fs("Directory", "/logs")),
    ),
    _case(
        "V-43",
        "format-given",
        _mc("TensorFlowEvent", fileSystemPath=_fs("Directory", "/logs", "TEXT")),
        [v("V43", f"{SRC}.fileSystemPath.format", INV)],
    ),
    _case(
        "V-44",
        "named-port",
        _mc("PrometheusMetric", httpGet={"port": "http"}),
        [v("V44", f"{SRC}.httpGet.port", INV)],
        _mc("PrometheusMetric", httpGet={"port": 9090}),
        cluster=WITH_PROMETHEUS,
    ),
    _case(
        "V-44",
        "negative-port",
        _mc("PrometheusMetric", httpGet={"port": -1}),
        [v("V44", f"{SRC}.httpGet.port", INV)],
        _mc("PrometheusMetric", httpGet={"port": "000000000000000000009090"}),
        cluster=WITH_PROMETHEUS,
    ),
    _case(
        "V-45",
        "relative-path",
        _mc("PrometheusMetric", httpGet={"path": "metrics"}),
        [v("V45", f"{SRC}.httpGet.path", INV)],
        _mc("PrometheusMetric", httpGet={"path": "/m"}),
        cluster=WITH_PROMETHEUS,
    ),
    _case(
        "V-46",
        "no-container",
        _mc("Custom"),
        [v("V46", f"{MC}.collector.customCollector", REQ)],
        _custom(),
    ),
    _case(
        "V-47",
        "relative-path",
        _custom(fileSystemPath=_fs("File", "m.log")),
        [v("V47", f"{SRC}.fileSystemPath", INV)],
        _custom(fileSystemPath=_fs("File", "/m.log")),
    ),
    _case(
        "V-48", "unknown-kind", _mc("Bogus"), [v("V48", f"{MC}.collector.kind", INV)], _mc("Push")
    ),
    _case(
        "V-48",
        "empty-collector",
        set_(MC, {"collector": {}}),
        [v("V48", f"{MC}.collector.kind", INV)],
        set_(MC, {}),
    ),
    _case(
        "V-49",
        "bad-regex",
        _mc("File", filter={"metricsFormat": ["(?<=x)(a)(b)"]}),
        [v("V49", f"{SRC}.filter.metricsFormat", INV)],
        _mc("File", filter={"metricsFormat": [r"(\pL+)=(\d+)"]}),
    ),
    _case(
        "V-50",
        "one-group",
        _mc("File", filter={"metricsFormat": [r"(\w+)=\d+"]}),
        [v("V50", f"{SRC}.filter.metricsFormat", INV)],
        _mc("File", filter={"metricsFormat": [r"(\w+)=(\d+)"]}),
    ),
]

# Rules with a case above (V-37c cannot fire after defaulting; test_rules.py checks it apart).
COVERED = {c.rule for c in CASES}
