"""Frozen models shared by every stage: sources, diagnostics and Katib's v1beta1 types."""
