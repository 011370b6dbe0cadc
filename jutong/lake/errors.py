"""Errors of the lake layer. Each is one clear line for the user; none needs a traceback."""

from __future__ import annotations


class LakeError(RuntimeError):
    """A lake operation that could not be done; the message says what and what to do."""


class AuditError(LakeError):
    """An audit refused a write; nothing was published."""


class ConcurrentPublishError(LakeError):
    """Another writer kept moving the table's main branch; nothing of this write was published."""


class AlreadyPublishedError(LakeError):
    """Another run published the same data first; this write published nothing."""


class CommitStateUnknownError(LakeError):
    """A publish commit was sent but its outcome could not be confirmed.

    Nothing is cleaned up (the catalog may reference the files): ``jutong lake repair``
    decides later, from the catalog's state, what can be removed.
    """


class FailpointError(LakeError):
    """Raised by an armed failpoint (tests of crash recovery only)."""
