"""GitHub workflow commands: each finding becomes an annotation on its file and line in the
pull request (`::error file=F,line=L,col=C,title=T::message`). Waived findings and notes are
`notice`s, so the review still sees them."""

from __future__ import annotations

from compiler.model.diagnostics import Severity
from compiler.policy.report import Item, Report

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(item: Item) -> str:
    d = item.diagnostic
    command = "notice" if item.waived else COMMAND[d.severity]
    props = []
    if d.where is not None and d.where.file:
        props.append(f"file={escape_property(d.where.file)}")
        if d.where.line > 0:
            props += [f"line={d.where.line}", f"col={max(1, d.where.column)}"]
    title = d.code + (" (waived)" if item.waived else "")
    props.append(f"title={escape_property(title)}")
    message = d.message
    if d.hint:
        message += f"\nhint: {d.hint}"
    if item.waiver is not None:
        message += f"\n{item.waiver.describe()}"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    return "".join(annotation(i) + "\n" for i in report.items)
