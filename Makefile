# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts unit bench clean cluster

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check compiler tests benchmarks tools
	$(BIN)/ruff format --check compiler tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck contracts unit

demo: $(STAMP)
	$(BIN)/katib-gitops compile
	$(BIN)/katib-gitops check
	$(BIN)/katib-gitops run specs/demo/spirals.yaml
	@echo "The report: reports/demo/spirals/README.md (and reports/index.md)"

# A local Katib cluster in the foreground (kube-apiserver, etcd, Katib's CRDs and webhooks, a
# Katib simulator): writes .state/cluster/kubeconfig; Ctrl-C stops it. Needs Go.
cluster: $(STAMP)
	$(BIN)/python -m tools.devcluster

bench: $(STAMP)
	$(BIN)/python benchmarks/compile.py
	$(BIN)/python benchmarks/check.py
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
