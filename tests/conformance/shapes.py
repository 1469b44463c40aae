"""Valid Katib experiments of every shape the admission code distinguishes, as hypothesis
strategies (written for this suite; none is copied from Katib). Mutations start from these."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from .harness import Case

Obj = dict[str, Any]

# A bare KatibConfig (our own text) that also offers PrometheusMetric, unlike the default one.
PROMETHEUS_CONFIG = """\
runtime:
  suggestions:
    - {algorithmName: random, image: example.org/suggestion-hyperopt:v1}
    - {algorithmName: tpe, image: example.org/suggestion-hyperopt:v1}
    - {algorithmName: grid, image: example.org/suggestion-optuna:v1}
  earlyStoppings:
    - {algorithmName: medianstop, image: example.org/earlystopping-medianstop:v1}
  metricsCollectors:
    - {kind: StdOut, image: example.org/file-metrics-collector:v1}
    - {kind: File, image: example.org/file-metrics-collector:v1}
    - {kind: TensorFlowEvent, image: example.org/tfevent-metrics-collector:v1}
    - {kind: PrometheusMetric, image: example.org/prometheus-collector:v1}
"""


def container(name: str, args: list[str]) -> Obj:
    return {
        "name": name,
        "image": "example.org/train:v1",
        "command": ["python3", "train.py", *args],
    }


def job(args: list[str], name: str = "main") -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [container(name, args)]}}
        },
    }


def replicas(kind: str, key: str, roles: list[str], args: list[str], api: str) -> Obj:
    specs = {
        role: {
            "replicas": 1,
            "restartPolicy": "OnFailure",
            "template": {"spec": {"containers": [container("trainer", args)]}},
        }
        for role in roles
    }
    return {"apiVersion": api, "kind": kind, "spec": {key: specs}}


TRAINING_KINDS = {
    "TFJob": ("tfReplicaSpecs", ["Chief", "Worker"]),
    "PyTorchJob": ("pytorchReplicaSpecs", ["Master", "Worker"]),
    "XGBoostJob": ("xgbReplicaSpecs", ["Master", "Worker"]),
    "MPIJob": ("mpiReplicaSpecs", ["Launcher", "Worker"]),
}

PARAMS: list[Obj] = [
    {"name": "lr", "parameterType": "double", "feasibleSpace": {"min": "0.01", "max": "0.1"}},
    {
        "name": "layers",
        "parameterType": "int",
        "feasibleSpace": {"min": "1", "max": "4", "step": "1"},
    },
    {"name": "opt", "parameterType": "categorical", "feasibleSpace": {"list": ["sgd", "adam"]}},
    {"name": "batch", "parameterType": "discrete", "feasibleSpace": {"list": ["16", "32", "64"]}},
]


def trial_parameters(params: list[Obj]) -> list[Obj]:
    return [{"name": f"p{p['name']}", "reference": p["name"], "description": "x"} for p in params]


def placeholders(tps: list[Obj]) -> list[str]:
    return [f"--{tp['name']}=${{trialParameters.{tp['name']}}}" for tp in tps]


def experiment(name: str, params: list[Obj], trial_spec: Obj | None, tps: list[Obj]) -> Obj:
    template: Obj = {"primaryContainerName": "main", "trialParameters": tps}
    if trial_spec is not None:
        template["trialSpec"] = trial_spec
    spec: Obj = {
        "objective": {"type": "maximize", "goal": 0.9, "objectiveMetricName": "accuracy"},
        "algorithm": {"algorithmName": "random"},
        "maxTrialCount": 6,
        "parallelTrialCount": 2,
        "maxFailedTrialCount": 1,
        "trialTemplate": template,
    }
    if params:
        spec["parameters"] = params
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": name, "namespace": "tuning"},
        "spec": spec,
    }


NAMES = st.sampled_from(["exp", "mnist-random", "a", "tune-1", "x" * 40])


@st.composite
def hp_job(draw: st.DrawFn) -> Obj:
    """A batch/v1 Job over a subset of the four parameter types, StdOut by default."""
    chosen = draw(
        st.lists(st.sampled_from(range(len(PARAMS))), min_size=1, max_size=4, unique=True)
    )
    params = [copy.deepcopy(PARAMS[i]) for i in sorted(chosen)]
    tps = trial_parameters(params)
    obj = experiment(draw(NAMES), params, job(placeholders(tps)), tps)
    if draw(st.booleans()):
        obj["spec"]["objective"]["additionalMetricNames"] = ["loss"]
    if draw(st.booleans()):
        obj["spec"]["metricsCollectorSpec"] = {"collector": {"kind": "StdOut"}}
    return obj


def with_collector(obj: Obj, collector: Obj) -> Obj:
    obj["spec"]["metricsCollectorSpec"] = collector
    return obj


@st.composite
def file_text(draw: st.DrawFn) -> Obj:
    fs: Obj = {"kind": "File", "path": "/var/log/train/metrics.log"}
    if draw(st.booleans()):
        fs["format"] = "TEXT"
    source: Obj = {"fileSystemPath": fs}
    if draw(st.booleans()):
        source["filter"] = {"metricsFormat": [r"([\w|-]+)\s*=\s*((-?\d+)(\.\d+)?)"]}
    return with_collector(draw(hp_job()), {"collector": {"kind": "File"}, "source": source})


@st.composite
def file_json(draw: st.DrawFn) -> Obj:
    fs = {"kind": "File", "path": "/var/log/train/metrics.json", "format": "JSON"}
    return with_collector(
        draw(hp_job()), {"collector": {"kind": "File"}, "source": {"fileSystemPath": fs}}
    )


@st.composite
def tfevent(draw: st.DrawFn) -> Obj:
    source = {"fileSystemPath": {"kind": "Directory", "path": "/var/log/tfevent/"}}
    collector: Obj = {"collector": {"kind": "TensorFlowEvent"}}
    if draw(st.booleans()):
        collector["source"] = source
    return with_collector(draw(hp_job()), collector)


@st.composite
def custom(draw: st.DrawFn) -> Obj:
    collector: Obj = {
        "collector": {
            "kind": "Custom",
            "customCollector": {
                "name": "collector",
                "image": "example.org/collector:v1",
                "args": ["-m", "x"],
            },
        }
    }
    if draw(st.booleans()):
        collector["source"] = {"fileSystemPath": {"kind": "File", "path": "/var/log/m.log"}}
    return with_collector(draw(hp_job()), collector)


@st.composite
def push(draw: st.DrawFn) -> Obj:
    return with_collector(draw(hp_job()), {"collector": {"kind": "Push"}})


@st.composite
def prometheus(draw: st.DrawFn) -> Obj:
    collector: Obj = {"collector": {"kind": "PrometheusMetric"}}
    if draw(st.booleans()):
        collector["source"] = {
            "httpGet": {"path": "/metrics", "port": draw(st.sampled_from([8080, "9090"]))}
        }
    return with_collector(draw(hp_job()), collector)


@st.composite
def training_job(draw: st.DrawFn) -> Obj:
    """TFJob, PyTorchJob, XGBoostJob or MPIJob (kubeflow.org/v1), or a TrainJob."""
    params = [copy.deepcopy(PARAMS[0]), copy.deepcopy(PARAMS[2])]
    tps = trial_parameters(params)
    kind = draw(st.sampled_from([*TRAINING_KINDS, "TrainJob"]))
    if kind == "TrainJob":
        spec: Obj = {
            "apiVersion": "trainer.kubeflow.org/v1alpha1",
            "kind": "TrainJob",
            "spec": {
                "runtimeRef": {"name": "torch-distributed"},
                "trainer": {"numNodes": 2, "command": ["torchrun", *placeholders(tps)]},
            },
        }
    else:
        key, roles = TRAINING_KINDS[kind]
        spec = replicas(kind, key, roles, placeholders(tps), "kubeflow.org/v1")
    obj = experiment(draw(NAMES), params, spec, tps)
    obj["spec"]["trialTemplate"]["primaryContainerName"] = "trainer"
    if draw(st.booleans()):
        obj["spec"]["trialTemplate"]["primaryPodLabels"] = {
            "training.kubeflow.org/replica-type": "worker"
        }
    return obj


@st.composite
def raw_kind(draw: st.DrawFn) -> Obj:
    """An Argo-like Workflow: no defaults, so both conditions are given."""
    params = [copy.deepcopy(PARAMS[0])]
    tps = trial_parameters(params)
    spec = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "container": container("main", placeholders(tps))}],
        },
    }
    obj = experiment(draw(NAMES), params, spec, tps)
    t = obj["spec"]["trialTemplate"]
    t["successCondition"] = 'status.[@this].#(phase=="Succeeded")#'
    t["failureCondition"] = 'status.[@this].#(phase=="Failed")#'
    t["primaryPodLabels"] = {"example.org/role": "train"}
    t["retain"] = draw(st.booleans())
    return obj


ENAS_OPS: list[Obj] = [
    {
        "operationType": "convolution",
        "parameters": [
            {
                "name": "filter_size",
                "parameterType": "categorical",
                "feasibleSpace": {"list": ["3", "5"]},
            },
        ],
    },
    {
        "operationType": "reduction",
        "parameters": [
            {
                "name": "pool_size",
                "parameterType": "int",
                "feasibleSpace": {"min": "2", "max": "3", "step": "1"},
            },
        ],
    },
]


@st.composite
def nas(draw: st.DrawFn) -> Obj:
    algo = draw(st.sampled_from(["enas", "darts"]))
    refs = (
        ["architecture", "nn_config"]
        if algo == "enas"
        else ["algorithm-settings", "search-space", "num-layers"]
    )
    tps = [{"name": r.replace("-", "_"), "reference": r} for r in refs]
    obj = experiment(draw(NAMES), [], job(placeholders(tps)), tps)
    obj["spec"]["algorithm"] = {"algorithmName": algo}
    graph: Obj = {"numLayers": draw(st.sampled_from([1, 3]))}
    if algo == "enas":
        graph |= {"inputSizes": [32, 32, 3], "outputSizes": [10]}
    obj["spec"]["nasConfig"] = {"graphConfig": graph, "operations": copy.deepcopy(ENAS_OPS)}
    return obj


TEMPLATE_TEXT = """\
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: example.org/train:v1
          command:
            - python3
            - "--lr=${trialParameters.plr}"
            - "--opt=${trialParameters.popt}"
