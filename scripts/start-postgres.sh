#!/usr/bin/env bash
# Start Debian's PostgreSQL on 127.0.0.1 with a role and database for casework's tests,
# and print the connection URL: the only thing this script writes to standard output.
# Needs root and the postgresql package; safe to rerun.
set -euo pipefail
{
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
        pg_createcluster "$version" main
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        pg_ctlcluster "$version" main start || true
    fi
    for _ in $(seq 1 50); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 0.2
    done
    pg_isready -h 127.0.0.1 -p 5432
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casework') THEN
    CREATE ROLE casework LOGIN PASSWORD 'casework-test' CREATEDB;
  END IF;
END $$;
SQL
    if ! runuser -u postgres -- psql -tAc \
            "SELECT 1 FROM pg_database WHERE datname='casework_test'" | grep -q 1; then
        runuser -u postgres -- createdb -O casework casework_test
    fi
} >&2
echo "postgresql://casework:casework-test@127.0.0.1:5432/casework_test"
