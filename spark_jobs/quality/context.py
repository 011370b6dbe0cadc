"""The Great Expectations context of the gate: one ephemeral context per lake, its Data Docs
site in ``<lake>/quality/data_docs`` (``jutong.quality.report.data_docs_dir``, made to work
offline after each build by ``jutong.webassets.localize_site``), one Spark data source; and a
suite in GE's form.

The context's suites and checkpoints live in memory (each process makes its own); its
validation results are kept in the lake (``validation_results_dir``), so that the index page
a process builds lists the runs of every process. GE's index builder would otherwise delete
each page whose result its own store lacks: every gate run erased the pages of all earlier
runs, and two gates at once erased each other's page while it was being written."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.render.renderer.site_builder import DefaultSiteIndexBuilder

import spark_jobs.quality.expectations  # noqa: F401  (registers the custom expectations)
from jutong.quality.report import data_docs_dir, validation_results_dir
from jutong.settings import Settings

SITE = "jutong_lake"
RESULTS_STORE = "jutong_lake_validation_results"
DATA_SOURCE = "jutong_spark"
INDEX_LIMIT = 200  # the index lists the latest runs (2 ms each to read); every page stays
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
            results = validation_results_dir(settings)
            results.mkdir(parents=True, exist_ok=True)
            ctx.add_store(
                RESULTS_STORE,
                {
                    "class_name": "ValidationResultsStore",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(results),
                    },
                },
            )
            ctx.variables.validation_results_store_name = RESULTS_STORE
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
                    "site_index_builder": {
                        "class_name": KeepingSiteIndexBuilder.__name__,
                        "module_name": __name__,
                        "validation_results_limit": INDEX_LIMIT,
                    },
                    # no call-to-action footer nor walkthrough linking GE's tutorials
                    "show_how_to_buttons": False,
                },
            )
            # GE persists each batch it validates and never unpersists it: every gated frame
            # would stay in the session's memory. The caller caches what it reads repeatedly.
            ctx.data_sources.add_spark(DATA_SOURCE, persist=False)
            _CONTEXTS[key] = ctx
        return ctx


class KeepingSiteIndexBuilder(DefaultSiteIndexBuilder):
    """GE's index builder, except that it never deletes a page (GE's default,
    ``skip_and_clean_missing=True``, removes each page whose result or suite the building
    process's stores lack: with per-process contexts, the pages of every other run)."""

    def build(self, skip_and_clean_missing: bool = False, build_index: bool = True):
        return super().build(skip_and_clean_missing=False, build_index=build_index)


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
