"""The expectations of tests/unit/admission/cases.py, confirmed by Katib's own webhook code:
each rejected case gets exactly the expected (field, type) from Katib, each accepted variant is
accepted by Katib, and ours agrees with Katib on both (verdict, errors, defaulted object)."""

from __future__ import annotations

import pytest

from tests.unit.admission.builders import Cluster, experiment
from tests.unit.admission.cases import BAD, CASES, RuleCase

from .conftest import Check
from .harness import Case

pytestmark = pytest.mark.conformance


def _case(rule: RuleCase, good: bool) -> Case:
    obj = experiment()
    (rule.good if good else rule.bad)(obj)
    cluster = (rule.good_cluster or rule.cluster) if good else rule.cluster
    return _with(Case(f"{rule.id}-{'good' if good else 'bad'}", obj), cluster)


def _with(case: Case, cluster: Cluster) -> Case:
    case.old = cluster.old
    case.configmaps = list(cluster.configmaps)
    case.katib_config = cluster.katib_config
    case.unlabelled_namespace = cluster.unlabelled
    return case


@pytest.mark.parametrize("rule", CASES, ids=[c.id for c in CASES])
def test_rejected_as_expected(rule: RuleCase, check: Check) -> None:
    theirs = check(_case(rule, good=False), "rules")
    got = sorted(
        ("", t) if t == BAD else (f, t)
        for f, t in ((e["field"], e["type"]) for e in theirs["errors"])
    )
    want = sorted(("", t) if t == BAD else (f, t) for f, t, _ in rule.expect)
    assert got == want


@pytest.mark.parametrize("rule", CASES, ids=[c.id for c in CASES])
def test_accepted_variant(rule: RuleCase, check: Check) -> None:
    theirs = check(_case(rule, good=True), "rules")
    assert theirs["allowed"], theirs["errors"]
