"""Options several commands share, spelled and explained once."""

from __future__ import annotations

import argparse


def root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", default=".", help="the repository root (default: .)")


def katib_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--katib-config", metavar="FILE", help="the cluster's katib-config")


def configmaps(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--configmap",
        action="append",
        default=[],
        metavar="FILE",
        help="a ConfigMap holding trial templates (repeatable)",
    )
