"""The compile's shortcuts give exactly what the long way gives (issue 11, item 7).

- A kustomization is joined from per-experiment patch items, written as text for plain
  names: it must equal the kustomization dumped whole, for every golden case, every spec of
  the repository and a few hundred generated specs.
- Quantities are parsed once per text: a cached answer equals a fresh parse, and an invalid
  text raises each time.
- An Unstructured field's JSON text is spelled out only for an error: the error is the same.
"""

from __future__ import annotations

import importlib.util
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.commands.compile import compile_specs
from compiler.kubetypes import QuantityError, roundtrip_json
from compiler.kubetypes.quantity import quantity_from_json
from compiler.pipeline import Compiled
from compiler.render import manifests
from compiler.render.manifests import experiment_path, kustomization, patch_item
from compiler.yamlout import dump

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXPERIMENT_TYPE = "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment"


def _generated_repo(root: Path, n: int) -> None:
    """`n` specs from benchmarks/compile.py's generator, seeded."""
    loaded = importlib.util.spec_from_file_location("bench_compile", ROOT / "benchmarks/compile.py")
    assert loaded is not None and loaded.loader is not None
    bench = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(bench)
    rng = random.Random(11)
    for i in range(n):
        path = root / "specs" / f"team-{i % 4}" / f"exp-{i:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bench.spec_text(i, rng), "utf-8")


def _compiled_sets(tmp: Path) -> Iterator[tuple[str, list[Compiled]]]:
    for case in sorted(p for p in GOLDEN.iterdir() if (p / "specs").is_dir()):
        config = "katib-config.yaml" if (case / "katib-config.yaml").exists() else None
        maps = ["configmap.yaml"] if (case / "configmap.yaml").exists() else []
        run = compile_specs(case, katib_config=config, configmaps=maps)
        yield f"golden/{case.name}", [c for c in run.compiled if c.has_manifest]
    run = compile_specs(ROOT, policies=False)  # specs/, Python specs included
    yield "specs", [c for c in run.compiled if c.has_manifest]
    _generated_repo(tmp, 300)
    yield "generated", [c for c in compile_specs(tmp).compiled if c.has_manifest]


def _dumped_whole(placed: list[tuple[str, Compiled]], folder: str) -> str:
    """The kustomization as `yaml.dump` of the whole file gives it (the long way)."""
    prefix = f"{folder}/"
    body: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [path[len(prefix) :] for path, _ in placed],
        "patches": [patch_item(c) for _, c in placed],
    }
    return manifests._HEADER + dump(body)


def test_kustomization_text_is_the_dumped_file(tmp_path: Path) -> None:
    checked = 0
    for label, compiled in _compiled_sets(tmp_path):
        placed = sorted(((experiment_path(c), c) for c in compiled), key=lambda x: x[0])
        for folder in sorted({path.split("/", 1)[0] for path, _ in placed}):
            items = [p for p in placed if p[0].startswith(folder + "/")]
            assert kustomization(items, folder).text == _dumped_whole(items, folder), label
            checked += len(items)
    assert checked > 300


class _Item:
    """What `patch_text` reads of a compiled experiment."""

    def __init__(self, name: str, namespace: str, source: str = "specs/a/b.yaml") -> None:
        self.name = name
        self.metadata = {"name": name, "namespace": namespace}
        self.source = source
        self.revision = "0123456789"
        self.known_patch = None


@pytest.mark.parametrize(
    "name",
    [
        "a",
        "exp-0001-6325e37460",
        "z" * 63,
        "e1",
        "dee.5",
        "y",
        "n",
        "yes",
        "no",
        "on",
        "off",
        "null",
        "true",
        "false",
        "team-0",
        "tpe",
        "nlp",
        "on-call",
        "nullable",
        "yes.1",
        "off-",
        "1e3",
        "0x1f",
        "2024-01-02",
        "a" * 64,
        "Exp",
        "ü-x",
        "a b",
        "a:b",
        "",
    ],
)
def test_patch_text_is_the_dumped_item(name: str) -> None:
    c: Any = _Item(name, name[:20] or "default", "specs/team/x y: #z.yaml")
    assert manifests.patch_text(c) == dump([patch_item(c)])


