"""`import`: for every manifest Katib accepts, the imported spec (YAML and Python) compiles back
to exactly what Katib stores, byte for byte; and it is short.

The corpus: Katib's own examples (../shared, marked `shared`) and the hand-written manifests
below, one per corner of the format.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compiler.admission import configmap_templates
from compiler.admission.katibconfig import default_config
from compiler.cli import main
from compiler.imports import (
    Imported,
    check_python,
    check_yaml,
    import_experiment,
    python_spec_text,
    yaml_text,
)
from compiler.imports.text import spec_text, typed
from compiler.imports.yamltext import render
from compiler.load.files import load_file
from compiler.model.source import Document
from compiler.pipeline import revision_of
from compiler.placeholders import rewrite
from compiler.yamlout import dump
from compiler.yamlsafe import parse_documents

# the default katib-config, plus a Prometheus collector (a cluster may add one)
CONFIG = replace(
    default_config(),
    metrics_collectors={**default_config().metrics_collectors, "PrometheusMetric": "prom:1"},
)
REJECTED_EXAMPLES = {
    "tekton/pipeline-run.yaml",
    "trial-template/trial-configmap-source.yaml",
    "hp-tuning/simple-pbt.yaml",
}
ConfigMapTable = dict[tuple[str, str], dict[str, str]]


def roundtrip(
    manifest: dict[str, Any], configmaps: ConfigMapTable | None = None, folder: str | None = None
) -> tuple[Imported, str, str]:
    """Import one manifest; assert Katib accepts it and both spec texts compile back exactly."""
    one = import_experiment(
        Document(manifest, "m.yaml"), folder=folder, config=CONFIG, configmaps=configmaps
    )
    assert one.admission.allowed, [d.render() for d in one.admission.errors]
    assert one.exact, one.found.differing
    text = yaml_text([one])
    assert check_yaml(text, "spec.yaml", [one], CONFIG, configmaps) == [True], text
    py = python_spec_text([one], CONFIG, configmaps)
    assert check_python(py, [one], CONFIG, configmaps) == [True], py
    return one, text, py


def lines(text: str) -> int:
    """Lines that say something: neither blank nor comments."""
    return sum(
        1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


# --- a base manifest and small changes to it ------------------------------------------------


def base(**spec: Any) -> dict[str, Any]:
    """A small accepted Experiment; `spec` replaces parts of its spec."""
    manifest: dict[str, Any] = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "edge", "namespace": "team"},
        "spec": {
            "objective": {"type": "maximize", "goal": 0.9, "objectiveMetricName": "accuracy"},
            "algorithm": {"algorithmName": "random"},
            "maxTrialCount": 6,
            "parameters": [
                {
                    "name": "lr",
                    "parameterType": "double",
                    "feasibleSpace": {"min": "0.01", "max": "0.1"},
                }
            ],
            "trialTemplate": {
                "primaryContainerName": "training-container",
                "trialParameters": [{"name": "lr", "reference": "lr"}],
                "trialSpec": job(["python3", "train.py", "--lr=${trialParameters.lr}"]),
            },
        },
    }
    manifest["spec"].update(copy.deepcopy(spec))
    return manifest


def job(command: list[str], **container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "training-container",
                            "image": "docker.io/me/train:1",
                            "command": command,
                            **container,
                        }
                    ],
                    "restartPolicy": "Never",
                }
            }
        },
    }


def template(ts: dict[str, Any], params: list[dict[str, str]] | None = None, **more: Any) -> Any:
    out = {
        "primaryContainerName": "training-container",
        "trialParameters": params or [{"name": "lr", "reference": "lr"}],
        "trialSpec": ts,
    }
    out.update(more)
    return out


def mc(kind: str, source: dict[str, Any] | None = None, **collector: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"collector": {"kind": kind, **collector}}
    if source is not None:
        out["source"] = source
    return out


def param(name: str, kind: str, **space: Any) -> dict[str, Any]:
    return {"name": name, "parameterType": kind, "feasibleSpace": space}


def uses(*names: str) -> dict[str, Any]:
    """A Job using each parameter under its own name, and the trialParameters for it."""
    command = ["t"] + [f"${{trialParameters.{n}}}" for n in names]
    return template(job(command), [{"name": n, "reference": n} for n in names])


def file_path(path: str, kind: str = "File", **more: str) -> dict[str, Any]:
    return {"fileSystemPath": {"path": path, "kind": kind, **more}}


CUSTOM = {"name": "collector", "image": "docker.io/me/collector:1", "args": ["-m", "accuracy"]}
SAME = {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"}


def replicated(
    kind: str, key: str, name: str, counts: dict[str, int], command: list[str] | None = None
) -> dict[str, Any]:
    container = {
        "name": name,
        "image": "docker.io/me/x:1",
        "command": command or ["t", "${trialParameters.lr}"],
    }
    pod = {"spec": {"containers": [container]}}
    specs = {
        rtype: {"replicas": n, "restartPolicy": "OnFailure", "template": copy.deepcopy(pod)}
        for rtype, n in counts.items()
    }
    return {"apiVersion": "kubeflow.org/v1", "kind": kind, "spec": {key: specs}}


CASES: dict[str, dict[str, Any]] = {
    "minimal": base(),
    "metadata": {
        **base(),
        "metadata": {
            "name": "edge",
            "namespace": "team",
            "labels": {"team": "vision", "katib-gitops.dev/tier": "gold"},
            "annotations": {"owner": "alice@example.com", "note": "yes", "multi": "a\nb\n"},
        },
    },
    # --- every collector kind
    "collector-file-default": base(metricsCollectorSpec=mc("File")),
    "collector-file-path": base(metricsCollectorSpec=mc("File", file_path("/out/m.log"))),
    "collector-file-json": base(
        metricsCollectorSpec=mc("File", file_path("/out/m.json", format="JSON"))
    ),
    "collector-file-filter": base(
        metricsCollectorSpec=mc(
            "File",
            {
                **file_path("/out/m.log"),
                "filter": {"metricsFormat": [r"([\w|-]+)\s*=\s*((-?\d+)(\.\d+)?)"]},
            },
        )
    ),
    "collector-stdout-filter": base(
        metricsCollectorSpec={"source": {"filter": {"metricsFormat": ["(\\w+):(\\d+)"]}}}
    ),
    "collector-stdout-empty-filter": base(metricsCollectorSpec={"source": {"filter": {}}}),
    "collector-tfevent": base(metricsCollectorSpec=mc("TensorFlowEvent")),
    "collector-tfevent-dir": base(
        metricsCollectorSpec=mc("TensorFlowEvent", file_path("/logs/train", "Directory"))
    ),
    "collector-prometheus": base(metricsCollectorSpec=mc("PrometheusMetric")),
    "collector-prometheus-port": base(
        metricsCollectorSpec=mc(
            "PrometheusMetric", {"httpGet": {"path": "/stats", "port": 9090, "scheme": "HTTP"}}
        )
    ),
    "collector-custom": base(metricsCollectorSpec=mc("Custom", customCollector=CUSTOM)),
    "collector-custom-directory": base(
        metricsCollectorSpec=mc("Custom", file_path("/out", "Directory"), customCollector=CUSTOM)
    ),
    "collector-custom-file": base(
        metricsCollectorSpec=mc("Custom", file_path("/out/m.log"), customCollector=CUSTOM)
    ),
    "collector-push": base(metricsCollectorSpec=mc("Push")),
    # --- objectives and algorithms
    "strategies-unusual-order": base(
        objective={
            "type": "minimize",
            "objectiveMetricName": "loss",
            "additionalMetricNames": ["accuracy", "f1", "latency"],
            "metricStrategies": [
                {"name": "f1", "value": "max"},
                {"name": "loss", "value": "latest"},
                {"name": "accuracy", "value": "max"},
            ],
        }
    ),
    "strategies-default-ones-written": base(
        objective={
            "type": "maximize",
            "objectiveMetricName": "accuracy",
            "additionalMetricNames": ["loss"],
            "metricStrategies": [
                {"name": "loss", "value": "max"},
                {"name": "accuracy", "value": "max"},
            ],
        }
    ),
    "strategies-duplicates-and-odd-values": base(
        objective={
            "type": "maximize",
            "objectiveMetricName": "accuracy",
            "additionalMetricNames": ["loss", "loss"],
            "metricStrategies": [
                {"name": "loss", "value": "min"},
                {"name": "loss", "value": "latest"},
                {"name": "other", "value": "mean"},
            ],
        }
    ),
    "no-goal-integral-goal": base(
        objective={"type": "minimize", "goal": 1, "objectiveMetricName": "loss"}
    ),
    "settings-duplicate-names": base(
        algorithm={
            "algorithmName": "random",
            "algorithmSettings": [
                {"name": "random_state", "value": "10"},
                {"name": "random_state", "value": "11"},
            ],
        }
    ),
    "settings-typed-and-ambiguous": base(
        algorithm={
            "algorithmName": "tpe",
            "algorithmSettings": [
                {"name": n, "value": v}
                for n, v in (
                    ("n_EI_candidates", "24"),
                    ("gamma", "0.25"),
                    ("tiny", "1e-3"),
                    ("flag", "yes"),
                    ("padded", "010"),
                    ("empty", ""),
                    ("time", "1:30"),
                    ("date", "2024-01-01"),
                    ("nothing", "null"),
                )
            ],
        }
    ),
    "early-stopping": base(
        earlyStopping={
            "algorithmName": "medianstop",
            "algorithmSettings": [{"name": "min_trials_required", "value": "2"}],
        }
    ),
    "budget-explicit-parallel": base(parallelTrialCount=1, maxTrialCount=3),
    "budget-small-max": base(parallelTrialCount=2, maxTrialCount=2, maxFailedTrialCount=0),
    "budget-none": base(maxTrialCount=None),
    "resume-long-running": base(resumePolicy="LongRunning"),
    # --- parameters
    "string-bounds": base(
        parameters=[
            param("lr", "double", min="0.010", max="1"),
            param("wd", "double", min="1e-5", max="1e-2"),
            param("n", "int", min="01", max="+9"),
        ],
        trialTemplate=uses("lr", "wd", "n"),
    ),
    "dashed-names": base(
        parameters=[
            param("--lr", "double", min="0.1", max="1"),
            param("yes", "int", min="1", max="3"),
        ],
        trialTemplate=uses("--lr", "yes"),
    ),
    "lists-and-distributions": base(
        parameters=[
            param("opt", "categorical", list=["sgd", "adam"]),
            param("size", "categorical", list=["3", "5"]),
            param("batch", "discrete", list=["16", "32"]),
            param("frac", "discrete", list=["0.5", "1e-3"]),
            param("flag", "categorical", list=["true", "no"]),
            param("lr", "double", min="1", max="5", distribution="logUniform"),
            param("k", "int", min="1", max="9", step="2", distribution="normal"),
        ],
        trialTemplate=uses("opt", "size", "batch", "frac", "flag", "lr", "k"),
    ),
    "duplicate-parameter-names": base(
        parameters=[
            param("lr", "double", min="0.1", max="1"),
            param("lr", "double", min="0.2", max="2"),
        ]
    ),
    "unknown-type-list-and-range": base(
        parameters=[param("lr", "unknown", min="1", max="2", list=["a", "b"])]
    ),
    "described-parameters": base(
        trialTemplate=template(
            job(["t", "--lr=${trialParameters.lr}"]),
            [{"name": "lr", "reference": "lr", "description": "Learning rate"}],
        )
    ),
    # --- trial templates
    "renamed-trial-parameters": base(
        trialTemplate=template(
            job(["t", "--lr=${trialParameters.learningRate}"]),
            [{"name": "learningRate", "reference": "lr", "description": "the rate"}],
        )
    ),
    "meta-references": base(
        trialTemplate=template(
            {
                **job(
                    ["t", "--lr=${trialParameters.lr}", "${trialParameters.trialName}"],
                    env=[
                        {"name": "NS", "value": "${trialParameters.trialNamespace}"},
                        {"name": "KIND", "value": "${trialParameters.kind}"},
                        {"name": "APP", "value": "${trialParameters.trialLabels-app}"},
                    ],
                ),
                "metadata": {"labels": {"app": "demo"}},
            },
            [
                {"name": "lr", "reference": "lr"},
                {"name": "trialName", "reference": "${trialSpec.Name}"},
                {"name": "trialNamespace", "reference": "${trialSpec.Namespace}"},
                {"name": "kind", "reference": "${trialSpec.Kind}"},
                {"name": "trialLabels-app", "reference": "${trialSpec.Labels[app]}"},
            ],
        )
    ),
    "derived-meta-references": base(
        trialTemplate=template(
            job(
                ["t", "--lr=${trialParameters.lr}"],
                env=[
                    {"name": "NAME", "value": "${trialParameters.trialName}"},
                    {"name": "API", "value": "${trialParameters.trialAPIVersion}"},
                ],
            ),
            [
                {"name": "lr", "reference": "lr"},
                {"name": "trialName", "reference": "${trialSpec.Name}"},
                {"name": "trialAPIVersion", "reference": "${trialSpec.APIVersion}"},
            ],
        )
    ),
    "literal-dollars": base(
        trialTemplate=template(
            job(
                [
                    "sh",
                    "-c",
                    "echo ${HOME} $${trialParameters.lr} $$${x} ${trialParameters.lr}$",
                    "--lr=${trialParameters.lr}",
                ]
            )
        )
    ),
    "placeholder-in-key": base(
        trialTemplate=template(
            {
                **job(["t", "${trialParameters.lr}"]),
                "metadata": {"annotations": {"lr-${trialParameters.lr}": "x"}},
            }
        )
    ),
    "retain-and-conditions": base(
        trialTemplate=template(
            job(["t", "--lr=${trialParameters.lr}"]),
            retain=True,
            successCondition='status.conditions.#(type=="Complete")#|#(status=="True")#',
            failureCondition='status.conditions.#(type=="Failed")#|#(reason=="X")#',
            primaryPodLabels={"role": "trainer"},
        )
    ),
    "job-extras": base(
        trialTemplate=template(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "spec": {
                    "activeDeadlineSeconds": 600,
                    "backoffLimit": 0,
                    "template": {
                        "metadata": {"labels": {"app": "train"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "trainer",
                                    "image": "docker.io/me/train:1",
                                    "args": ["--lr", "${trialParameters.lr}"],
                                    "env": [
                                        {"name": "A", "value": "1"},
                                        {"name": "B", "value": "on"},
                                    ],
                                    "resources": {"limits": SAME, "requests": SAME},
                                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                                }
                            ],
                            "restartPolicy": "OnFailure",
                            "volumes": [{"name": "data", "emptyDir": {}}],
                            "nodeSelector": {"gpu": "true"},
                        },
                    },
                },
            },
            primaryContainerName="trainer",
        )
    ),
    "env-value-from": base(
        trialTemplate=template(
            job(
                ["t", "--lr=${trialParameters.lr}"],
                env=[{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            )
        )
    ),
    "tfjob-chief-and-workers": base(
        trialTemplate=template(
            replicated("TFJob", "tfReplicaSpecs", "tensorflow", {"Chief": 1, "Worker": 2}),
            primaryContainerName="tensorflow",
        )
    ),
    "pytorchjob-workers": base(
        trialTemplate=template(
            {
                **(
                    ts := replicated(
                        "PyTorchJob", "pytorchReplicaSpecs", "pytorch", {"Master": 1, "Worker": 3}
                    )
                ),
                "spec": {**ts["spec"], "runPolicy": {"activeDeadlineSeconds": 3600}},
            },
            primaryContainerName="pytorch",
        )
    ),
    "xgboostjob-master": base(
        trialTemplate=template(
            replicated("XGBoostJob", "xgbReplicaSpecs", "xgboost", {"Master": 1}),
            primaryContainerName="xgboost",
        )
    ),
    "mpijob": base(
        trialTemplate=template(
            {
                "apiVersion": "kubeflow.org/v1",
                "kind": "MPIJob",
                "spec": {
                    "slotsPerWorker": 1,
                    "mpiReplicaSpecs": {
                        "Launcher": {
                            "replicas": 1,
                            "restartPolicy": "OnFailure",
                            "template": {
                                "spec": {
                                    "containers": [
                                        {
                                            "name": "mpi",
                                            "image": "docker.io/me/mpi:1",
                                            "command": ["mpirun", "python", "t.py"],
                                            "args": ["--lr", "${trialParameters.lr}"],
                                        }
                                    ]
                                }
                            },
                        },
                        "Worker": {
                            "replicas": 2,
                            "restartPolicy": "OnFailure",
                            "template": {
                                "spec": {
                                    "containers": [{"name": "mpi", "image": "docker.io/me/mpi:1"}]
                                }
                            },
                        },
                    },
                },
            },
            primaryContainerName="mpi",
            primaryPodLabels={"training.kubeflow.org/job-role": "launcher"},
        )
    ),
    "trainjob": base(
        trialTemplate=template(
            {
                "apiVersion": "trainer.kubeflow.org/v1alpha1",
                "kind": "TrainJob",
                "spec": {
                    "runtimeRef": {"name": "deepspeed-distributed"},
                    "trainer": {
                        "image": "docker.io/me/torch:1",
                        "command": ["torchrun", "t.py", "--lr=${trialParameters.lr}"],
                        "numNodes": 4,
                        "env": [{"name": "EPOCHS", "value": "3"}],
                        "resourcesPerNode": {"limits": {"nvidia.com/gpu": "2"}},
                    },
                },
            },
            primaryContainerName="node",
        )
    ),
    "trainjob-runtime-kind": base(
        trialTemplate=template(
            {
                "apiVersion": "trainer.kubeflow.org/v1alpha1",
                "kind": "TrainJob",
                "spec": {
                    "runtimeRef": {
                        "name": "torch-distributed",
                        "apiGroup": "trainer.kubeflow.org",
                        "kind": "ClusterTrainingRuntime",
                    },
                    "trainer": {
                        "image": "docker.io/me/torch:1",
                        "command": ["t", "${trialParameters.lr}"],
                    },
                },
            },
            primaryContainerName="node",
        )
    ),
    "configmap-source": base(
        trialTemplate={
            "primaryContainerName": "training-container",
            "successCondition": 'status.conditions.#(type=="Complete")#|#(status=="True")#',
            "failureCondition": 'status.conditions.#(type=="Failed")#|#(status=="True")#',
            "trialParameters": [{"name": "lr", "reference": "lr"}],
            "configMap": {
                "configMapName": "templates",
                "configMapNamespace": "team",
                "templatePath": "job.yaml",
            },
        }
    ),
    "configmap-source-renamed": base(
        trialTemplate={
            "primaryContainerName": "training-container",
            "successCondition": "status.succeeded",
            "failureCondition": "status.failed",
            "trialParameters": [{"name": "learningRate", "reference": "lr", "description": "x"}],
            "configMap": {
                "configMapName": "templates",
                "configMapNamespace": "team",
                "templatePath": "renamed.yaml",
            },
        }
    ),
    "raw-kind": base(
        trialTemplate=template(
            {
                "apiVersion": "ray.io/v1",
                "kind": "RayJob",
                "spec": {
                    "entrypoint": "python t.py --lr ${trialParameters.lr}",
                    "rayClusterSpec": {"headGroupSpec": {"rayStartParams": {}}},
                },
            },
            primaryContainerName="ray-head",
            successCondition="status.jobStatus == SUCCEEDED",
            failureCondition="status.jobStatus == FAILED",
        )
    ),
    "job-numbers-and-text": base(
        trialTemplate=template(
            job(
                ["sh", "-c", "python t.py \\\n  --lr ${trialParameters.lr}\n", "10", "0.5", ""],
                resources={"limits": {"cpu": 0.5, "memory": "1Gi"}},
                ports=[{"containerPort": 8080}],
            )
        )
    ),
}

NAS_CASES: dict[str, dict[str, Any]] = {
    "nas-enas-duplicate-operations": base(
        parameters=[],
        algorithm={"algorithmName": "enas"},
        nasConfig={
            "graphConfig": {"numLayers": 2, "inputSizes": [32, 32, 3], "outputSizes": [10]},
            "operations": [
                {
                    "operationType": "convolution",
                    "parameters": [
                        {
                            "name": "filter_size",
                            "parameterType": "categorical",
                            "feasibleSpace": {"list": ["3", "5"]},
                        }
                    ],
                },
                {
                    "operationType": "convolution",
                    "parameters": [
                        {
                            "name": "stride",
                            "parameterType": "int",
                            "feasibleSpace": {"min": "1", "max": "2", "distribution": "uniform"},
                        },
                        {
                            "name": "stride",
                            "parameterType": "discrete",
                            "feasibleSpace": {"list": ["1", "2"]},
                        },
                    ],
                },
            ],
        },
        trialTemplate=template(
            job(["t", "--arch=${trialParameters.architecture}", "${trialParameters.nn_config}"]),
            [
                {"name": "architecture", "reference": "architecture"},
                {"name": "nn_config", "reference": "nn_config"},
            ],
        ),
    ),
    "nas-darts": base(
        parameters=[],
        objective={"type": "maximize", "objectiveMetricName": "Best-Genotype"},
        algorithm={
            "algorithmName": "darts",
            "algorithmSettings": [{"name": "num_epochs", "value": "1"}],
        },
        maxTrialCount=1,
        parallelTrialCount=1,
        nasConfig={
            "graphConfig": {"numLayers": 3},
            "operations": [
                {
                    "operationType": "separable_convolution",
                    "parameters": [
                        {
                            "name": "filter_size",
                            "parameterType": "categorical",
                            "feasibleSpace": {"list": ["3"]},
                        }
                    ],
                },
                {
                    "operationType": "max_pooling",
                    "parameters": [
                        {
                            "name": "filter_size",
                            "parameterType": "categorical",
                            "feasibleSpace": {"list": ["3"]},
                        }
                    ],
                },
            ],
        },
        trialTemplate=template(
            job(
                [
                    "t",
                    "${trialParameters.algorithmSettings}",
                    "${trialParameters.searchSpace}",
                    "${trialParameters.numberLayers}",
                ]
            ),
            [
                {"name": "algorithmSettings", "reference": "algorithm-settings"},
                {"name": "searchSpace", "reference": "search-space"},
                {"name": "numberLayers", "reference": "num-layers"},
            ],
        ),
        metricsCollectorSpec={"source": {"filter": {"metricsFormat": ["([\\w-]+)=(Genotype.*)"]}}},
    ),
}

CONFIGMAPS = configmap_templates(
    [
        {
            "kind": "ConfigMap",
            "metadata": {"name": "templates", "namespace": "team"},
            "data": {
                "job.yaml": json.dumps(job(["t", "--lr=${trialParameters.lr}"])),
                "renamed.yaml": json.dumps(job(["t", "--lr=${trialParameters.learningRate}"])),
            },
        }
    ]
)


@pytest.mark.parametrize("case", sorted({**CASES, **NAS_CASES}))
def test_hand_written_manifest_round_trips(case: str) -> None:
    roundtrip({**CASES, **NAS_CASES}[case], CONFIGMAPS)


# --- what the specs look like ----------------------------------------------------------------


def test_defaults_are_left_out() -> None:
    _, text, _ = roundtrip(base())
    assert text.splitlines()[1:] == [
        "name: edge",
        "revisionSuffix: false",  # the manifest's name is kept exactly
        "objective: {maximize: accuracy, goal: 0.9}",
        "algorithm: random",
        "trials: {max: 6}",
        "parameters:",
        "  lr: {min: 0.01, max: 0.1}",
        "trial:",
        "  image: docker.io/me/train:1",
        "  command: [python3, train.py, '--lr=${lr}']",
    ]


def test_a_name_with_its_own_revision_imports_as_the_spec_name() -> None:
    """`<name>-<revision>` is what compile names a revision: it imports as `name`, and compiles
    back to the same object name; any other suffix is kept exactly."""
    stored = import_experiment(Document(base(), "m.yaml"), config=CONFIG).stored
    assert stored is not None
    revision = revision_of(stored)
    manifest = base()
    manifest["metadata"]["name"] = f"edge-{revision}"
    _, text, _ = roundtrip(manifest)
    assert text.splitlines()[1] == "name: edge" and "revisionSuffix" not in text
    manifest["metadata"]["name"] = "edge-0123456789"
    _, text, _ = roundtrip(manifest)
    assert "name: edge-0123456789\nrevisionSuffix: false\n" in text


def test_schema_line_and_namespace() -> None:
    one, text, _ = roundtrip(base(), folder="elsewhere")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/spec.schema.json\n")
    assert "namespace: team" in text
    assert "namespace" not in yaml_text([one], None).split("\n")[0]
    assert not yaml_text([one], None).startswith("#")


def test_forms_chosen_for_corners() -> None:
    texts = {case: yaml_text([roundtrip(CASES[case], CONFIGMAPS)[0]]) for case in CASES}
    # accuracy would default to min (the objective's direction), so it stays
    assert "strategies: {f1: max, loss: latest, accuracy: max}" in texts["strategies-unusual-order"]
    # loss is written first, so its (default) strategy must be said to keep Katib's order
    assert "strategies: {loss: max}}" in texts["strategies-default-ones-written"]
    assert "{name: other, value: mean}" in texts["strategies-duplicates-and-odd-values"]
    assert "{name: random_state, value: 11}]" in texts["settings-duplicate-names"]
    ambiguous = texts["settings-typed-and-ambiguous"]
    for expected in ("n_EI_candidates: 24", "gamma: 0.25", "tiny: '1e-3'", "flag: 'yes'"):
        assert expected in ambiguous
    for expected in ("padded: '010'", "empty: ''", "time: '1:30'", "date: '2024-01-01'"):
        assert expected in ambiguous
    assert "lr: {min: '0.010', max: 1}" in texts["string-bounds"]  # a string bound: double
    assert "'n': {type: int, min: '01', max: '+9'}" in texts["string-bounds"]
    assert "--lr: {min: 0.1, max: 1}" in texts["dashed-names"]
    assert "opt: [sgd, adam]" in texts["lists-and-distributions"]
    assert "size: ['3', '5']" in texts["lists-and-distributions"]
    assert "batch: [16, 32]" in texts["lists-and-distributions"]
    assert "log: true" in texts["lists-and-distributions"]
    assert "path: /out/m.log" in texts["collector-file-path"]
    assert "collector" not in texts["collector-file-path"]
    assert "metrics: {collector: TensorFlowEvent}" in texts["collector-tfevent"]
    assert "kind: TFJob" in texts["tfjob-chief-and-workers"]
    assert "replicas: {Chief: 1, Worker: 2}" in texts["tfjob-chief-and-workers"]
    assert "workers: 3" in texts["pytorchjob-workers"]
    assert "deadline: 3600" in texts["pytorchjob-workers"]
    assert "kind: MPIJob" in texts["mpijob"] and "workers: 2" in texts["mpijob"]
    assert "runtime: deepspeed-distributed" in texts["trainjob"]
    assert "resources: {cpu: 2, memory: 4Gi, gpu: 1}" in texts["job-extras"]
    assert "env: {A: 1, B: 'on'}" in texts["job-extras"]
    assert "trial.name" in texts["meta-references"]
    assert "parameters" not in texts["derived-meta-references"].split("trial:")[1]
    assert "description: Learning rate" in texts["described-parameters"]
    assert "retain: true" in texts["retain-and-conditions"]
    assert "successCondition" not in texts["retain-and-conditions"]
    assert "failureCondition" in texts["retain-and-conditions"]
    assert (
        "configMap: {name: templates, namespace: team, key: job.yaml}" in texts["configmap-source"]
    )


def test_metadata_labels_and_annotations_are_kept() -> None:
    _, text, py = roundtrip(CASES["metadata"])
    assert "labels: {katib-gitops.dev/tier: gold, team: vision}" in text  # Katib sorts them
    assert "note: 'yes'" in text
    assert 'labels={"katib-gitops.dev/tier": "gold", "team": "vision"}' in py


# --- manifests from a cluster, without a namespace, or that Katib rejects --------------------


def test_server_fields_are_left_out_with_notes() -> None:
    manifest = base()
    manifest["metadata"].update(
        uid="1234",
        resourceVersion="99",
        generation=2,
        creationTimestamp="2024-01-01T00:00:00Z",
        finalizers=["update-prometheus-metrics"],
        annotations={
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "owner": "bob",
        },
    )
    manifest["status"] = {"trials": 3}
    one = import_experiment(Document(manifest, "m.yaml"), config=CONFIG)
    assert one.exact
    notes = " ".join(one.notes)
    assert "metadata.uid" in notes and "metadata.finalizers" in notes
    assert "last-applied-configuration" in notes and "status" in notes
    assert one.spec["annotations"] == {"owner": "bob"}


def test_missing_namespace_takes_the_folder() -> None:
    manifest = base()
    del manifest["metadata"]["namespace"]
    one = import_experiment(Document(manifest, "m.yaml"), folder="team", config=CONFIG)
    assert one.exact and "namespace" not in one.spec
    assert any("no namespace" in n for n in one.notes)


def test_rejected_manifest_is_still_imported() -> None:
    manifest = base(maxTrialCount=2, parallelTrialCount=5)
    one = import_experiment(Document(manifest, "m.yaml"), config=CONFIG)
    assert not one.admission.allowed
    assert one.exact  # the spec says what the manifest says, mistakes included
    assert one.spec["trials"] == {"max": 2, "parallel": 5}


def test_undecodable_manifest_gives_the_shortest_guess() -> None:
    manifest = base()
    manifest["spec"]["parameters"][0]["feasibleSpace"] = {"min": 0.01, "max": 0.1}
    one = import_experiment(Document(manifest, "m.yaml"), config=CONFIG)
    assert not one.admission.allowed and one.stored is None and not one.exact
    assert one.spec["parameters"] == {"lr": {"min": 0.01, "max": 0.1}}
    assert any("written as '0.01'" in n for n in one.notes)


def test_undecodable_yaml11_boolean_is_guessed_as_its_spelling(tmp_path: Path) -> None:
    """`reference: on` is the boolean true to kubectl (KATIB-H1); the guess quotes it."""
    (doc,) = parse_documents(
        dump(base()).replace("reference: lr", "reference: on"), str(tmp_path / "m.yaml")
    )
    one = import_experiment(doc, config=CONFIG)
    assert one.stored is None
    assert one.spec["trial"]["parameters"] == [{"name": "lr", "reference": "on"}]
    assert any(
        "reference: Katib cannot decode it (KATIB-H1): written as 'on'" in n for n in one.notes
    )


def test_undecodable_quoted_count_is_unquoted_and_a_list_left_out() -> None:
    manifest = base(maxTrialCount="12", parallelTrialCount=[1])
    one = import_experiment(Document(manifest, "m.yaml"), config=CONFIG)
    assert one.stored is None
    assert one.spec["trials"] == {"max": 12}
    notes = " ".join(one.notes)
    assert "spec.maxTrialCount: Katib cannot decode it (KATIB-H1): written as 12" in notes
    assert "spec.parallelTrialCount: Katib cannot decode it (KATIB-H1): left out" in notes


# --- generated manifests --------------------------------------------------------------------

TRICKY = [
    *("0.5", "1", "010", "1e-3", "1.0", "-2", "+3", "yes", "on", "null", "true", "~", ""),
    *(" x", "x ", "a: b", "a #b", "#", "-", "- x", "[x]", "{x}", "a,b", "'", '"', "\\"),
    *("${HOME}", "$${x}", "$", "é", "1:30", "2024-01-01", "two\nlines", "end\n", "t\tab"),
]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
NUMERIC = st.sampled_from(["0", "1", "0.5", "0.010", "1e-3", "10", "-2", "+3", "007", "3.0"])


@st.composite
def parameters_(draw: Any) -> list[dict[str, Any]]:
    names = draw(
        st.lists(st.sampled_from(["lr", "--lr", "yes", "a.b", "n 1", "x"]), min_size=1, max_size=3)
    )
    out = []
    for name in names:
        kind = draw(st.sampled_from(["double", "int", "categorical", "discrete"]))
        space: dict[str, Any]
        if kind in ("double", "int"):
            space = {"min": draw(NUMERIC), "max": draw(NUMERIC)}
            if draw(st.booleans()):
                space["step"] = draw(NUMERIC)
        else:
            space = {"list": draw(st.lists(st.one_of(NUMERIC, TEXT), min_size=1, max_size=3))}
        if draw(st.booleans()):
            space["distribution"] = draw(
                st.sampled_from(["uniform", "logUniform", "normal", "logNormal"])
            )
        out.append(param(name, kind, **space))
    return out


@st.composite
def manifests(draw: Any) -> dict[str, Any]:
    metrics = ["loss", "acc", "x y"]
    metric = draw(st.sampled_from(metrics))
    objective: dict[str, Any] = {
        "type": draw(st.sampled_from(["minimize", "maximize"])),
        "objectiveMetricName": metric,
    }
    also = draw(st.lists(st.sampled_from([m for m in metrics if m != metric]), max_size=3))
    if also:
        objective["additionalMetricNames"] = also
    strategy = st.fixed_dictionaries(
        {"name": st.sampled_from(metrics), "value": st.sampled_from(["min", "max", "latest"])}
    )
    strategies = draw(st.lists(strategy, max_size=3))
    if strategies:
        objective["metricStrategies"] = strategies
    goal = draw(st.none() | st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-5, 5))
    if goal is not None:
        objective["goal"] = goal
    settings = draw(st.lists(st.tuples(st.sampled_from(["a", "b", "seed"]), TEXT), max_size=3))
    params = draw(parameters_())
    seen: dict[str, dict[str, str]] = {}
    for i, p in enumerate(params):
        if p["name"] not in seen:
            tp = {"name": p["name"] if draw(st.booleans()) else f"p{i}", "reference": p["name"]}
            if draw(st.booleans()):
                tp["description"] = draw(TEXT) or "d"
            seen[p["name"]] = tp
    tps = list(seen.values())
    pieces = [draw(TEXT) + f"${{trialParameters.{tp['name']}}}" + draw(TEXT) for tp in tps]
    command = draw(st.permutations([*pieces, *draw(st.lists(TEXT, max_size=2))]))
    ts = draw(
        st.sampled_from(
            [
                job(command),
                replicated("TFJob", "tfReplicaSpecs", "tensorflow", {"Worker": 2}, command),
                replicated("PyTorchJob", "pytorchReplicaSpecs", "x", {"Master": 1}, command),
                {
                    "apiVersion": "trainer.kubeflow.org/v1alpha1",
                    "kind": "TrainJob",
                    "spec": {
                        "runtimeRef": {"name": "torch-distributed"},
                        "trainer": {"image": "docker.io/me/x:1", "command": command},
                    },
                },
            ]
        )
    )
    if draw(st.booleans()):
        ts["spec"]["backoffLimit"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        ts["metadata"] = {"labels": {"k": draw(TEXT)}}
    most = draw(st.integers(1, 10))
    spec: dict[str, Any] = {
        "objective": objective,
        "algorithm": {
            "algorithmName": "random",
            **(
                {"algorithmSettings": [{"name": n, "value": v} for n, v in settings]}
                if settings
                else {}
            ),
        },
        "parameters": params,
        "maxTrialCount": most,
        "parallelTrialCount": draw(st.integers(1, most)),
        "trialTemplate": template(ts, tps),
        "metricsCollectorSpec": draw(
            st.sampled_from(
                [
                    mc("StdOut"),
                    mc("File"),
                    mc("File", file_path("/m.json", format="JSON")),
                    mc("TensorFlowEvent", file_path("/tf", "Directory")),
                    mc("Custom", file_path("/c"), customCollector=CUSTOM),
                    mc("Push"),
                    {"source": {"filter": {"metricsFormat": ["(\\w+)=(\\d+)"]}}},
                ]
            )
        ),
    }
    if draw(st.booleans()):
        spec["maxFailedTrialCount"] = draw(st.integers(0, most))
    return base(**spec)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_generated_manifests_round_trip(manifest: dict[str, Any]) -> None:
    """Whatever Katib can decode comes back exactly, accepted or not."""
    one = import_experiment(Document(manifest, "m.yaml"), config=CONFIG)
    assume(one.stored is not None)
    assert one.exact, one.found.differing
    text = yaml_text([one])
    assert check_yaml(text, "spec.yaml", [one], CONFIG) == [True], text
    py = python_spec_text([one], CONFIG)
    assert check_python(py, [one], CONFIG) == [True], py


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "${trialParameters.lr}",
        "$${trialParameters.lr}",
        "$$${trialParameters.lr}",
        "${HOME}",
        "$${HOME}",
        "${a{b}}",
        "$",
        "${}",
        "${trialParameters.unknown}",
        "x${trialParameters.lr}${trialParameters.lr}$",
    ],
)
def test_spec_text_inverts_rewrite(text: str) -> None:
    names = {"lr": "rate"}
    assert rewrite(spec_text(text, names), {"rate": "lr"}) == text


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("10", 10),
        ("0.5", 0.5),
        ("3.0", 3.0),
        ("1e-05", 1e-05),
        ("1e-3", "1e-3"),
        ("010", "010"),
        ("-0", "-0"),
        ("true", True),
        ("yes", "yes"),
        ("99999999999999999999", "99999999999999999999"),
        ("nan", "nan"),
    ],
)
def test_typed_keeps_the_stored_text(stored: str, expected: Any) -> None:
    assert typed(stored) == expected
    assert type(typed(stored)) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "on",
        "~",
        "null",
        "",
        " lead",
        "trail ",
        "1:30",
        "0x1F",
        "0o17",
        "1_000",
        "2024-01-01",
        "1e3",
        ".5",
        "-.inf",
        "=",
        "<<",
        "a: b",
        "a #b",
        "- x",
        "-",
        "@x",
        "`x",
        "it's",
        'say "hi"',
        "both ' and \"",
        "tab\there",
        "line\nbreak",
        "two\n\n",
        "no newline\nat end",
        "\u2028",
        "é",
        "{x}",
        "[x]",
        "a,b",
        "${lr}",
    ],
)
def test_yaml_scalars_read_back(value: str) -> None:
    data = {"k": value, "flow": [value, "x"], value or "e": 1}
    for safe in (False, True):
        text = render(data, safe=safe)
        assert parse_documents(text, "t.yaml")[0].data == data, text


def test_floats_stay_floats_for_yaml_1_1() -> None:
    assert render({"a": 1e-05, "b": 1.0, "c": 1e16}) == "a: 1.0e-05\nb: 1.0\nc: 1.0e+16\n"


# --- the command line -----------------------------------------------------------------------

MANIFEST = json.dumps(base())


def test_cli_writes_yaml_and_refuses_to_overwrite(tmp_path: Path, capsys: Any) -> None:
    src = tmp_path / "m.yaml"
    src.write_text(MANIFEST)
    out = tmp_path / "specs" / "team" / "edge.yaml"
    assert main(["import", str(src), "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/spec.schema.json")
    assert "namespace" not in text
    assert main(["import", str(src), "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["import", str(src), "-o", str(out), "--force", "--namespace-folder", "x"]) == 0
    assert "namespace: team" in out.read_text()


def test_cli_python_output(tmp_path: Path) -> None:
    src = tmp_path / "m.yaml"
    src.write_text(MANIFEST)
    out = tmp_path / "edge.py"
    assert main(["import", str(src), "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("from compiler.dsl import ")
    assert 'objective=maximize("accuracy", goal=0.9)' in text


def test_cli_rejected_and_other_documents(tmp_path: Path, capsys: Any) -> None:
    rejected = base(maxTrialCount=2, parallelTrialCount=5)
    src = tmp_path / "m.yaml"
    other = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    src.write_text(json.dumps(other) + "\n---\n" + json.dumps(rejected))
    assert main(["import", str(src)]) == 1
    captured = capsys.readouterr()
    assert "name: edge" in captured.out
    assert "warning: KATIB-V6" in captured.err
    assert "Service): skipped" in captured.err
    assert "Katib rejects this manifest" in captured.err


def test_cli_no_experiment(tmp_path: Path) -> None:
    src = tmp_path / "m.yaml"
    src.write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    assert main(["import", str(src)]) == 2


def test_cli_configmap_beside_the_experiment(tmp_path: Path, capsys: Any) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "templates", "namespace": "team"},
        "data": {"job.yaml": json.dumps(job(["t", "--lr=${trialParameters.lr}"]))},
    }
    src = tmp_path / "m.yaml"
    src.write_text(json.dumps(cm) + "\n---\n" + json.dumps(CASES["configmap-source"]))
    assert main(["import", str(src)]) == 0
    captured = capsys.readouterr()
    assert "configMap: {name: templates, namespace: team, key: job.yaml}" in captured.out
    assert "--configmap" in captured.err


@pytest.mark.parametrize("suffix", [".yaml", ".py"])
def test_cli_import_then_compile_gives_the_stored_object(tmp_path: Path, suffix: str) -> None:
    """Through the real commands (the Python spec runs in the loader's sandbox): `import` into
    specs/, `compile`, and each generated experiment is what Katib stores for its manifest."""
    cases = ["minimal", "trainjob", "meta-references", "described-parameters", "collector-custom"]
    stored = {}
    for case in cases:
        src = tmp_path / f"{case}.json"
        manifest = copy.deepcopy(CASES[case])
        manifest["metadata"]["name"] = case
        src.write_text(json.dumps(manifest))
        out = tmp_path / "specs" / "team" / f"{case}{suffix}"
        assert main(["import", str(src), "-o", str(out)]) == 0
        one = import_experiment(Document(manifest, "m.json"), config=CONFIG)
        stored[case] = dump(one.stored)
    assert main(["compile", "--root", str(tmp_path)]) == 0
    for case in cases:
        text = (tmp_path / "generated" / "team" / case / f"{case}.yaml").read_text()
        body = "".join(line for line in text.splitlines(True) if not line.startswith("#"))
        assert body == stored[case], case


# --- Katib's examples -----------------------------------------------------------------------


def _examples(shared: Path) -> list[Path]:
    return sorted((shared / "katib" / "examples").glob("*/*.yaml"))


@pytest.mark.shared
def test_katib_examples_round_trip(shared_dir: Path) -> None:
    """Every example Katib accepts: import → compile gives `admit -o yaml`, for both the YAML
    and the Python spec; the spec is much shorter than the manifest."""
    seen = 0
    for path in _examples(shared_dir):
        rel = path.relative_to(shared_dir / "katib" / "examples").as_posix()
        docs = [d for d in load_file(path) if isinstance(d.data, dict)]
        experiments = [d for d in docs if d.data.get("kind") == "Experiment"]
        imported = [import_experiment(d, config=CONFIG) for d in experiments]
        allowed = all(i.admission.allowed for i in imported)
        assert allowed == (rel not in REJECTED_EXAMPLES), rel
        if not allowed:
            continue
        text = yaml_text(imported)
        assert check_yaml(text, rel, imported, CONFIG) == [True] * len(imported), (rel, text)
        py = python_spec_text(imported, CONFIG)
        assert check_python(py, imported, CONFIG) == [True] * len(imported), (rel, py)
        assert lines(text) < lines(path.read_text()) * 0.7, (rel, text)
        seen += 1
    assert seen == 30


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "2:7"),
        ("", "1:1"),
        ("y\n", "1:1"),
    ],
)
def test_a_file_without_an_experiment_is_located(
    text: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At the first document's kind (or the file's first line): a mutated `kind` is the
    usual cause."""
    path = tmp_path / "m.yaml"
    path.write_text(text, "utf-8")
    assert main(["import", str(path)]) == 2
    assert f"{path}:{where}: INPUT-KIND no Katib Experiment in this file" in capsys.readouterr().err
