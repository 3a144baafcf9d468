#!/usr/bin/env bash
# Starts the Debian PostgreSQL cluster (if it is not running) and makes sure the `octagon` role the tests use
# exists. The tests create and drop their own databases with it.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster_running() { pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; }
if ! cluster_running; then
  pg_lsclusters -h | grep -q . || pg_createcluster "$version" main >/dev/null
  pg_ctlcluster "$version" main start
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
for _ in $(seq 1 30); do as_postgres psql -qAtc "select 1" >/dev/null 2>&1 && break; sleep 0.5; done
as_postgres psql -qAtc "select 1 from pg_roles where rolname='octagon'" | grep -q 1 ||
  as_postgres psql -qc "create role octagon login password 'octagon' createdb createrole"
