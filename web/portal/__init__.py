"""The public open-data portal (公共数据开放门户): the open catalog (GX-Open art. 16), each
release's versions with DCAT metadata, checksums and downloads, ``/catalog.jsonld`` for
harvesters; no login. ``router`` is a FastAPI ``APIRouter``; ``create_portal_app`` builds an
application holding only the portal."""

from web.portal.app import create_portal_app
from web.portal.routes import router

__all__ = ["create_portal_app", "router"]
