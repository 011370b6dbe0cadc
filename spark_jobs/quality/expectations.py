"""Custom Great Expectations: identifiers valid by our rules.

``expect_column_values_to_be_valid_resident_id`` (GB 11643-1999), ``…_valid_uscc``
(GB 32100-2015) and ``…_valid_party_id`` (either, whichever the value is) run the same
vectorized checks as the standardize job (``jutong.identifiers``, Arrow UDFs in
``spark_jobs.rules``), on Spark. Null values are not judged by these expectations (GE map
semantics); a required identifier also gets ``expect_column_values_to_not_be_null``, and the
gate adds both failure counts into one rate (see ``jutong.quality.verdict``).

Importing this module registers the expectations with GE (by their snake-case names).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from great_expectations.execution_engine import SparkDFExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from spark_jobs import rules


def _as_of(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else dt.date.today()


def resident_id_valid(column, as_of: str | None = None):
    return rules.resident_id_valid(column, _as_of(as_of))


def uscc_valid(column):
    return rules.uscc_valid(column)


def party_id_valid(column, as_of: str | None = None):
    """A person's resident ID or an organisation's credit code: valid when either rule accepts."""
    return resident_id_valid(column, as_of) | uscc_valid(column)


class ColumnValuesValidResidentId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_resident_id"
    condition_value_keys = ("as_of",)

    @column_condition_partial(engine=SparkDFExecutionEngine)
    def _spark(cls, column, as_of=None, **kwargs):
        return resident_id_valid(column, as_of)


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_uscc"

    @column_condition_partial(engine=SparkDFExecutionEngine)
    def _spark(cls, column, **kwargs):
        return uscc_valid(column)


class ColumnValuesValidPartyId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_party_id"
    condition_value_keys = ("as_of",)

    @column_condition_partial(engine=SparkDFExecutionEngine)
    def _spark(cls, column, as_of=None, **kwargs):
        return party_id_valid(column, as_of)


class ExpectColumnValuesToBeValidResidentId(ColumnMapExpectation):
    """Values are resident IDs valid under GB 11643-1999 (check character, birth date not
    after ``as_of``, a known division code); default ``as_of`` today."""

    as_of: str | None = None
    map_metric: ClassVar[str] = "column_values.valid_resident_id"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "as_of")


class ExpectColumnValuesToBeValidUscc(ColumnMapExpectation):
    """Values are unified social credit codes valid under GB 32100-2015."""

    map_metric: ClassVar[str] = "column_values.valid_uscc"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)


class ExpectColumnValuesToBeValidPartyId(ColumnMapExpectation):
    """Values are a valid resident ID (a person) or a valid credit code (an organisation)."""

    as_of: str | None = None
    map_metric: ClassVar[str] = "column_values.valid_party_id"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "as_of")


CUSTOM_TYPES = (
    "expect_column_values_to_be_valid_resident_id",
    "expect_column_values_to_be_valid_uscc",
    "expect_column_values_to_be_valid_party_id",
)
