"""`katib-gitops diff` through its entry point, on real git repositories with two branches:
what merging a pull request does to each experiment, its findings, cost and staleness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler import git_repo
from compiler.changes import compare
from compiler.desired import read_desired
from compiler.prdiff.markdown import MARKER
from tests.pr.conftest import Repo, by_name, spec

# the test specs are minimal: the pod-security and resource rules are off, the trial cap is low
CONFIG = """rules:
  budget-max-trials: warning
  pss-privilege-escalation: off
  pss-capabilities: off
  pss-run-as-non-root: off
  pss-seccomp: off
  resources-requests: off
  resources-limits: off
parameters:
  budget: {maxTrialCount: 8}
"""


@pytest.fixture
def branches(repo: Repo) -> tuple[Repo, str, str]:
    """main: alpha and beta (team-a), gamma (team-b). pr: alpha's algorithm changes (replace),
    beta's budget (in-place), gamma is removed, delta (team-c) is added."""
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.write("specs/team-a/beta.yaml", spec("beta"))
    repo.write("specs/team-b/gamma.yaml", spec("gamma"))
    repo.compile()
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("specs/team-a/alpha.yaml", spec("alpha", algorithm="tpe"))
    repo.write("specs/team-a/beta.yaml", spec("beta", max=10))
    repo.remove("specs/team-b/gamma.yaml")
    repo.write("specs/team-c/delta.yaml", spec("delta", gpus=1))
    repo.compile()
    head = repo.commit("pr")
    return repo, base, head


