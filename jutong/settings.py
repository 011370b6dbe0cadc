"""Settings: the one place paths, URIs and engine options come from.

Precedence, highest first:
1. environment variables ``JUTONG_<FIELD>`` (e.g. ``JUTONG_LAKE_ROOT``);
2. the settings file: ``$JUTONG_SETTINGS``, else ``<home>/jutong.toml`` when it exists
   (keys are the field names, top-level or under a ``[jutong]`` table);
3. the embedded defaults below, relative to ``home``.

``home`` is ``$JUTONG_HOME``, else the folder of the settings file, else the checkout this
package was installed from (the folder holding ``catalog/``), else the working directory.
Relative paths in the file or the environment are resolved against ``home``.

A ``JUTONG_`` variable that is not a setting is reported (a warning naming it) and ignored;
only the pseudonym keys ``JUTONG_KEY_<PURPOSE>`` are left, unreported, to the module that
reads them (``masking.keys``). Secrets never come from the settings file: neither a key nor a
database URI holding a password (give that URI in the environment, e.g.
``JUTONG_GOVERNANCE_DB_URI``, or leave the password to libpq's ``PGPASSFILE``).
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from jutong.telemetry import NO_TELEMETRY

log = logging.getLogger(__name__)

ENV_PREFIX = "JUTONG_"
# Read elsewhere: the settings file and home; crash points of the recovery tests (jutong.lake).
_META_ENV = {
    "JUTONG_SETTINGS",
    "JUTONG_HOME",
    "JUTONG_FAILPOINTS",
    "JUTONG_PROFILE",
    "JUTONG_STACK_DIR",
}
PROFILES = ("embedded", "stack")
# Secrets are read by the modules that need them, never stored in Settings: the keys of
# keyed pseudonyms, JUTONG_KEY_<PURPOSE> (masking.keys). JUTONG_KEY_DIR is a setting (key_dir).
_SECRET_ENV_PREFIX = "JUTONG_KEY_"


class SettingsError(ValueError):
    """A settings file or variable that cannot be used."""


def _default_key_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jutong" / "keys"


@dataclass(frozen=True)
class Settings:
    home: Path
    # resource catalog (YAML, one file per dataset)
    catalog_dir: Path
    # the lake: raw / staging / base / theme zones, quarantine; local path or object-store URI
    lake_root: Path
    # where departments deliver extracts: landing/<department>/<dataset>/<file>
    landing_dir: Path
    # keys for pseudonyms and tokens (outside the repository)
    key_dir: Path
    # Iceberg catalog (pyiceberg SQL catalog: SQLite embedded, PostgreSQL at scale; or REST)
    iceberg_catalog_name: str = "jutong"
    iceberg_catalog_type: str = "sql"  # sql | rest
    iceberg_catalog_uri: str = ""
    iceberg_warehouse: str = ""
    # where the lake writes a table's data files: empty = inside the table's own location;
    # else <root>/<zone>/<table>/data/… (registered in place). For a REST catalog whose
    # storage takes only the catalog's own writes in a table's location (SeaweedFS's table
    # buckets refuse Spark's folder markers and _SUCCESS files: 403)
    data_files_root: str = ""
    # object storage for the warehouse when it is s3:// (later issues)
    s3_endpoint: str = ""
    s3_region: str = ""
    # Spark
    spark_master: str = "local[*]"
    spark_driver_memory: str = "4g"
    spark_shuffle_partitions: int = 8
    # cores one Spark application may take on a standalone cluster (spark.cores.max); 0 = all
    # it offers. `jutong stack up` sets it so that concurrent Airflow tasks' jobs run side by
    # side instead of queueing for the worker's cores.
    spark_cores_max: int = 0
    # extra jars for every Spark session, comma-separated paths present on every node
    # (driver and executor class path; e.g. hadoop-aws for s3a://)
    spark_jars: str = ""
    # Airflow
    airflow_home: Path = field(default=Path())
    airflow_parallelism: int = 0  # 0 = sized for the machine (2 x cores, at least 4)
    airflow_database_uri: str = ""  # empty = SQLite inside airflow_home
    # a running Airflow's API (http://host:port): the demo then triggers the ingest DAGs there
    # and lets the scheduler run the chain from Asset events; empty = run the DAGs in-process
    # (user and password from AIRFLOW_API_USER / AIRFLOW_API_PASSWORD)
    airflow_api_url: str = ""
    # OpenLineage events of every DAG run (jutong.orchestration.openlineage): empty = JSON
    # lines in <airflow_home>/lineage/events/ (no server); "off" = none; else the transport as
    # JSON, e.g. {"type": "http", "url": "http://marquez:5000"} (docs/lineage.md)
    openlineage_transport: str = ""
    # governance database (requests, tickets, audit): SQLite embedded, PostgreSQL at scale
    governance_db_uri: str = ""
    # ingestion takes a delivered file once its size and modification time have not changed
    # for this many seconds (a file still being written is left in landing)
    ingest_quiet_seconds: float = 5.0
    # the governance service (`jutong serve`): where it listens, how long a login lasts
    serve_host: str = "127.0.0.1"
    serve_port: int = 8000
    api_token_hours: float = 8.0
    # the source file of these settings, if any (for messages)
    source: str = "defaults"

    # ---- derived locations -------------------------------------------------------------
    @property
    def raw_dir(self) -> Path:
        """Immutable copies of delivered extracts and their manifests."""
        return self.lake_root / "raw"

    @property
    def quarantine_dir(self) -> Path:
        """Extracts refused at ingestion, each with a reason file."""
        return self.lake_root / "quarantine"

    @property
    def dags_dir(self) -> Path:
        return self.home / "dags"

    @property
    def openlineage_events_dir(self) -> Path:
        """Where the file transport writes OpenLineage events (``openlineage_transport`` empty)."""
        return self.airflow_home / "lineage" / "events"

    def openlineage_env(self) -> dict[str, str]:
        """Airflow's ``[openlineage]`` section: the transport, the namespace of the jobs and
        the extractor giving every task its datasets and column lineage (可溯, GX-Dispatch
        art. 42)."""
        if self.openlineage_transport.strip().lower() == "off":
            return {"AIRFLOW__OPENLINEAGE__DISABLED": "True"}
        transport = self.openlineage_transport.strip() or json.dumps(
            {
                "type": "file",
                "log_file_path": str(self.openlineage_events_dir / "events.jsonl"),
                "append": True,
            }
        )
        return {
            "AIRFLOW__OPENLINEAGE__DISABLED": "False",
            "AIRFLOW__OPENLINEAGE__TRANSPORT": transport,
            "AIRFLOW__OPENLINEAGE__NAMESPACE": "jutong",
            "AIRFLOW__OPENLINEAGE__EXTRACTORS": "jutong.orchestration.openlineage.TaskExtractor",
        }

    @property
    def parallelism(self) -> int:
        return self.airflow_parallelism or max(4, 2 * (os.cpu_count() or 1))

    def airflow_env(self) -> dict[str, str]:
        """Environment for an Airflow process running this project's DAGs."""
        env = {
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_dir),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.home / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(self.parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "JUTONG_HOME": str(self.home),
            **NO_TELEMETRY,  # Airflow starts GE and dbt in its task processes
            **self.openlineage_env(),
        }
        if self.airflow_database_uri:
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = self.airflow_database_uri
        return env


