"""Repository rules (YAML with a cerberus body, Python with the decorator API) and the
configuration: loaded only from policies/, located problems, frozen inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.model.diagnostics import Severity
from tests.unit.policy.helpers import CONFIG, clean_spec, codes, found, repo, run, where

YAML_RULE = """\
id: team-label
title: Experiments carry a team label
severity: warning
rationale: Cost reports group experiments by team.
fix: "Add labels {team: <name>}."
target: metadata
message: the experiment has no team label
schema:
  labels:
    type: dict
    required: true
    schema: {team: {type: string, required: true}}
"""

CONTAINER_RULE = """\
id: pull-policy
title: Images are pulled once
rationale: Always pulling slows every trial.
fix: Set imagePullPolicy to IfNotPresent.
target: containers
schema:
  imagePullPolicy: {allowed: [IfNotPresent, Never]}
"""

PY_RULE = """\
from compiler.policy.api import Finding, rule

@rule("small-parallel", title="Few trials at once", rationale="Be nice.", fix="Lower it.",
      severity="info")
def small_parallel(subject, context):
    limit = context.param("custom", "parallel", default=1)
    if (subject.experiment.spec.parallel_trial_count or 0) > limit:
        yield Finding(f"parallelTrialCount over {limit}", ("spec", "parallelTrialCount"))
"""

MUTATING_RULE = """\
from compiler.policy.api import Finding, rule

@rule("mutate", title="Tries to write", rationale="None.", fix="None.")
def mutate(subject, context):
    subject.manifest["spec"]["maxTrialCount"] = 1
    yield Finding("unreachable")

@rule("mutate-model", title="Tries to write the model", rationale="None.", fix="None.")
def mutate_model(subject, context):
    subject.experiment.metadata.labels["x"] = "y"
    yield Finding("unreachable")

@rule("mutate-pod", title="Tries to write a pod", rationale="None.", fix="None.")
def mutate_pod(subject, context):
    subject.pods[0].containers[0].data["image"] = "x"
    yield Finding("unreachable")
