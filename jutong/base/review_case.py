"""A clerical review item as a case of the case engine (flow ``review``,
``jutong cases rules --flow review``): ``pending`` -> ``merged`` (accepted) | ``kept_apart``
(rejected), decided by the bureau's quality owner or administrator; ``superseded`` when a
later build no longer proposes the pair. The case's reference is ``review:<item id>``, the
subject the review item's audit events have always had."""

from __future__ import annotations

from jutong.governance.cases.actors import Actor
from jutong.governance.cases.rules import Role

KIND = "review"
FLOW = "review"
PREFIX = "review:"
BUILD = "jutong-base-build"  # the base build, acting for the bureau


def case_ref(item_id: int) -> str:
    return f"{PREFIX}{item_id}"


def build_actor(bureau: str) -> Actor:
    return Actor(BUILD, Role.bureau_admin, bureau)


def case_item(item_id: int, base: str, subject: str, entity_id: str, bureau: str) -> dict:
    """The ``open_many`` item of a new review item."""
    return {
        "ref": case_ref(item_id),
        "requester": bureau,
        "provider": bureau,
        "bureau": bureau,
        "resource": base,
        "title": f"{base}: {subject} ~ {entity_id}"[:500],
        "data": {"item": item_id, "base": base, "subject": subject, "entity_id": entity_id},
    }
