"""`katib-gitops run` end to end on real subprocesses: Katib's statuses and counts for trials
that succeed, fail, hang, print garbage or never report the objective."""

from __future__ import annotations

import pytest

from .conftest import QUADRATIC, Repo, spec


def test_quadratic_succeeds_with_katib_status(repo: Repo) -> None:
    assert repo.run(repo.spec(spec(QUADRATIC, max_trials=6))) == 0
    r = repo.results()
    s = r["status"]
    assert (s["trials"], s["trialsSucceeded"], len(s["succeededTrialList"])) == (6, 6, 6)
    assert [c["type"] for c in s["conditions"]] == ["Created", "Running", "Succeeded"]
    assert s["conditions"][1]["status"] == "False"
    assert s["conditions"][2]["reason"] == "ExperimentMaxTrialsReached"
    best = min(r["trials"], key=lambda t: t["objective"])
    assert s["currentOptimalTrial"]["bestTrialName"] == best["name"]
    for t in r["trials"]:
        x = float(t["parameters"][0]["value"])
        assert t["objective"] == pytest.approx((x - 1) ** 2, rel=1e-4, abs=1e-4)
        assert t["log"].startswith(".state/runs/demo/exp/logs/")


def test_goal_stops_the_run(repo: Repo) -> None:
    text = spec("echo loss=0.5", max_trials=20, parallel=1, objective="{minimize: loss, goal: 0.5}")
    assert repo.run(repo.spec(text)) == 0
    s = repo.results()["status"]
    assert s["trials"] == 1  # inclusive goal: 0.5 <= 0.5
    assert s["conditions"][-1]["reason"] == "ExperimentGoalReached"


def test_failing_trials_fail_the_experiment_at_max_failed(repo: Repo) -> None:
    text = spec("echo loss=1; exit 3", max_trials=10, parallel=1, extra=", failures: 2")
    assert repo.run(repo.spec(text)) == 3
    r = repo.results()
    s = r["status"]
    assert (s["trials"], s["trialsFailed"]) == (2, 2)  # 2 fails at the 2nd, not the 3rd
    assert s["conditions"][-1]["type"] == "Failed"
    assert s["conditions"][-1]["reason"] == "ExperimentFailed"
    assert r["trials"][0]["reason"].startswith("TrialFailed. Job reason: Error")
    assert r["trials"][0]["metrics"] == []  # no observation for failed trials (§5.6)


def test_max_failed_zero_fails_on_the_first_failure(repo: Repo) -> None:
    text = spec("exit 1", max_trials=5, parallel=1, extra=", failures: 0")
    assert repo.run(repo.spec(text)) == 3
    assert repo.results()["status"]["trialsFailed"] == 1


def test_no_objective_is_metrics_unavailable_and_counts_as_failed(repo: Repo) -> None:
    text = spec(
        "echo accuracy=0.9; echo garbage \\\\x00 loss; head -c 3000 /dev/urandom | base64",
        max_trials=5,
        parallel=1,
        extra=", failures: 2",
    )
    assert repo.run(repo.spec(text)) == 3
    r = repo.results()
    s = r["status"]
    assert (s["trialMetricsUnavailable"], s["trialsFailed"], s["trials"]) == (2, 0, 2)
    t = r["trials"][0]
    assert (t["state"], t["reason"]) == ("MetricsUnavailable", "MetricsUnavailable")
    assert t["metrics"][0]["latest"] == "unavailable"


def test_hanging_trial_is_killed_at_its_deadline(repo: Repo) -> None:
    text = spec(
        "sleep 60 & sleep 60; echo loss=1", max_trials=1, parallel=1, deadline="  deadline: 1\n"
    )
    assert repo.run(repo.spec(text)) == 0  # no failure budget: the experiment still Succeeds
    t = repo.results()["trials"][0]
    assert t["state"] == "Failed"
    assert t["reason"] == "TrialFailed. Job reason: DeadlineExceeded"
    assert t["durationSeconds"] < 30  # the whole group got SIGTERM (a hang guard, not timing)


def test_huge_output_is_kept_and_parsed(repo: Repo) -> None:
    text = spec("seq 1 200000 | sed 's/^/noise /'; echo loss=0.25", max_trials=1, parallel=1)
    assert repo.run(repo.spec(text)) == 0
    t = repo.results()["trials"][0]
    assert t["objective"] == 0.25
    assert (repo.root / t["log"]).stat().st_size > 1_000_000