"""


@st.composite
def configmap_source(draw: st.DrawFn) -> Case:
    params = [copy.deepcopy(PARAMS[0]), copy.deepcopy(PARAMS[2])]
    obj = experiment(draw(NAMES), params, None, trial_parameters(params))
    t = obj["spec"]["trialTemplate"]
    t["configMap"] = {
        "configMapName": "templates",
        "configMapNamespace": "tuning",
        "templatePath": "job.yaml",
    }
    t["successCondition"] = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
    t["failureCondition"] = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "templates", "namespace": "tuning"},
        "data": {"job.yaml": TEMPLATE_TEXT},
    }
    return Case("", obj, configmaps=[cm])


@st.composite
def resumable(draw: st.DrawFn) -> Obj:
    obj = draw(hp_job())
    obj["spec"]["resumePolicy"] = draw(st.sampled_from(["Never", "LongRunning", "FromVolume"]))
    if draw(st.booleans()):
        obj["spec"]["earlyStopping"] = {
            "algorithmName": "medianstop",
            "algorithmSettings": [{"name": "min_trials_required", "value": "2"}],
        }
    return obj


def _case(objects: st.SearchStrategy[Obj]) -> st.SearchStrategy[Case]:
    return objects.map(lambda o: Case("", o))


SHAPES: dict[str, st.SearchStrategy[Case]] = {
    "job-stdout": _case(hp_job()),
    "file-text": _case(file_text()),
    "file-json": _case(file_json()),
    "tfevent": _case(tfevent()),
    "custom": _case(custom()),
    "push": _case(push()),
    "prometheus": prometheus().map(lambda o: Case("", o, katib_config=PROMETHEUS_CONFIG)),
    "training-job": _case(training_job()),
    "raw-kind": _case(raw_kind()),
    "nas": _case(nas()),
    "configmap": configmap_source(),
    "resumable": _case(resumable()),
}


def any_shape() -> st.SearchStrategy[Case]:
    return st.one_of(*SHAPES.values())
