"""A Katib simulator for `make cluster` and the tests: plays Katib's controller against a real
API server (Trials with Katib's names, labels and ownerReferences; status by Katib's rules) and
runs each trial through the local backend. Test and dev support, not part of a deployment."""
