"""The Python authoring API: the same data as a YAML spec, each value located where it was written.

Most tests run specs for real through the sandbox (`read_python_spec`), then through the same
pipeline as YAML specs; the last ones call the DSL in this process to check its pieces.
"""

from __future__ import annotations

import math
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from compiler import dsl
from compiler.admission import configmap_templates
from compiler.admission.katibconfig import default_config
from compiler.load.files import load_file
from compiler.load.python_spec import experiment_documents, read_python_spec
from compiler.load.specs import SpecFile
from compiler.model.diagnostics import Severity
from compiler.model.source import Document, Location
from compiler.normalize import SpecContext
from compiler.pipeline import Compiled, compile_document

SPECS = Path(__file__).parent / "python_specs"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    dsl.reset()


def python_docs(name: str) -> list[Document]:
    return read_python_spec(spec_file(name), timeout=30)


def spec_file(name: str) -> SpecFile:
    return SpecFile(SPECS / name, f"specs/kubeflow/{name}", "kubeflow")


def compile_all(docs: list[Document], configmaps: Any = None) -> list[Compiled]:
    single = len(docs) == 1
    return [
        compile_document(
            d,
            SpecContext(d.file, "kubeflow"),
            default_config(),
            configmaps,
            Path(d.file).stem if single else None,
        )
        for d in docs
    ]


def errors(compiled: Compiled) -> list[str]:
    return [d.render() for d in compiled.diagnostics if d.severity == Severity.ERROR]


