"""A repository without policies (issue 11, item 5): `check` runs the built-in pack with its
defaults and says so, `compile` enforces nothing; `policy init` writes a starting policies/
that changes no finding and no verdict, and refuses to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from compiler.admission.katibconfig import default_config
from compiler.cli import main
from compiler.commands.katibconfig import resolve_katib_config
from compiler.load.files import load_file
from compiler.policy.builtin import RULES
from compiler.policy.load import load_policies
from tests.unit.policy.helpers import clean_spec, write

FILES = ("policies/config.yaml", "policies/cluster.yaml", "policies/waivers.yaml")


def specs_only(root: Path) -> Path:
    write(root, "specs/team-a/x.yaml", clean_spec("x").replace(":1.2.0", ":latest"))
    write(root, "specs/team-b/b.yaml", clean_spec("exp-b"))
    return root


def check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    capsys.readouterr()
    code = main(["check", "--root", str(root), "-f", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_check_without_policies_runs_the_builtin_pack_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = check_json(specs_only(tmp_path), capsys)
    assert code == 1  # images-tag: an error of the built-in pack
    assert doc["policies"] == {"source": "the built-in pack with its defaults"}
    note = doc["findings"][0]
    assert (note["code"], note["severity"]) == ("POLICY-DEFAULTS", "info")
    assert "no policies/ folder" in note["message"] and "policy init" in note["hint"]
    assert [f["rule"] for f in doc["findings"] if f["rule"]] == ["images-tag"]
    capsys.readouterr()
    main(["check", "--root", str(tmp_path)])
    assert "info: POLICY-DEFAULTS no policies/ folder" in capsys.readouterr().out


def test_compile_without_policies_enforces_none(tmp_path: Path) -> None:
    assert main(["compile", "--root", str(specs_only(tmp_path))]) == 0
    write(tmp_path, "policies/cluster.yaml", "name: c\n")  # a profile configures no policy
    assert main(["compile", "--root", str(tmp_path), "--check"]) == 0


def test_policy_init_writes_a_start_that_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = specs_only(tmp_path)
    _, before = check_json(root, capsys)
    assert main(["policy", "init", "--root", str(root)]) == 0
    assert sorted(str(p.relative_to(root)) for p in (root / "policies").iterdir()) == sorted(FILES)
    _, after = check_json(root, capsys)
    assert after["policies"] == {"source": "policies/"}
    assert [f for f in before["findings"] if f["code"] != "POLICY-DEFAULTS"] == after["findings"]
    assert after["katibConfig"]["source"] == "policies/cluster.yaml"
    assert after["katibConfig"]["digest"] == before["katibConfig"]["digest"]  # Katib's default
    assert main(["compile", "--root", str(root)]) == 1  # compile now enforces the pack


def test_policy_init_files_read_the_same_everywhere(tmp_path: Path) -> None:
    assert main(["policy", "init", "--root", str(specs_only(tmp_path))]) == 0
    for rel in FILES:
        ours = load_file(tmp_path / rel)[0].data
        assert yaml.safe_load((tmp_path / rel).read_text("utf-8")) == ours, rel
    policies = load_policies(tmp_path / "policies")
    assert policies.problems == ()
    assert {r.id: policies.config.enabled(r.id, not r.enabled) for r in RULES} == {
        r.id: r.enabled for r in RULES
    }  # every built-in rule is listed, at its default
    assert policies.cluster is not None and policies.cluster.katib is not None
    assert policies.cluster.katib.digest() == default_config().digest()
    assert "#       team-a: [team-a]" in (tmp_path / FILES[0]).read_text()
    assert "#   team-b:" in (tmp_path / FILES[1]).read_text()


def test_policy_init_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "policies/cluster.yaml", "name: ours\n")
    capsys.readouterr()
    assert main(["policy", "init", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "policies/cluster.yaml already exists: nothing written" in err and "--force" in err
    assert sorted(p.name for p in (tmp_path / "policies").iterdir()) == ["cluster.yaml"]
    assert (tmp_path / "policies/cluster.yaml").read_text() == "name: ours\n"
    assert main(["policy", "init", "--root", str(tmp_path), "--force"]) == 0
    assert "katibConfig:" in (tmp_path / "policies/cluster.yaml").read_text()


def test_policy_init_for_one_of_several_clusters(tmp_path: Path) -> None:
    assert main(["policy", "init", "--root", str(tmp_path), "--cluster", "gpu-east"]) == 0
    assert (tmp_path / "policies/clusters/gpu-east.yaml").is_file()
    assert not (tmp_path / "policies/cluster.yaml").exists()
    choice = resolve_katib_config(tmp_path)  # the only profile: the default one
    assert choice.source == "policies/clusters/gpu-east.yaml" and choice.cluster == "gpu-east"
    assert main(["policy", "init", "--root", str(tmp_path), "--cluster", "../x"]) == 2
