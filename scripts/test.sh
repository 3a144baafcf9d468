#!/usr/bin/env bash
# Runs the test suites in two stages; `scripts/test.sh [all|everyday|fault] [pytest args]` (default: all).
#  everyday: each package (platform, catalog, each domain, demo) in its own pytest process — its own pyproject.toml
#            makes the package the rootdir — then the cross-service suite in tests/ (fault tests excepted).
#            The suites run in two lanes at once (MESH_TEST_LANES=1 runs them one after the other): much of their
#            time is spent waiting on brokers, databases and services, so two lanes keep both cores busy. Each suite
#            has its own broker, databases and free ports, so the lanes share nothing; a suite's output is printed
#            whole when it ends.
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
  # Two lanes of about equal length (the cross-service suite is the longest, platform and catalog next).
  lane_packages() {
    for suite in platform catalog; do run_suite "$suite" "$suite/tests" "$@"; done
  }
  lane_services() {
    run_suite "tests (cross-service: architecture, contracts, security, end to end, browser)" \
      tests --ignore=tests/fault --ignore=tests/defects --ignore=tests/benchmarks "$@"
    for suite in domains/* demo; do
      [ -d "$suite/tests" ] && run_suite "$suite" "$suite/tests" "$@"
    done
  }
  if [ "${MESH_TEST_LANES:-2}" = 1 ]; then
    lane_packages "$@"
    lane_services "$@"
  else
    buffered=1
    lane_packages "$@" &
    lane_services "$@" &
    wait
    buffered=
  fi
fi
if [ "$stage" != everyday ]; then
  run_suite "tests/fault, tests/defects and tests/benchmarks (fault stage: crashed brokers and services, injected defects, benchmark smoke runs)" \
    tests/fault tests/defects tests/benchmarks "$@"
fi
if [ -s "$logs/failed" ]; then
  echo "FAILED suites: $(tr '\n' ' ' <"$logs/failed")"
  exit 1
fi
