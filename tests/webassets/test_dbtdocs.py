"""dbt docs pages made offline: the Snowplow loader's CDN source emptied; any other outside
asset refused, naming it."""

import pytest

from jutong.webassets import scan_html
from jutong.webassets.dbtdocs import ExternalAssetError, make_offline, offline_dbt_page

LOADER = (
    '<html><head><script>!function(){var i=document.createElement("script");'
    'i.async=1,i.src="//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js";'
    "document.head.appendChild(i)}();</script></head><body>dbt</body></html>"
)


def test_the_tracker_loader_is_emptied(tmp_path):
    page = tmp_path / "index.html"
    page.write_text(LOADER, encoding="utf-8")
    assert scan_html(tmp_path) == [("index.html", "//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js")]
    make_offline(page)
    assert scan_html(tmp_path) == []
    assert 'i.src="data:text/javascript,"' in page.read_text(encoding="utf-8")
    # a second pass changes nothing
    assert offline_dbt_page(page.read_text(encoding="utf-8")) == page.read_text(encoding="utf-8")


def test_another_outside_asset_is_refused_by_name():
    page = LOADER.replace(
        "</head>", '<link rel="stylesheet" href="https://fonts.example.com/x.css"></head>'
    )
    with pytest.raises(ExternalAssetError, match="fonts.example.com"):
        offline_dbt_page(page, "index.html")
