"""Masking policies: what happens to each column before data leaves the platform.

A column's policy follows from its catalog data item (PII class × sensitivity × the item's
``masking`` rule) and the **audience**:

* ``share`` — to another department (GX-Reg art. 19–22, 38; SX-Reg art. 12–13): purpose-bound
  and recorded, so display masks are enough. The catalog's ``masking`` rule applies where the
  item has one; otherwise sensitivity 2 is kept, 3 gets the display mask of its PII class, 4
  (identifiers) gets a keyed pseudonym.
* ``open`` — to the public (GX-Reg art. 25; GX-Open art. 19; SX-Reg art. 15; PIPL art. 73:
  masked or pseudonymized data is still personal information, so open data is anonymized):
  direct identifiers (ID, mobile, landline, e-mail, card, passport, plate) are dropped, never
  shown masked; person names are dropped except public-register names of sensitivity 2 (a
  legal representative, shown as surname + ``*``); quasi-identifiers are generalized (birth
  date → 5-year band, address → county; sex and ethnicity kept) and then held to k-anonymity
  by ``masking.anonymity``; non-personal items of sensitivity ≥ 3 are not opened.

Columns holding persons *and* organisations (``holder_id``/``holder_name`` typed by
``holder_id_type``: 居民身份证 | 统一社会信用代码) are masked row by row: a person's ID and name
are masked (share) or removed (open), an organisation's credit code and name are public
register data and stay.

A column of a base table maps to its catalog item through the item's ``golden_field`` (the
authoritative source, 一数一源, GX-Reg art. 16), or through an explicit release definition.
An ad-hoc file's columns map by header (item name, source column or label) or by type
inference from their values.

Modules: ``model`` (audiences, actions, ``ColumnPolicy``), ``catalog_items`` (a catalog item's
policy), ``base_tables`` (base-table columns), ``inference`` and ``files`` (ad-hoc files),
``operators`` (applying policies to columns and tables).
"""

from masking.policies.base_tables import (
    BASE_ALIASES,
    META,
    SURROGATE_KEYS,
    item_for_column,
    policies_for_table,
)
from masking.policies.catalog_items import check_override, policy_for_item
from masking.policies.files import catalog_item_by_header, policies_for_file
from masking.policies.inference import infer_pii
from masking.policies.model import (
    DIRECT_IDENTIFIERS,
    QUASI_IDENTIFIERS,
    Action,
    Audience,
    ColumnPolicy,
    PolicyError,
)
from masking.policies.operators import (
    MASKS,
    MaskingResult,
    apply_action,
    apply_policies,
    redact_column,
)

__all__ = [
    "BASE_ALIASES",
    "DIRECT_IDENTIFIERS",
    "MASKS",
    "META",
    "QUASI_IDENTIFIERS",
    "SURROGATE_KEYS",
    "Action",
    "Audience",
    "ColumnPolicy",
    "MaskingResult",
    "PolicyError",
    "apply_action",
    "apply_policies",
    "catalog_item_by_header",
    "check_override",
    "infer_pii",
    "item_for_column",
    "policies_for_file",
    "policies_for_table",
    "policy_for_item",
    "redact_column",
]