"""


def test_yaml_rule_on_metadata(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": clean_spec("x")},
        {"config.yaml": CONFIG, "team-label.yaml": YAML_RULE},
    )
    report = run(root)
    (item,) = found(report, "team-label")
    assert item.severity == Severity.WARNING
    assert (
        item.diagnostic.message
        == "the experiment has no team label (metadata.labels: required field)"
    )
    assert where(item) == "specs/team-a/x.yaml:1:7"  # no labels: the experiment's name
    assert report.exit_code == 0  # a warning


def test_yaml_rule_passes_and_its_location(tmp_path: Path) -> None:
    spec = clean_spec("x", head="labels: {team: a}\n")
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": spec},
        {"config.yaml": CONFIG, "team-label.yaml": YAML_RULE},
    )
    assert found(run(root), "team-label") == []


def test_yaml_rule_over_each_container(tmp_path: Path) -> None:
    spec = clean_spec("x").replace("  container:\n", "  container:\n    imagePullPolicy: Always\n")
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": spec},
        {"config.yaml": CONFIG, "pull.yaml": CONTAINER_RULE},
    )
    (item,) = found(run(root), "pull-policy")
    assert where(item) == "specs/team-a/x.yaml:18:22"
    assert "imagePullPolicy: unallowed value Always" in item.diagnostic.message


def test_python_rule_with_parameters_and_severity_override(tmp_path: Path) -> None:
    config = CONFIG + "  custom: {parallel: 1}\nrules: {small-parallel: warning}\n"
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": clean_spec("x")},
        {"config.yaml": config, "small.py": PY_RULE},
    )
    (item,) = found(run(root), "small-parallel")
    assert item.severity == Severity.WARNING
    assert where(item) == "specs/team-a/x.yaml:4:29"


def test_rules_get_frozen_inputs(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {"specs/team-a/x.yaml": clean_spec("x")},
        {"config.yaml": CONFIG, "mutate.py": MUTATING_RULE},
    )
    report = run(root)
    failed = [i for i in report.items if i.diagnostic.code == "POLICY-RULE-FAILED"]
    assert sorted(i.rule for i in failed) == ["mutate", "mutate-model", "mutate-pod"]
    assert all("TypeError" in i.diagnostic.message for i in failed)
    assert found(report, "budget-max-trials") == []  # nothing was changed for later rules


def test_switching_rules_off(tmp_path: Path) -> None:
    spec = clean_spec("x").replace(":1.2.0", ":latest")
    config = CONFIG + "rules:\n  images-tag: off\n"
    assert (
        found(
            run(repo(tmp_path, {"specs/team-a/x.yaml": spec}, {"config.yaml": config})),
            "images-tag",
        )
        == []
    )


@pytest.mark.parametrize(
    ("files", "code", "location", "text"),
    [
        (
            {"config.yaml": "rules: {images-tagg: off}\n"},
            "POLICY-CONFIG",
            "policies/config.yaml:1:9",
            "did you mean images-tag?",
        ),
        (
            {"config.yaml": "parameters: {budget: {maxTrialCount: -1}}\n"},
            "POLICY-CONFIG",
            "policies/config.yaml:1:38",
            "min value is 0",
        ),
        (
            {"config.yaml": "rules: {images-tag: loud}\n"},
            "POLICY-CONFIG",
            "policies/config.yaml:1:21",
            "rules.images-tag",
        ),
        (
            {
                "bad.yaml": YAML_RULE.replace(
                    "type: dict\n    required", "type: dictionary\n    required"
                )
            },
            "POLICY-LOAD",
            "policies/bad.yaml:9:3",
            "not a cerberus schema",
        ),
        (
            {"bad.yaml": YAML_RULE.replace("target: metadata\n", "")},
            "POLICY-LOAD",
            "policies/bad.yaml:1:1",
            "target: required field",
        ),
        (
            {"bad.py": "x = 1\nraise RuntimeError('boom')\n"},
            "POLICY-LOAD",
            "policies/bad.py:2:1",
            "RuntimeError: boom",
        ),
        (
            {"dup.py": PY_RULE.replace("small-parallel", "images-tag")},
            "POLICY-LOAD",
            "policies/dup.py",
            "also defined by built-in",
        ),
        (
            {"cluster.yaml": "namespaces: [a, b]\n"},
            "POLICY-CLUSTER",
            "policies/cluster.yaml:1:13",
            "must be of dict type",
        ),
    ],
)
def test_problems_in_policy_files_are_located(
    tmp_path: Path, files: dict[str, str], code: str, location: str, text: str
) -> None:
    report = run(repo(tmp_path, {"specs/team-a/x.yaml": clean_spec("x")}, files))
    problems = [i for i in report.items if i.diagnostic.code == code]
    assert problems, [i.diagnostic.render() for i in report.items]
    assert where(problems[0]) == location
    assert text in problems[0].diagnostic.render()
    assert report.exit_code == 1


def test_no_policies_folder_runs_the_builtin_pack_and_says_so(tmp_path: Path) -> None:
    # issue 11: a check that ran nothing must not look clean (tests/unit/policy/test_init.py)
    (tmp_path / "specs" / "team-a").mkdir(parents=True)
    (tmp_path / "specs" / "team-a" / "x.yaml").write_text(
        clean_spec("x").replace(":1.2.0", ":latest")
    )
    report = run(tmp_path)
    assert [i.rule for i in report.items if i.rule] == ["images-tag"]
    assert "POLICY-DEFAULTS" in codes(report)


def test_required_limits_are_a_parameter(tmp_path: Path) -> None:
    spec = clean_spec("x").replace(
        "{cpu: 2, memory: 4Gi}", "{limits: {memory: 4Gi}, requests: {cpu: 1}}"
    )
    config = CONFIG.replace(
        "    maxGpusPerTrial: 4\n", "    maxGpusPerTrial: 4\n    limits: [memory]\n"
    )
    report = run(repo(tmp_path, {"specs/team-a/x.yaml": spec}, {"config.yaml": config}))
    assert found(report, "resources-limits") == []
    assert found(report, "resources-requests") == []  # memory's request comes from its limit
    strict = repo(tmp_path, {"specs/team-a/x.yaml": spec}, {"config.yaml": CONFIG})
    (limits,) = found(run(strict), "resources-limits")
    assert limits.diagnostic.message == "training container 'training-container' has no cpu limit"
