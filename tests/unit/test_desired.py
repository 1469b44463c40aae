"""generated/ read back as the objects apply sends (compiler.desired)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.desired import owned, read_desired
from compiler.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_repositorys_generated_folder() -> None:
    desired = read_desired(files(ROOT / "generated"))
    by_key = desired.by_key()
    d = by_key[("kubeflow", "random-example")]
    assert d.name == f"random-example-{d.revision}" and len(d.revision) == 10
    assert d.source == "specs/kubeflow/random-example.yaml"
    meta = d.manifest["metadata"]
    assert meta["labels"] == {
        "controller-tools.k8s.io": "1.0",  # the file's own label, kept
        "katib-gitops.dev/managed": "true",
        "katib-gitops.dev/experiment": "random-example",
    }
    assert owned(d.manifest)
    assert d.manifest["spec"]["maxTrialCount"] == 12
    experiments = [
        p for p in (ROOT / "generated").rglob("*.yaml") if p.name != "kustomization.yaml"
    ]
    assert len(desired.experiments) == len(experiments)
    # each team's folder is a kustomization of its own (ArgoCD and Flux sync one per team)
    team = read_desired(
        {k[4:]: v for k, v in files(ROOT / "generated").items() if k.startswith("nlp/")}
    )
    assert {d.experiment for d in team.experiments} == {
        "bert-base-grid",
        "bert-large-grid",
        "bert-small-grid",
        "tokenizer-hyperband",
    }


def test_empty_folder_wants_nothing() -> None:
    assert read_desired({}).experiments == ()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.yaml": b"kind: Experiment\n"}, "kustomization.yaml: INPUT-GENERATED is missing"),
        ({"kustomization.yaml": b"resources: [a.yaml]\n"}, "listed in kustomization.yaml"),
        (
            {
                "kustomization.yaml": b"resources: [a.yaml]\n",
                "a.yaml": b"kind: Pod\nmetadata: {}\n",
            },
            "is not an Experiment",
        ),
        (
            {"kustomization.yaml": b"resources: [a.yaml]\n", "a.yaml": b"a: [\n"},
            "a.yaml:2:1: YAML-SYNTAX",
        ),
        ({"kustomization.yaml": b"resources: 3\n"}, "resources must be a list"),
        ({"kustomization.yaml": b"- 1\n"}, "expected one YAML mapping"),
    ],
)
def test_bad_generated_folders_are_located_errors(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(InputError) as err:
        read_desired(files)
    assert message in str(err.value)
