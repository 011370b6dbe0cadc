"""Identifier rules: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Scalar forms (one value, plain Python, the readable reference) and column forms (NumPy over a
uint8 matrix viewed from Arrow buffers) of each rule; ``spark_jobs.rules`` wraps the column
forms as Arrow UDFs. Codes of reasons, warnings and repairs are the tuples ``REASONS``,
``WARNINGS`` and ``REPAIRS`` of each module.
"""

from jutong.identifiers.resident_id import (
    ResidentIdColumns,
    ResidentIdResult,
    check_resident_id,
    check_resident_ids,
    is_valid_resident_id,
    normalize_resident_id,
)
from jutong.identifiers.uscc import UsccColumns, UsccResult, check_uscc, check_usccs, is_valid_uscc

__all__ = [
    "ResidentIdColumns",
    "ResidentIdResult",
    "UsccColumns",
    "UsccResult",
    "check_resident_id",
    "check_resident_ids",
    "check_uscc",
    "check_usccs",
    "is_valid_resident_id",
    "is_valid_uscc",
    "normalize_resident_id",
]
