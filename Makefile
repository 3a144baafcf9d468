# The two commands of the README: `make up` runs the mesh with demo data, `make test` runs every test.
# Both install what they need first (scripts/bootstrap.sh), so they work on a fresh machine.

.PHONY: up test lint bench

up:
	@scripts/bootstrap.sh runtime
	.venv/bin/mesh up

test:
	@scripts/bootstrap.sh all
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/mesh contracts lint
	for contract in contracts/*/*.odcs.yaml; do .venv/bin/datacontract lint "$$contract" >/dev/null || exit 1; done
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

bench:
	@scripts/bootstrap.sh runtime
	.venv/bin/python -m benchmarks
