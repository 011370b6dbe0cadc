"""Registers the audit listener (plugins/audit_listener.py) with Airflow."""

from __future__ import annotations

import audit_listener
from airflow.plugins_manager import AirflowPlugin


class JutongAuditPlugin(AirflowPlugin):
    name = "jutong_audit"
    listeners = [audit_listener]
