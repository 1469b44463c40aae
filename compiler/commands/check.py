"""`check`, `policy test` and `policy rules`: specs/ compiled, then every policy of policies/
over each experiment (the pass itself is `commands/policies.py`, which `compile` shares).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.admission.katibconfig import KatibConfig
from compiler.commands.common import load_katib_config
from compiler.commands.compile import compile_specs
from compiler.commands.katibconfig import cluster_name
from compiler.commands.policies import (
    POLICIES,
    PolicyOutcome,
    PolicyPass,
    apply_policies,
    experiment_ref,
    rule_infos,
    run_policies,
)
from compiler.model.diagnostics import Severity
from compiler.normalize import SpecContext
from compiler.pipeline import compile_document
from compiler.policy.cache import Cache
from compiler.policy.load import Case, builtin_cases, load_policies, read_cases
from compiler.policy.report import Item, Report, RuleInfo
from compiler.policy.verify import expected_from, verify

__all__ = ["POLICIES", "CaseResult", "PolicyOutcome", "check", "policy_test", "rule_catalog"]


def check(
    root: Path,
    paths: Sequence[str] = (),
    *,
    katib_config: str | None = None,
    cluster: str | None = None,
    configmaps: Sequence[str] = (),
    fail_on: Severity = Severity.ERROR,
    today: dt.date | None = None,
    use_cache: bool = True,
) -> tuple[Report, PolicyOutcome]:
    """Validate every spec and run the policies; the report holds every finding, and names
    the katib-config and the policies it ran with."""
    run = compile_specs(
        root,
        paths,
        katib_config=katib_config,
        cluster=cluster,
        configmaps=configmaps,
        policies=False,
    )
    katib = run.katib
    assert katib is not None
    outcome = run_policies(
        root, run.compiled, katib=katib, cluster=cluster, today=today, use_cache=use_cache
    )
    items = [Item(d) for d in run.problems]
    items += [Item(d, c.source, experiment_ref(c).ref) for c in run.compiled for d in c.diagnostics]
    seen = {i.diagnostic for i in items if not i.source}
    items += [i for i in outcome.items if i.source or i.diagnostic not in seen]  # said once
    experiments = tuple(experiment_ref(c) for c in run.compiled)
    rules = rule_infos(outcome.policies) if outcome.policies else ()
    return Report(
        tuple(items), experiments, rules, fail_on, katib.as_json(), outcome.source
    ), outcome


def rule_catalog(root: Path) -> tuple[RuleInfo, ...]:
    """Every rule (built-in and the repository's) as configured in policies/."""
    return rule_infos(load_policies(root / POLICIES, POLICIES))


# --- policy test --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    case: Case
    failures: tuple[str, ...]
    items: tuple[Item, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


def policy_test(
    root: Path, *, builtin: bool = False, names: Sequence[str] = (), cluster: str | None = None
) -> list[CaseResult]:
    """Run the cases beside the policies (or the built-in pack's own cases)."""
    if builtin:
        base, cases = builtin_cases()
    else:
        base = load_policies(root / POLICIES, POLICIES, cluster_name(cluster))
        cases = read_cases(root / POLICIES / "tests", f"{POLICIES}/tests", base)
    chosen = [c for c in cases if not names or c.name in names]
    return [run_case(c) for c in chosen]


def run_case(case: Case, katib: KatibConfig | None = None) -> CaseResult:
    """A case's spec is compiled with Katib's default katib-config (unless `katib` is given),
    not its cluster profile's: a case is about what the rules find, and admission would
    otherwise say first what the cluster-* rules are there to show."""
    expected, problems = expected_from(case.expected)
    problems = [*case.problems, *case.policies.problems, *problems]
    if problems:
        return CaseResult(case, tuple(d.render().splitlines()[0] for d in problems))
    config = katib or load_katib_config(None)
    namespace = Path(expected.path).parts[1] if len(Path(expected.path).parts) > 2 else "default"
    ctx = SpecContext(expected.path, namespace)
    single = len(case.specs) == 1
    compiled = [
        compile_document(d, ctx, config, {}, Path(expected.path).stem if single else None)
        for d in case.specs
    ]
    docs = {d.index: d for d in case.specs}
    run = PolicyPass(
        case.policies, config, dt.date.today(), Cache(None), lambda c: docs.get(c.index)
    )
    outcome = apply_policies(compiled, run, [expected.path] * len(compiled))
    items = [
        Item(d, c.source, experiment_ref(c).ref) for c in compiled for d in c.diagnostics
    ] + outcome.items
    return CaseResult(case, tuple(verify(expected, items)), tuple(items))