def position(name: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """The (line, column) where `needle` is written in a fixture: tests name text, not numbers."""
    hits = [
        (number, line.index(needle) + 1)
        for number, line in enumerate((SPECS / name).read_text().splitlines(), 1)
        if needle in line
    ]
    return hits[occurrence]


# ---------------------------------------------------------------- the same data as YAML


def test_design_example_compiles_to_the_yaml_specs_manifest() -> None:
    from_python = compile_all(python_docs("random_example.py"))
    from_yaml = compile_all(load_file(SPECS / "random_example.yaml", name="x.yaml"))
    assert [errors(c) for c in from_python] == [[]]
    assert from_python[0].manifest is not None
    assert from_python[0].manifest == from_yaml[0].manifest
    assert from_python[0].revision == from_yaml[0].revision


def test_every_trial_kind_and_field_compiles_like_yaml() -> None:
    templates = configmap_templates([d.data for d in load_file(SPECS / "trial_templates.yaml")])
    from_python = compile_all(python_docs("kinds.py"), templates)
    from_yaml = compile_all(load_file(SPECS / "kinds.yaml", name="kinds.yaml"), templates)
    assert [c.name for c in from_python] == [
        "tf", "torch", "mpi", "xgb", "train", "raw", "shared-template", "enas",
    ]  # fmt: skip
    for py, yml in zip(from_python, from_yaml, strict=True):
        assert errors(py) == [], py.name
        assert py.manifest is not None, py.name
        assert py.manifest == yml.manifest, py.name


def test_a_loop_declares_several_experiments() -> None:
    docs = python_docs("loop.py")
    assert [d.data["name"] for d in docs] == ["sweep-x1", "sweep-x10"]
    assert [d.index for d in docs] == [0, 1]
    assert docs[1].data["parameters"]["optimizer"] == {
        "type": "categorical",
        "values": ["adam", "ftrl"],
    }
    assert docs[1].data["trials"] == {"max": 30}
    compiled = compile_all(docs)
    assert [errors(c) for c in compiled] == [[], []]
    # both experiments point at the loop's lines; the shared trial at the spec's own function
    line, column = position("loop.py", "experiment(")
    for doc in docs:
        assert doc.where(()) == Location(doc.file, line, column)
        assert doc.where(("parameters", "lr")).line == position("loop.py", "floats(")[0]
        assert doc.where(("trial", "command", 2)) == Location(
            doc.file, *position("loop.py", '"--lr=${lr}"')
        )


# ---------------------------------------------------------------- located problems


def test_problems_are_reported_at_the_lines_that_caused_them() -> None:
    found = {
        (d.code, d.where.line, d.where.column)
        for c in compile_all(python_docs("located.py"))
        for d in c.diagnostics
        if d.where is not None
    }
    line, column = position("located.py", 'log="sometimes"')
    expected = {
        # an unknown key of a dict(...) budget, at the key
        ("SPEC-UNKNOWN", *position("located.py", "paralel")),
        # a wrong type inside floats(...), at that argument of the floats(...) line
        ("SPEC-TYPE", line, column + len("log=")),
        # a value the format does not allow, inside ints(...)
        ("SPEC-VALUE", *_after(position("located.py", 'distribution="gaussian"'), "distribution=")),
        # Katib's own rule (max below min), mapped back to the ints(...) argument
        ("KATIB-R5", *_after(position("located.py", "ints(5, 2)"), "ints(5, ")),
        # an unknown ${placeholder}, at its item of the command list
        ("SPEC-PLACEHOLDER", *position("located.py", '"--units=${unit}"')),
    }
    assert found == expected


def _after(at: tuple[int, int], prefix: str) -> tuple[int, int]:
    return at[0], at[1] + len(prefix)


def test_a_located_python_spec_through_the_cli(tmp_path: Path) -> None:
    spec = tmp_path / "specs" / "kubeflow" / "located.py"
    spec.parent.mkdir(parents=True)
    spec.write_text((SPECS / "located.py").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", "--root", str(tmp_path), str(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    line, column = position("located.py", '"--units=${unit}"')
    assert f"specs/kubeflow/located.py:{line}:{column}: error: SPEC-PLACEHOLDER" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- the helpers, in this process


def test_helpers_build_the_spec_formats_data() -> None:
    assert dsl.floats(0.1, 1, step=0.1, log=True) == {
        "type": "double", "min": 0.1, "max": 1, "step": 0.1, "log": True,
    }  # fmt: skip
    assert dsl.ints(1, 4, distribution="normal", description="d") == {
        "type": "int", "min": 1, "max": 4, "distribution": "normal", "description": "d",
    }  # fmt: skip
    assert dsl.choice("a", 1) == {"type": "categorical", "values": ["a", 1]}
    assert dsl.choice(["a", "b"]) == dsl.choice("a", "b")
    assert dsl.discrete(16, 32) == {"type": "discrete", "values": [16, 32]}
    assert dsl.maximize("acc", goal=0.9) == {"maximize": "acc", "goal": 0.9}
    assert dsl.minimize("loss", also=["acc"], strategies={"acc": "max"}) == {
        "minimize": "loss", "also": ["acc"], "strategies": {"acc": "max"},
    }  # fmt: skip
    assert dsl.algorithm("random") == {"name": "random"}
    assert dsl.algorithm("x", {"a-b": 1}, c=2) == {"name": "x", "settings": {"a-b": 1, "c": 2}}
    assert dsl.early_stopping("medianstop", start_step=4) == {
        "name": "medianstop", "settings": {"start_step": 4},
    }  # fmt: skip
    assert dsl.budget(max=3) == {"max": 3}
    assert dsl.named("lr", dsl.floats(0, 1)) == {"name": "lr", "type": "double", "min": 0, "max": 1}


def test_trial_helpers() -> None:
    assert dsl.job("img", ["run"], pod_metadata={"labels": {"a": "b"}}, retain=False) == {
        "image": "img", "command": ["run"], "podMetadata": {"labels": {"a": "b"}},
    }  # fmt: skip
    assert dsl.job(image="img", job={"backoffLimit": 0}) == {
        "image": "img", "job": {"backoffLimit": 0},
    }  # fmt: skip
    assert dsl.tfjob("img", workers=2)["kind"] == "TFJob"
    assert dsl.pytorchjob("img")["kind"] == "PyTorchJob"
    assert dsl.mpijob("img")["kind"] == "MPIJob"
    assert dsl.xgboostjob("img")["kind"] == "XGBoostJob"
    assert dsl.trainjob("img", runtime="r", workers=2) == {
        "kind": "TrainJob", "image": "img", "workers": 2, "runtime": "r",
    }  # fmt: skip
    assert dsl.raw({"kind": "Workflow"}, {"lr": "learning-rate"}, primary_container="main") == {
        "spec": {"kind": "Workflow"},
        "parameters": [{"name": "lr", "reference": "learning-rate"}],
        "primaryContainer": "main",
    }
    assert dsl.configmap("cm", "ns", "key", success_condition="s") == {
        "configMap": {"name": "cm", "namespace": "ns", "key": "key"},
        "successCondition": "s",
    }
    assert dsl.metrics("File", path="/m", format="JSON") == {
        "collector": "File", "path": "/m", "format": "JSON",
    }  # fmt: skip
    assert dsl.nas(layers=2, operations=[dsl.operation("conv", size=dsl.choice("3"))]) == {
        "layers": 2,
        "operations": [
            {"type": "conv", "parameters": {"size": {"type": "categorical", "values": ["3"]}}}
        ],
    }
    assert dsl.local(command=["python"], env={"A": "1"}) == {
        "command": ["python"],
        "env": {"A": "1"},
    }


def run_source(tmp_path: Path, source: str) -> list[dsl.Declared]:
    path = tmp_path / "spec.py"
    path.write_text(source, encoding="utf-8")
    runpy.run_path(str(path))
    return dsl.declared()


MINIMAL = (
    "from compiler.dsl import *\n"
    "experiment(name='m', objective=maximize('acc'), algorithm='random',\n"
    "           parameters={PARAMS}, trial=job(image='x', command=['--lr=${lr}']))\n"
)


def test_positions_in_process_count_characters(tmp_path: Path) -> None:
    source = MINIMAL.replace("{PARAMS}", "{'lr': floats(0.1, 1)}").replace("'m'", "'é-m'")
    [declared] = run_source(tmp_path, source)
    assert declared.file == str(tmp_path / "spec.py")
    line2 = source.splitlines()[1]
    assert declared.values[()] == (2, 1)
    assert declared.values[("name",)] == (2, line2.index("'é-m'") + 1)
    # after the é: a column in characters, though Python's own offsets count UTF-8 bytes
    assert declared.values[("objective", "maximize")] == (2, line2.index("'acc'") + 1)
    line3 = source.splitlines()[2]
    assert declared.values[("parameters", "lr", "max")] == (3, line3.index("1)") + 1)
    assert declared.keys[("parameters", "lr")] == (3, line3.index("'lr'") + 1)
    docs = experiment_documents("specs/ns/spec.py", [declared.to_json()])
    assert docs[0].where(("parameters", "lr", "min")) == Location(
        "specs/ns/spec.py", 3, line3.index("0.1") + 1
    )


def test_a_part_passed_through_a_variable_keeps_where_it_was_built(tmp_path: Path) -> None:
    source = MINIMAL.replace("{PARAMS}", "{'lr': lr}").replace("*\n", "*\nlr = floats(0.1, 1)\n")
    [declared] = run_source(tmp_path, source)
    assert declared.values[("parameters", "lr")] == (2, 6)  # not where `lr` is used, on line 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{'lr': floats(0.1, object())}", "parameters.lr.max: a value of type object"),
        ("{'lr': floats(0.1, float('nan'))}", "parameters.lr.max: nan cannot be written"),
        ("{1: floats(0.1, 1)}", "parameters: keys must be strings"),
        ("{'lr': {1, 2}}", "parameters.lr: a value of type set"),
    ],
)
def test_values_a_spec_cannot_hold_are_refused_where_written(
    tmp_path: Path, params: str, message: str
) -> None:
    with pytest.raises(dsl.SpecError, match=message) as info:
        run_source(tmp_path, MINIMAL.replace("{PARAMS}", params))
    assert info.value.position is not None
    assert info.value.position[0] == 3


