"""Open-data releases: build, gate, package and list (GX-Reg art. 25; GX-Open art. 16, 19).

What a release contains is its definition, ``<catalog_dir>/releases/<id>.yaml``
(``jutong.catalog.releases``); what happened to it — versions, suspensions, withdrawals — is
recorded in the governance database (``jutong.governance.releases``, GX-Open art. 22). This
package turns a definition into a published version:

- ``build``: ``build_release``, the steps in order;
- ``records`` / ``aggregate``: person-level releases (open policies, k-anonymity) and
  statistics (counts, small-cell suppression);
- ``residual``: the residual PII scan that refuses a release;
- ``package``: the version folder, written atomically, and its record;
- ``metadata``: the DCAT-style ``metadata.json`` with GX-Open art. 16's fields;
- ``listing``: ``jutong release list|show`` and the demo.
"""

from masking.release.build import build_release
from masking.release.listing import demo_releases, demo_summary, list_releases, release_info
from masking.release.package import ReleaseResult

__all__ = [
    "ReleaseResult",
    "build_release",
    "demo_releases",
    "demo_summary",
    "list_releases",
    "release_info",
]
