"""Options several commands share, spelled and explained once."""

from __future__ import annotations

import argparse


def root(p: argparse.ArgumentParser, text: str = "the repository root (default: .)") -> None:
    p.add_argument("--root", default=".", help=text)


def katib_config(p: argparse.ArgumentParser) -> None:
    """--katib-config and --cluster: which katib-config admission reads (commands/katibconfig)."""
    p.add_argument(
        "--katib-config",
        metavar="FILE",
        help="the cluster's katib-config (a ConfigMap or its katib-config.yaml); overrides the "
        "cluster profile's katibConfig (default: policies/cluster.yaml's, else Katib's default)",
    )
    p.add_argument(
        "--cluster",
        metavar="NAME",
        help="the cluster profile policies/clusters/NAME.yaml, in a repository that targets "
        "several clusters (default: $KATIB_GITOPS_CLUSTER, else policies/cluster.yaml)",
    )


def configmaps(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--configmap",
        action="append",
        default=[],
        metavar="FILE",
        help="a ConfigMap holding trial templates (repeatable)",
    )


def revision(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--revision", default="HEAD", metavar="REF", help="the git revision (default: HEAD)"
    )


def connection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--kubeconfig",
        metavar="FILE",
        help="the kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)",
    )
    p.add_argument("--context", help="the kubeconfig context (default: its current-context)")
    p.add_argument(
        "--request-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long one API request may wait for its answer; a request and its retries "
        "give up after twice that (default: 30, so 60 with retries)",
    )


def output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", choices=["text", "json"], default="text", help="the format")
