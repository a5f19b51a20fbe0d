# The two commands: `make run` (local platform) and `make test` (everything CI runs).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum infra/requirements-dev.txt | cut -c1-12)
PORT ?= 3000
export CARGO_TERM_COLOR ?= never
export SAM_CLI_TELEMETRY := 0

.PHONY: help run test build venv lint unit events clean panel panel-deploy

help:
	@echo "make run    - build and start the local platform on http://127.0.0.1:$(PORT)"
	@echo "make test   - install what is needed and run every check and test"
	@echo "make events - regenerate events/ sample payloads (test-only key)"
	@echo "make panel-deploy - upload the built panel to a deployed stack (STACK_NAME, AWS_REGION)"

$(STAMP): infra/requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# The admin panel (admin/): its locked packages, its unit tests' and type checks' build
# into admin/dist, which tmp-local serves at /admin/ (CloudFront's S3 origin on AWS).
ADMIN_STAMP := admin/node_modules/.installed-$(shell sha256sum admin/package-lock.json | cut -c1-12)

$(ADMIN_STAMP): admin/package-lock.json
	npm --prefix admin ci --no-audit --no-fund --loglevel=error
	@rm -f admin/node_modules/.installed-* && touch $@

panel: $(ADMIN_STAMP)
	npm --prefix admin run build --silent

# After `sam deploy`: the panel's files and its config.json (from the stack's outputs) to
# its S3 bucket, then a CloudFront invalidation.
panel-deploy: panel
	infra/scripts/deploy-panel.sh

run: venv panel
	cargo build --profile local -p tmp-local --bin tmp-local
	PORT=$(PORT) ./target/local/tmp-local run

lint: venv
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	$(VENV)/bin/cfn-lint template.yaml

# One build of the workspace (tests and bins share it: no feature switch makes
# `cargo build` and `cargo test` compile a crate twice), then every test with
# a private moto server.
test: venv lint panel
	npm --prefix admin test --silent
	@mkdir -p target
	set -o pipefail; infra/scripts/with-moto.sh cargo test --workspace --locked --no-fail-fast 2>&1 | tee target/test-output.log; \
	  status=$$?; infra/scripts/test-summary.sh target/test-output.log; exit $$status

events: venv
	$(PY) infra/scripts/make-sample-events.py

clean:
	cargo clean
	rm -rf $(VENV)

# Cold start, warm latency, AWS calls, memory and size of mdes-authorize-service
# against the local platform, next to the floor of its bare AWS calls
# (infra/bench/README.md). Reports targets; fails only if the function errs.
.PHONY: bench
bench: venv
	cargo build --profile local -p tmp-local --bin tmp-local
	cargo build --release -p mdes-predigitization --bin mdes-authorize-service
	$(PY) infra/bench/bench.py