def test_metric_strategies_and_additional_metrics(repo: Repo) -> None:
    text = spec(
        "echo loss=3 acc=0.1; echo loss=1 acc=0.9; echo loss=2 acc=0.5",
        max_trials=1,
        parallel=1,
        objective="{minimize: loss, also: [acc], strategies: {loss: latest}}",
    )
    assert repo.run(repo.spec(text)) == 0
    t = repo.results()["trials"][0]
    assert t["objective"] == 2.0  # latest
    acc = next(m for m in t["metrics"] if m["name"] == "acc")
    assert (acc["min"], acc["max"], acc["latest"]) == ("0.1", "0.9", "0.5")
    assert [p["value"] for p in acc["series"]] == ["0.1", "0.9", "0.5"]


def test_file_json_collector(repo: Repo) -> None:
    out = "/var/log/katib/metrics.log"  # relocated to the trial's own folder, as a pod's emptyDir
    cmd = f'echo \'{{"loss": "0.4"}}\' > {out}; echo \'{{"loss": 0.1}}\' >> {out}'
    text = spec(cmd, max_trials=1, parallel=1) + "metrics: {collector: File, format: JSON}\n"
    assert repo.run(repo.spec(text)) == 0
    assert repo.results()["trials"][0]["objective"] == 0.4  # numbers are ignored (§5.3)


def test_push_collector(repo: Repo) -> None:
    cmd = 'echo \'{"loss": 0.3}\' >> "$KATIB_GITOPS_PUSH_FILE"'
    text = spec(cmd, max_trials=1, parallel=1) + "metrics: {collector: Push}\n"
    assert repo.run(repo.spec(text)) == 0
    assert repo.results()["trials"][0]["objective"] == 0.3


def test_unsupported_fails_before_the_first_trial(repo: Repo) -> None:
    text = spec(QUADRATIC) + "metrics: {collector: Custom, custom: {name: c, image: x}}\n"
    assert repo.run(repo.spec(text)) == 2
    assert not (repo.root / ".state").exists()


def test_early_stopping_with_medianstop(repo: Repo) -> None:
    # trials print 6 reports; good ones (x > 0) climb, bad ones stay low and stop early
    report = 'awk "BEGIN{print \\"acc=\\" (${x} > 0 ? 0.9 : 0.1)}"'
    cmd = f"for i in 1 2 3 4 5 6; do {report}; sleep 0.1; done"
    text = spec(
        cmd,
        max_trials=5,
        parallel=1,
        objective="{maximize: acc}",
        # seeded: the grid's order decides whether a good trial sets the threshold before the
        # bad ones run (with every bad trial first, none would be stopped)
        algorithm="{name: grid, settings: {random_state: 7}}",
        params="  x: {min: -1.0, max: 1.0, step: 0.5}\n",
    )
    text += "earlyStopping: {name: medianstop, settings: {min_trials_required: 1, start_step: 2}}\n"
    assert repo.run(repo.spec(text)) == 0
    s = repo.results()["status"]
    assert s["trialsEarlyStopped"] >= 1
    stopped = [t for t in repo.results()["trials"] if t["state"] == "EarlyStopped"]
    assert all(t["reason"] == "TrialEarlyStopped" for t in stopped)


WRITER = """
import sys
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter
folder, x = sys.argv[1], float(sys.argv[2])
writer = EventFileWriter(folder + "/train")
for step in range(3):
    value = summary_pb2.Summary.Value(tag="loss", simple_value=(x - 1) ** 2 + 1 / (step + 1))
    writer.add_event(event_pb2.Event(wall_time=1_700_000_000 + step, step=step,
                                     summary=summary_pb2.Summary(value=[value])))
writer.close()
"""


def test_tensorflow_event_collector(repo: Repo) -> None:
    pytest.importorskip("tensorboard", reason="the tfevent extra is not installed")
    script = repo.root / "writer.py"
    script.write_text(WRITER)
    # the default event folder is relocated to the trial's own folder, as a pod's emptyDir
    cmd = f"python3 {script} /var/log/katib/tfevent ${{x}}"
    text = spec(cmd, max_trials=2, parallel=1) + "metrics: {collector: TensorFlowEvent}\n"
    assert repo.run(repo.spec(text)) == 0
    trials = repo.results()["trials"]
    assert [t["state"] for t in trials] == ["Succeeded", "Succeeded"]
    for t in trials:
        x = float(next(p["value"] for p in t["parameters"] if p["name"] == "x"))
        # minimize: the strategy is min, the last of the three decreasing reports
        assert t["objective"] == pytest.approx((x - 1) ** 2 + 1 / 3, rel=1e-6)  # float32 events
