#!/usr/bin/env bash
# Runs the test suites in two stages; `scripts/test.sh [all|everyday|fault] [pytest args]` (default: all).
#  everyday: each package (platform, catalog, each domain, demo) in its own pytest process — its own pyproject.toml
#            makes the package the rootdir — then the cross-service suite in tests/ (fault tests excepted).
#  fault:    tests/fault — brokers and services crashed on purpose, against the real broker and PostgreSQL — and
#            tests/benchmarks, every benchmark at tiny sizes so none can rot (slow, so not in the everyday stage).
# Every suite runs even when one fails; the exit code says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
stage=all
case "${1:-}" in all|everyday|fault) stage=$1; shift ;; esac
failed=()
if [ "$stage" != fault ]; then
  for suite in platform catalog demo domains/*; do
    [ -d "$suite/tests" ] || continue
    echo "==> $suite"
    .venv/bin/pytest "$suite/tests" "$@" || failed+=("$suite")
  done
  echo "==> tests (cross-service: architecture, contracts, security, end to end, browser)"
  .venv/bin/pytest tests --ignore=tests/fault --ignore=tests/benchmarks "$@" || failed+=(tests)
fi
if [ "$stage" != everyday ]; then
  echo "==> tests/fault and tests/benchmarks (fault stage: crashed brokers and services; benchmark smoke runs)"
  .venv/bin/pytest tests/fault tests/benchmarks "$@" || failed+=(tests/fault)
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
