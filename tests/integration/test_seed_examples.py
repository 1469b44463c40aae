"""The book chapter's Examples 10-1, 10-3 and 10-4, as this repository's specs: at most a third
of the lines of their Katib YAML, compiled to manifests that Katib's admission accepts unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.admission import admit
from compiler.load.files import load_file
from compiler.yamlout import dump
from tests.conftest import require_shared

ROOT = Path(__file__).resolve().parents[2]
SPECS = {
    "10-1": (
        "specs/kubeflow/random-example.yaml",
        "generated/kubeflow/random-example/random-example.yaml",
    ),
    "10-3": (
        "specs/kubeflow/tfjob-example.yaml",
        "generated/kubeflow/tfjob-example/tfjob-example.yaml",
    ),
    "10-4": (
        "specs/kubeflow/darts-example.py",
        "generated/kubeflow/darts-example/darts-example-gpu.yaml",
    ),
}


def counted(text: str) -> int:
    """Lines that are neither blank nor comments (nor a Python docstring)."""
    text = re.sub(r'^""".*?"""', "", text, count=1, flags=re.S)
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def seed_examples() -> dict[str, str]:
    chapter = (require_shared() / "seed" / "katib-chapter.zh.md").read_text("utf-8")
    blocks = re.findall(r"##### 示例 (10-\d)[^\n]*\n\n```\n(.*?)```", chapter, re.S)
    return dict(blocks)


@pytest.mark.shared
@pytest.mark.parametrize("example", sorted(SPECS))
def test_the_spec_is_at_most_a_third_of_the_katib_yaml(example: str) -> None:
    katib = counted(seed_examples()[example])
    ours = counted((ROOT / SPECS[example][0]).read_text("utf-8"))
    assert katib > 50
    assert 3 * ours <= katib, (ours, katib)


@pytest.mark.parametrize("example", sorted(SPECS))
def test_the_compiled_manifest_is_what_katib_stores(example: str) -> None:
    path = ROOT / SPECS[example][1]
    text = path.read_text("utf-8")
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    [doc] = load_file(path, go_keys=True)
    verdict = admit(doc, strict=True)
    assert verdict.allowed, [d.render() for d in verdict.errors]
    assert verdict.object is not None
    assert dump(verdict.object) == body  # admit on our output changes nothing
