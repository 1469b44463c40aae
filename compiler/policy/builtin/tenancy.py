"""Tenancy: a spec under `specs/<team>/` may only target the namespaces mapped to its team, so
that a team's review covers everything that lands in its namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.policy.api import Context, Finding, Subject, rule

NAMESPACE = ("metadata", "namespace")


@rule(
    "tenancy-namespace",
    title="A team targets only its own namespaces",
    rationale="Each team's folder is reviewed by that team (CODEOWNERS); an experiment written "
    "in one team's folder must not spend another team's quota or see its data.",
    fix="Move the spec to the folder of the team that owns the namespace, or map the namespace "
    "to the team in parameters.tenancy.teams.",
)
def namespace(subject: Subject, context: Context) -> Iterator[Finding]:
    teams = context.param("tenancy", "teams")
    if not teams:
        return
    team, target = subject.spec.team, subject.namespace
    if team is None:
        yield Finding(f"{subject.spec.path} is outside a team folder (specs/<team>/...)", NAMESPACE)
        return
    allowed = tuple(teams.get(team) or ())
    if not allowed:
        yield Finding(f"team {team!r} has no namespaces in parameters.tenancy.teams", NAMESPACE)
    elif target not in allowed:
        yield Finding(
            f"team {team!r} may not target namespace {target!r} (allowed: {', '.join(allowed)})",
            NAMESPACE,
        )
