"""Every diagnostic code the source can emit is documented in docs/codes.md (or, for policy
rules, in policies/RULES.md)."""

from __future__ import annotations

import re
from pathlib import Path

from compiler.admission.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r'"((?:SPEC|YAML|INPUT|RENDER|KATIB|POLICY)-[A-Za-z0-9-]*[A-Za-z0-9])"')


def source_codes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "compiler").rglob("*.py"):
        found |= set(CODE.findall(path.read_text("utf-8")))
    found |= {f"KATIB-{rid}" for rid in RULES}
    found |= {f"KATIB-R{n}" for n in range(20, 27)}  # the algorithms room builds these
    return {c for c in found if c != "KATIB-R"}


def test_every_code_is_documented() -> None:
    documented = (ROOT / "docs/codes.md").read_text("utf-8")
    documented += (ROOT / "policies/RULES.md").read_text("utf-8")
    missing = sorted(c for c in source_codes() if f"`{c}`" not in documented)
    assert missing == []


def test_the_katib_rules_table_matches_the_catalogue() -> None:
    documented = (ROOT / "docs/codes.md").read_text("utf-8")
    for rid, rule in RULES.items():
        row = next(
            line for line in documented.splitlines() if line.startswith(f"| `KATIB-{rid}` |")
        )
        assert f"| {rule.type} |" in row, rid
