"""The GitHub workflows and the composite action: actionlint and zizmor find nothing, every
action is pinned by a full commit, and the permissions are the least each job needs. The
workflow_run workflow never runs the pull request's code."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.pr.tools import actionlint, shellcheck, venv_tool

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
OURS = [
    WORKFLOWS / "pull-request.yml",
    WORKFLOWS / "pull-request-comment.yml",
    ROOT / "action.yml",
]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def _zizmor(*paths: Path, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    zizmor = venv_tool("zizmor", "the dev extra: pip install zizmor")
    proc = subprocess.run(
        [zizmor, "--offline", "--no-config", "--format", "json", *extra, *map(str, paths)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode in (0, 10, 11, 12, 13, 14), proc.stderr  # 1x: findings, by severity
    findings: list[dict[str, Any]] = json.loads(proc.stdout or "[]")
    return findings


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    proc = subprocess.run(
        [
            actionlint(),
            "-no-color",
            f"-shellcheck={shellcheck()}",
            *map(str, sorted(WORKFLOWS.glob("*.yml"))),
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_reads_the_composite_action(tmp_path: Path) -> None:
    """actionlint checks action.yml where a workflow uses it: a workflow in a repository that
    holds the action, with every input, lints clean; an input the action lacks is an error."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # actionlint's project root
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / "action.yml").write_bytes((ROOT / "action.yml").read_bytes())
    inputs = {
        "base-ref": "${{ github.event.pull_request.base.sha }}",
        "fail-on": "warning",
        "comment": "true",
        "python-version": "3.11",
        "working-directory": ".",
    }

    def lint(with_: dict[str, str], output: str = "comment") -> subprocess.CompletedProcess[str]:
        workflow = {
            "name": "uses the action",
            "on": {"pull_request": None},
            "permissions": {"contents": "read"},
            "jobs": {
                "check": {
                    "runs-on": "ubuntu-latest",
                    "steps": [
                        {"uses": "./", "id": "kg", "with": with_},
                        {
                            "run": 'echo "${{ steps.kg.outputs.summary }} '
                            "${{ steps.kg.outputs.sarif }} ${{ steps.kg.outputs.diff }} "
                            f'${{{{ steps.kg.outputs.{output} }}}}"'
                        },
                    ],
                }
            },
        }
        path = tmp_path / ".github" / "workflows" / "use.yml"
        path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
        return subprocess.run(
            [actionlint(), "-no-color", f"-shellcheck={shellcheck()}", str(path)],
            check=False,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    clean = lint(inputs)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    wrong = lint({**inputs, "fail-on-warning": "true"})
    assert wrong.returncode == 1 and 'input "fail-on-warning" is not defined' in wrong.stdout
    wrong = lint(inputs, output="report")
    assert wrong.returncode == 1 and 'property "report" is not defined' in wrong.stdout


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_zizmor_finds_nothing(path: Path) -> None:
    assert _zizmor(path, extra=("--persona", "auditor")) == []


def test_the_only_ignored_zizmor_finding_is_the_justified_trigger() -> None:
    found = _zizmor(*OURS, extra=("--no-ignores",))
    assert [(f["ident"], _file(f)) for f in found] == [
        ("dangerous-triggers", "pull-request-comment.yml")
    ]
    for path in OURS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "zizmor: ignore" in line:  # each with its reason
                assert re.search(r"# zizmor: ignore\[[a-z-]+\] \S.{20,}", line), line


def test_ci_yml_is_clean_too() -> None:
    assert [f["ident"] for f in _zizmor(WORKFLOWS / "ci.yml")] == []


def _file(finding: dict[str, Any]) -> str:
    local = finding["locations"][0]["symbolic"]["key"]["Local"]
    return Path(local["verbatim_path"]).name


def _uses(data: dict[str, Any]) -> list[str]:
    """The `uses:` of every step of a workflow's jobs or of a composite action."""
    steps = [s for job in data.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += data.get("runs", {}).get("steps", [])
    return [str(s["uses"]) for s in steps if "uses" in s]


@pytest.mark.parametrize(
    "path", [*sorted(WORKFLOWS.glob("*.yml")), ROOT / "action.yml"], ids=lambda p: p.name
)
def test_every_action_is_pinned_by_a_full_commit_with_its_version(path: Path) -> None:
    uses = [u for u in _uses(_load(path)) if not u.startswith("./")]
    assert uses
    assert all(PINNED.match(u) for u in uses), uses
    text = path.read_text(encoding="utf-8")
    for u in uses:
        line = next(line for line in text.splitlines() if u in line)
        assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_the_pull_request_workflow_is_read_only() -> None:
    data = _load(WORKFLOWS / "pull-request.yml")
    assert set(data["on"]) == {"pull_request"}
    assert data["permissions"] == {"contents": "read"}
    for job in data["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
        checkout = next(
            s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")
        )
        assert checkout["with"]["persist-credentials"] is False
        assert checkout["with"]["fetch-depth"] == 0  # diff needs the base commit
    text = (WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    assert '--base "$BASE_SHA"' in text and "github.event.pull_request.base.sha" in text
    upload = next(
        s for s in data["jobs"]["experiments"]["steps"] if "upload-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "pr/"


def test_the_comment_workflow_never_runs_the_pull_requests_code() -> None:
    data = _load(WORKFLOWS / "pull-request-comment.yml")
    assert set(data["on"]) == {"workflow_run"}
    assert data["on"]["workflow_run"]["workflows"] == [
        _load(WORKFLOWS / "pull-request.yml")["name"]
    ]
    assert data["permissions"] == {}
    jobs = data["jobs"]
    assert jobs["comment"]["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert jobs["code-scanning"]["permissions"] == {
        "actions": "read",
        "pull-requests": "read",
        "security-events": "write",
    }
    for job in jobs.values():
        assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
        for step in job["steps"]:
            uses = step.get("uses", "")
            assert not uses.startswith(("actions/checkout@", "./")), "never check out the PR"
            for value in [step.get("run", ""), *map(str, (step.get("with") or {}).values())]:
                # the artifact's content reaches no expression; only the run's own ids do
                for expr in re.findall(r"\$\{\{(.*?)\}\}", value):
                    assert "head_branch" not in expr and "pull_requests" not in expr, expr


def test_the_actions_scripts_pass_shellcheck(tmp_path: Path) -> None:
    """actionlint runs shellcheck on the workflows' scripts; the composite action's scripts
    get the same here."""
    steps = [s for s in _load(ROOT / "action.yml")["runs"]["steps"] if "run" in s]
    assert steps
    for i, step in enumerate(steps):
        script = tmp_path / f"step-{i}.sh"
        script.write_text("#!/bin/bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
        proc = subprocess.run(
            [shellcheck(), "--severity=style", str(script)],
            check=False,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout
