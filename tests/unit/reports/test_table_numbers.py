"""Numbers in report tables: significant digits, the same for a whole column; full values in
the CSV and the JSON; failed trials' log tails in the README, fenced so that nothing escapes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from compiler.model.katib import FeasibleSpace, ParameterSpec
from compiler.model.results import Results, TrialMetric, TrialResult
from compiler.reports import render_report, trials_csv
from compiler.reports.render import Column, exact, fence

from .test_report_render import results


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        # the value, and a column in ordinary magnitudes: no exponent, 4 digits
        ([0.08117009986239052, 0.5, 12.0, 1234.5678], ["0.08117", "0.5", "12", "1235"]),
        (["0.0340", "0.5131", "62"], ["0.034", "0.5131", "62"]),
        # one value below 1e-4: the whole column has exponents
        ([3.158441219179796e-05, 0.00026547467177888455], ["3.158e-05", "2.655e-04"]),
        # more digits only as far as they keep distinct values apart
        ([0.98471, 0.98474, 0.9847], ["0.98471", "0.98474", "0.9847"]),
        ([1.0000001, 1.0000002], ["1", "1"]),  # beyond six digits: six is the most
        ([0.0, -0.25, float("nan")], ["0", "-0.25", "nan"]),
        (["unavailable", "abc", None], ["unavailable", "abc", ""]),
        ([123456789.0], ["123456789"]),
    ],
)
def test_a_column_has_significant_digits(values: list[object], shown: list[str]) -> None:
    column = Column(values)
    assert [column(v) for v in values] == shown


def test_exact_keeps_the_full_value() -> None:
    assert exact(0.08117009986239052) == "0.08117009986239052"
    assert (exact(None), exact(3), exact(0.5)) == ("", "3", "0.5")


def long_floats() -> Results:
    r = results(4)
    lr = ParameterSpec(
        name="lr",
        parameter_type="double",
        feasible_space=FeasibleSpace(min="0.00001", max="1", distribution="logUniform"),
    )
    trials = tuple(
        t.model_copy(
            update={
                "parameters": (*t.parameters, *_lr(t.index)),
                "objective": None if t.objective is None else t.objective + 0.000123456789,
                "metrics": (
                    TrialMetric(name="loss", min="0.08117009986239052", max="2", latest="1.5"),
                ),
            }
        )
        for t in r.trials
    )
    return r.model_copy(update={"parameters": (*r.parameters, lr), "trials": trials})


def _lr(i: int) -> tuple[object, ...]:
    from compiler.model.katib import ParameterAssignment

    return (ParameterAssignment(name="lr", value=str(0.08117009986239052 / 10**i)),)


def test_tables_round_and_the_csv_and_json_keep_everything(tmp_path: Path) -> None:
    r = long_floats()
    files = render_report(r, tmp_path)
    readme = files["README.md"].decode()
    assert "0.08117009986239052" not in readme and "8.117e-03" in readme  # lr: an exponent column
    assert "| `t-2` | 0.2501 | 0.2 | a | 8.117e-04 |" in readme
    assert "Best: **loss = 0.2501**" in readme
    assert "0.08117 / 2 / 1.5" in readme
    rows = list(csv.DictReader(io.StringIO(trials_csv(r))))
    assert rows[0]["lr"] == str(0.08117009986239052 / 10)
    assert rows[0]["objective"] == repr(r.trials[0].objective)
    assert rows[0]["loss:min"] == "0.08117009986239052"
    data = json.loads(files["results.json"])
    assert data["trials"][0]["objective"] == r.trials[0].objective


def test_failed_trials_log_tails_are_fenced_once_per_ending(tmp_path: Path) -> None:
    tail = ("Traceback (most recent call last):", "```", "| a | b |", "<b>html</b> `x`")
    r = results(6)
    trials = tuple(
        t.model_copy(update={"log_tail": tail, "log": f".state/logs/{t.name}.log"})
        if t.state == "Failed"
        else t
        for t in r.trials
    )
    readme = render_report(r.model_copy(update={"trials": trials}), tmp_path)["README.md"].decode()
    assert readme.count("### How the failed trials' logs end") == 1
    block = "````text\n" + "\n".join(tail) + "\n````\n"
    assert readme.count(block) == 1  # `t-3` shown, `t-6` named beside it
    assert (
        "`t-3` (Failed): the last 4 lines of `.state/logs/t-3.log` (the logs of `t-6` end alike)"
        in readme
    )
    plain = render_report(results(3), tmp_path)["README.md"].decode()
    assert "How the failed trials' logs end" not in plain


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence(["no ticks"]) == "```"
    assert fence(["a ``` b", "`````"]) == "``````"


def test_the_json_records_a_failed_trials_tail() -> None:
    t = TrialResult(name="t", index=1, state="Failed", log_tail=("boom",))
    assert json.loads(t.model_dump_json(by_alias=True))["logTail"] == ["boom"]