def test_each_experiment_is_added_removed_in_place_or_replaced(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, base, head = branches
    data = repo.diff_json(capsys, "--base", "main", "--head", "pr")
    assert (data["base"], data["head"], data["stale"]) == (base, head, False)
    exps = by_name(data)
    assert {n: e["change"] for n, e in exps.items()} == {
        "alpha": "replace",
        "beta": "in-place",
        "gamma": "removed",
        "delta": "added",
    }
    # replace: the immutable field, before → after; a new object beside the old one
    alpha = exps["alpha"]
    assert alpha["fields"] == [
        {"path": "spec.algorithm.algorithmName", "before": "random", "after": "tpe"}
    ]
    assert alpha["revision"]["before"] != alpha["revision"]["after"]
    assert alpha["objects"] == {
        "before": f"alpha-{alpha['revision']['before']}",
        "after": f"alpha-{alpha['revision']['after']}",
    }
    # in place: only the budget, the same object
    beta = exps["beta"]
    assert beta["fields"] == [{"path": "spec.maxTrialCount", "before": 6, "after": 10}]
    assert beta["objects"]["before"] == beta["objects"]["after"]
    assert exps["gamma"]["objects"]["after"] is None and exps["gamma"]["fields"] == []
    assert exps["delta"]["objects"]["before"] is None
    assert data["summary"] == {
        "replace": 1,
        "in-place": 1,
        "added": 1,
        "removed": 1,
        "unchanged": 0,
    }
    assert data["namespaces"] == ["team-a", "team-b", "team-c"]
    assert data["teams"] == ["team-a", "team-b", "team-c"]
    assert {n: e["team"] for n, e in exps.items()} == {
        "alpha": "team-a",
        "beta": "team-a",
        "gamma": "team-b",
        "delta": "team-c",
    }


def test_the_classification_is_compare_the_one_plan_uses(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, base, head = branches
    data = repo.diff_json(capsys, "--base", base, "--head", head)
    before = read_desired(git_repo.read_tree(repo.root, base, "generated")).by_key()
    after = read_desired(git_repo.read_tree(repo.root, head, "generated")).by_key()
    for e in data["experiments"]:
        key = (e["namespace"], e["name"])
        b, a = before.get(key), after.get(key)
        expected = compare(b.manifest if b else None, a.manifest if a else None)
        assert e["change"] == expected.change
        assert e["fields"] == [f.as_dict() for f in expected.fields]


def test_the_json_has_the_documented_shape(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = branches
    data = repo.diff_json(capsys, "--base", "main", "--head", "pr")
    assert set(data) == {
        "version",
        "base",
        "head",
        "stale",
        "staleReason",
        "problems",
        "summary",
        "experiments",
        "policy",
        "cost",
        "namespaces",
        "teams",
    }
    assert len(data["base"]) == 40 and isinstance(data["stale"], bool)
    for e in data["experiments"]:
        assert set(e) == {
            "name",
            "namespace",
            "change",
            "fields",
            "revision",
            "objects",
            "spec",
            "cost",
            "team",
        }
        assert set(e["revision"]) == set(e["objects"]) == {"before", "after"}
        assert set(e["cost"]) == {"before", "after", "delta"}
        for f in e["fields"]:
            assert set(f) == {"path", "before", "after"}
    assert set(data["policy"]) == {"new", "fixed"}
    assert set(data["cost"]) == {"before", "after", "delta", "unbounded"}
    assert set(data["cost"]["before"]) == {"cpuHours", "gpuHours"}


def test_the_cost_before_after_and_delta(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = branches
    data = repo.diff_json(capsys, "--base", "main", "--head", "pr")
    exps = by_name(data)
    # maxTrialCount × 2 CPUs × 1 h (deadline 3600 s)
    assert exps["beta"]["cost"] == {
        "before": {"cpuHours": 12.0, "gpuHours": 0.0},
        "after": {"cpuHours": 20.0, "gpuHours": 0.0},
        "delta": {"cpuHours": 8.0, "gpuHours": 0.0},
    }
    assert exps["delta"]["cost"]["before"] is None
    assert exps["delta"]["cost"]["after"] == {"cpuHours": 12.0, "gpuHours": 6.0}
    assert exps["gamma"]["cost"]["delta"] == {"cpuHours": -12.0, "gpuHours": 0.0}
    assert data["cost"] == {
        "before": {"cpuHours": 36.0, "gpuHours": 0.0},
        "after": {"cpuHours": 44.0, "gpuHours": 6.0},
        "delta": {"cpuHours": 8.0, "gpuHours": 6.0},
        "unbounded": {"before": 0, "after": 0},
    }


def test_a_trial_without_a_time_limit_is_unbounded_unless_a_default_is_given(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("empty")
    repo.write("specs/team-a/open.yaml", spec("open", deadline=None))
    repo.compile()
    data = repo.diff_json(capsys, "--base", "HEAD")
    cost = by_name(data)["open"]["cost"]["after"]
    assert cost["cpuHours"] is None and "no time limit" in cost["why"]
    assert data["cost"]["unbounded"] == {"before": 0, "after": 1}
    data = repo.diff_json(capsys, "--base", "HEAD", "--default-deadline", "7200")
    cost = by_name(data)["open"]["cost"]["after"]
    assert cost == {"cpuHours": 24.0, "gpuHours": 0.0, "assumedDeadlineSeconds": 7200}


def test_the_work_tree_is_the_head_when_none_is_given(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = branches
    committed = repo.diff_json(capsys, "--base", "main", "--head", "pr")
    tree = repo.diff_json(capsys, "--base", "main")  # pr is checked out, nothing uncommitted
    assert tree["head"] == "worktree"
    assert tree["experiments"] == committed["experiments"]
    # an uncommitted edit shows at once
    repo.write("specs/team-a/beta.yaml", spec("beta", max=12, parallel=3))
    repo.compile()
    tree = repo.diff_json(capsys, "--base", "main")
    assert by_name(tree)["beta"]["fields"] == [
        {"path": "spec.parallelTrialCount", "before": 2, "after": 3},
        {"path": "spec.maxTrialCount", "before": 6, "after": 12},
    ]


def test_findings_new_and_fixed_against_the_base(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("policies/config.yaml", CONFIG)
    repo.write("specs/team-a/beta.yaml", spec("beta"))
    repo.write("specs/team-b/gamma.yaml", spec("gamma", max=20))  # over the cap of 8
    repo.compile()
    repo.commit("base")
    repo.remove("specs/team-b/gamma.yaml")
    repo.write("specs/team-a/beta.yaml", spec("beta", max=10))  # now over the cap
    repo.compile()
    data = repo.diff_json(capsys, "--base", "HEAD")

    def keys(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
        return [(f["rule"], f["experiment"]) for f in found]

    assert keys(data["policy"]["new"]) == [("budget-max-trials", "team-a/beta")]
    assert keys(data["policy"]["fixed"]) == [("budget-max-trials", "team-b/gamma")]
    new = data["policy"]["new"][0]
    assert new["severity"] == "warning" and "maxTrialCount is 10" in new["message"]
    assert new["location"].startswith("specs/team-a/beta.yaml:")
    assert data["policy"]["fixed"][0]["location"].startswith("specs/team-b/gamma.yaml:")
    markdown = _markdown(repo, capsys, "--base", "HEAD")
    assert "### New findings (1)" in markdown and "### Fixed findings (1)" in markdown


def test_a_finding_that_stays_is_neither_new_nor_fixed(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("policies/config.yaml", CONFIG)
    repo.write("specs/team-a/beta.yaml", spec("beta", max=20))
    repo.compile()
    repo.commit("base")
    repo.write("specs/team-a/beta.yaml", spec("beta", max=20, lr_max=0.2))  # a replace
    repo.compile()
    data = repo.diff_json(capsys, "--base", "HEAD")
    assert by_name(data)["beta"]["change"] == "replace"
    assert data["policy"] == {"new": [], "fixed": []}


def test_a_stale_generated_folder_is_said_prominently(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo, _, _ = branches
    repo.write("specs/team-a/beta.yaml", spec("beta", max=11))  # not compiled
    data = repo.diff_json(capsys, "--base", "main")
    assert data["stale"] is True
    assert data["problems"] == ["generated/team-a/beta/beta.yaml"]
    assert by_name(data)["beta"]["fields"][0]["after"] == 10  # generated/ as committed
    markdown = _markdown(repo, capsys, "--base", "main")
    assert "> [!CAUTION]" in markdown.split("### ")[0]  # in the head, before any section
    assert "generated/ is stale" in markdown
    out = tmp_path / "plan.md"
    assert repo.diff("--base", "main", "--fail-on-stale", "--output", str(out)) == 1
    assert out.read_text(encoding="utf-8").startswith(MARKER)  # written all the same


def test_a_broken_spec_in_the_work_tree_is_located_and_makes_it_stale(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = branches
    repo.write(
        "specs/team-a/broken.yaml", "name: broken\nobjective: {maximize: acc}\nalgorithm: nope\n"
    )
    capsys.readouterr()
    assert repo.diff("--base", "main", "-o", "json") == 0  # a diff was computed
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert "specs/team-a/broken.yaml:" in out.err  # located, on stderr too
    import json

    data = json.loads(out.out)
    assert data["stale"] is True and "do not compile" in data["staleReason"]
    assert all(p.startswith("specs/team-a/broken.yaml:") for p in data["problems"])
    assert any(f["location"].startswith("specs/team-a/broken.yaml:") for f in data["policy"]["new"])
    assert repo.diff("--base", "main", "--fail-on-stale") == 1


def test_the_markdown_is_a_sticky_comment(
    branches: tuple[Repo, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = branches
    markdown = _markdown(repo, capsys, "--base", "main", "--head", "pr")
    assert markdown.startswith(MARKER + "\n")
    assert "| 🔁 replace | 1 |" in markdown and "| ➕ added | 1 |" in markdown
    replace = markdown.split("### 🔁 `team-a/alpha`: replace")[1].split("\n### ")[0]
    assert "> [!WARNING]" in replace and "starts a new run" in replace
    assert "archived to reports/" in replace
    assert '| `spec.algorithm.algorithmName` | "random" | "tpe" |' in replace
    assert "| `spec.maxTrialCount` | 6 | 10 |" in markdown
    assert "**Namespaces:** `team-a`, `team-b`, `team-c`" in markdown
    assert "### Worst-case cost" in markdown


def test_a_base_before_any_spec_adds_everything(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    first = repo.commit("nothing yet")
    repo.write("specs/team-a/alpha.yaml", spec("alpha"))
    repo.compile()
    repo.commit("alpha")
    data = repo.diff_json(capsys, "--base", first, "--head", "HEAD")
    assert [(e["name"], e["change"]) for e in data["experiments"]] == [("alpha", "added")]
    assert data["stale"] is False


def test_a_root_below_the_top_of_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.pr.conftest import init_repo

    top = init_repo(tmp_path / "mono")
    sub = Repo(top.root / "ml")
    sub.write("specs/team-a/alpha.yaml", spec("alpha"))
    sub.compile()
    top.commit("base")
    sub.write("specs/team-a/alpha.yaml", spec("alpha", max=9))
    sub.compile()
    data = sub.diff_json(capsys, "--base", "HEAD")
    assert by_name(data)["alpha"]["change"] == "in-place"
    top.commit("pr")
    data = sub.diff_json(capsys, "--base", "HEAD~1", "--head", "HEAD")
    assert by_name(data)["alpha"]["change"] == "in-place" and data["stale"] is False


def _markdown(repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert repo.diff(*args) == 0 or "--fail-on-stale" in args
    return capsys.readouterr().out
