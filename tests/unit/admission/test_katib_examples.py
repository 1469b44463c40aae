"""Katib's 33 shipped examples (read from ../shared at test time, never copied): each gets the
verdict Katib's own webhook code gives (confirmed with the oracle), and each accepted one's
`-o yaml` output is a fixed point of `admit -o yaml`.

Reference §9 says simple-pbt.yaml is admitted; Katib rejects it: maxFailedTrialCount 3 is above
maxTrialCount 2 (V-5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.admission import admit, configmap_templates
from compiler.cli import main
from compiler.load.files import load_file
from tests.conftest import SHARED

pytestmark = pytest.mark.shared

EXAMPLES = SHARED / "katib" / "examples"
TP = "spec.trialTemplate.trialParameters"
REJECTED = {
    "hp-tuning/simple-pbt.yaml": [("spec.maxFailedTrialCount", "Invalid", "KATIB-V5")],
    "tekton/pipeline-run.yaml": [(f"{TP}[0].name", "Invalid", "KATIB-V29")],
    "trial-template/trial-configmap-source.yaml": [("spec.trialTemplate", "Invalid", "KATIB-V24")],
}
# Our own ConfigMap in the shape Katib ships (manifests/v1beta1/components/controller/
# trial-templates.yaml): its Job template knows learningRate and momentum only.
SHIPPED_LIKE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: trial-templates
  namespace: kubeflow
data:
  defaultTrialTemplate.yaml: |-
    apiVersion: batch/v1
    kind: Job
    spec:
      template:
        spec:
          containers:
            - name: training-container
              image: registry.example.com/mnist:1.0
              command:
                - "python3"
                - "--lr=${trialParameters.learningRate}"
                - "--momentum=${trialParameters.momentum}"
          restartPolicy: Never
"""


def _examples() -> list[str]:
    if not EXAMPLES.is_dir():
        return []
    return sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.yaml"))


def test_all_33_examples_are_there(shared_dir: Path) -> None:
    assert len(_examples()) == 33
    assert set(REJECTED) <= set(_examples())


@pytest.mark.parametrize("name", _examples())
def test_katib_verdict(name: str, shared_dir: Path) -> None:
    docs = [d for d in load_file(EXAMPLES / name) if d.data.get("kind") == "Experiment"]
    assert len(docs) == 1
    verdict = admit(docs[0])
    assert [(d.field, d.type, d.code) for d in verdict.errors] == REJECTED.get(name, [])


def test_configmap_example_with_the_shipped_configmap(shared_dir: Path, tmp_path: Path) -> None:
    """With the template Katib ships, the example still fails: numberLayers is not in it."""
    cm = tmp_path / "trial-templates.yaml"
    cm.write_text(SHIPPED_LIKE, "utf-8")
    templates = configmap_templates([d.data for d in load_file(cm)])
    (doc,) = load_file(EXAMPLES / "trial-template/trial-configmap-source.yaml")
    verdict = admit(doc, configmaps=templates)
    assert [(d.field, d.type, d.code) for d in verdict.errors] == [
        (f"{TP}[1].name", "Invalid", "KATIB-V29")
    ]


@pytest.mark.parametrize("name", [n for n in _examples() if n not in REJECTED])
def test_yaml_output_is_a_fixed_point(
    name: str, shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admit", "-o", "yaml", str(EXAMPLES / name)]) == 0
    first = capsys.readouterr().out
    again = tmp_path / "again.yaml"
    again.write_text(first, "utf-8")
    assert main(["admit", "-o", "yaml", str(again)]) == 0
    assert capsys.readouterr().out == first
