"""Where the dbt project and a theme build's working files are, and the profile dbt runs with."""

from __future__ import annotations

from pathlib import Path

import yaml

from jutong.settings import Settings

PROFILE = "jutong_themes"
CHECKOUT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def project_dir(settings: Settings) -> Path:
    """``<home>/dbt_project`` when the home has one, else the project of this checkout."""
    own = settings.home / "dbt_project"
    return own if (own / "dbt_project.yml").exists() else CHECKOUT_PROJECT


def theme_dir(settings: Settings) -> Path:
    """The theme zone's files outside Iceberg: dbt's target and logs, the dbt docs."""
    return Path(settings.lake_root) / "theme"


def docs_dir(settings: Settings) -> Path:
    """Where ``dbt docs generate`` writes the site (``index.html``, ``static_index.html``)."""
    return theme_dir(settings) / "dbt_docs"


def spark_output(method: str = "session", host: str = "", port: int = 10000) -> dict:
    """The dbt-spark target: ``session`` runs in this process on the active (or a new local)
    Spark session; ``thrift`` talks to a Spark Thrift server on the cluster (host:port)."""
    out = {"type": "spark", "method": method, "schema": "build", "threads": 1}
    if method == "session":
        out["host"] = "NA"  # dbt-spark asks for one; the session method does not use it
    elif method == "thrift":
        if not host:
            raise ValueError("the thrift method needs the Thrift server's host (HOST:PORT)")
        out.update({"host": host, "port": port, "connect_retries": 3, "connect_timeout": 10})
    else:
        raise ValueError(f"unknown dbt-spark method '{method}' (session or thrift)")
    return out


def write_profile(
    folder: Path, database: Path, *, threads: int = 1, spark: dict | None = None
) -> Path:
    """``profiles.yml`` with the ``lake`` target (dbt-duckdb on ``database``, a file this
    build owns) and, when given, a ``spark`` target (``spark_output``)."""
    outputs: dict = {
        "lake": {
            "type": "duckdb",
            "path": str(database),
            "schema": "build",
            "threads": threads,
            # no extension is ever downloaded (DuckDB would fetch them at run time)
            "extensions": [],
            "settings": {"autoinstall_known_extensions": False},
        }
    }
    if spark is not None:
        outputs["spark"] = spark
    profile = {PROFILE: {"target": "lake", "outputs": outputs}}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path
