"""The sample trial of every compile: rendered as Katib would, checked against its schema."""

from __future__ import annotations

from compiler.admission import admit
from compiler.model.source import Document, Location
from compiler.pipeline import sample_trial_findings
from compiler.render.trial import render_trial, trial_template_text

MANIFEST = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {"name": "render", "namespace": "team"},
    "spec": {
        "objective": {"type": "maximize", "objectiveMetricName": "accuracy"},
        "algorithm": {"algorithmName": "random"},
        "maxTrialCount": 3,
        "parameters": [
            {
                "name": "lr",
                "parameterType": "double",
                "feasibleSpace": {"min": "0.1", "max": "0.2"},
            },
            {
                "name": "opt",
                "parameterType": "categorical",
                "feasibleSpace": {"list": ["sgd", "adam"]},
            },
        ],
        "trialTemplate": {
            "primaryContainerName": "main",
            "trialParameters": [
                {"name": "lr", "reference": "lr"},
                {"name": "opt", "reference": "opt"},
                {"name": "app", "reference": "${trialSpec.Labels[app]}"},
            ],
            "trialSpec": {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"labels": {"app": "trainer"}},
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [
                                {
                                    "name": "main",
                                    "image": "x:1",
                                    "command": [
                                        "train",
                                        "--lr=${trialParameters.lr}",
                                        "--opt=${trialParameters.opt}",
                                        "--app=${trialParameters.app}",
                                    ],
                                }
                            ],
                        }
                    }
                },
            },
        },
    },
}


def stored(manifest: dict[str, object]) -> object:
    verdict = admit(Document(manifest, "m.yaml", values={(): Location("m.yaml", 1, 1)}))
    assert verdict.allowed, [d.render() for d in verdict.errors]
    return verdict.experiment


def test_values_are_substituted_as_katib_does() -> None:
    exp = stored(MANIFEST)
    rendered = render_trial(exp, trial_template_text(exp, {}), {"lr": "0.15"})  # type: ignore[arg-type]
    command = rendered.job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["train", "--lr=0.15", "--opt=sgd", "--app=trainer"]
    assert rendered.job["metadata"]["name"] == "render-sample"
    assert rendered.job["metadata"]["namespace"] == "team"
    assert rendered.assignments == {"lr": "0.15", "opt": "sgd"}
    assert rendered.issues == []


def test_a_trial_that_cannot_be_rendered_is_reported_at_the_template() -> None:
    broken = {**MANIFEST}
    spec = dict(broken["spec"])  # type: ignore[arg-type]
    template = dict(spec["trialTemplate"])
    template["trialSpec"] = {**template["trialSpec"], "metadata": {}}  # no label "app" any more
    spec["trialTemplate"] = template
    broken["spec"] = spec
    exp = admit(Document(broken, "m.yaml", values={(): Location("m.yaml", 1, 1)})).experiment
    assert exp is not None
    where = Location("m.yaml", 9, 3)
    located = Document(broken, "m.yaml", values={("spec", "trialTemplate"): where})
    findings = sample_trial_findings(exp, located, {})
    assert [f.code for f in findings] == ["RENDER-TRIAL"]
    assert "labels['app']" in findings[0].message
    assert findings[0].where == where
