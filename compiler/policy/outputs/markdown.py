"""A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the verdict, a
table of the findings that count, and the waived ones folded away. Cells are escaped, and the
table is cut short well below GitHub's 65,536-character limit for a comment."""

from __future__ import annotations

from compiler.model.diagnostics import Severity
from compiler.policy.report import Item, Report

MAX_ROWS = 150
ICON = {Severity.ERROR: "❌ error", Severity.WARNING: "⚠️ warning", Severity.INFO: "ℹ️ note"}
_ESCAPES = str.maketrans(
    {
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "\\": "\\\\",
        "\n": " ",
        "\r": " ",
    }
)


def cell(text: str) -> str:
    return text.translate(_ESCAPES)


def _where(item: Item) -> str:
    w = item.diagnostic.where
    return cell(str(w)) if w is not None else ""


def _rows(items: list[Item], waived: bool) -> list[str]:
    if waived:
        head = ["| Location | Rule | Message | Waiver |", "|---|---|---|---|"]
        body = [
            f"| {_where(i)} | `{i.diagnostic.code}` | {cell(i.diagnostic.message)} | "
            f"{cell(i.waiver.describe() if i.waiver else '')} |"
            for i in items[:MAX_ROWS]
        ]
    else:
        head = ["| Severity | Location | Rule | Message |", "|---|---|---|---|"]
        body = [
            f"| {ICON[i.severity]} | {_where(i)} | `{i.diagnostic.code}` | "
            f"{cell(i.diagnostic.message)} |"
            for i in items[:MAX_ROWS]
        ]
    more = ["", f"… and {len(items) - MAX_ROWS} more."] if len(items) > MAX_ROWS else []
    return [*head, *body, *more]


def render(report: Report) -> str:
    failed = report.exit_code != 0
    verdict = "❌ failed" if failed else "✅ passed"
    shown = [i for i in report.items if not i.waived]
    waived = [i for i in report.items if i.waived]
    out = [
        f"## katib-gitops check: {verdict}",
        "",
        cell(report.summary()) + f" (fail on: {report.fail_on.value})",
        "",
    ]
    if shown:
        out += [*_rows(shown, waived=False), ""]
    else:
        out += ["No findings.", ""]
    if waived:
        out += [
            "<details>",
            f"<summary>{len(waived)} waived finding{'s' if len(waived) != 1 else ''}</summary>",
            "",
        ]
        out += [*_rows(waived, waived=True), "", "</details>", ""]
    hints = {i.diagnostic.code: i.diagnostic.hint for i in shown if i.diagnostic.hint}
    if hints:
        out += ["<details>", "<summary>How to fix</summary>", ""]
        out += [f"- `{code}`: {cell(hint)}" for code, hint in sorted(hints.items())] + [
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)
