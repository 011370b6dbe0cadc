"""The shared Jinja2 environment's filters and the static mount (web.templating)."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import FastAPI

from web.templating import filesize, mount_static, script_json, templates, thousands, utc


def test_filters():
    assert filesize(None) == "—" and filesize(512) == "512 B"
    assert filesize(8_700) == "8.7 KB" and filesize(5_000_000) == "5.0 MB"
    assert filesize(3 * 10**12) == "3000.0 GB"
    assert utc(dt.datetime(2026, 12, 2, 7, 30, 5)) == "2026-12-02 07:30 UTC"
    cst = dt.timezone(dt.timedelta(hours=8))
    assert utc(dt.datetime(2026, 12, 2, 15, 30, tzinfo=cst)) == "2026-12-02 07:30 UTC"
    assert utc(None) == "—" and thousands(12345) == "12,345" and thousands(None) == "—"


def test_json_in_a_script_element_cannot_close_it():
    value = {"dct:title": "</script><script>alert(1)</script> & 数据"}
    text = str(script_json(value))
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == value


def test_templates_escape_and_static_is_mounted_once():
    assert templates.env.autoescape is True or templates.env.autoescape("x.html")
    app = FastAPI()
    mount_static(app)
    mount_static(app)
    assert [r.name for r in app.routes if getattr(r, "name", None) == "static"] == ["static"]


def test_the_portal_imports_without_engines_or_the_data_path():
    """``web`` sits on the core only (import contracts in pyproject.toml), checked by loading it."""
    import subprocess
    import sys

    code = (
        "import sys, web.portal, web.templating; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyspark', 'airflow', "
        "'great_expectations', 'presidio_analyzer', 'presidio_anonymizer', 'masking', "
        "'spark_jobs', 'selenium'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
