"""No telemetry: the environment switches that keep the libraries Jutong runs from reporting
usage to their vendors (a request leaving a government network is a security finding in
itself). Every process the platform starts gets them: the command line sets them in its own
environment (inherited by Spark, Airflow and dbt subprocesses) and ``Settings.airflow_env``
carries them into Airflow's.

Checked against the locked versions: Great Expectations 1.24 (its analytics switch; this
version sends nothing, the switch stays for versions that do), dbt-core 1.11 (anonymous usage
statistics, ``dbt.tracking``: either variable turns it off), Airflow 3.3 (no usage-data
collector in this version), Spark, pyiceberg, Presidio's recognizers used here (no call out).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

NO_TELEMETRY: dict[str, str] = {
    "GX_ANALYTICS_ENABLED": "False",  # Great Expectations
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",  # dbt's own flag
    "DO_NOT_TRACK": "1",  # the cross-tool convention (dbt honours it too)
}


def disable_telemetry(environ: MutableMapping[str, str] | None = None) -> None:
    """Set the switches in ``environ`` (default: this process's environment), overriding any
    value already there."""
    target = os.environ if environ is None else environ
    target.update(NO_TELEMETRY)
