"""`katib-gitops run` of a pbt experiment on real subprocesses and real folders (reference §6.8):
Katib's simple-pbt example, fixed so that Katib admits it, runs through generations; each
trial's checkpoint folder starts as a copy of its parent's; the lineage is in results.json and
in the report; a seeded run repeats and resumes exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from compiler.cli import main
from tests.conftest import require_shared

from .conftest import Repo

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "demo" / "simple-pbt.yaml"
TOY = "examples/demo/pbt_toy.py"
LOCAL = (
    "local:\n"
    f'  command: [python3, {TOY}, --epochs=20, "--lr=${{lr}}", '
    "--checkpoint=/var/log/katib/checkpoints/]\n"
    "  workdir: .\n"
)


def with_toy(repo: Repo) -> None:
    (repo.root / TOY).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / TOY, repo.root / TOY)


def fixture_spec(**replace: str) -> str:
    text = SPEC.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def trials(repo: Repo, name: str = "simple-pbt") -> list[dict[str, Any]]:
    return repo.results(name)["trials"]  # type: ignore[no-any-return]


def history(repo: Repo, t: dict[str, Any]) -> list[str]:
    """The trials the checkpoint went through, as the toy records them."""
    ckpt = repo.root / t["lineage"]["checkpoint"] / "training.ckpt"
    return json.loads(ckpt.read_text())["trials"]  # type: ignore[no-any-return]


def ancestors(by_name: dict[str, dict[str, Any]], t: dict[str, Any]) -> list[str]:
    chain = [t["name"]]
    while parent := by_name[chain[0]]["lineage"]["parent"]:
        chain.insert(0, parent)
    return chain


def test_simple_pbt_runs_locally_through_generations(repo: Repo) -> None:
    with_toy(repo)
    path = repo.spec(fixture_spec(), "simple-pbt.yaml")
    assert repo.run(path, "--seed", "1") == 0
    r = repo.results("simple-pbt")
    assert r["status"]["trials"] == r["status"]["trialsSucceeded"] == 30
    assert r["status"]["conditions"][-1]["reason"] == "ExperimentMaxTrialsReached"
    ts = r["trials"]
    by_name = {t["name"]: t for t in ts}
    assert max(t["lineage"]["generation"] for t in ts) >= 3
    for t in ts:
        lin = t["lineage"]
        assert t["labels"]["pbt.suggestion.katib.kubeflow.org/generation"] == str(lin["generation"])
        assert lin["checkpoint"] == f".state/runs/demo/simple-pbt/checkpoints/{t['name']}"
        if lin["generation"] == 0:
            assert (lin["parent"], lin["origin"]) == ("", "random")
        else:
            parent = by_name[lin["parent"]]
            assert parent["index"] < t["index"]
            assert parent["lineage"]["generation"] == lin["generation"] - 1
            assert t["labels"]["pbt.suggestion.katib.kubeflow.org/parent"] == parent["name"]
        # the folder the trial saw at --checkpoint began as its parent's: the whole line is in it
        assert history(repo, t) == ancestors(by_name, t)
    readme = (repo.root / "reports/demo/simple-pbt/README.md").read_text()
    assert "## PBT lineage" in readme
    assert f"#1 {ts[0]['name']}  gen 0 random" in readme


def test_exploit_takes_values_and_continues_its_own_checkpoint(repo: Repo) -> None:
    """Narrow learning rates keep every accuracy above 0, so no ties at the lower cut: each
    generation has an exploited trial. It runs a top trial's lr from its own checkpoint, as
    Katib's service does (`parent=job.uid`)."""
    with_toy(repo)
    text = fixture_spec(
        **{
            "lr: {min: 0.0001, max: 0.02, step: 0.0001}": (
                "lr: {min: 0.0005, max: 0.0025, step: 0.0001}"
            ),
            "parallel: 2": "parallel: 1",
            "max: 30": "max: 14",
        }
    )
    assert repo.run(repo.spec(text, "simple-pbt.yaml"), "--seed", "2") == 0
    ts = trials(repo)
    by_name = {t["name"]: t for t in ts}
    exploited = [t for t in ts if t["lineage"]["origin"] == "exploit"]
    assert exploited
    for t in exploited:
        donor = by_name[t["lineage"]["valuesFrom"]]
        parent = by_name[t["lineage"]["parent"]]
        assert t["parameters"] == donor["parameters"]
        assert (donor["objective"] or 0) > (parent["objective"] or 0)
        assert history(repo, t) == [*history(repo, parent), t["name"]]


def test_a_seeded_run_repeats_and_resumes_exactly(repo: Repo) -> None:
    with_toy(repo)
    text = fixture_spec(**{"parallel: 2": "parallel: 1", "max: 30": "max: 14"})
    path = repo.spec(text, "simple-pbt.yaml")

    def seen() -> list[tuple[str, str, float | None, dict[str, Any]]]:
        return [
            (t["name"], t["parameters"][0]["value"], t["objective"], t["lineage"])
            for t in trials(repo)
        ]

    assert repo.run(path, "--seed", "7") == 0
    whole = seen()
    assert repo.run(path, "--seed", "7", "--fresh") == 0
    assert seen() == whole
    # stop after 8 trials; FromVolume lets Katib continue a finished experiment (§3.3)
    assert repo.run(path, "--seed", "7", "--fresh", "--max-trials", "8") == 0
    assert len(trials(repo)) == 8
    assert repo.run(path) == 0  # the journal keeps the seed and the suggestion's queue
    assert seen() == whole


@pytest.mark.shared
def test_katibs_own_example_fixed_runs_locally(repo: Repo, tmp_path: Path) -> None:
    """examples/v1beta1/hp-tuning/simple-pbt.yaml as Katib ships it is rejected (V-5:
    maxFailedTrialCount 3 > maxTrialCount 2); with 2 it is admitted, imported, and run with a
    `local:` command."""
    example = require_shared() / "katib" / "examples" / "hp-tuning" / "simple-pbt.yaml"
    manifest = tmp_path / "simple-pbt.yaml"
    manifest.write_text(example.read_text())
    assert main(["admit", str(manifest)]) == 1
    manifest.write_text(
        example.read_text().replace("maxFailedTrialCount: 3", "maxFailedTrialCount: 2")
    )
    assert main(["admit", str(manifest)]) == 0
    spec = repo.root / "specs" / "kubeflow" / "simple-pbt.yaml"
    spec.parent.mkdir(parents=True)
    assert main(["import", str(manifest), "-o", str(spec)]) == 0
    spec.write_text(spec.read_text() + LOCAL)
    with_toy(repo)
    assert repo.run("specs/kubeflow/simple-pbt.yaml", "--seed", "3") == 0
    r = json.loads((repo.root / "reports/kubeflow/simple-pbt/results.json").read_text())
    assert r["status"]["trialsSucceeded"] == 2
    for t in r["trials"]:
        # two trials of a population of 40: both in the first, random, generation
        assert (t["lineage"]["generation"], t["lineage"]["origin"]) == (0, "random")
        assert (repo.root / t["lineage"]["checkpoint"] / "training.ckpt").is_file()
