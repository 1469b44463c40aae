"""Hostile input through `admit`, each in its own process with an address-space limit and a
generous timeout (a hang guard, not a timing assertion): a clean, located error and exit 2,
never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LIMIT = 1536 * 1024 * 1024  # bytes of address space for the admitting process
RUNNER = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
from compiler.cli import main
sys.exit(main(["admit", *sys.argv[1:]]))
"""
HEAD = "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: {name: x}\n"


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return (HEAD + "spec:\n" + "".join(f"  {line}\n" for line in lines)).encode()


def big_file() -> bytes:
    line = "# " + "x" * 1022 + "\n"
    return (HEAD + line * (50 * 1024)).encode()  # 50 MB of comments


def deep_nesting() -> bytes:
    return (HEAD + "spec: " + "[" * 100_000 + "]" * 100_000 + "\n").encode()


def deep_block_nesting() -> bytes:
    return (
        HEAD + "".join(" " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2000 + "v\n"
    ).encode()


def duplicate_keys() -> bytes:
    return (HEAD + "spec:\n  maxTrialCount: 3\n  maxTrialCount: 4\n").encode()


def python_tag() -> bytes:
    return (HEAD + "spec: !!python/object/apply:os.system ['echo pwned']\n").encode()


def binary_junk() -> bytes:
    return bytes(range(256)) * 64 + os.urandom(4096)


def nul_bytes() -> bytes:
    return (HEAD + "spec:\n  maxTrialCount: 3\x00\n").encode()


def utf16() -> bytes:
    return (HEAD + "spec: {}\n").encode("utf-16")


def many_documents() -> bytes:
    return ("---\n" + HEAD).encode() * 5_000


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "alias-bomb": (alias_bomb, "YAML-ALIAS"),
    "50MB-file": (big_file, "YAML-SIZE"),
    # libyaml stops flow nesting at 1000 levels itself, before our limit of 64
    "100k-deep-flow-nesting": (deep_nesting, "YAML-(LIMIT|SYNTAX)"),
    "deep-block-nesting": (deep_block_nesting, "YAML-LIMIT"),
    "duplicate-keys": (duplicate_keys, "YAML-DUPLICATE"),
    "python-object-tag": (python_tag, "YAML-TAG"),
    "binary-junk": (binary_junk, "YAML-ENCODING"),
    "nul-byte": (nul_bytes, "YAML-SYNTAX"),
    "utf-16": (utf16, "YAML-ENCODING"),
    "5000-documents": (many_documents, "YAML-LIMIT"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused_cleanly(name: str, tmp_path: Path) -> None:
    make, code = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(make())
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr[-2000:])
    first = done.stdout.splitlines()[0]
    assert re.match(rf"{re.escape(str(path))}(:\d+:\d+)?: {code} ", first), first
    if code != "YAML-SIZE":  # a file refused for its size is refused before reading
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", first), first


def test_a_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "tag.yaml"
    path.write_text(HEAD + f"spec: !!python/object/apply:os.system ['touch {marker}']\n", "utf-8")
    subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)],
        cwd=ROOT,
        timeout=300,
        check=False,
        capture_output=True,
    )
    assert not marker.exists()


def test_alias_bomb_in_a_configmap_template(tmp_path: Path) -> None:
    """ConfigMap templates are read as Go reads them, aliases included, but an alias costs what
    it expands to: a bomb is refused (V-31, as go-yaml's "excessive aliasing"), not expanded."""
    import json

    from .builders import edited
    from .cases import configmap, configmap_source

    bomb = alias_bomb().decode().replace(HEAD, "apiVersion: batch/v1\nkind: Job\n")
    text = bomb + "x: ${trialParameters.learningRate} ${trialParameters.numLayers}\n"
    text += "y: ${trialParameters.optimizer}\n"
    path = tmp_path / "experiment.yaml"
    path.write_text(json.dumps(edited(configmap_source)), "utf-8")
    cm = tmp_path / "cm.yaml"
    cm.write_text(json.dumps(configmap(text)), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "-o", "json", "--configmap", str(cm), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert [e["code"] for e in json.loads(done.stdout)["errors"]] == ["KATIB-V31"]
