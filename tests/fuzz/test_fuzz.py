"""No input crashes a command (issue 11): property-based mutations of Katib's examples, the
repository's specs and policies/, a katib-config and a ConfigMap, by type and by value, at
every path, and of the text itself. Each command that takes the input runs on it in this
process (the CLI's own `main`); a few go through the real `katib-gitops` subprocess.

Seeded (`derandomize=True`): a failure reproduces, and hypothesis shrinks it to one change.
`python -m tests.fuzz.fuzz --seed N --count M` runs the same mutations for longer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import require_shared
from tests.fuzz.commands import Outcome, run_in_process, run_subprocess, targets, workspace
from tests.fuzz.mutate import DrawChooser, mutate
from tests.fuzz.seeds import (
    Seed,
    cluster_inputs,
    imported_specs,
    katib_examples,
    policy_files,
    repository_specs,
)


def bounded(examples: int) -> Callable[[Any], Any]:
    return settings(
        derandomize=True,
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def examples() -> list[Seed]:
    require_shared()
    return katib_examples()


@pytest.fixture(scope="module")
def specs() -> list[Seed]:
    found = repository_specs()
    return found + (imported_specs() if katib_examples() else [])


def assert_clean(outcomes: list[Outcome], seed: Seed, data: bytes) -> None:
    bad = [o for o in outcomes if o.problem]
    shown = data[:2000].decode("utf-8", "replace")
    assert not bad, (
        "\n\n".join(f"{o.target} on a mutation of {seed.name}: {o.problem}" for o in bad)
        + f"\n--- the input ({len(data)} bytes):\n{shown}"
    )


def check_every_command(draw: Callable[[Any], Any], seeds: list[Seed], base: Path) -> None:
    chooser = DrawChooser(draw)
    seed = chooser.pick(seeds)
    data = mutate(chooser, seed.text, python=seed.python)
    with workspace(base, seed, data) as w:
        outcomes = [run_in_process(name, argv(w)) for name, argv in targets(seed.kind)]
    assert_clean(outcomes, seed, data)


@bounded(120)
@given(data=st.data())
def test_katib_examples_mutated(data: st.DataObject, examples: list[Seed], scratch: Path) -> None:
    """admit (four ways) and import (three) on Katib's examples with one thing changed."""
    check_every_command(data.draw, examples, scratch)


@bounded(60)
@given(data=st.data())
def test_specs_mutated(data: st.DataObject, specs: list[Seed], scratch: Path) -> None:
    """validate, check, compile, render-trial and run on the repository's specs, the golden
    cases' and Katib's examples as `import` writes them."""
    check_every_command(data.draw, specs, scratch)


@bounded(50)
@given(data=st.data())
def test_policies_mutated(data: st.DataObject, scratch: Path) -> None:
    """check, compile and policy test with one file of policies/ changed."""
    check_every_command(data.draw, policy_files(), scratch)


@bounded(40)
@given(data=st.data())
def test_katib_config_and_configmap_mutated(data: st.DataObject, scratch: Path) -> None:
    """--katib-config and --configmap files with one thing changed."""
    check_every_command(data.draw, cluster_inputs(), scratch)


# Through the real command line: what a user sees, without our in-process harness.
SUBPROCESS_TARGETS = ("admit", "import", "validate", "check", "render-trial", "run", "policy test")


@bounded(6)
@given(data=st.data())
def test_real_cli_never_prints_a_traceback(
    data: st.DataObject, specs: list[Seed], scratch: Path
) -> None:
    chooser = DrawChooser(data.draw)
    pool = [*specs, *katib_examples(), *policy_files()]
    seed = chooser.pick(pool)
    mutated = mutate(chooser, seed.text, python=seed.python)
    chosen = [(n, a) for n, a in targets(seed.kind) if n in SUBPROCESS_TARGETS]
    with workspace(scratch, seed, mutated) as w:
        outcomes = [run_subprocess(name, argv(w)) for name, argv in chosen]
    assert_clean(outcomes, seed, mutated)
    assert all(o.code is not None and 0 <= o.code <= 3 for o in outcomes)
