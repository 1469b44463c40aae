"""Flux's own CEL health-check evaluator (fluxcd/pkg/runtime/cel), for testing our expressions."""