def test_patch_text_of_every_short_word() -> None:
    """Every name of one to three letters (YAML's special words are among them)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    for n in (1, 2, 3):
        for letters in itertools.product(alphabet, repeat=n):
            name = "".join(letters)
            c: Any = _Item(name, "team-" + name)
            assert manifests.patch_text(c) == dump([patch_item(c)]), name


def test_patch_text_of_random_names() -> None:
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-."
    for _ in range(2000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 70)))
        c: Any = _Item(name, name[::-1])
        assert manifests.patch_text(c) == dump([patch_item(c)]), name


@pytest.mark.parametrize("raw", ['"2Gi"', '"1"', '"1024Mi"', '"0.5"', "1", '"1e3"', "null"])
def test_quantity_cache_matches_a_fresh_parse(raw: str) -> None:
    fresh = quantity_from_json.__wrapped__(raw)
    assert quantity_from_json(raw) == fresh
    assert quantity_from_json(raw) == fresh


@pytest.mark.parametrize("raw", ['"2Gx"', '"abc"', "true", '""'])
def test_an_invalid_quantity_raises_each_time(raw: str) -> None:
    for _ in range(2):
        with pytest.raises(QuantityError) as first:
            quantity_from_json(raw)
        with pytest.raises(QuantityError) as again:
            quantity_from_json.__wrapped__(raw)
        assert str(first.value) == str(again.value)


def _experiment(trial_spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "x"},
        "spec": {"trialTemplate": {"trialSpec": trial_spec}},
    }


@pytest.mark.parametrize(
    ("trial_spec", "message"),
    [
        (
            {"apiVersion": "batch/v1", "spec": {"a": 1}},
            "Object 'Kind' is missing in '{\"apiVersion",
        ),
        ({"kind": ""}, "Object 'Kind' is missing in '{\"kind\":\"\"}'"),
        ({}, "Object 'Kind' is missing in '{}'"),
    ],
)
def test_unstructured_error_spells_out_its_text(trial_spec: Any, message: str) -> None:
    result = roundtrip_json(_experiment(trial_spec), EXPERIMENT_TYPE)
    assert [e.message[: len(message)] for e in result.errors] == [message]
    assert result.errors[0].path == ("spec", "trialTemplate", "trialSpec")


def test_unstructured_without_error_is_normalized() -> None:
    spec = {"kind": "Job", "apiVersion": "batch/v1", "spec": {"b": 1.0, "a": [2.5]}}
    result = roundtrip_json(_experiment(spec), EXPERIMENT_TYPE)
    assert not result.errors
    trial = result.value["spec"]["trialTemplate"]["trialSpec"]
    assert trial == {"apiVersion": "batch/v1", "kind": "Job", "spec": {"a": [2.5], "b": 1}}
    assert list(trial) == ["apiVersion", "kind", "spec"]


def _as_go_reference(v: Any) -> Any:
    """`_as_go` the long way: isinstance at every value."""
    if isinstance(v, dict):
        return {str(k): _as_go_reference(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_as_go_reference(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


class _Str(str):
    pass


class _Int(int):
    pass


class _Dict(dict[Any, Any]):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1, 2.5, True, None, "x"], "c": {"d": {"e": -3}}},
        {True: 1, 2: "two", None: [], _Str("s"): _Int(4)},
        [_Dict(x=1), [_Int(2)], _Str("t"), (1, 2)],
        _Int(7),
        True,
        None,
        10**30,
    ],
)
def test_as_go_matches_the_long_way(value: Any) -> None:
    from compiler.kubetypes.jsonpatch import _as_go

    got, want = _as_go(value), _as_go_reference(value)
    assert got == want
    assert repr(got) == repr(want)  # the same types too (1.0, not 1; True, not 1.0)
