"""What the policies could not see: a trial whose pods are defined outside the experiment (a
ConfigMap template, a kind without a pod template, a TrainJob's runtime) is reported, so
that a clean result is never mistaken for a checked one.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.policy.api import Context, Finding, Subject, rule
from compiler.policy.subject import TRIAL_SPEC


@rule(
    "trial-pods-visible",
    severity="info",
    title="The trial's pods are visible to the policies",
    rationale="Pod rules (security, images, resources) can only check pod templates written in "
    "the experiment.",
    fix="Write the trial job in the spec (trial.spec or the short form) rather than in a "
    "ConfigMap, or check the ConfigMap's template separately.",
)
def pods_visible(subject: Subject, context: Context) -> Iterator[Finding]:
    if not subject.pods:
        source = (
            "a ConfigMap template"
            if subject.get("spec", "trialTemplate", "configMap")
            else subject.kind
        )
        yield Finding(
            f"no pod template is visible in the trial ({source}): pod rules did not run",
            ("spec", "trialTemplate"),
        )
    elif any(not p.complete for p in subject.pods):
        runtime = subject.get(*TRIAL_SPEC, "spec", "runtimeRef", "name")
        yield Finding(
            f"the TrainJob's pods come from runtime {runtime!r}: their security context is "
            "set there, not checked here",
            (*TRIAL_SPEC, "spec", "runtimeRef"),
        )
