"""Standardization rules for the non-identifier fields of department extracts.

Each rule has a scalar form (one value, plain Python: the single definition of the logic) and
a column form over Arrow arrays (``map_distinct``: the scalar rule once per distinct value;
``with_fast_path``: the common clean shapes answered by Arrow compute first).

- ``phones``: mobile and landline numbers to one canonical form;
- ``names``: person names (middle dots of minority names, spaces, full-width forms);
- ``dates``: the many date forms, Excel serials included, to ISO 8601;
- ``sex``: sex codes of GB/T 2261.1;
- ``divisions``: GB/T 2260 division code <-> name, abolished codes kept;
- ``addresses``: province / city / county / rest.
"""

from jutong.standardize._vector import tag_code_lists
from jutong.standardize.addresses import (
    AddressParts,
    address_division_codes,
    split_address,
    split_addresses,
)
from jutong.standardize.dates import (
    DateResult,
    excel_serial_to_date,
    standardize_date,
    standardize_dates,
)
from jutong.standardize.divisions import (
    DivisionResult,
    lookup_division_code,
    lookup_division_codes,
    lookup_division_name,
    lookup_division_names,
)
from jutong.standardize.names import MIDDLE_DOT, NameResult, standardize_name, standardize_names
from jutong.standardize.phones import PhoneResult, standardize_phone, standardize_phones
from jutong.standardize.sex import SexResult, standardize_sex, standardize_sexes

__all__ = [
    "MIDDLE_DOT",
    "AddressParts",
    "DateResult",
    "DivisionResult",
    "NameResult",
    "PhoneResult",
    "SexResult",
    "address_division_codes",
    "excel_serial_to_date",
    "lookup_division_code",
    "lookup_division_codes",
    "lookup_division_name",
    "lookup_division_names",
    "split_address",
    "split_addresses",
    "standardize_date",
    "standardize_dates",
    "standardize_name",
    "standardize_names",
    "standardize_phone",
    "standardize_phones",
    "standardize_sex",
    "standardize_sexes",
    "tag_code_lists",
]
