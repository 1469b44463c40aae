"""The composite action (action.yml) run step by step, as GitHub's runner runs it, in temporary
git repositories with specs: it installs katib-gitops from its own files (a real pip install of
a copy of this repository's package), then validates, checks, compiles --check and diffs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pr.conftest import Repo, init_repo, spec
from tests.pr.runner import Run, run_action
from tests.pr.test_diff import CONFIG

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ("pyproject.toml", "README.md", "action.yml", "compiler")


@pytest.fixture(scope="module")
def action(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's own folder: a copy of what pip needs to install the package."""
    dest = tmp_path_factory.mktemp("action")
    for name in PACKAGE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest / "action.yml"


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One RUNNER_TEMP for the module, as for the steps of one job: the action's environment
    is installed once (a pip install of the package, about a minute), then reused as it is
    when a job uses the action twice; removed afterwards (it is large)."""
    path = tmp_path_factory.mktemp("runner-temp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _pull_request(root: Path, *, over_the_cap: bool = False) -> Repo:
    repo = init_repo(root)
    repo.write("policies/config.yaml", CONFIG)
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.write("specs/team-a/beta.yaml", spec("beta"))
    repo.compile()
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("specs/team-a/beta.yaml", spec("beta", max=9 if over_the_cap else 8))
    repo.compile()
    repo.commit("pr")
    return repo


def _outcomes(run: Run) -> dict[str, str]:
    return {s.id: s.outcome for s in run.steps}


def test_a_clean_pull_request(action: Path, runner_temp: Path, tmp_path: Path) -> None:
    repo = _pull_request(tmp_path / "repo")
    run = run_action(action, repo.root, runner_temp, {"base-ref": "main", "comment": "true"})
    assert run.outcome == "success", [(s.id, s.stderr[-2000:]) for s in run.steps]
    assert [s.uses.split("@")[0] for s in run.steps if s.uses] == ["actions/setup-python"]
    sarif = json.loads(Path(run.outputs["sarif"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    summary = Path(run.outputs["summary"]).read_text(encoding="utf-8")
    assert summary.startswith("## katib-gitops check: ✅ passed")
    assert summary in run.summary  # and in the job summary
    diff = json.loads(Path(run.outputs["diff"]).read_text(encoding="utf-8"))
    assert diff["summary"]["in-place"] == 1 and diff["stale"] is False
    comment = Path(run.outputs["comment"]).read_text(encoding="utf-8")
    assert comment.startswith("<!-- katib-gitops:diff -->")
    assert "https://github.com/example/specs/actions/runs/42" not in comment  # not cut


def test_every_report_is_written_when_a_check_fails(
    action: Path, runner_temp: Path, tmp_path: Path
) -> None:
    repo = _pull_request(tmp_path / "repo", over_the_cap=True)  # a policy warning
    repo.write("specs/team-a/alpha.yaml", spec("alpha", max=7))  # and generated/ is stale
    run = run_action(
        action,
        repo.root,
        runner_temp,
        {"base-ref": "main", "fail-on": "warning", "comment": "true"},
    )
    assert run.outcome == "failure"
    steps = _outcomes(run)
    assert list(steps.values()) == [
        "success",
        "success",
        "success",
        "failure",
        "failure",
        "success",
    ]
    check = run.steps[3]
    assert "::warning file=specs/team-a/beta.yaml" in check.stdout  # a GitHub annotation
    sarif = json.loads(Path(run.outputs["sarif"]).read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["POLICY-budget-max-trials"]
    diff = json.loads(Path(run.outputs["diff"]).read_text(encoding="utf-8"))
    assert diff["stale"] is True
    assert [f["rule"] for f in diff["policy"]["new"]] == ["budget-max-trials"]


def test_bad_inputs_stop_it_before_anything_runs(
    action: Path, runner_temp: Path, tmp_path: Path
) -> None:
    repo = _pull_request(tmp_path / "repo")
    for inputs, message in (
        ({"fail-on": "info"}, "fail-on must be error or warning"),
        ({"comment": "yes"}, "comment must be true or false"),
    ):
        run = run_action(action, repo.root, runner_temp, {"python-version": "", **inputs})
        assert run.steps[0].outcome == "skipped"  # no setup-python without a version
        assert run.step("install").outcome == "failure"
        assert f"::error::{message}" in run.step("install").stdout
        assert {s.outcome for s in run.steps[2:]} == {"skipped"}


def test_without_a_base_there_is_no_diff(action: Path, runner_temp: Path, tmp_path: Path) -> None:
    repo = _pull_request(tmp_path / "repo")
    for name in ("diff.json", "diff.md"):
        (runner_temp / "katib-gitops" / name).unlink(missing_ok=True)
    run = run_action(action, repo.root, runner_temp, {})
    assert run.outcome == "success"
    assert run.steps[-1].outcome == "skipped"
    assert not Path(run.outputs["diff"]).exists()


def test_a_working_directory_below_the_workspace(
    action: Path, runner_temp: Path, tmp_path: Path
) -> None:
    top = init_repo(tmp_path / "mono")
    ml = Repo(top.root / "ml")
    ml.write("policies/config.yaml", CONFIG)  # without it, check runs the built-in pack
    ml.write("specs/team-a/alpha.yaml", spec("alpha"))
    ml.compile()
    top.commit("base")
    ml.write("specs/team-a/alpha.yaml", spec("alpha", algorithm="tpe"))
    ml.compile()
    top.commit("pr")
    run = run_action(
        action, top.root, runner_temp, {"base-ref": "HEAD~1", "working-directory": "ml"}
    )
    assert run.outcome == "success", [(s.id, s.stderr[-2000:]) for s in run.steps]
    diff = json.loads(Path(run.outputs["diff"]).read_text(encoding="utf-8"))
    assert [e["change"] for e in diff["experiments"]] == ["replace"]
