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


def write_profile(folder: Path, database: Path, *, threads: int = 1) -> Path:
    """``profiles.yml`` for dbt-duckdb on ``database`` (a file this build owns)."""
    profile = {
        PROFILE: {
            "target": "lake",
            "outputs": {
                "lake": {
                    "type": "duckdb",
                    "path": str(database),
                    "schema": "build",
                    "threads": threads,
                    # no extension is ever downloaded (DuckDB would fetch them at run time)
                    "extensions": [],
                    "settings": {"autoinstall_known_extensions": False},
                }
            },
        }
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path
