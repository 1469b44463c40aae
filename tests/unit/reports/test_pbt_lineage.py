"""PBT's lineage in the report (reference §6.8): a table per generation and the tree of parent →
child trials, from the local backend's `lineage` or from a cluster trial's Katib labels; no
section for other algorithms."""

from __future__ import annotations

from pathlib import Path

from compiler.model.katib import (
    AlgorithmSpec,
    ExperimentStatus,
    FeasibleSpace,
    MetricStrategy,
    ObjectiveSpec,
    ParameterAssignment,
    ParameterSpec,
    Setting,
)
from compiler.model.results import PBT_GENERATION as GENERATION
from compiler.model.results import PBT_PARENT as PARENT
from compiler.model.results import Lineage, Results, TrialResult
from compiler.reports import render_report
from compiler.reports.lineage import MAX_LINES, lineage

# (index, name, generation, parent, origin, values from, objective)
FAMILY = [
    (1, "a", 0, "", "random", "", 0.1),
    (2, "b", 0, "", "random", "", 0.5),
    (3, "c", 1, "a", "exploit", "b", 0.2),
    (4, "d", 1, "b", "explore", "", 0.6),
    (5, "e", 2, "d", "explore", "", None),
    (6, "f", 2, "d", "retry", "", 0.7),
]


def results(trials: tuple[TrialResult, ...], algorithm: str = "pbt") -> Results:
    return Results(
        name="simple-pbt",
        namespace="ns",
        backend="local",
        objective=ObjectiveSpec(
            type="maximize",
            objective_metric_name="acc",
            metric_strategies=(MetricStrategy(name="acc", value="max"),),
        ),
        algorithm=AlgorithmSpec(
            algorithm_name=algorithm,
            algorithm_settings=(Setting(name="suggestion_trial_dir", value="/ckpt/"),),
        ),
        parameters=(
            ParameterSpec(
                name="lr",
                parameter_type="double",
                feasible_space=FeasibleSpace(min="0.1", max="0.9", step="0.1"),
            ),
        ),
        status=ExperimentStatus(),
        trials=trials,
    )


def trial(i: int, name: str, objective: float | None, **kw: object) -> TrialResult:
    return TrialResult(
        name=name,
        index=i,
        state="Succeeded" if objective is not None else "Failed",
        parameters=(ParameterAssignment(name="lr", value=f"0.{i}"),),
        objective=objective,
        **kw,  # type: ignore[arg-type]
    )


def family() -> Results:
    return results(
        tuple(
            trial(i, n, v, lineage=Lineage(generation=g, parent=p, origin=o, values_from=d))
            for i, n, g, p, o, d, v in FAMILY
        )
    )


def test_the_tree_and_the_generations() -> None:
    data = lineage(family())
    assert data is not None
    assert [(n.prefix, n.trial.name) for n in data["tree"]] == [
        ("", "a"),
        ("└─ ", "c"),
        ("", "b"),
        ("└─ ", "d"),
        ("   ├─ ", "e"),
        ("   └─ ", "f"),
    ]
    assert data["tree"][1].values_from == 2
    rows = [
        (g["generation"], g["trials"], g["succeeded"], g["best"].name, g["made"])
        for g in data["generations"]
    ]
    assert rows == [
        (0, 2, 2, "b", "2 random"),
        (1, 2, 2, "d", "1 exploit, 1 explore"),
        (2, 2, 1, "f", "1 explore, 1 retry"),
    ]


def test_the_report_has_the_lineage_section(tmp_path: Path) -> None:
    text = render_report(family(), tmp_path)["README.md"].decode()
    section = text.split("## PBT lineage", 1)[1].split("## Budget", 1)[0]
    assert "`/ckpt/`" in section
    assert "| 1 | 2 | 2 | 0.6 | `d` (#4) | 1 exploit, 1 explore |" in section
    assert "└─ #3 c  gen 1 exploit (values of #2)  0.2  lr=0.3" in section
    assert "   ├─ #5 e  gen 2 explore  Failed  lr=0.5" in section
    assert render_report(family(), tmp_path)["README.md"].decode() == text  # byte-stable


def test_a_cluster_trial_has_its_lineage_in_katibs_labels() -> None:
    trials = (
        trial(1, "a", 0.1, labels={GENERATION: "0"}),
        trial(2, "b", 0.2, labels={GENERATION: "1", PARENT: "a"}),
        trial(3, "c", 0.3, labels={GENERATION: "1", PARENT: "not-here"}),
    )
    data = lineage(results(trials))
    assert data is not None
    assert [(n.prefix, n.trial.name) for n in data["tree"]] == [("", "a"), ("└─ ", "b"), ("", "c")]
    assert data["generations"][1]["made"] == ""  # the service's reasons are not on the trial


def test_other_algorithms_have_no_lineage_section(tmp_path: Path) -> None:
    plain = results((trial(1, "a", 0.1), trial(2, "b", 0.2)), algorithm="random")
    assert lineage(plain) is None
    assert "PBT lineage" not in render_report(plain, tmp_path)["README.md"].decode()


def test_a_long_tree_is_cut_and_says_so(tmp_path: Path) -> None:
    n = MAX_LINES + 7
    chain = tuple(
        trial(
            i, f"t{i}", 0.1, lineage=Lineage(generation=i - 1, parent=f"t{i - 1}" if i > 1 else "")
        )
        for i in range(1, n + 1)
    )
    data = lineage(results(chain))
    assert data is not None and (len(data["tree"]), data["cut"]) == (MAX_LINES, 7)
    assert "… and 7 more trials" in render_report(results(chain), tmp_path)["README.md"].decode()
