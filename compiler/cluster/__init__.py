"""The Kubernetes backend: Git's desired experiments applied to a cluster, and the cluster's
results brought back to Git. `client` is the only importer of `kubernetes`; the other modules
are pure or take a `Cluster` (see `api`)."""
