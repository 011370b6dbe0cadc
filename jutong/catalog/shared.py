"""The bureau's own shared resources: base and theme databases on the share list.

GX-Reg art. 23 and GX-Dispatch art. 25–26 ask the bureau to build the base databases
(基础数据库) and theme databases (主题数据库) across departments and to share them through the
platform. A department's own datasets are shared from its catalog entries
(``catalog/<department>/<dataset>.yaml``); these resources are catalogued the same way, one file
each under ``catalog/shared/<zone>.<table>.yaml``, with the bureau as their provider:

- ``id`` is the lake table the resource is delivered from: ``base.<table>`` (a golden-record
  table of a base database) or ``theme.<mart>`` (a mart of the dbt project);
- ``share`` is the share type, method and legal basis, as for any catalog entry (GX-Reg art.
  20; LZ-Rules art. 22–23: conditional and not-shared resources state their legal basis);
- ``items`` are the columns offered, each with its label; an item may carry an explicit
  ``policy`` (with its ``reason``) that overrides the one its lineage gives — a base column's
  catalog item (through ``golden_field``) or a mart column's ``meta.masking``.

Whether the items exist in the table and how each is masked is checked where the tables are
known: ``jutong themes policies`` (and its test) against the declared base shapes and the
marts' YAML, and every delivery against the lake table it reads (``masking.delivery``).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from jutong.catalog.model import (
    Action,
    BaseDatabase,
    Share,
    UpdateCycle,
    _Strict,
    check_explicit_policy,
)

SHARED_FOLDER = "shared"
ZONES = ("base", "theme")
RESOURCE_ID = re.compile(r"^(base|theme)\.[a-z][a-z0-9_]*$")
COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")


class SharedItem(_Strict):
    name: str
    label: str = Field(min_length=1)
    label_en: str | None = None
    sensitivity: Annotated[int, Field(ge=1, le=4)] | None = None
    policy: Action | None = None  # explicit share policy (needs a reason)
    mask: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SharedItem:
        if not COLUMN.match(self.name):
            raise ValueError(f"name: '{self.name}' is not a valid column name")
        check_explicit_policy(self.name, self.policy, self.mask, self.reason)
        return self


class SharedResource(_Strict):
    """A base or theme table the bureau shares (see the module doc)."""

    id: str
    title: str = Field(min_length=1)
    title_en: str | None = None
    department: str  # the provider: the bureau (``sharing.bureau``)
    summary: str = ""
    domain: str | None = None
    update_cycle: UpdateCycle | None = None
    items: list[SharedItem] = Field(min_length=1)
    share: Share

    @model_validator(mode="after")
    def _consistent(self) -> SharedResource:
        if not RESOURCE_ID.match(self.id):
            raise ValueError(
                f"id: '{self.id}' is not '<zone>.<table>' with zone base or theme "
                "(e.g. base.population, theme.ss_insurance_coverage)"
            )
        names = [i.name for i in self.items]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"items: listed more than once: {', '.join(twice)}")
        if self.zone == "base" and self.base is None:
            raise ValueError(
                f"id: '{self.table_name}' is not a table of a base database "
                f"({', '.join(b.value for b in BaseDatabase if b is not BaseDatabase.none)})"
            )
        return self

    @property
    def zone(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def source_table(self) -> str:
        return self.id

    @property
    def base(self) -> BaseDatabase | None:
        """The base database of a ``base.*`` table (``population_links`` → population)."""
        if self.zone != "base":
            return None
        for b in sorted(BaseDatabase, key=lambda b: -len(b.value)):
            if b is BaseDatabase.none:
                continue
            if self.table_name == b.value or self.table_name.startswith(b.value + "_"):
                return b
        return None

    @property
    def kind(self) -> str:
        return self.zone

    def item(self, name: str) -> SharedItem:
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(f"{self.id}: no item '{name}'")


__all__ = ["SHARED_FOLDER", "SharedItem", "SharedResource"]
