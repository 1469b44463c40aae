"""Plain text for a terminal: one finding per line as `file:line:col: severity: CODE message`
(editors and CI logs link that form), its field and hint below it, waived ones marked."""

from __future__ import annotations

from compiler.policy.report import Item, Report


def line(item: Item) -> str:
    text = item.diagnostic.render()
    if item.waiver is not None:
        head, _, rest = text.partition("\n")
        text = f"{head} [waived]" + (f"\n{rest}" if rest else "")
        text += f"\n    {item.waiver.describe()}"
    return text


def render(report: Report) -> str:
    out = [line(i) for i in report.items]
    out.append(report.summary())
    return "\n".join(out) + "\n"
