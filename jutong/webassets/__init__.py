"""Web assets for pages that must work inside an isolated network (政务外网, intranets with no
route outside): nothing a page loads may come from another host.

- ``packages``: the vendored npm packages (version, files, SHA-256, licence) under ``vendor/``,
  taken once from the registry at development time, never downloaded at run time;
- ``install``: copy vendored packages into a site's static folder;
- ``scan``: ``scan_html(folder)`` lists the external assets a folder's pages would load;
- ``datadocs``: make a Great Expectations Data Docs site self-contained;
- ``fonts``: the CJK font stack of the platform's pages.
"""

from jutong.webassets.datadocs import localize_site, site_lock
from jutong.webassets.scan import scan_html

__all__ = ["localize_site", "scan_html", "site_lock"]
