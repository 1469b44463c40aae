"""This repository's own policies/: they load without problems, their tests pass, the
repository's specs pass them, and RULES.md is the catalog they print."""

from __future__ import annotations

from pathlib import Path

from compiler.commands.check import POLICIES, check, policy_test, rule_catalog
from compiler.policy.load import load_policies
from compiler.policy.outputs.catalog import render
from tests.conftest import ROOT


def test_the_policies_load_cleanly() -> None:
    policies = load_policies(ROOT / POLICIES, POLICIES)
    assert [d.render() for d in policies.problems] == []
    ids = {r.id for r in policies.rules}
    assert {"failure-budget", "trials-within-search-space"} <= ids
    assert policies.cluster is not None and policies.cluster.katib is not None


def test_the_policy_tests_pass() -> None:
    results = policy_test(ROOT)
    assert [(r.case.name, r.failures) for r in results if not r.passed] == []
    assert {r.case.name for r in results} >= {"failure-budget-missing", "search-space-too-small"}


def test_the_repository_specs_pass_the_policies() -> None:
    report, _ = check(ROOT, use_cache=False)
    assert [i.diagnostic.render() for i in report.failing()] == []


def test_rules_md_is_the_generated_catalog() -> None:
    text = (ROOT / POLICIES / "RULES.md").read_text(encoding="utf-8")
    assert text == render(rule_catalog(ROOT)), (
        "regenerate: katib-gitops policy rules > policies/RULES.md"
    )


def test_the_catalog_documents_every_rule() -> None:
    for info in rule_catalog(Path(ROOT)):
        assert info.title and info.rationale and info.fix, info.id
