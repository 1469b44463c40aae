"""The pod templates a rule sees, for each trial kind, and the frozen inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.admission.katibconfig import default_config
from compiler.model.source import Document
from compiler.normalize import SpecContext
from compiler.pipeline import compile_document
from compiler.policy.subject import SpecInfo, Subject, build_subject
from compiler.yamlsafe import parse_documents
from tests.unit.policy.helpers import clean_spec


def subject_of(text: str, path: str = "specs/team-a/x.yaml") -> Subject:
    doc: Document = parse_documents(text, path)[0]
    c = compile_document(doc, SpecContext(path, "team-a"), default_config())
    assert c.manifest is not None and c.experiment is not None, [d.render() for d in c.diagnostics]
    return build_subject(c.manifest, c.experiment, SpecInfo(path, "team-a", c.name))


@pytest.mark.parametrize(
    ("kind", "roles", "replicas"),
    [
        ("Job", ["Job"], [1]),
        ("TFJob", ["Worker"], [2]),
        ("PyTorchJob", ["Master", "Worker"], [1, 2]),
        ("XGBoostJob", ["Master", "Worker"], [1, 2]),
        ("MPIJob", ["Launcher", "Worker"], [1, 2]),
        ("TrainJob", ["Node"], [2]),
    ],
)
def test_pod_templates_of_each_kind(kind: str, roles: list[str], replicas: list[int]) -> None:
    trial = "" if kind == "Job" else f"  kind: {kind}\n  workers: 2\n"
    text = clean_spec("x", trial=trial)
    if kind == "TrainJob":
        text = text.replace("  deadline: 3600\n", "").split("  pod:\n")[0]
    s = subject_of(text)
    assert [p.role for p in s.pods] == roles
    assert [p.replicas for p in s.pods] == replicas
    assert all(c.get("image") == "registry.example.com/ml/train:1.2.0" for c in s.training)
    assert [p.complete for p in s.pods] == [kind != "TrainJob"] * len(roles)


def test_raw_kind_pod_template_is_found() -> None:
    text = """\
name: argo
objective: {maximize: accuracy}
algorithm: random
trials: {max: 4, parallel: 2}
parameters:
  lr: {min: 0.01, max: 0.1}
trial:
  spec:
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    spec:
      entrypoint: main
      templates:
        - name: main
          metadata: {labels: {app: train}}
          spec:
            containers:
              - {name: main, image: "registry.example.com/ml/train:1", args: ["--lr=${lr}"]}
  primaryPodLabels: {app: train}
  primaryContainer: main
  successCondition: status.phase == "Succeeded"
  failureCondition: status.phase == "Failed"
"""
    s = subject_of(text)
    assert [p.path for p in s.pods] == [
        ("spec", "trialTemplate", "trialSpec", "spec", "templates", 0)
    ]
    assert [c.name for c in s.training] == ["main"]


def test_inputs_are_read_only() -> None:
    s = subject_of(clean_spec("x"))
    with pytest.raises(TypeError):
        s.manifest["spec"]["maxTrialCount"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        s.pods[0].spec["hostNetwork"] = True  # type: ignore[index]
    with pytest.raises(TypeError):
        s.experiment.spec.trial_template.trial_spec["kind"] = "Pod"  # type: ignore[index,union-attr]
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        s.experiment.metadata.name = "other"  # type: ignore[misc]


def test_team_is_the_folder_under_specs() -> None:
    assert SpecInfo("specs/team-a/x.yaml", "ns", "x").team == "team-a"
    assert SpecInfo("specs/team-a/sub/x.yaml", "ns", "x").team == "team-a"
    assert SpecInfo("specs/x.yaml", "ns", "x").team is None
    assert SpecInfo(str(Path("elsewhere/x.yaml")), "ns", "x").team is None
