"""katib-gitops: a declarative GitOps compiler for Kubeflow Katib experiments."""

__version__ = "0.1.0"
