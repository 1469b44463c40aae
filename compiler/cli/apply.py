"""`katib-gitops apply` (being written)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    c = sub.add_parser("apply", help="(being written)")
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("katib-gitops: apply is not written yet", file=sys.stderr)
    return 2
