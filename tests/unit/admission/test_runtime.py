"""Every run-time rule code (KATIB-R…, `runtime.py` and `algorithms/`) through `admit`: a case
that Katib admits but that would hang or fail later (a warning, the verdict unchanged), and a
passing variant without it. `--strict` turns the error-level findings into a rejection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from compiler.admission import algorithms, runtime

from .builders import Cluster, Edit, Obj, chain, del_, edited, found, run, set_
from .cases import MC, TS, TT, workflow


def add_parameter(name: str, kind: str = "double", **space: object) -> Edit:
    def apply(obj: Obj) -> None:
        obj["spec"]["parameters"].append(
            {
                "name": name,
                "parameterType": kind,
                "feasibleSpace": space or {"min": "0", "max": "1"},
            }
        )

    return apply


def add_trial_parameter(name: str, reference: str) -> Edit:
    def apply(obj: Obj) -> None:
        obj["spec"]["trialTemplate"]["trialParameters"].append(
            {"name": name, "reference": reference}
        )
        container = obj["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]
        container["containers"][0]["args"].append(f"--{name}=${{trialParameters.{name}}}")

    return apply


def nas(algorithm: str, *refs: str) -> Edit:
    """A NAS experiment for `algorithm` whose trialParameters reference `refs`."""

    def apply(obj: Obj) -> None:
        spec = obj["spec"]
        del spec["parameters"]
        spec["algorithm"] = {"algorithmName": algorithm}
        spec["nasConfig"] = {
            "graphConfig": {"numLayers": 2, "inputSizes": [32, 32, 3], "outputSizes": [10]},
            "operations": [
                {
                    "operationType": "convolution",
                    "parameters": [
                        {
                            "name": "filter_size",
                            "parameterType": "categorical",
                            "feasibleSpace": {"list": ["3", "5"]},
                        }
                    ],
                }
            ],
        }
        t = spec["trialTemplate"]
        t["trialParameters"] = [{"name": f"p{i}", "reference": r} for i, r in enumerate(refs)]
        t["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["args"] = [
            f"--{r}=${{trialParameters.p{i}}}" for i, r in enumerate(refs)
        ]

    return apply


ENAS = nas("enas", "architecture", "nn_config")
DARTS = nas("darts", "algorithm-settings", "search-space", "num-layers")
PBT_SETTINGS = [
    {"name": "suggestion_trial_dir", "value": "/var/log/katib/checkpoints/"},
    {"name": "n_population", "value": "10"},
    {"name": "truncation_threshold", "value": "0.2"},
]
PBT = chain(
    set_("spec.algorithm", {"algorithmName": "pbt", "algorithmSettings": PBT_SETTINGS}),
    set_("spec.resumePolicy", "FromVolume"),
    set_("spec.parameters[0].feasibleSpace.step", "0.01"),
)
HYPERBAND = chain(
    set_(
        "spec.algorithm",
        {
            "algorithmName": "hyperband",
            "algorithmSettings": [
                {"name": "resource_name", "value": "layers"},
                {"name": "eta", "value": "3"},
                {"name": "r_l", "value": "9"},
            ],
        },
    ),
    set_("spec.parallelTrialCount", 9),
    set_("spec.maxTrialCount", 20),
)
TFEVENT = set_(MC, {"collector": {"kind": "TensorFlowEvent"}})
MEDIANSTOP = set_("spec.earlyStopping", {"algorithmName": "medianstop"})


@dataclass(frozen=True)
class RuntimeCase:
    code: str
    what: str
    bad: Edit
    good: Edit
    severity: str = "error"
    cluster: Cluster = field(default_factory=Cluster)

    @property
    def id(self) -> str:
        return f"{self.code}-{self.what}"


def nothing(obj: Obj) -> None:
    """The fixture as it is."""


CASES = [
    RuntimeCase("KATIB-R1", "unreferenced-parameter", add_parameter("momentum"), nothing),
    RuntimeCase("KATIB-R2", "enas-output-not-referenced", nas("enas", "architecture"), ENAS),
    RuntimeCase(
        "KATIB-R2",
        "darts-unknown-output",
        nas("darts", "algorithm-settings", "search-space", "layers"),
        DARTS,
    ),
    RuntimeCase(
        "KATIB-R3",
        "label-not-in-template",
        add_trial_parameter("app", "${trialSpec.Labels[app]}"),
        chain(
            add_trial_parameter("app", "${trialSpec.Labels[app]}"),
            set_(f"{TS}.metadata", {"labels": {"app": "mnist"}}),
        ),
    ),
    RuntimeCase(
        "KATIB-R4",
        "bound-not-a-number",
        set_("spec.parameters[0].feasibleSpace.min", "low"),
        set_("spec.parameters[0].feasibleSpace.min", "1e-3"),
    ),
    RuntimeCase(
        "KATIB-R4",
        "int-bound-fraction",
        set_("spec.parameters[1].feasibleSpace.max", "3.5"),
        set_("spec.parameters[1].feasibleSpace.max", "4"),
    ),
    RuntimeCase(
        "KATIB-R5",
        "min-above-max",
        set_("spec.parameters[0].feasibleSpace.min", "0.5"),
        set_("spec.parameters[0].feasibleSpace.min", "0.1"),
    ),
    RuntimeCase(
        "KATIB-R5",
        "step-zero",
        set_("spec.parameters[1].feasibleSpace.step", "0"),
        set_("spec.parameters[1].feasibleSpace.step", "1"),
    ),
    RuntimeCase(
        "KATIB-R6",
        "empty-list",
        set_("spec.parameters[2].feasibleSpace.list", []),
        set_("spec.parameters[2].feasibleSpace.list", ["sgd"]),
    ),
    RuntimeCase(
        "KATIB-R6",
        "discrete-not-numeric",
        chain(set_("spec.parameters[2].parameterType", "discrete")),
        chain(
            set_("spec.parameters[2].parameterType", "discrete"),
            set_("spec.parameters[2].feasibleSpace.list", ["1", "2.5"]),
        ),
    ),
    RuntimeCase("KATIB-R7", "duplicate-name", add_parameter("lr"), nothing),
    RuntimeCase("KATIB-R8", "no-max-trial-count", del_("spec.maxTrialCount"), nothing, "warning"),
    RuntimeCase(
        "KATIB-R9",
        "strategy-value",
        set_("spec.objective.metricStrategies", [{"name": "accuracy", "value": "avg"}]),
        set_("spec.objective.metricStrategies", [{"name": "accuracy", "value": "latest"}]),
    ),
    RuntimeCase(
        "KATIB-R10",
        "semicolon-metric",
        set_("spec.objective.additionalMetricNames", ["loss;val"]),
        set_("spec.objective.additionalMetricNames", ["val-loss"]),
    ),
    RuntimeCase(
        "KATIB-R11",
        "stdout-bad-filter",
        set_(MC, {"source": {"filter": {"metricsFormat": ["(a"]}}}),
        set_(MC, {"source": {"filter": {"metricsFormat": [r"(\w+)=(\d+)"]}}}),
    ),
    RuntimeCase(
        "KATIB-R12",
        "quote-in-value",
        set_("spec.parameters[2].feasibleSpace.list", ['s"gd', "adam"]),
        set_("spec.parameters[2].feasibleSpace.list", ["s'gd", "adam"]),
    ),
    RuntimeCase(
        "KATIB-R13",
        "no-such-container",
        set_(f"{TT}.primaryContainerName", "main"),
        nothing,
    ),
    RuntimeCase(
        "KATIB-R14",
        "not-dns-1035",
        set_("metadata.name", "tune.v1"),
        set_("metadata.name", "tune-v1"),
    ),
    RuntimeCase(
        "KATIB-R15",
        "kind-not-watched",
        chain(
            workflow,
            set_(f"{TT}.successCondition", "status.phase"),
            set_(f"{TT}.failureCondition", "status.failed"),
        ),
        nothing,
    ),
    RuntimeCase("KATIB-R16", "tfevent-early-stopping", chain(TFEVENT, MEDIANSTOP), TFEVENT),
    RuntimeCase(
        "KATIB-R20",
        "unknown-setting",
        set_("spec.algorithm.algorithmSettings", [{"name": "seed", "value": "1"}]),
        set_("spec.algorithm.algorithmSettings", [{"name": "random_state", "value": "1"}]),
    ),
    RuntimeCase(
        "KATIB-R21",
        "setting-value",
        set_("spec.algorithm.algorithmSettings", [{"name": "random_state", "value": "x"}]),
        set_("spec.algorithm.algorithmSettings", [{"name": "random_state", "value": "7"}]),
    ),
    RuntimeCase(
        "KATIB-R22",
        "skopt-double-min-zero",
        chain(
            set_("spec.algorithm.algorithmName", "bayesianoptimization"),
            set_("spec.parameters[0].feasibleSpace.min", "0"),
        ),
        set_("spec.algorithm.algorithmName", "bayesianoptimization"),
    ),
    RuntimeCase(
        "KATIB-R23", "enas-without-nas-config", set_("spec.algorithm.algorithmName", "enas"), ENAS
    ),
    RuntimeCase(
        "KATIB-R24", "pbt-without-settings", set_("spec.algorithm.algorithmName", "pbt"), PBT
    ),
    RuntimeCase(
        "KATIB-R25",
        "hyperband-without-resource",
        set_("spec.algorithm.algorithmName", "hyperband"),
        HYPERBAND,
    ),
    RuntimeCase(
        "KATIB-R26",
        "medianstop-setting",
        set_(
            "spec.earlyStopping",
            {
                "algorithmName": "medianstop",
                "algorithmSettings": [{"name": "min_trials_required", "value": "0"}],
            },
        ),
        set_(
            "spec.earlyStopping",
            {
                "algorithmName": "medianstop",
                "algorithmSettings": [{"name": "min_trials_required", "value": "3"}],
            },
        ),
    ),
]


def _documented_codes() -> set[str]:
    """Every KATIB-R code that runtime.py and algorithms/ name (R20..R26 are built in
    algorithms/_common.py from a range)."""
    files = [Path(runtime.__file__), *Path(algorithms.__file__).parent.glob("*.py")]
    codes = {c for p in files for c in re.findall(r"KATIB-R\d+", p.read_text("utf-8"))}
    return codes | {f"KATIB-R{n}" for n in range(20, 27)}


def test_every_runtime_code_has_cases() -> None:
    assert _documented_codes() == {c.code for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_runtime_rule_warns(case: RuntimeCase) -> None:
    verdict = run(edited(case.bad), case.cluster)
    assert verdict.allowed, found(verdict)  # Katib admits it
    mine = [w for w in verdict.warnings if w.code == case.code]
    assert mine, [(w.code, w.message) for w in verdict.warnings]
    assert {w.severity.value for w in mine} >= {case.severity}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_runtime_rule_passes(case: RuntimeCase) -> None:
    verdict = run(edited(case.good), case.cluster)
    assert verdict.allowed, found(verdict)
    assert case.code not in {w.code for w in verdict.warnings}, [
        (w.code, w.field, w.message) for w in verdict.warnings
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_strict_rejects_error_level_findings(case: RuntimeCase) -> None:
    verdict = run(edited(case.bad), case.cluster, strict=True)
    in_errors = case.code in {d.code for d in verdict.errors}
    if case.severity == "error":
        assert not verdict.allowed
        assert in_errors
    else:
        assert not in_errors


def test_strict_keeps_webhook_errors_first() -> None:
    verdict = run(edited(set_("spec.maxTrialCount", 0), add_parameter("momentum")), strict=True)
    assert [d.code for d in verdict.errors][:2] == ["KATIB-V3", "KATIB-V5"]
    assert "KATIB-R1" in {d.code for d in verdict.errors}


def test_runtime_findings_are_typed_runtime() -> None:
    verdict = run(edited(add_parameter("momentum")))
    (finding,) = [w for w in verdict.warnings if w.code == "KATIB-R1"]
    assert finding.type == "Runtime"
    assert finding.field == "spec.parameters[3]"
    assert finding.hint