def test_a_structure_that_contains_itself_is_refused(tmp_path: Path) -> None:
    source = "loop = {}\nloop['x'] = loop\n" + MINIMAL.replace("{PARAMS}", "{'lr': loop}")
    with pytest.raises(dsl.SpecError, match="nested more than 64 levels"):
        run_source(tmp_path, source)


def test_at_most_a_thousand_experiments(tmp_path: Path) -> None:
    source = (
        "for i in range(1001):\n    " + MINIMAL.splitlines()[1] + "\n" + MINIMAL.splitlines()[2]
    )
    source = "from compiler.dsl import *\n" + source.replace("{PARAMS}", "{}")
    with pytest.raises(dsl.SpecError, match="at most 1000 experiments"):
        run_source(tmp_path, source)
    assert len(dsl.declared()) == 1000


def test_calls_without_source_still_have_lines() -> None:
    code = compile(MINIMAL.replace("{PARAMS}", "{}"), "<generated>", "exec")
    exec(code, {})
    [declared] = dsl.declared()
    assert declared.values[()][0] == 2


def test_the_dsl_imports_nothing_heavy() -> None:
    """The sandboxed child imports compiler.dsl for every spec: no pydantic, no YAML, nothing
    else of ours, and not even `typing`."""
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import compiler.dsl; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'yaml', 'typing', 'compiler', 'inspect', 'dataclasses'))))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PATH": os.defpath},
    ).stdout.split()
    # the package's own modules, every one (the sandbox confines the spec once it is imported)
    own = [f"compiler.dsl.{p.stem}" for p in sorted((ROOT / "compiler/dsl").glob("_[!_]*.py"))]
    assert out == ["compiler", "compiler.dsl", *own]


def test_floats_are_kept_exactly() -> None:
    assert dsl.floats(1e-5, math.pi)["max"] == math.pi
