#!/bin/sh
# Entry point of the Jutong image: turns the passwords of the environment into the private
# files the stack profile uses too (docs/stack.md), then runs the command.
#
# - $PGPASSFILE (libpq password file, read by psycopg2 and asyncpg): one line per role whose
#   <ROLE>_DB_PASSWORD is set (iceberg, airflow, governance), so the database URIs of the
#   JUTONG_* settings carry no password, as in .stack/jutong.toml;
# - $AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: {"admin": $AIRFLOW_ADMIN_PASSWORD}.
# It also sets SPARK_LOCAL_IP to the container's address when unset: spark_jobs.session
# defaults it to 127.0.0.1 (right on one machine), which would make the Spark driver in the
# Celery worker unreachable for the executors in spark-worker.
set -eu
umask 077

if [ -z "${SPARK_LOCAL_IP:-}" ]; then
    SPARK_LOCAL_IP=$(hostname -i 2>/dev/null | awk '{print $1}')
    [ -n "$SPARK_LOCAL_IP" ] && export SPARK_LOCAL_IP
fi

if [ -n "${PGPASSFILE:-}" ]; then
    mkdir -p "$(dirname "$PGPASSFILE")"
    : > "$PGPASSFILE"
    for role in iceberg airflow governance; do
        var="$(echo "$role" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
        eval "pw=\${$var:-}"
        if [ -n "$pw" ]; then
            # ':' and '\' are escaped in a password file
            esc=$(printf '%s' "$pw" | sed 's/[\\:]/\\&/g')
            printf '*:*:*:%s:%s\n' "$role" "$esc" >> "$PGPASSFILE"
        fi
    done
    chmod 0600 "$PGPASSFILE"
fi

pwfile="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-}"
if [ -n "$pwfile" ] && [ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]; then
    mkdir -p "$(dirname "$pwfile")"
    python -c 'import json, os, sys; print(json.dumps({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}))' > "$pwfile"
    chmod 0600 "$pwfile"
fi

exec "$@"
