"""A check's result as data, for the output formats: every finding (compiler and policy alike)
with the experiment it is about and the waiver that covers it, the experiments checked, and
the rules that can appear (for SARIF's rule table and the docs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compiler.model.diagnostics import Diagnostic, Severity
from compiler.policy.waivers import Waiver

RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


@dataclass(frozen=True)
class RuleInfo:
    id: str
    code: str
    title: str
    severity: Severity
    rationale: str
    fix: str
    origin: str = "built-in"
    enabled: bool = True


@dataclass(frozen=True)
class Item:
    diagnostic: Diagnostic
    source: str = ""  # the spec file, when the finding is about an experiment
    experiment: str = ""  # <namespace>/<name>
    rule: str = ""  # the policy rule id; "" for the compiler's own findings
    waiver: Waiver | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def severity(self) -> Severity:
        return self.diagnostic.severity


@dataclass(frozen=True)
class ExperimentRef:
    source: str
    name: str
    namespace: str = ""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class Report:
    items: tuple[Item, ...] = ()
    experiments: tuple[ExperimentRef, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    fail_on: Severity = Severity.ERROR
    # what the check ran with: the katib-config's source and digest, and which policies
    katib_config: Mapping[str, str] = field(default_factory=dict)
    policies: str = ""

    def failing(self) -> list[Item]:
        """Unwaived findings at or above the `--fail-on` level."""
        floor = RANK[self.fail_on]
        return [i for i in self.items if not i.waived and RANK[i.severity] >= floor]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing() else 0

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.items if not i.waived and i.severity == severity)

    @property
    def waived(self) -> int:
        return sum(1 for i in self.items if i.waived)

    def for_experiment(self, experiment: ExperimentRef) -> list[Item]:
        return [
            i
            for i in self.items
            if i.source == experiment.source and i.experiment == experiment.ref
        ]

    def summary(self) -> str:
        n = len(self.experiments)
        return (
            f"{n} experiment{'s' if n != 1 else ''}: {self.count(Severity.ERROR)} errors, "
            f"{self.count(Severity.WARNING)} warnings, {self.count(Severity.INFO)} notes, "
            f"{self.waived} waived"
        )
