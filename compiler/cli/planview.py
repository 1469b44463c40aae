"""How plans and passes print: text like `terraform plan`, or JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from compiler.changes import FieldChange
from compiler.cluster.apply import ChangeSet
from compiler.cluster.plan import ORDER, Action, Plan
from compiler.cluster.reconcile import Outcome

SYMBOLS = {
    "create": "+",
    "in-place": "~",
    "replace": "-/+",
    "retire": "-",
    "blocked": "!",
    "foreign": "?",
    "unchanged": " ",
}
WORDS = {
    "create": "to create",
    "in-place": "to change in place",
    "replace": "to replace",
    "retire": "to retire",
    "blocked": "blocked",
    "foreign": "foreign",
    "unchanged": "unchanged",
}


def value(v: Any) -> str:
    text = "(absent)" if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def field_line(f: FieldChange) -> str:
    return f"      {f.path}: {value(f.before)} → {value(f.after)}"


def action_lines(a: Action, result: str = "") -> list[str]:
    head = f"  {SYMBOLS[a.action]:>3} {a.action:<9} {a.namespace}/{a.name}"
    if a.replaces and a.replaces != a.name:
        head += f" (replaces {a.namespace}/{a.replaces})"
    if result:
        head += f"  [{result}]"
    lines = [head, *(field_line(f) for f in a.fields)]
    if a.reason and a.action != "unchanged":
        lines.append(f"      {a.reason}")
    if a.hint:
        lines.append(f"      hint: {a.hint}")
    return lines


def plan_text(plan: Plan, revision: str, changes: ChangeSet | None = None) -> str:
    results = {id(c.action): c for c in changes.changes} if changes else {}
    lines = [f"generated/ at {revision[:10]}:", ""]
    unchanged = [a for a in plan.actions if a.action == "unchanged"]
    for a in plan.actions:
        if a.action == "unchanged":
            continue
        c = results.get(id(a))
        lines += action_lines(a, f"{c.result}{': ' + c.message if c.message else ''}" if c else "")
    if unchanged:
        lines.append(f"      unchanged: {len(unchanged)} experiment(s)")
    counts = ", ".join(f"{plan.count(w)} {WORDS[w]}" for w in ORDER if plan.count(w))
    lines += ["", f"Plan: {counts or 'nothing: generated/ wants no experiments'}."]
    return "\n".join(lines) + "\n"


def outcome_json(out: Outcome) -> str:
    body: dict[str, Any] = {"revision": out.revision}
    if out.plan is not None:
        body.update(out.plan.as_dict())
    if out.changes is not None:
        body.update(out.changes.as_dict())
    body.update({"reports": out.written, "commits": out.commits, "pushed": out.pushed})
    if out.error is not None:
        body["error"] = {"message": str(out.error), "hint": getattr(out.error, "hint", "")}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def error(out: Outcome) -> int:
    """Print the pass's error as the CLI prints errors; its exit code."""
    assert out.error is not None
    print(f"katib-gitops: {out.error}", file=sys.stderr)
    hint = getattr(out.error, "hint", "")
    if hint:
        print(f"    hint: {hint}", file=sys.stderr)
    return int(out.error.exit_code)