_PATH_FIELDS = {"home", "catalog_dir", "lake_root", "landing_dir", "key_dir", "airflow_home"}
_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
_SETTABLE = set(_FIELD_TYPES) - {"home", "source"}


def _repo_root() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root if (root / "catalog").is_dir() else None


# database URIs: a password in one is a secret (environment or PGPASSFILE, never the file)
_URI_SETTINGS = {"iceberg_catalog_uri", "governance_db_uri", "airflow_database_uri"}


def _has_password(uri: str) -> bool:
    try:
        return bool(urlsplit(uri).password)
    except ValueError:  # not a URI with a netloc (e.g. a port that is not a number)
        return False


def _coerce(name: str, value: object, home: Path, where: str) -> object:
    kind = _FIELD_TYPES[name]
    if name in _PATH_FIELDS:
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{where}: setting '{name}' must be a non-empty path")
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else (home / p)
    if kind == "float" or kind is float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SettingsError(
                f"{where}: setting '{name}' must be a number, got {value!r}"
            ) from None
        if number < 0:
            raise SettingsError(f"{where}: setting '{name}' must not be negative, got {value!r}")
        return number
    if kind == "int" or kind is int:
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SettingsError(
                f"{where}: setting '{name}' must be an integer, got {value!r}"
            ) from None
    if not isinstance(value, str):
        raise SettingsError(f"{where}: setting '{name}' must be a string, got {value!r}")
    return value


