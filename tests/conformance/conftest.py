"""Fixtures of the differential suite: the oracle, built once per source hash, run as one
`--batch` process; a `check` function that runs a case on both sides and fails with a minimal
reproducer; and a session summary of how many cases ran.

Without Go the suite skips, unless KATIB_GITOPS_REQUIRE_GO=1 (CI), which makes it fail.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.conftest import require_go

from .harness import (
    Case,
    Oracle,
    allowed_by,
    build_oracle,
    compare,
    katib_module_dir,
    load_allowlist,
    ours,
    report,
)

# Reproducible in CI: the same examples on every run, no example database. For a longer hunt,
# KATIB_GITOPS_CONFORMANCE=explore draws fresh random examples (hypothesis prints the seed of a
# failure) and KATIB_GITOPS_CONFORMANCE_SCALE=N runs N times as many.
_COMMON: dict[str, Any] = {
    "database": None,
    "deadline": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("conformance", derandomize=True, **_COMMON)
settings.register_profile("conformance-explore", derandomize=False, **_COMMON)
PROFILE = settings.get_profile(
    "conformance-explore"
    if os.environ.get("KATIB_GITOPS_CONFORMANCE") == "explore"
    else "conformance"
)
SCALE = max(1, int(os.environ.get("KATIB_GITOPS_CONFORMANCE_SCALE", "1")))

RAN: Counter[str] = Counter()
ALLOWED: Counter[str] = Counter()
CODES: Counter[str] = Counter()  # our codes on cases where both sides agree


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RAN:
        return
    terminalreporter.section("Katib conformance")
    total = sum(RAN.values())
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(RAN.items()))
    terminalreporter.write_line(
        f"{total} cases ran through Katib's webhook code and ours ({parts})"
    )
    for reason, n in sorted(ALLOWED.items()):
        terminalreporter.write_line(f"  allow-listed {n}: {reason}")
    codes = ", ".join(f"{code} {n}" for code, n in sorted(CODES.items()))
    terminalreporter.write_line(f"  verdicts agreed, by code (or allowed): {codes}")


@pytest.fixture(scope="session")
def katib_module() -> Path:
    """Katib's Go module directory (its manifests are read from there, never copied)."""
    return katib_module_dir(require_go())


@pytest.fixture(scope="session")
def oracle() -> Iterator[Oracle]:
    go = require_go()
    proc = Oracle(build_oracle(go))
    try:
        yield proc
    finally:
        proc.close()


Check = Callable[[Case, str], dict[str, Any]]


@pytest.fixture(scope="session")
def check(oracle: Oracle) -> Check:
    """`check(case, kind)`: run both sides; fail with a reproducer when they disagree.
    Returns Katib's result."""
    allowlist = load_allowlist()

    def run(case: Case, kind: str) -> dict[str, Any]:
        RAN[kind] += 1
        theirs = oracle.run(case)
        entry = allowed_by(allowlist, case, theirs)
        if entry is not None:
            ALLOWED[f"{entry.reason} ({entry.reference})"] += 1
            return theirs
        mine = ours(case)
        problems = compare(theirs, mine)
        # AssertionError, not pytest.fail: hypothesis shrinks on it, so the report shows the
        # smallest input that still disagrees
        if problems:
            raise AssertionError(report(case, theirs, mine, problems))
        CODES.update({e["code"] for e in mine["errors"]} or {"allowed"})
        return theirs

    return run
