"""Airflow's configuration on the stack (environment variables, no Airflow import):
CeleryExecutor on Redis, results and metadata on PostgreSQL, one shared JWT secret, the
execution API of the api-server, ports of the log servers, a generated admin password."""

from __future__ import annotations

import base64
import json

from jutong.stack import postgres, redis
from jutong.stack.common import HOST, write_private
from jutong.stack.service import Context

ADMIN = "admin"


def passwords_file(ctx: Context):
    return ctx.sd.secrets_dir / "airflow-passwords.json"


def admin_password(ctx: Context) -> str:
    return ctx.sd.secret("airflow-admin")


def api_url(ctx: Context) -> str:
    return f"http://{HOST}:{ctx.port('airflow_api')}"


def fernet_key(ctx: Context) -> str:
    path = ctx.sd.secrets_dir / "airflow-fernet-key"
    if not path.is_file():
        import os

        write_private(path, base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
    return path.read_text().strip()


def write_passwords_file(ctx: Context) -> None:
    write_private(passwords_file(ctx), json.dumps({ADMIN: admin_password(ctx)}) + "\n")


def stack_airflow_env(ctx: Context) -> dict[str, str]:
    """The ``AIRFLOW__…`` variables of every Airflow process of the stack (and of clients)."""
    workers = ctx.options.get("celery_concurrency", "2")
    paused = ctx.options.get("airflow_dags_paused", "false").lower() in ("1", "true", "yes")
    return {
        # new DAGs run at once (the default) or wait to be unpaused (a probe of the stack alone)
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": str(paused),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url(ctx)}/execution/",
        "AIRFLOW__CORE__FERNET_KEY": fernet_key(ctx),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(ctx)),
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(ctx.port("airflow_api")),
        "AIRFLOW__API__BASE_URL": api_url(ctx),
        "AIRFLOW__API__SECRET_KEY": ctx.sd.secret("airflow-secret-key"),
        "AIRFLOW__API_AUTH__JWT_SECRET": ctx.sd.secret("airflow-jwt-secret", 32),
        "AIRFLOW__CELERY__BROKER_URL": redis.broker_url(ctx),
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + postgres.uri(ctx, "airflow", "postgresql"),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": workers,
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ctx.port("airflow_worker_log")),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ctx.port("airflow_trigger_log")),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": HOST,
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(
            ctx.port("airflow_scheduler_health")
        ),
    }
