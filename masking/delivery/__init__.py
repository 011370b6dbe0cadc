"""Gated deliveries of approved share requests into the share zone (GX-Dispatch art. 29(4)–(5),
38, 44; GX-Reg art. 38): only the approved items, only rows of batches that passed the quality
gate, each item under the share masking policy with a key per request, a residual scan, and
a manifest with counts, checksums, source snapshots and the use conditions."""

from masking.delivery.build import (
    ACTIVE_STATES,
    DeliveryError,
    DeliveryResult,
    deliver,
    deliver_all,
)

__all__ = ["ACTIVE_STATES", "DeliveryError", "DeliveryResult", "deliver", "deliver_all"]
