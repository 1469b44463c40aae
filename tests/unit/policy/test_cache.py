"""The cache: unchanged experiments are not checked again; anything that decides findings
(the spec, its lines, the policies) invalidates; waivers apply without a re-check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from compiler.cachesalt import salt
from compiler.commands.check import check
from compiler.policy.cache import FILE
from tests.unit.policy.helpers import CONFIG, clean_spec, found, repo

TODAY = dt.date(2026, 11, 29)


def checked(root: Path) -> tuple[int, int, list[str]]:
    report, outcome = check(root, today=TODAY)
    rendered = sorted(i.diagnostic.render() + str(i.waived) for i in report.items)
    return outcome.checked, outcome.cached, rendered


def make(tmp_path: Path) -> Path:
    specs = {
        f"specs/team-a/e{i}.yaml": clean_spec(f"e{i}").replace(":1.2.0", ":latest")
        for i in range(3)
    }
    return repo(tmp_path, specs)


def test_a_second_run_comes_from_the_cache_with_the_same_findings(tmp_path: Path) -> None:
    root = make(tmp_path)
    first = checked(root)
    second = checked(root)
    assert first[:2] == (3, 0)
    assert second[:2] == (3, 3)
    assert first[2] == second[2]
    assert (root / FILE).is_file()


def test_a_changed_spec_is_checked_again(tmp_path: Path) -> None:
    root = make(tmp_path)
    checked(root)
    spec = root / "specs/team-a/e1.yaml"
    spec.write_text("# a comment moves every line\n" + spec.read_text())
    _, cached, findings = checked(root)
    assert cached == 2
    assert any("e1.yaml:9:10" in f for f in findings)  # the new line, not the cached one


def test_a_changed_policy_checks_everything_again(tmp_path: Path) -> None:
    root = make(tmp_path)
    checked(root)
    (root / "policies/config.yaml").write_text(CONFIG + "rules: {images-tag: off}\n")
    _, cached, findings = checked(root)
    assert cached == 0
    assert not any("images-tag" in f for f in findings)


def test_waivers_apply_to_cached_findings(tmp_path: Path) -> None:
    root = make(tmp_path)
    checked(root)
    (root / "policies/waivers.yaml").write_text(
        "waivers:\n  - {rule: images-tag, target: specs/team-a/*, reason: r, owner: o,\n"
        "     expires: 2027-01-01}\n"
    )
    report, outcome = check(root, today=TODAY)
    assert outcome.cached == 3
    assert all(i.waived for i in found(report, "images-tag"))
    assert report.exit_code == 0


def test_a_broken_cache_file_is_ignored(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / FILE).parent.mkdir(parents=True)
    (root / FILE).write_text("{not json")
    assert checked(root)[:2] == (3, 0)
    data = json.loads((root / FILE).read_text())
    assert data["version"] == 2 and len(data["entries"]) == 3


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = make(tmp_path)
    check(root, today=TODAY, use_cache=False)
    assert not (root / FILE).exists()


def test_a_cache_that_came_with_the_repository_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request can commit .state/policy-cache.json with its findings emptied: keyed
    with a secret of this user's that no repository holds (compiler.cachesalt), it misses."""
    root = make(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "author-cache"))
    salt.cache_clear()
    honest = checked(root)
    assert honest[:2] == (3, 0) and honest[2]
    data = json.loads((root / FILE).read_text())
    for entry in data["entries"].values():
        entry["f"] = []  # the forgery: no findings
    (root / FILE).write_text(json.dumps(data))
    assert checked(root)[2] == []  # the author's own secret: the forgery would be read
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ci-cache"))
    salt.cache_clear()
    assert checked(root) == honest  # CI's secret: every experiment is checked again
    assert (tmp_path / "ci-cache" / "katib-gitops" / "cache-salt").stat().st_mode & 0o077 == 0
    salt.cache_clear()
