"""dbt docs made to work inside an isolated network.

``dbt docs generate`` writes a single-page site (``index.html``, ``static_index.html``) whose
script loads the Snowplow tracker from a CDN (``//d1fc8wv8zag5ca.cloudfront.net/…/sp.js``)
whatever the anonymous-usage setting: a request to an outside host each time an analyst opens
the page. The loader's source is replaced by an empty inline script (the page's own tracking
calls then go to a queue nobody reads), and the page is checked to reference no other outside
asset; anything else outside is refused, naming it."""

from __future__ import annotations

import re
from pathlib import Path

from jutong.webassets.scan import is_external, page_assets

# the Snowplow loader's script source, as dbt-docs builds it (protocol-relative)
_TRACKER = re.compile(r"""(["'])(?:https?:)?//[a-z0-9.-]+\.cloudfront\.net/[0-9.]+/sp\.js\1""")
EMPTY_SCRIPT = '"data:text/javascript,"'


class ExternalAssetError(RuntimeError):
    pass


def offline_dbt_page(text: str, name: str = "dbt docs") -> str:
    """The page with its tracker loader emptied; raises ``ExternalAssetError`` when another
    outside asset remains."""
    out = _TRACKER.sub(EMPTY_SCRIPT, text)
    outside = [u for u in page_assets(out) if is_external(u)]
    if outside:
        raise ExternalAssetError(
            f"{name}: references outside assets {', '.join(sorted(set(outside))[:5])} "
            "(the lake's pages must work inside an isolated network)"
        )
    return out


def make_offline(path: Path) -> None:
    """Rewrite a dbt docs page in place (see ``offline_dbt_page``)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(offline_dbt_page(text, str(path)), encoding="utf-8")
