#!/usr/bin/env bash
# Runs the test suites in two stages; `scripts/test.sh [all|everyday|fault] [pytest args]` (default: all).
#  everyday: each package (platform, tools, catalog, each domain, demo) in its own pytest process — its own pyproject.toml
#            makes the package the rootdir — and the cross-service suite in tests/ (fault tests excepted) as two
#            processes: the end-to-end tests over a running mesh, and the rest.
#            The suites run three at a time (MESH_TEST_LANES sets how many; 1 runs them one after the other), the
#            longest first, each starting as soon as a lane is free: much of their time is spent waiting on brokers,
#            databases and services, so three lanes keep both cores busy. Each suite has its own broker, databases
#            and free ports, so the lanes share nothing; a suite's output is printed whole when it ends.
#  fault:    tests/fault — brokers and services crashed on purpose, against the real broker and PostgreSQL —,
#            tests/defects — bad data injected until the catalog opens an incident — and tests/benchmarks, every
#            benchmark at tiny sizes so none can rot (slow, so not in the everyday stage).
# Every suite runs even when one fails; the exit code says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
stage=all
case "${1:-}" in all|everyday|fault) stage=$1; shift ;; esac
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# run_suite NAME PYTEST-ARGS...: runs one suite and records a failure in $logs/failed. Its output streams when one
# suite runs at a time ($buffered empty) and is printed whole when it ends otherwise.
buffered=
run_suite() {
  local name=$1 log started
  shift
  if [ -z "$buffered" ]; then
    echo "==> $name"
    .venv/bin/pytest "$@" || echo "$name" >>"$logs/failed"
    return
  fi
  log="$logs/$(echo "$name" | tr '/' '_').log"
  started=$(date +%s)
  .venv/bin/pytest "$@" >"$log" 2>&1
  local status=$?
  [ $status -eq 0 ] || echo "$name" >>"$logs/failed"
  (
    flock 9
    echo "==> $name ($(($(date +%s) - started)) s)"
    cat "$log"
  ) 9>"$logs/print.lock"
}

if [ "$stage" != fault ]; then
  # Longest first (times on a quiet 2-core machine), so the short suites fill the lanes at the end.
  everyday_suites=(
    "platform|platform/tests"
    "tests/e2e (end to end over a running mesh, browser)|tests/e2e"
    "catalog|catalog/tests"
    "tools (mesh CLI, launcher, broker, scaffold, linters)|tools/tests"
    "tests (cross-service: architecture, contracts, security, robustness)|tests --ignore=tests/e2e --ignore=tests/fault --ignore=tests/defects --ignore=tests/benchmarks"
  )
  for suite in domains/* demo; do
    [ -d "$suite/tests" ] && everyday_suites+=("$suite|$suite/tests")
  done
  lanes=${MESH_TEST_LANES:-3}
  [ "$lanes" -gt 1 ] && buffered=1
  for entry in "${everyday_suites[@]}"; do
    if [ "$lanes" -gt 1 ]; then
      while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do wait -n; done
      # shellcheck disable=SC2086  # the paths and --ignore options are words on purpose
      run_suite "${entry%%|*}" ${entry#*|} "$@" &
    else
      # shellcheck disable=SC2086
      run_suite "${entry%%|*}" ${entry#*|} "$@"
    fi
  done
  wait
  buffered=
fi
if [ "$stage" != everyday ]; then
  run_suite "tests/fault, tests/defects and tests/benchmarks (fault stage: crashed brokers and services, injected defects, benchmark smoke runs)" \
    tests/fault tests/defects tests/benchmarks "$@"
fi
if [ -s "$logs/failed" ]; then
  echo "FAILED suites: $(tr '\n' ' ' <"$logs/failed")"
  exit 1
fi
