"""A pull request's plan as Markdown, for one sticky comment: a hidden marker (so the comment
is found and updated, not repeated), the summary, a section per changed experiment, the findings
the pull request adds or fixes, the cost and what it touches.

GitHub refuses a comment longer than 65,536 characters, so the text is measured in UTF-8 bytes
(never fewer than characters) and cut between whole sections, with a line saying what was left
out and where the full diff is. Every value from a spec or a manifest is escaped: it is
untrusted, and a comment must not ping people (@) or break out of its table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from compiler.changes import ADDED, IN_PLACE, REMOVED, REPLACE, UNCHANGED, Change, FieldChange
from compiler.policy.outputs.markdown import cell
from compiler.prdiff.model import (
    CHANGES,
    WORKTREE,
    Cost,
    ExperimentDiff,
    Finding,
    PullRequestDiff,
    Side,
)

MARKER = "<!-- katib-gitops:diff -->"
LIMIT = 65_536  # GitHub's limit for a comment
VALUE_CHARS = 160  # a field's value is cut past this; the JSON has it whole
MAX_FIELDS = 40  # fields shown per experiment
MAX_ROWS = 100  # findings or cost rows per table
MAX_NAMES = 30  # namespaces or teams listed
NAME_CHARS = 120  # a name, path or location is cut past this (a hand-made manifest's can be long)
TEXT_CHARS = 400  # a message
ICON: dict[Change, str] = {
    REPLACE: "🔁",
    IN_PLACE: "✏️",
    ADDED: "➕",
    REMOVED: "➖",
    UNCHANGED: "·",
}
WHAT: dict[Change, str] = {
    REPLACE: "a new Experiment (a new run); the old one is archived to reports/ and deleted",
    IN_PLACE: "the running Experiment is updated (budget or metadata)",
    ADDED: "a new Experiment",
    REMOVED: "the Experiment is archived to reports/ and deleted",
    UNCHANGED: "nothing",
}


def text(value: str, chars: int = TEXT_CHARS) -> str:
    """Escaped for a table cell or a line: no Markdown, no HTML, no @mentions; cut past
    `chars`, so that no one value can fill the comment."""
    return cell(clip(value, chars)).replace("@", "&#64;")


def code(value: str, chars: int = NAME_CHARS) -> str:
    """A code span (mentions and HTML do not work there); a pipe still ends a table cell."""
    if not value or any(c in value for c in "`@\n\r"):
        return text(value, chars)
    return "`" + clip(value, chars).replace("|", "\\|") + "`"


def clip(value: str, chars: int) -> str:
    return value if len(value) <= chars else value[: chars - 1] + "…"


def render(diff: PullRequestDiff, artifact_url: str = "", limit: int = LIMIT) -> str:
    head = _head(diff)
    sections = _sections(diff)
    return _fit(head, sections, artifact_url, limit)


def _fit(head: str, sections: Sequence[str], artifact_url: str, limit: int) -> str:
    """The head and as many whole sections as fit, in order; then what was left out."""
    out = head
    for i, section in enumerate(sections):
        if _size(out + section) + _size(_left_out(len(sections) - i, artifact_url)) > limit:
            return out + _left_out(len(sections) - i, artifact_url)
        out += section
    return out


def _left_out(n: int, artifact_url: str) -> str:
    where = (
        f"[the full diff]({artifact_url}) (the `diff.json` and `diff.md` artifact of this run)"
        if artifact_url
        else "the full diff in the `diff.json` artifact of this run"
    )
    return (
        f"\n---\n\n✂️ **{n} more section{'s' if n != 1 else ''} left out** to stay within "
        f"GitHub's {LIMIT:,}-character limit for a comment; see {where}.\n"
    )


def _size(s: str) -> int:
    return len(s.encode("utf-8"))


# --- the head: always shown ------------------------------------------------------------------


def _head(diff: PullRequestDiff) -> str:
    lines = [MARKER, "## katib-gitops diff", "", _revisions(diff), ""]
    if diff.stale:
        lines += _stale(diff)
    lines += ["| Change | Experiments | What the merge does |", "|---|---:|---|"]
    lines += [f"| {ICON[c]} {c} | {diff.count(c)} | {WHAT[c]} |" for c in CHANGES if diff.count(c)]
    if not diff.experiments:
        lines += ["| · | 0 | no experiments at either revision |"]
    totals = diff.totals
    lines += [
        "",
        f"**Findings:** {len(diff.new)} new, {len(diff.fixed)} fixed · **Worst-case cost:** "
        f"{_pair(totals.before.cpu_hours, totals.after.cpu_hours)} CPU-hours, "
        f"{_pair(totals.before.gpu_hours, totals.after.gpu_hours)} GPU-hours"
        + _unbounded(totals.unbounded_before, totals.unbounded_after),
        f"**Namespaces:** {_names(diff.namespaces)} · **Teams:** {_names(diff.teams)}",
        "",
    ]
    return "\n".join(lines) + "\n"


def _revisions(diff: PullRequestDiff) -> str:
    head = "the work tree" if diff.head == WORKTREE else code(diff.head[:12])
    return f"Base {code(diff.base[:12])} → head {head}: what merging this pull request does."


def _stale(diff: PullRequestDiff) -> list[str]:
    lines = [
        "> [!CAUTION]",
        f"> **generated/ is stale:** {text(diff.stale_reason)}. This plan shows generated/ as "
        "committed, which is what ArgoCD, Flux and the reconciler would apply. Run "
        "`katib-gitops compile` and commit generated/.",
    ]
    lines += [f"> - {text(p)}" for p in diff.problems[:20]]
    if len(diff.problems) > 20:
        lines.append(f"> - … and {len(diff.problems) - 20} more")
    return [*lines, ""]


def _names(names: Sequence[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(code(n) for n in names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def _unbounded(before: int, after: int) -> str:
    if not before and not after:
        return ""
    return f" (unbounded, not counted: {before} before, {after} after)"


# --- sections: cut as wholes -----------------------------------------------------------------


def _sections(diff: PullRequestDiff) -> list[str]:
    order = {c: i for i, c in enumerate(CHANGES)}
    changed = sorted(diff.changed, key=lambda e: (order[e.change], e.namespace, e.name))
    out = [_experiment(e) for e in changed]
    if diff.new or diff.fixed:
        out.append(_findings(diff.new, "New findings", "at head"))
        out.append(_findings(diff.fixed, "Fixed findings", "at base"))
    if changed:
        out.append(_cost(changed))
    return [s for s in out if s]


def _experiment(e: ExperimentDiff) -> str:
    lines = [f"### {ICON[e.change]} {code(e.key)}: {e.change}", ""]
    if e.change == REPLACE:
        lines += _replace_warning(e)
    lines += _sides(e)
    if e.fields:
        lines += ["", "| Field | Before | After |", "|---|---|---|"]
        lines += [_field_row(f) for f in e.fields[:MAX_FIELDS]]
        if len(e.fields) > MAX_FIELDS:
            lines.append(f"| … | {len(e.fields) - MAX_FIELDS} more fields | |")
    return "\n".join(lines) + "\n\n"


def _replace_warning(e: ExperimentDiff) -> list[str]:
    old = code(e.before.object) if e.before else "the old Experiment"
    new = code(e.after.object) if e.after else "a new Experiment"
    return [
        "> [!WARNING]",
        "> Katib cannot change these fields in place. Merging **starts a new run**, "
        f"{new}, from its first trial; the running {old} is archived to reports/ and then "
        "deleted. Its trials are not carried over.",
        "",
    ]


def _sides(e: ExperimentDiff) -> list[str]:
    lines = []
    if e.before and e.after and e.before.object != e.after.object:
        lines.append(f"Object: {code(e.before.object)} → {code(e.after.object)}")
    else:
        side = e.after or e.before
        assert side is not None
        lines.append(f"Object: {code(side.object)} (revision {code(side.revision or '-')})")
    sources = sorted({s.source for s in (e.before, e.after) if s and s.source})
    if sources:
        lines.append("Spec: " + ", ".join(code(s) for s in sources))
    lines.append(
        f"Worst case: {_cost_pair(e.before, e.after, 'cpu')} CPU-hours, "
        f"{_cost_pair(e.before, e.after, 'gpu')} GPU-hours{_why(e)}"
    )
    return [line + "  " for line in lines[:-1]] + lines[-1:]


def _why(e: ExperimentDiff) -> str:
    notes = []
    for label, side in (("before", e.before), ("after", e.after)):
        if side and side.cost.why:
            notes.append(f"{label}: {text(side.cost.why)}")
        if side and side.cost.assumed_deadline:
            notes.append(f"{label}: assumes a {side.cost.assumed_deadline:,} s time limit")
    return f" ({'; '.join(notes)})" if notes else ""


def _field_row(f: FieldChange) -> str:
    return f"| {code(f.path, 200)} | {_value(f.before)} | {_value(f.after)} |"


def _value(value: Any) -> str:
    if value is None:
        return "*(absent)*"
    shown = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text(shown, VALUE_CHARS)


def _findings(findings: Sequence[Finding], title: str, where: str) -> str:
    if not findings:
        return ""
    lines = [
        f"### {title} ({len(findings)})",
        "",
        f"| Severity | Location ({where}) | Rule | Experiment | Message |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {text(f.severity)} | {text(f.location, NAME_CHARS)} | {code(f.rule or f.code)} | "
        f"{text(f.experiment, NAME_CHARS)} | {text(f.message)} |"
        for f in findings[:MAX_ROWS]
    ]
    if len(findings) > MAX_ROWS:
        lines.append(f"\n… and {len(findings) - MAX_ROWS} more (in the JSON).")
    return "\n".join(lines) + "\n\n"


def _cost(changed: Sequence[ExperimentDiff]) -> str:
    lines = [
        "### Worst-case cost",
        "",
        "maxTrialCount × the resources of every pod of a trial × its time limit.",
        "",
        "| Experiment | Change | CPU-hours | Δ | GPU-hours | Δ |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for e in changed[:MAX_ROWS]:
        d = e.cost_delta
        lines.append(
            f"| {code(e.key)} | {e.change} | {_cost_pair(e.before, e.after, 'cpu')} | "
            f"{_signed(d.cpu_hours)} | {_cost_pair(e.before, e.after, 'gpu')} | "
            f"{_signed(d.gpu_hours)} |"
        )
    if len(changed) > MAX_ROWS:
        lines.append(f"| … {len(changed) - MAX_ROWS} more | | | | | |")
    return "\n".join(lines) + "\n\n"


# --- numbers ---------------------------------------------------------------------------------


def _hours(value: float | None) -> str:
    return "unbounded" if value is None else f"{value:,.1f}"


def _pair(before: float | None, after: float | None) -> str:
    d = None if before is None or after is None else after - before
    return f"{_hours(before)} → {_hours(after)} ({_signed(d)})"


def _cost_pair(before: Side | None, after: Side | None, what: str) -> str:
    def one(side: Side | None) -> str:
        if side is None:
            return "–"
        return _hours(_of(side.cost, what))

    if before is None or after is None:
        return one(after or before)
    return f"{one(before)} → {one(after)}"


def _of(cost: Cost, what: str) -> float | None:
    return cost.cpu_hours if what == "cpu" else cost.gpu_hours


def _signed(value: float | None) -> str:
    if value is None:
        return "?"
    if abs(value) < 0.05:
        return "±0"
    return f"{value:+,.1f}"
