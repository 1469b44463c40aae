"""The built-in pack: one module per rule family. Every rule has an id, a title, a rationale
and a fix (`katib-gitops policy rules` prints them), and passing and failing policy test cases
in `cases/` (`katib-gitops policy test --builtin`).
"""

from __future__ import annotations

from compiler.policy.api import Rule
from compiler.policy.builtin import (
    budget,
    images,
    profile,
    pss_container,
    pss_pod,
    resources,
    runtime,
    sidecar,
    tenancy,
    trial,
)

_MODULES = (
    pss_container,
    pss_pod,
    sidecar,
    images,
    resources,
    runtime,
    budget,
    tenancy,
    profile,
    trial,
)

RULES: tuple[Rule, ...] = tuple(
    value for module in _MODULES for value in vars(module).values() if isinstance(value, Rule)
)
