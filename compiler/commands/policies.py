"""One pass of the policies over compiled experiments, shared by `check` (every finding) and
`compile` (the unwaived ones stop it from writing): the rules of policies/ (or the built-in
pack with its defaults), waivers applied, unchanged experiments taken from the cache.

Neither command module imports the other: both import this one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.admission.katibconfig import KatibConfig
from compiler.commands.katibconfig import KatibConfigChoice, cluster_name
from compiler.errors import InputError
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document
from compiler.pipeline import Compiled
from compiler.policy import waivers as waiver_rules
from compiler.policy.cache import Cache, key
from compiler.policy.engine import Evaluation, Ruleset, evaluate, evaluate_across
from compiler.policy.load import load_policies
from compiler.policy.locate import refine_evaluation
from compiler.policy.policyset import PolicySet
from compiler.policy.report import ExperimentRef, Item, RuleInfo
from compiler.policy.subject import SpecInfo, build_subject

POLICIES = "policies"
BUILTIN_ONLY = "the built-in pack with its defaults"
NO_POLICIES_CODE = "POLICY-DEFAULTS"
PROFILES = ("cluster.yaml", "clusters")  # describe the cluster: they configure no policy
# Rules that say what admission now says with the same katib-config: Katib's words win
SHADOWED_BY_ADMISSION = ("cluster-algorithm", "cluster-collector", "cluster-trial-kind")
SpecReader = Callable[[Compiled], Document | None]


@dataclass
class PolicyOutcome:
    items: list[Item] = field(default_factory=list)
    policies: PolicySet | None = None
    checked: int = 0
    cached: int = 0
    source: str = ""  # which policies ran: "policies/", or BUILTIN_ONLY


def configured(root: Path) -> bool:
    """Whether the repository configures its policies: policies/ holds a config, waivers or
    rules, not only the cluster profile (which admission reads too, policies or not)."""
    folder = root / POLICIES
    if not folder.is_dir():
        return False
    return any(
        p.name not in PROFILES and p.suffix in (".yaml", ".yml", ".py") for p in folder.iterdir()
    )


def policy_problems(
    root: Path, compiled: Sequence[Compiled], katib: KatibConfigChoice, cluster: str | None = None
) -> list[Diagnostic]:
    """The hook of `compile`: unwaived policy findings, when the repository configures its
    policies. `check` reports the built-in pack's findings where it does not, with a note."""
    if not configured(root):
        return []
    outcome = run_policies(root, compiled, katib=katib, cluster=cluster)
    return [i.diagnostic for i in outcome.items if not i.waived]


def run_policies(
    root: Path,
    compiled: Sequence[Compiled],
    *,
    katib: KatibConfigChoice,
    cluster: str | None = None,
    today: dt.date | None = None,
    use_cache: bool = True,
) -> PolicyOutcome:
    """Every policy over the compiled experiments. Where the repository configures none, the
    built-in pack runs with its defaults, and a note says so: a check that ran nothing must
    not look clean, nor one that ran rules nobody chose without saying so."""
    folder = root / POLICIES
    policies = with_katib_config(load_policies(folder, POLICIES, cluster_name(cluster)), katib)
    cache = Cache.open(root if use_cache else None)
    run = PolicyPass(policies, katib.config, today or dt.date.today(), cache, reader(root))
    outcome = apply_policies(compiled, run)
    cache.save()
    if configured(root):
        outcome.source = f"{POLICIES}/"
    else:
        outcome.source = BUILTIN_ONLY
        outcome.items.insert(0, Item(_builtin_only_note(folder.is_dir())))
    return outcome


def with_katib_config(policies: PolicySet, katib: KatibConfigChoice) -> PolicySet:
    """The policies with the command's one katib-config (the profile's unless overridden), and
    a digest that covers it: cached findings are only as good as the config they saw."""
    profile = policies.cluster
    if profile is not None:
        profile = dataclasses.replace(profile, katib=katib.config)
    digest = hashlib.sha256(f"{policies.digest}\0{katib.digest}".encode()).hexdigest()
    return dataclasses.replace(policies, cluster=profile, digest=digest)


def _builtin_only_note(has_folder: bool) -> Diagnostic:
    what = (
        "policies/ configures no policies (no config.yaml, waivers or rules)"
        if has_folder
        else "no policies/ folder"
    )
    return Diagnostic(
        code=NO_POLICIES_CODE,
        severity=Severity.INFO,
        message=f"{what}: the built-in policy pack ran with its defaults; `compile` enforces "
        "policies once the repository configures them",
        hint="`katib-gitops policy init` writes a starting policies/ (config.yaml with the "
        "built-in pack, a cluster profile, waivers.yaml)",
    )


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
        if _said_by_admission(c, f.rule, f.diagnostic):
            continue
        ref = f"{info.namespace}/{info.name}"
        waiver = waiver_rules.find(policies.waivers, today, f.rule, info.path, ref)
        outcome.items.append(Item(f.diagnostic, c.source, ref, f.rule, waiver))
    return outcome


def _said_by_admission(c: Compiled, rule: str, d: Diagnostic) -> bool:
    """A cluster-* finding where Katib's admission, reading the same katib-config, already
    rejects the experiment at the same place."""
    if rule not in SHADOWED_BY_ADMISSION:
        return False
    return any(
        k.code.startswith("KATIB-") and k.severity == Severity.ERROR and k.where == d.where
        for k in c.diagnostics
    )


def _evaluate(
    c: Compiled, info: SpecInfo, run: PolicyPass, ruleset: Ruleset, outcome: PolicyOutcome
) -> Evaluation:
    assert c.manifest is not None and c.has_experiment and c.located is not None
    k = key(run.policies.digest, info, c.manifest, c.located)
    found = run.cache.get(k, info)
    outcome.checked += 1
    if found is not None:
        outcome.cached += 1
        return found
    exp = c.experiment  # read only now: a compile-cache hit compiles its model again for it
    assert exp is not None
    evaluation = evaluate(build_subject(c.manifest, exp, info), c.located, ruleset)
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
    if c.manifest is None or not c.has_experiment or c.located is None:
        return None  # it did not compile: its own errors say why
    meta = c.manifest.get("metadata", {})
    return SpecInfo(path, str(meta.get("namespace", "")), c.name, c.index)


def experiment_ref(c: Compiled) -> ExperimentRef:
    meta = (c.manifest or {}).get("metadata", {})
    return ExperimentRef(c.source, c.name, str(meta.get("namespace", "")))


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
