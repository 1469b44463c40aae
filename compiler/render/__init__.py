"""Experiment → files: the manifests of generated/ and a sample trial job (pure)."""
