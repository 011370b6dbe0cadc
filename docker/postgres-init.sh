#!/bin/bash
# Run once by the postgres image on an empty data folder (docker-entrypoint-initdb.d): the
# roles and databases `jutong stack up` creates (jutong/stack/postgres.py): iceberg (pyiceberg's
# SQL catalog), airflow (Airflow's metadata and Celery results), governance — each database
# owned by the role of the same name, whose password is <ROLE>_DB_PASSWORD.
set -euo pipefail
roles=(iceberg airflow governance)
# every password first: nothing is created when one is missing
for role in "${roles[@]}"; do
    var="${role^^}_DB_PASSWORD"
    if [ -z "${!var:-}" ]; then
        echo "postgres-init: $var is not set (docker/.env)" >&2
        exit 1
    fi
done
for role in "${roles[@]}"; do
    var="${role^^}_DB_PASSWORD"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v role="$role" -v pw="${!var}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"role" OWNER :"role";
SQL
    echo "postgres-init: role and database $role"
done
