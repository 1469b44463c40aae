"""GitOps tools' side of katib-gitops: Argo CD and Flux objects, and Katib health checks."""
