#!/bin/sh
# One database and one role per service; each role may connect only to its own database.
# Passwords come from the postgres container's environment (never from a service's).
set -eu
for service in catalog roster schedule results stats; do
  password_var=$(echo "${service}_DB_PASSWORD" | tr '[:lower:]' '[:upper:]')
  password=$(printenv "$password_var")
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE ${service} LOGIN PASSWORD '${password}';
CREATE DATABASE ${service} OWNER ${service};
REVOKE CONNECT ON DATABASE ${service} FROM PUBLIC;
GRANT CONNECT ON DATABASE ${service} TO ${service};
SQL
done
