"""Names, labels, owner references (reference §2.2, §4.4), the Trial Katib would build, and
the statuses the simulator writes, all checked against Katib's Go types (nothing dropped)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as hs

from compiler.kubetypes import roundtrip_json
from compiler.model.results import TrialMetric
from compiler.render.trial import RenderError
from compiler.simulator import conditions, names, outcome
from compiler.simulator.trials import EXPERIMENT_TYPE, TRIAL_TYPE, build_trial, decode_experiment
from tests.simulator.builders import experiment, live

NAME = re.compile(r"^demo-[bcdfghjklmnpqrstvwxz2456789]{8}$")


def test_trial_names_use_util_rand_alphabet_and_repeat_with_the_seed() -> None:
    a = [names.trial_name("demo", 7, i, set()) for i in range(20)]
    assert all(NAME.match(n) for n in a)
    assert a == [names.trial_name("demo", 7, i, set()) for i in range(20)]
    assert a != [names.trial_name("demo", 8, i, set()) for i in range(20)]
    assert len(set(a)) == 20


def test_a_taken_name_is_drawn_again() -> None:
    first = names.trial_name("demo", 1, 0, set())
    second = names.trial_name("demo", 1, 0, {first})
    assert second != first and NAME.match(second)


def test_labels_are_the_experiments_plus_its_name() -> None:
    exp = live(experiment(labels={"team": "vision", "katib-gitops.dev/managed": "true"}))
    assert names.trial_labels(exp) == {
        "katib-gitops.dev/managed": "true",
        "katib.kubeflow.org/experiment": "demo",
        "team": "vision",
    }


def build(exp: dict, name: str = "demo-bcdfghjk", **kw: object) -> dict:
    model = decode_experiment(exp)
    from compiler.render.trial import trial_template_text

    text = trial_template_text(model, {})
    values = [("lr", "0.05"), ("layers", "3"), ("optimizer", "adam")]
    return build_trial(exp, model, text, name, values, **kw)  # type: ignore[arg-type]


def test_the_trial_is_what_katib_builds() -> None:
    exp = live(experiment(labels={"team": "a"}), uid="u-42")
    t = build(exp)
    meta = t["metadata"]
    assert meta["name"] == "demo-bcdfghjk" and meta["namespace"] == "katib-test"
    assert meta["labels"] == {"katib.kubeflow.org/experiment": "demo", "team": "a"}
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "kubeflow.org/v1beta1",
            "kind": "Experiment",
            "name": "demo",
            "uid": "u-42",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert meta["finalizers"] == ["clean-metrics-in-db"]
    spec = t["spec"]
    assert spec["objective"] == exp["spec"]["objective"]  # metricStrategies included
    assert spec["parameterAssignments"] == [
        {"name": "lr", "value": "0.05"},
        {"name": "layers", "value": "3"},
        {"name": "optimizer", "value": "adam"},
    ]
    job = spec["runSpec"]
    assert job["metadata"] == {"name": "demo-bcdfghjk", "namespace": "katib-test"}
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["python3", "train.py", "--lr=0.05", "--layers=3", "--optimizer=adam"]
    assert spec["metricsCollector"] == {"collector": {"kind": "StdOut"}}
    assert spec["primaryContainerName"] == "training"
    assert spec["successCondition"] == exp["spec"]["trialTemplate"]["successCondition"]
    assert spec["failureCondition"] == exp["spec"]["trialTemplate"]["failureCondition"]
    assert "retainRun" not in spec and "labels" not in spec and "earlyStoppingRules" not in spec


def test_the_trial_is_in_go_form_with_nothing_dropped() -> None:
    t = build(live(experiment()))
    result = roundtrip_json(t, TRIAL_TYPE)
    assert not result.errors and not result.unknown
    marshalled = {k: v for k, v in result.value.items() if k != "status"}
    assert marshalled == {k: t[k] for k in ("kind", "apiVersion", "metadata", "spec")}


def test_conditions_are_copied_only_when_both_are_set() -> None:
    exp = live(experiment())
    del exp["spec"]["trialTemplate"]["failureCondition"]
    t = build(exp)
    assert "successCondition" not in t["spec"] and "failureCondition" not in t["spec"]


def test_a_template_katib_cannot_render_creates_no_trial() -> None:
    exp = live(experiment())
    model = decode_experiment(exp)
    try:
        build_trial(exp, model, '{"not": ${trialParameters.lr}', "demo-x", [("lr", "1")])
    except RenderError:
        return
    raise AssertionError("no RenderError")


def test_statuses_decode_against_the_go_types() -> None:
    running = outcome.running_status("2025-01-01T00:00:00Z")
    metrics = (TrialMetric(name="accuracy", min="0.5", max="0.9", latest="0.9"),)
    for state in ("Succeeded", "MetricsUnavailable", "Failed", "EarlyStopped"):
        reason, message = outcome.worded(state, "Job")
        o = outcome.Outcome(state, reason, message, metrics)
        final = outcome.final_status(running, o, "2025-01-01T00:00:05Z")
        trial = {
            "apiVersion": "kubeflow.org/v1beta1",
            "kind": "Trial",
            "metadata": {"name": "t"},
            "status": final,
        }
        result = roundtrip_json(trial, TRIAL_TYPE)
        assert not result.errors and not result.unknown, state
        assert ("observation" in final) == (state != "Failed")


def test_trial_reasons_carry_the_jobs_words() -> None:
    assert outcome.worded("Succeeded", "Job") == (
        "TrialSucceeded. Job reason: CompletionsReached",
        "Trial has succeeded. Job message: Reached expected number of succeeded pods",
    )
    assert outcome.worded("Failed", "Job", "DeadlineExceeded: too long")[0] == (
        "TrialFailed. Job reason: DeadlineExceeded"
    )
    assert outcome.worded("Failed", "Job", "Error: exit 1")[0] == (
        "TrialFailed. Job reason: BackoffLimitExceeded"
    )
    assert outcome.worded("Succeeded", "TFJob") == ("TrialSucceeded", "Trial has succeeded")
    assert outcome.worded("EarlyStopped", "Job") == ("TrialEarlyStopped", "Trial is early stopped")


def test_early_stopped_keeps_running_true_and_no_completion_time() -> None:
    running = outcome.running_status("2025-01-01T00:00:00Z")
    o = outcome.Outcome("EarlyStopped", "TrialEarlyStopped", "Trial is early stopped")
    final = outcome.final_status(running, o, "2025-01-01T00:00:05Z")
    assert [(c["type"], c["status"]) for c in final["conditions"]] == [
        ("Created", "True"),
        ("Running", "True"),
        ("EarlyStopped", "True"),
    ]
    assert final["completionTime"] is None


def test_experiment_decodes_from_the_live_object() -> None:
    exp = live(experiment())
    exp["status"] = {"completionTime": None, "currentOptimalTrial": {"observation": {}}}
    result = roundtrip_json(exp, EXPERIMENT_TYPE)
    assert not result.errors and not result.unknown
    assert decode_experiment(exp).spec.max_trial_count == 6


@settings(derandomize=True, max_examples=60)
@given(
    hs.lists(
        hs.tuples(hs.sampled_from(["True", "False"]), hs.sampled_from(["r1", "r2"])),
        min_size=1,
        max_size=6,
    )
)
def test_set_condition_keeps_one_per_type_and_the_transition_time(
    steps: list[tuple[str, str]],
) -> None:
    conds: list[dict] = []
    for i, (status, reason) in enumerate(steps):
        before = conditions.condition(conds, "Running")
        conds = conditions.set_condition(conds, "Running", status, reason, "m", f"t{i}")
        after = conditions.condition(conds, "Running")
        assert after is not None and len(conds) == 1
        if before is not None and (before["status"], before["reason"]) == (status, reason):
            assert after == before  # nothing changes
        elif before is not None and before["status"] == status:
            assert after["lastTransitionTime"] == before["lastTransitionTime"]
            assert after["lastUpdateTime"] == f"t{i}"
        else:
            assert after["lastTransitionTime"] == f"t{i}"
