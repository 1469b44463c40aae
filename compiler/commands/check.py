"""`check`, `policy test`, and the policy hook of `compile`: specs/ compiled, then every policy
of policies/ over each experiment, with waivers applied and unchanged experiments taken from
the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.admission.katibconfig import KatibConfig
from compiler.commands.common import load_katib_config
from compiler.errors import InputError
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document
from compiler.normalize import SpecContext
from compiler.pipeline import Compiled, compile_document
from compiler.policy import waivers as waiver_rules
from compiler.policy.cache import Cache, key
from compiler.policy.engine import Evaluation, Ruleset, evaluate, evaluate_across
from compiler.policy.load import Case, builtin_cases, load_policies, read_cases
from compiler.policy.locate import refine_evaluation
from compiler.policy.policyset import PolicySet
from compiler.policy.report import ExperimentRef, Item, Report, RuleInfo
from compiler.policy.subject import SpecInfo, build_subject
from compiler.policy.verify import expected_from, verify

POLICIES = "policies"
SpecReader = Callable[[Compiled], Document | None]


@dataclass
class PolicyOutcome:
    items: list[Item] = field(default_factory=list)
    policies: PolicySet | None = None
    checked: int = 0
    cached: int = 0


def check(
    root: Path,
    paths: Sequence[str] = (),
    *,
    katib_config: str | None = None,
    configmaps: Sequence[str] = (),
    fail_on: Severity = Severity.ERROR,
    today: dt.date | None = None,
    use_cache: bool = True,
) -> tuple[Report, PolicyOutcome]:
    """Validate every spec and run the policies; the report holds every finding."""
    from compiler.commands.compile import compile_specs

    run = compile_specs(
        root, paths, katib_config=katib_config, configmaps=configmaps, policies=False
    )
    katib = load_katib_config(str(root / katib_config) if katib_config else None)
    outcome = run_policies(root, run.compiled, katib=katib, today=today, use_cache=use_cache)
    items = [Item(d) for d in run.problems]
    items += [Item(d, c.source, _ref(c).ref) for c in run.compiled for d in c.diagnostics]
    experiments = tuple(_ref(c) for c in run.compiled)
    rules = rule_infos(outcome.policies) if outcome.policies else ()
    return Report(tuple(items + outcome.items), experiments, rules, fail_on), outcome


def policy_problems(
    root: Path, compiled: Sequence[Compiled], katib: KatibConfig
) -> list[Diagnostic]:
    """The hook of `compile`: unwaived policy findings, when the repository has policies/."""
    if not (root / POLICIES).is_dir():
        return []
    outcome = run_policies(root, compiled, katib=katib)
    return [i.diagnostic for i in outcome.items if not i.waived]


def run_policies(
    root: Path,
    compiled: Sequence[Compiled],
    *,
    katib: KatibConfig,
    today: dt.date | None = None,
    use_cache: bool = True,
) -> PolicyOutcome:
    if not (root / POLICIES).is_dir():
        return PolicyOutcome()
    policies = load_policies(root / POLICIES, POLICIES)
    cache = Cache.open(root if use_cache else None)
    run = PolicyPass(policies, katib, today or dt.date.today(), cache, reader(root))
    outcome = apply_policies(compiled, run)
    cache.save()
    return outcome


@dataclass(frozen=True)
class PolicyPass:
    """How one pass of the policies runs: what it applies, on which day, with which cache,
    and how it reads a spec again to sharpen a location."""

    policies: PolicySet
    katib: KatibConfig
    today: dt.date
    cache: Cache
    read: SpecReader


def apply_policies(
    compiled: Sequence[Compiled], run: PolicyPass, spec_paths: Sequence[str] = ()
) -> PolicyOutcome:
    """Every rule over every compiled experiment, then the repository-wide rules, then the
    waivers. `spec_paths` gives where each spec pretends to live (policy tests)."""
    policies, today = run.policies, run.today
    ruleset = policies.ruleset(run.katib)
    outcome = PolicyOutcome(policies=policies)
    outcome.items += [Item(d) for d in policies.problems]
    outcome.items += [Item(d) for d in waiver_rules.expired(policies.waivers, today)]
    done: list[tuple[Compiled, SpecInfo, Evaluation]] = []
    for i, c in enumerate(compiled):
        info = _spec_info(c, spec_paths[i] if i < len(spec_paths) else c.source)
        if info is not None:
            done.append((c, info, _evaluate(c, info, run, ruleset, outcome)))
    pairs = [(c, info, f) for c, info, e in done for f in e.findings]
    across = evaluate_across([e.summary for _, _, e in done], ruleset)
    pairs += [(*done[i][:2], f) for i, f in across if i >= 0]
    outcome.items += [Item(f.diagnostic, rule=f.rule) for i, f in across if i < 0]
    for c, info, f in pairs:
        ref = f"{info.namespace}/{info.name}"
        waiver = waiver_rules.find(policies.waivers, today, f.rule, info.path, ref)
        outcome.items.append(Item(f.diagnostic, c.source, ref, f.rule, waiver))
    return outcome


def _evaluate(
    c: Compiled, info: SpecInfo, run: PolicyPass, ruleset: Ruleset, outcome: PolicyOutcome
) -> Evaluation:
    assert c.manifest is not None and c.experiment is not None and c.located is not None
    k = key(run.policies.digest, info, c.manifest, c.located)
    found = run.cache.get(k, info)
    outcome.checked += 1
    if found is not None:
        outcome.cached += 1
        return found
    evaluation = evaluate(build_subject(c.manifest, c.experiment, info), c.located, ruleset)
    evaluation = refine_evaluation(evaluation, c.located, c.manifest, lambda: run.read(c))
    run.cache.put(k, evaluation)
    return evaluation


def reader(root: Path) -> SpecReader:
    """Read a spec document again, only to sharpen a finding's location (YAML specs only:
    Python specs record their own locations)."""

    def read(c: Compiled) -> Document | None:
        if not c.source.endswith((".yaml", ".yml")):
            return None
        try:
            docs = load_file(root / c.source, name=c.source)
        except InputError:
            return None
        return next((d for d in docs if d.index == c.index), None)

    return read


def _spec_info(c: Compiled, path: str) -> SpecInfo | None:
    if c.manifest is None or c.experiment is None or c.located is None:
        return None  # it did not compile: its own errors say why
    meta = c.manifest.get("metadata", {})
    return SpecInfo(path, str(meta.get("namespace", "")), c.name, c.index)


def _ref(c: Compiled) -> ExperimentRef:
    meta = (c.manifest or {}).get("metadata", {})
    return ExperimentRef(c.source, c.name, str(meta.get("namespace", "")))


def rule_catalog(root: Path) -> tuple[RuleInfo, ...]:
    """Every rule (built-in and the repository's) as configured in policies/."""
    return rule_infos(load_policies(root / POLICIES, POLICIES))


def rule_infos(policies: PolicySet) -> tuple[RuleInfo, ...]:
    cfg = policies.config
    return tuple(
        RuleInfo(
            r.id,
            r.code,
            r.title,
            cfg.severity(r.id) or r.severity,
            r.rationale,
            r.fix,
            r.origin,
            cfg.enabled(r.id, r.enabled),
        )
        for r in policies.rules
    )


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
    root: Path, *, builtin: bool = False, names: Sequence[str] = ()
) -> list[CaseResult]:
    """Run the cases beside the policies (or the built-in pack's own cases)."""
    if builtin:
        base, cases = builtin_cases()
    else:
        base = load_policies(root / POLICIES, POLICIES)
        cases = read_cases(root / POLICIES / "tests", f"{POLICIES}/tests", base)
    chosen = [c for c in cases if not names or c.name in names]
    return [run_case(c) for c in chosen]


def run_case(case: Case, katib: KatibConfig | None = None) -> CaseResult:
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
        Item(d, c.source, _ref(c).ref) for c in compiled for d in c.diagnostics
    ] + outcome.items
    return CaseResult(case, tuple(verify(expected, items)), tuple(items))
