#!/usr/bin/env bash
# Installs everything the mesh and its tests need on a fresh machine of this kind (Debian, Python 3.11, Java 17,
# Maven): Debian packages (PostgreSQL, Chromium), a virtualenv with every package of the repo, and a running
# PostgreSQL with the role the tests use. Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}   # all | runtime

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
if [ "$what" = all ]; then
  [ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  # Only the compose file is checked here (no Docker engine); the docker CLI may lack its compose plugin.
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || need_apt+=(docker-compose)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp=.venv/.installed
packages=(platform tools catalog demo domains/*)
inputs=(requirements-dev.txt requirements.lock)
for package in "${packages[@]}"; do [ -f "$package/pyproject.toml" ] && inputs+=("$package/pyproject.toml"); done
if [ ! -f "$stamp" ] || [ -n "$(find "${inputs[@]}" -newer "$stamp" 2>/dev/null)" ]; then
  echo "==> installing Python packages into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip setuptools wheel
  editable=()
  for package in "${packages[@]}"; do [ -f "$package/pyproject.toml" ] && editable+=(-e "./$package"); done
  # The lock pins every third-party version (scripts/lock.sh writes it); the packages' ranges still apply.
  .venv/bin/pip install -q -c requirements.lock "${editable[@]}" -r requirements-dev.txt
  touch "$stamp"
fi

if [ "$what" = all ]; then
  scripts/postgres.sh
fi
