"""Steps run as GitHub's runner runs them, for the `run:` steps of a composite action or of a
workflow's job: the inputs, `github.*` values, `runner.temp` and earlier steps' outputs
substituted into `env` and `working-directory`, each script in bash as the runner calls it
(`shell: bash`: `bash --noprofile --norc -eo pipefail`; no shell: `bash -e`), with
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and `if:` evaluated. `uses:` steps are not run
(they are other projects' actions); they are recorded, so a test can see which would have run.

Only the expression forms action.yml uses are understood (`&&` of `!cancelled()`, `a == 'x'`,
`a != 'x'`); anything else fails the test, so that a new form is noticed here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TERM = re.compile(r"^([\w.-]+)\s*(==|!=)\s*'([^']*)'$")


@dataclass
class Step:
    id: str
    outcome: str  # success, failure or skipped
    uses: str = ""
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    steps: list[Step]
    outputs: dict[str, str]
    summary: str

    @property
    def outcome(self) -> str:
        return "failure" if any(s.outcome == "failure" for s in self.steps) else "success"

    def step(self, id_: str) -> Step:
        return next(s for s in self.steps if s.id == id_)


def run_action(action: Path, workspace: Path, runner_temp: Path, inputs: dict[str, str]) -> Run:
    spec: dict[str, Any] = yaml.safe_load(action.read_text(encoding="utf-8"))
    declared = spec["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    values = {k: str(inputs.get(k, v.get("default", ""))) for k, v in declared.items()}
    ctx = _Context(values, {"github.action_path": str(action.parent)}, runner_temp, {})
    for raw in spec["runs"]["steps"]:
        assert "uses" in raw or raw.get("shell") == "bash", "a composite step must say its shell"
    run = run_steps(spec["runs"]["steps"], ctx, workspace)
    outputs = {k: ctx.substitute(str(v["value"])) for k, v in spec.get("outputs", {}).items()}
    return Run(run.steps, outputs, run.summary)


def run_job(
    workflow: Path,
    job: str,
    workspace: Path,
    runner_temp: Path,
    github: dict[str, str],
    *,
    skip: tuple[str, ...] = (),
) -> Run:
    """The `run:` steps of one job; `github` gives the `github.*` values its expressions read;
    steps named in `skip` are recorded as skipped (the test stands in for them)."""
    spec: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    steps = spec["jobs"][job]["steps"]
    names = {s.get("name") for s in steps}
    assert set(skip) <= names, f"no such steps: {set(skip) - names}"
    ctx = _Context({}, {f"github.{k}": v for k, v in github.items()}, runner_temp, {})
    return run_steps(steps, ctx, workspace, skip=skip)


def run_steps(
    steps: list[dict[str, Any]], ctx: _Context, workspace: Path, *, skip: tuple[str, ...] = ()
) -> Run:
    summary = ctx.runner_temp / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    done: list[Step] = []
    for i, raw in enumerate(steps):
        step_id = str(raw.get("id") or f"step{i}")
        if raw.get("name") in skip or not ctx.condition(str(raw.get("if", "success()")), done):
            done.append(Step(step_id, "skipped", raw.get("uses", "")))
        elif "uses" in raw:
            done.append(Step(step_id, "success", raw["uses"]))  # not run here
        else:
            done.append(_run_step(raw, step_id, ctx, workspace=workspace, summary=summary))
        ctx.steps[step_id] = done[-1]
    return Run(done, {}, summary.read_text(encoding="utf-8"))


def _run_step(
    raw: dict[str, Any], step_id: str, ctx: _Context, *, workspace: Path, summary: Path
) -> Step:
    temp = ctx.runner_temp
    output = temp / f"output-{step_id}"
    output.write_text("", encoding="utf-8")
    script = temp / f"script-{step_id}.sh"
    script.write_text(str(raw["run"]), encoding="utf-8")
    env = {
        **os.environ,
        # setup-python is not run: the test's own Python stands in for it
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "example/specs",
        "GITHUB_RUN_ID": "42",
        **{k: ctx.substitute(str(v)) for k, v in (raw.get("env") or {}).items()},
    }
    cwd = workspace / ctx.substitute(str(raw.get("working-directory", ".")))
    shell = raw.get("shell")
    assert shell in (None, "bash"), f"a shell this runner does not know: {shell}"
    command = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if shell else ["bash", "-e"]
    proc = subprocess.run(
        [*command, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    outputs = dict(
        line.split("=", 1)
        for line in output.read_text(encoding="utf-8").splitlines()
        if "=" in line
    )
    outcome = "success" if proc.returncode == 0 else "failure"
    return Step(step_id, outcome, "", proc.stdout, proc.stderr, outputs)


@dataclass
class _Context:
    inputs: dict[str, str]
    known: dict[str, str]  # github.* and other plain values, by their dotted name
    runner_temp: Path
    steps: dict[str, Step]

    def value(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if name in self.known:
            return self.known[name]
        if name == "runner.temp":
            return str(self.runner_temp)
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            step = self.steps.get(parts[1])
            return step.outputs.get(parts[3], "") if step else ""
        if parts[0] == "steps" and len(parts) == 3 and parts[2] == "outcome":
            step = self.steps.get(parts[1])
            return step.outcome if step else ""
        raise AssertionError(f"an expression this runner does not know: {name}")

    def substitute(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, expr: str, done: list[Step]) -> bool:
        found = EXPR.fullmatch(expr.strip())
        body = found.group(1) if found else expr.strip()
        results = []
        for term in (t.strip() for t in body.split("&&")):
            if term == "success()":
                results.append(all(s.outcome != "failure" for s in done))
            elif term == "!cancelled()":
                results.append(True)
            elif (m := TERM.match(term)) is not None:
                left = self.value(m.group(1))
                results.append((left == m.group(3)) == (m.group(2) == "=="))
            else:
                raise AssertionError(f"an `if:` this runner does not know: {term}")
        return all(results)
