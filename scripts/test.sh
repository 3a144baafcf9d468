#!/usr/bin/env bash
# Runs every test suite: each package (platform, catalog, each domain, demo) in its own pytest process — its own
# pyproject.toml makes the package the rootdir — then the cross-service suite in tests/. All suites run even when
# one fails.
set -uo pipefail
cd "$(dirname "$0")/.."
suites=(platform catalog demo domains/*)
failed=()
for suite in "${suites[@]}"; do
  [ -d "$suite/tests" ] || continue
  echo "==> $suite"
  .venv/bin/pytest "$suite/tests" "$@" || failed+=("$suite")
done
echo "==> tests (cross-service: architecture, contracts, end to end, browser)"
.venv/bin/pytest tests "$@" || failed+=(tests)
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
