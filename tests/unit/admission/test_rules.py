"""Every webhook rule of reference §3: a mutation Katib rejects, with Katib's exact field path and
error type and our code `KATIB-<id>`, and a variant Katib accepts. The expectations live in
cases.py; the conformance suite confirms each one against Katib's own code. Then Katib's order
of evaluation and its early stops."""

from __future__ import annotations

import pytest

from compiler.admission.katibconfig import default_config
from compiler.admission.rules import RULES
from compiler.admission.validate import validate_experiment
from compiler.model.katib import Experiment

from .builders import Cluster, Edit, chain, del_, edited, experiment, found, run, set_
from .cases import BAD, CASES, COVERED, MC, POD, TP, TT, RuleCase, configmap_source


def _rule_id(code: str) -> str:
    return code.removeprefix("KATIB-").replace("V", "V-", 1).replace("U", "U-", 1)


def test_every_rule_has_a_case() -> None:
    """V-37c is the one rule Katib cannot reach after defaulting; it is tested apart below."""
    rules = {_rule_id(f"KATIB-{r}") for r in RULES} | {"H-1", "H-2"}
    assert rules - COVERED == {"V-37c"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_rejects(case: RuleCase) -> None:
    verdict = run(edited(case.bad), case.cluster)
    assert not verdict.allowed
    if case.expect[0][1] == BAD:  # H-1/H-2: Katib names no field; we locate it instead
        assert {(d.type, d.code) for d in verdict.errors} == {(BAD, case.expect[0][2])}
    else:
        assert found(verdict) == list(case.expect)  # Katib's order too


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_accepts_the_valid_variant(case: RuleCase) -> None:
    verdict = run(edited(case.good), case.good_cluster or case.cluster)
    assert verdict.allowed, found(verdict)


def test_v37c_empty_feasible_space_without_defaulting() -> None:
    """V-37c: only reachable on an object the mutating webhook has not defaulted."""
    obj = edited(set_("spec.parameters[0].feasibleSpace", {}))
    exp = Experiment.model_validate(obj)
    errors = validate_experiment(exp, None, default_config(), {})
    got = [(e.field, e.type) for e in errors if e.code == "KATIB-V37c"]
    assert got == [("spec.parameters[0].feasibleSpace", "Required")]


def test_h1_accepts_an_integral_float_for_an_int() -> None:
    verdict = run(edited(set_("spec.maxTrialCount", 6.0)))
    assert verdict.allowed
    assert verdict.object is not None
    assert verdict.object["spec"]["maxTrialCount"] == 6
    assert isinstance(verdict.object["spec"]["maxTrialCount"], int)


def test_h2_stops_before_validation() -> None:
    """The namespace check is a 400 of the handler: ValidateExperiment never runs."""
    verdict = run(edited(del_("spec.objective")), Cluster(unlabelled=True))
    assert found(verdict) == [("", BAD, "KATIB-H2")]
    assert 'namespace "team-a"' in verdict.errors[0].message


# --- evaluation order and early stops (reference §3.2) ---------------------------------------


def test_objective_errors_stop_everything_after_them() -> None:
    verdict = run(
        edited(
            set_("spec.maxTrialCount", 0),
            set_("spec.objective.type", "best"),
            del_("spec.algorithm"),
            del_(TT),
            set_(MC, {"collector": {"kind": "Bogus"}}),
        )
    )
    assert [d.code for d in verdict.errors] == ["KATIB-V3", "KATIB-V5", "KATIB-V6", "KATIB-V8"]


def test_order_of_the_sections() -> None:
    verdict = run(
        edited(
            set_("metadata.name", "Bad"),
            set_("spec.algorithm.algorithmName", "bogus"),
            set_("spec.resumePolicy", "Sometimes"),
            set_(f"{TT}.primaryContainerName", ""),
            set_("spec.parameters[0].parameterType", "float"),
            set_(MC, {"collector": {"kind": "Bogus"}}),
        )
    )
    assert [d.code for d in verdict.errors] == [
        "KATIB-V1",
        "KATIB-V13",
        "KATIB-V16",
        "KATIB-V18",
        "KATIB-V37a",
        "KATIB-V48",
    ]


def test_v17_stops_only_the_template_checks() -> None:
    verdict = run(edited(del_(TT), set_("spec.parameters[0].parameterType", "float")))
    assert [d.code for d in verdict.errors] == ["KATIB-V17", "KATIB-V37a"]


@pytest.mark.parametrize(
    ("edit", "stop"),
    [
        (set_(TP, []), "KATIB-V20"),
        (del_(f"{TT}.trialSpec"), "KATIB-V21"),
        (set_(f"{TT}.configMap", {"configMapName": "a", "configMapNamespace": "b"}), "KATIB-V22"),
        (
            chain(configmap_source, set_(f"{TT}.configMap.configMapName", "")),
            "KATIB-V23",
        ),
        (configmap_source, "KATIB-V24"),
    ],
    ids=["V-20", "V-21", "V-22", "V-23", "V-24"],
)
def test_template_stops(edit: Edit, stop: str) -> None:
    """V-20..V-24 end the template checks: the placeholder rules never run, the search space
    and collector checks still do."""
    verdict = run(
        edited(
            set_(f"{TT}.primaryContainerName", ""),
            set_(f"{POD}.containers[0].args", ["${trialParameters.unknown}"]),
            set_("spec.parameters[0].parameterType", "float"),
            edit,
        )
    )
    got = [d.code for d in verdict.errors]
    assert got[0] == "KATIB-V18"
    assert stop in got
    assert got[-1] == "KATIB-V37a"
    assert not {"KATIB-V29", "KATIB-V30"} & set(got)


def test_v29_stops_at_once() -> None:
    """The first trialParameter missing from the template ends validation of the template."""
    verdict = run(
        edited(
            set_(f"{TP}[0].name", "missingOne"),
            set_(f"{TP}[1].name", "missingTwo"),
            set_(f"{POD}.containers[0].command", ["${trialParameters.extra}"]),
        )
    )
    assert found(verdict) == [(f"{TP}[0].name", "Invalid", "KATIB-V29")]


def test_v25_skips_the_rest_of_that_item_only() -> None:
    verdict = run(
        edited(
            set_(f"{TP}[0]", {"name": "", "reference": "no-such-parameter"}),
            set_(f"{TP}[1].reference", "no-such-parameter"),
        )
    )
    assert found(verdict) == [
        (f"{TP}[0]", "Invalid", "KATIB-V25"),
        (f"{TP}[1].reference", "Invalid", "KATIB-V28"),
        (TT, "Invalid", "KATIB-V30"),
    ]


def test_v28_is_skipped_without_parameters() -> None:
    """With no spec.parameters (NAS), any reference passes V-28."""
    verdict = run(
        edited(
            del_("spec.parameters"),
            set_("spec.nasConfig", {"graphConfig": {"numLayers": 1}}),
            set_(f"{TP}[0].reference", "anything"),
        )
    )
    assert "KATIB-V28" not in {d.code for d in verdict.errors}


@pytest.mark.parametrize("kind", ["StdOut", "Push"])
def test_stdout_and_push_skip_the_filter_checks(kind: str) -> None:
    bad_filter = {"collector": {"kind": kind}, "source": {"filter": {"metricsFormat": ["(a"]}}}
    assert run(edited(set_(MC, bad_filter))).allowed


def test_other_kinds_check_the_filter() -> None:
    bad_filter = {
        "collector": {"kind": "Custom", "customCollector": {"name": "c", "image": "i"}},
        "source": {"filter": {"metricsFormat": ["(a", "(a)"]}},
    }
    verdict = run(edited(set_(MC, bad_filter)))
    assert [d.code for d in verdict.errors] == ["KATIB-V49", "KATIB-V50"]


def test_update_needs_a_restartable_experiment_and_a_higher_budget() -> None:
    """U-1 and U-2 together: a completed experiment that cannot resume, edited without
    raising maxTrialCount above status.trials."""
    old = experiment()
    old["status"] = {
        "conditions": [{"type": "Succeeded", "status": "True", "reason": "ExperimentGoalReached"}],
        "trials": 6,
    }
    verdict = run(edited(set_("spec.parallelTrialCount", 3)), Cluster(old=old))
    assert found(verdict) == [
        ("spec.resumePolicy", "Invalid", "KATIB-U1"),
        ("spec.maxTrialCount", "Invalid", "KATIB-U2"),
    ]


def test_update_reads_the_first_condition_of_a_type() -> None:
    """Katib's getCondition returns the first match: a later Succeeded=True does not count."""
    old = experiment()
    old["status"] = {
        "conditions": [
            {"type": "Succeeded", "status": "False", "reason": "ExperimentGoalReached"},
            {"type": "Succeeded", "status": "True", "reason": "ExperimentGoalReached"},
        ],
        "trials": 2,
    }
    assert run(edited(set_("spec.maxTrialCount", 8)), Cluster(old=old)).allowed


def test_unchanged_update_is_always_allowed() -> None:
    old = experiment()
    old["status"] = {
        "conditions": [{"type": "Failed", "status": "True", "reason": "ExperimentFailed"}],
        "trials": 60,
    }
    assert run(experiment(), Cluster(old=old)).allowed


def test_defaulted_fields_left_out_of_an_update_are_not_changes() -> None:
    old = edited(set_("spec.resumePolicy", "Never"), set_("spec.parallelTrialCount", 3))
    old["status"] = {"trials": 1}
    assert run(edited(del_("spec.parallelTrialCount")), Cluster(old=old)).allowed
