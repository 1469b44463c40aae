"""Output formats of `check`: pure functions from a `Report` to text.

text      `file:line:col: severity: CODE message`, the hint, and a summary line
json      the report as one JSON document
sarif     SARIF 2.1.0, for code scanning (waived findings carry a suppression)
github    GitHub workflow commands (`::error file=...,line=...::message`)
junit     JUnit XML: one test case per experiment
markdown  a summary for a pull-request comment or a job summary
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.policy.outputs import github, jsonfmt, junit, markdown, sarif, text
from compiler.policy.report import Report

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": jsonfmt.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "markdown": markdown.render,
}


def render(report: Report, fmt: str) -> str:
    return FORMATS[fmt](report)
