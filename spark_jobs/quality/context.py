"""The Great Expectations context of the gate: one ephemeral context per lake, its Data Docs
site in ``<lake>/quality/data_docs`` (``jutong.quality.report.data_docs_dir``, made to work
offline after each build by ``jutong.webassets.localize_site``), one Spark data source; and a
suite in GE's form."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

import spark_jobs.quality.expectations  # noqa: F401  (registers the custom expectations)
from jutong.quality.report import data_docs_dir
from jutong.settings import Settings

SITE = "jutong_lake"
DATA_SOURCE = "jutong_spark"
LOCK = threading.Lock()  # held while the shared context's stores are changed
_CONTEXTS: dict[str, Any] = {}


def context(settings: Settings):
    """The lake's GE context (made on first use, then shared by every gate of the process)."""
    key = str(settings.lake_root)
    with LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            for site in list(ctx.get_site_names()):
                ctx.delete_data_docs_site(site)
            docs = data_docs_dir(settings)
            docs.mkdir(parents=True, exist_ok=True)
            ctx.add_data_docs_site(
                site_name=SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    # no call-to-action footer nor walkthrough linking GE's tutorials
                    "show_how_to_buttons": False,
                },
            )
            ctx.data_sources.add_spark(DATA_SOURCE)
            _CONTEXTS[key] = ctx
        return ctx


def safe_name(name: str) -> str:
    """``name`` as GE accepts it for an asset, a suite or a checkpoint."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def to_ge_suite(suite: dict, name: str) -> gx.ExpectationSuite:
    """The suite (GE's JSON form) as a GE ``ExpectationSuite`` (raises on a bad configuration;
    GE drops an expectation whose type it does not know)."""
    exps = [
        {k: v for k, v in e.items() if k in ("type", "kwargs", "meta")}
        for e in suite["expectations"]
    ]
    return gx.ExpectationSuite(name=name, expectations=copy.deepcopy(exps))
