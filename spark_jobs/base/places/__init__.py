"""The spatial (自然资源和空间地理) and electronic-licence (电子证照) base databases
(GX-Reg art. 23; LZ-Rules art. 15: spatial ← natural resources and planning; licences ←
the administrative approval bureau).

Both are keyed by their own register's code (the division code, the parcel code, the
licence number); their holders are the persons and organisations the population and
legal-entity builds resolved (``<base>_links``), so these builds run after those two.
"""

from spark_jobs.base.places.licences import build_e_license, license_status, resolve_e_license
from spark_jobs.base.places.registers import PlaceOutputs, publish_places, records_with_holders
from spark_jobs.base.places.spatial import build_spatial, resolve_spatial

__all__ = [
    "PlaceOutputs",
    "build_e_license",
    "build_spatial",
    "license_status",
    "publish_places",
    "records_with_holders",
    "resolve_e_license",
    "resolve_spatial",
]
