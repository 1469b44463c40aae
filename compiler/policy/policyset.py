"""Everything policies/ says, as data: the configuration, the cluster profile, the waivers and
every rule (built-in and the repository's), with the problems found in reading them and a
digest of all that decides findings (waivers apart: they are applied after the cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compiler.admission.katibconfig import KatibConfig, default_config
from compiler.model.diagnostics import Diagnostic
from compiler.policy.api import Context, Rule
from compiler.policy.cluster import ClusterProfile
from compiler.policy.config import PolicyConfig
from compiler.policy.engine import Ruleset
from compiler.policy.waivers import Waiver


@dataclass(frozen=True)
class PolicySet:
    config: PolicyConfig = field(default_factory=PolicyConfig)
    cluster: ClusterProfile | None = None
    waivers: tuple[Waiver, ...] = ()
    rules: tuple[Rule, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    digest: str = ""
    folder: str = "policies"

    def enabled(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if self.config.enabled(r.id, r.enabled))

    def ruleset(self, katib: KatibConfig | None = None) -> Ruleset:
        """The enabled rules and their context. The cluster profile's katib-config wins over
        the one the command was given: it describes the cluster the policies are about."""
        profile = self.cluster.katib if self.cluster else None
        context = Context(self.config.params, self.cluster, profile or katib or default_config())
        severities = {r.id: s for r in self.rules if (s := self.config.severity(r.id)) is not None}
        return Ruleset(self.enabled(), context, severities)