def stack_exports(env: dict[str, str]) -> dict[str, str]:
    """``JUTONG_PROFILE=stack``: what ``.stack/env`` (written by ``jutong stack up``) exports —
    the stack's settings file and its credentials. The stack's folder: ``JUTONG_STACK_DIR``,
    else ``<JUTONG_HOME or the checkout>/.stack``."""
    import shlex

    if env.get("JUTONG_STACK_DIR"):
        folder = Path(env["JUTONG_STACK_DIR"]).expanduser()
    else:
        base = Path(env["JUTONG_HOME"]).expanduser() if env.get("JUTONG_HOME") else None
        folder = (base or _repo_root() or Path.cwd()) / ".stack"
    env_file = folder / "env"
    if not env_file.is_file():
        raise SettingsError(
            f"JUTONG_PROFILE=stack, but there is no stack in {folder} (no env file): start it "
            "with `make stack` (jutong stack up), or set JUTONG_STACK_DIR"
        )
    out: dict[str, str] = {}
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export ") :].split("=", 1)
            words = shlex.split(value)
            out[key.strip()] = words[0] if words else ""
    return out


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from the environment, the settings file and the defaults.

    ``JUTONG_PROFILE=stack`` takes the settings file and credentials of the stack that
    ``jutong stack up`` started (``stack_exports``; variables set explicitly win); for the
    process's own settings they are also put into its environment, where the object store's,
    the catalog's and the databases' clients read them."""
    env = dict(os.environ if environ is None else environ)
    profile = env.get("JUTONG_PROFILE", "").strip().lower()
    if profile and profile not in PROFILES:
        raise SettingsError(
            f"JUTONG_PROFILE={profile!r}: unknown profile (one of {', '.join(PROFILES)})"
        )
    if profile == "stack":
        exported = stack_exports(env)
        if environ is None:
            for key, value in exported.items():
                os.environ.setdefault(key, value)
        env = {**exported, **env}
    file_values: dict[str, object] = {}
    settings_file: Path | None = None
    if env.get("JUTONG_SETTINGS"):
        settings_file = Path(env["JUTONG_SETTINGS"]).expanduser()
        if not settings_file.is_file():
            raise SettingsError(f"JUTONG_SETTINGS points to {settings_file}, which is not a file")

    if env.get("JUTONG_HOME"):
        home = Path(env["JUTONG_HOME"]).expanduser().resolve()
    elif settings_file is not None:
        home = settings_file.resolve().parent
    else:
        home = _repo_root() or Path.cwd().resolve()
    if settings_file is None and (home / "jutong.toml").is_file():
        settings_file = home / "jutong.toml"

    if settings_file is not None:
        try:
            data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{settings_file}: not valid TOML: {exc}") from None
        data = data.get("jutong", data)
        for key, value in data.items():
            if key.startswith(("key_", "secret")) and key not in _SETTABLE:
                raise SettingsError(
                    f"{settings_file}: '{key}': secrets are never read from the settings file "
                    "(a pseudonym key comes from JUTONG_KEY_<PURPOSE> or <key_dir>/<purpose>.key)"
                )
            if key in _URI_SETTINGS and isinstance(value, str) and _has_password(value):
                raise SettingsError(
                    f"{settings_file}: '{key}': the URI holds a password, and secrets are never "
                    "read from the settings file: put the whole URI in the environment variable "
                    f"JUTONG_{key.upper()}, or leave the password out and let the driver read it "
                    "from a libpq password file (PGPASSFILE, default ~/.pgpass)"
                )
            if key not in _SETTABLE:
                raise SettingsError(
                    f"{settings_file}: unknown setting '{key}' "
                    f"(known: {', '.join(sorted(_SETTABLE))})"
                )
            file_values[key] = _coerce(key, value, home, str(settings_file))

    env_values: dict[str, object] = {}
    for key, value in sorted(env.items()):
        if not key.startswith(ENV_PREFIX) or key in _META_ENV:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name in _SETTABLE:
            env_values[name] = _coerce(name, value, home, f"environment variable {key}")
        elif not key.startswith(_SECRET_ENV_PREFIX):
            # never silently: a misspelt JUTONG_LAKE_RUT would put the lake somewhere else
            log.warning(
                "ignoring environment variable %s: not a setting (known: JUTONG_ + one of %s)",
                key,
                ", ".join(sorted(_SETTABLE)),
            )

    values = {**file_values, **env_values}
    lake_root = values.get("lake_root", home / "lake")
    s = Settings(
        home=home,
        catalog_dir=values.pop("catalog_dir", home / "catalog"),  # type: ignore[arg-type]
        lake_root=values.pop("lake_root", lake_root),  # type: ignore[arg-type]
        landing_dir=values.pop("landing_dir", home / "landing"),  # type: ignore[arg-type]
        key_dir=values.pop("key_dir", _default_key_dir()),  # type: ignore[arg-type]
        airflow_home=values.pop("airflow_home", home / "airflow_home"),  # type: ignore[arg-type]
        source=str(settings_file) if settings_file else "defaults",
    )
    s = replace(s, **values)  # type: ignore[arg-type]
    if not s.iceberg_catalog_uri:
        s = replace(s, iceberg_catalog_uri=f"sqlite:///{s.lake_root / 'iceberg_catalog.db'}")
    if not s.iceberg_warehouse:
        s = replace(s, iceberg_warehouse=(s.lake_root / "warehouse").as_uri())
    if not s.governance_db_uri:
        s = replace(s, governance_db_uri=f"sqlite:///{s.lake_root / 'governance.db'}")
    return s


_cached: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, loaded once."""
    global _cached
    if _cached is None:
        _cached = load_settings()
    return _cached


def reset_settings_cache() -> None:
    global _cached
    _cached = None
