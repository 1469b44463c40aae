"""`katib-gitops admit` end to end: through `compiler.cli.main` and as a real `python -m compiler`
process. Exit codes, the three output forms, --old, --katib-config, --configmap, multi-document
files and unreadable input; and `-o yaml` output is a fixed point of `admit -o yaml`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.cli import main

from . import cases
from .builders import FIXTURE, Cluster, Obj, edited, experiment, set_
from .test_defaults import DEFAULTED_INPUTS
from .test_runtime import CASES as RUNTIME_CASES

ROOT = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, obj: Any, name: str = "experiment.yaml") -> str:
    """Documents as JSON (which is YAML): PyYAML's dumper would write strings such as `1e-3`
    or `y` plain, and kubectl (so `admit`) reads those as numbers and booleans."""
    path = tmp_path / name
    docs = obj if isinstance(obj, list) else [obj]
    path.write_text("---\n".join(json.dumps(d, indent=1) + "\n" for d in docs), "utf-8")
    return str(path)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["admit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    lines = out.splitlines()
    parsed = [json.loads(line) for line in lines]
    for line, obj in zip(lines, parsed, strict=True):  # one compact object per line
        assert line == json.dumps(obj, separators=(",", ":"))
    return parsed


def test_allowed_exit_0_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(FIXTURE))
    assert code == 0
    assert out == f"{FIXTURE}: experiment tune-mnist: allowed (0 errors, 0 warnings)\n"


def test_rejected_exit_1_and_located_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FIXTURE.read_text("utf-8").replace("maxTrialCount: 6", "maxTrialCount: 0")
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    code, out, _ = cli(capsys, str(path))
    assert code == 1
    assert out.startswith(f"{path}:16:18: error: KATIB-V3 must be greater than 0")
    assert "    field: spec.maxTrialCount (Invalid)\n" in out
    assert "    hint: " in out
    assert out.endswith(f"{path}: experiment tune-mnist: REJECTED (3 errors, 0 warnings)\n")


def test_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, edited(set_("spec.maxTrialCount", 0), set_("spec.objective.gaol", 1)))
    code, out, _ = cli(capsys, "-o", "json", str(FIXTURE), bad)
    assert code == 1
    good, rejected = json_lines(out)
    assert set(good) == {"file", "allowed", "errors", "warnings", "object"}
    assert good["allowed"] is True and good["errors"] == [] and good["warnings"] == []
    assert good["object"]["spec"]["resumePolicy"] == "Never"
    assert rejected["allowed"] is False
    first = rejected["errors"][0]
    assert {k: first[k] for k in ("field", "type", "code")} == {
        "field": "spec.maxTrialCount",
        "type": "Invalid",
        "code": "KATIB-V3",
    }
    assert first["message"].startswith("must be greater than 0")
    assert first["severity"] == "error" and first["location"] == f"{bad}:21:20"
    assert [w["code"] for w in rejected["warnings"]] == ["KATIB-D1"]


def test_yaml_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "-o", "yaml", str(FIXTURE))
    assert code == 0
    assert out.startswith("---\napiVersion: kubeflow.org/v1beta1\nkind: Experiment\n")
    (doc,) = yaml.safe_load_all(out)
    assert doc["spec"]["parallelTrialCount"] == 2
    assert err.endswith("allowed (0 errors, 0 warnings)\n")


def test_old_makes_an_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = experiment()
    old["status"] = {"trials": 2}
    old_path = write(tmp_path, old, "old.yaml")
    new = write(tmp_path, edited(set_("spec.algorithm.algorithmName", "tpe")))
    code, out, _ = cli(capsys, "-o", "json", "--old", old_path, new)
    assert code == 1
    assert [(e["field"], e["type"], e["code"]) for e in json_lines(out)[0]["errors"]] == [
        ("spec", "Forbidden", "KATIB-U3")
    ]
    budget = write(tmp_path, edited(set_("spec.maxTrialCount", 9)), "budget.yaml")
    assert cli(capsys, "--old", old_path, budget)[0] == 0


def test_old_with_a_completed_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = cases.stored(cases.completed("ExperimentGoalReached"))
    old_path = write(tmp_path, old, "old.yaml")
    new = write(tmp_path, edited(set_("spec.maxTrialCount", 9)))
    code, out, _ = cli(capsys, "-o", "json", "--old", old_path, new)
    assert code == 1
    assert [e["code"] for e in json_lines(out)[0]["errors"]] == ["KATIB-U1"]


def test_unlabelled_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-o", "json", "--unlabelled-namespace", str(FIXTURE))
    assert code == 1
    (result,) = json_lines(out)
    assert [(e["field"], e["type"], e["code"]) for e in result["errors"]] == [
        ("", "BadRequest", "KATIB-H2")
    ]


NO_RANDOM = cases.katib_config("StdOut").replace(
    "    - {algorithmName: random, image: example.org/random:v1}\n", ""
)


def _as_configmap(text: str) -> str:
    body = "".join(f"    {line}\n" for line in text.splitlines())
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: katib-config\n  namespace: kubeflow\n"
        f"data:\n  katib-config.yaml: |\n{body}"
    )


@pytest.mark.parametrize("form", ["bare", "configmap"])
def test_katib_config_without_random(
    form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "katib-config.yaml"
    config.write_text(NO_RANDOM if form == "bare" else _as_configmap(NO_RANDOM), "utf-8")
    code, out, _ = cli(capsys, "-o", "json", "--katib-config", str(config), str(FIXTURE))
    assert code == 1
    (result,) = json_lines(out)
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("spec.algorithm.algorithmName", "KATIB-V13")
    ]


@pytest.mark.parametrize("form", ["bare", "configmap"])
def test_katib_config_with_prometheus(
    form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prometheus = set_(cases.MC, {"collector": {"kind": "PrometheusMetric"}})
    path = write(tmp_path, edited(prometheus))
    assert cli(capsys, path)[0] == 1  # the default katib-config has no PrometheusMetric (V-38)
    text = cases.katib_config("StdOut", "PrometheusMetric")
    config = tmp_path / "katib-config.yaml"
    config.write_text(text if form == "bare" else _as_configmap(text), "utf-8")
    assert cli(capsys, "--katib-config", str(config), path)[0] == 0


def test_configmap_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp = write(tmp_path, edited(cases.configmap_source))
    code, out, _ = cli(capsys, "-o", "json", exp)
    assert code == 1
    assert json_lines(out)[0]["errors"][0]["code"] == "KATIB-V24"
    cm = write(tmp_path, cases.configmap(), "templates.yaml")
    assert cli(capsys, "--configmap", cm, exp)[0] == 0


def test_configmap_in_the_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [cases.configmap(), edited(cases.configmap_source)])
    assert cli(capsys, path)[0] == 0


def test_multi_document_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = edited(set_("spec.parallelTrialCount", 0))
    path = write(tmp_path, [experiment(), {"apiVersion": "v1", "kind": "Service"}, bad])
    code, out, _ = cli(capsys, "-o", "json", path)
    assert code == 1
    first, second = json_lines(out)
    assert "document" not in first and first["allowed"]
    assert second["document"] == 2 and not second["allowed"]


def test_file_without_experiment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    code, out, _ = cli(capsys, "-o", "json", path, str(FIXTURE))
    assert code == 2
    problem, fine = json_lines(out)
    assert problem["allowed"] is False and problem["object"] is None
    assert problem["errors"][0]["type"] == "Unreadable"
    assert problem["errors"][0]["code"] == "INPUT-KIND"
    assert fine["allowed"] is True


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.yaml")
    code, out, _ = cli(capsys, missing)
    assert code == 2
    assert out.startswith(f"{missing}: INPUT-READ cannot read file")


def test_missing_katib_config_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "--katib-config", str(tmp_path / "nope.yaml"), str(FIXTURE))
    assert code == 2
    assert err.startswith("katib-gitops: ")


def _subprocess(*argv: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "admit", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        **kw,
    )


def test_real_process_exit_codes(tmp_path: Path) -> None:
    ok = _subprocess("-o", "json", str(FIXTURE))
    assert ok.returncode == 0 and json.loads(ok.stdout)["allowed"] is True
    bad = _subprocess(write(tmp_path, edited(set_("spec.maxTrialCount", 0))))
    assert bad.returncode == 1 and "KATIB-V3" in bad.stdout
    missing = _subprocess(str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "INPUT-READ" in missing.stdout
    usage = _subprocess()
    assert usage.returncode == 2 and "usage:" in usage.stderr
    assert "Traceback" not in ok.stderr + bad.stderr + missing.stderr + usage.stderr


def test_real_process_yaml_output_round_trips(tmp_path: Path) -> None:
    first = _subprocess("-o", "yaml", str(FIXTURE))
    assert first.returncode == 0
    again = tmp_path / "again.yaml"
    again.write_text(first.stdout, "utf-8")
    second = _subprocess("-o", "yaml", str(again))
    assert second.stdout == first.stdout


# --- -o yaml is a fixed point --------------------------------------------------------------------


def _accepted_inputs() -> dict[str, tuple[Obj, Cluster]]:
    found: dict[str, tuple[Obj, Cluster]] = {"fixture": (experiment(), Cluster())}
    for c in cases.CASES:
        found[f"rule-{c.id}"] = (edited(c.good), c.good_cluster or c.cluster)
    for r in RUNTIME_CASES:
        found[f"runtime-{r.id}-bad"] = (edited(r.bad), r.cluster)
        found[f"runtime-{r.id}-good"] = (edited(r.good), r.cluster)
    for name, edit in DEFAULTED_INPUTS.items():
        cluster = cases.WITH_PROMETHEUS if name == "prometheus" else Cluster()
        found[f"defaults-{name}"] = (edited(edit), cluster)
    return found


ACCEPTED = _accepted_inputs()
# Strings go-yaml would read as bools or numbers must come back quoted.
ACCEPTED["go-lookalike-strings"] = (
    edited(set_("spec.parameters[2].feasibleSpace.list", ["y", "n", "1e3", "0o17", "0x1F"])),
    Cluster(),
)


def _admit_yaml(
    capsys: pytest.CaptureFixture[str], path: str, cluster: Cluster, tmp_path: Path
) -> tuple[int, str]:
    argv = ["-o", "yaml", path]
    if cluster.old is not None:
        argv += ["--old", write(tmp_path, cluster.old, "old.yaml")]
    if cluster.configmaps:
        argv += ["--configmap", write(tmp_path, cluster.configmaps, "cm.yaml")]
    if cluster.katib_config:
        config = tmp_path / "katib-config.yaml"
        config.write_text(cluster.katib_config, "utf-8")
        argv += ["--katib-config", str(config)]
    code, out, _ = cli(capsys, *argv)
    return code, out


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_yaml_output_is_a_fixed_point(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj, cluster = ACCEPTED[name]
    code, first = _admit_yaml(capsys, write(tmp_path, obj), cluster, tmp_path)
    assert code == 0
    again = tmp_path / "again.yaml"
    again.write_text(first, "utf-8")
    code, second = _admit_yaml(capsys, str(again), cluster, tmp_path)
    assert code == 0
    assert second == first
