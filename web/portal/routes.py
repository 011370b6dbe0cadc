"""The public open-data portal's routes (公共数据开放门户): no login to browse or download.

| route | name | what |
|---|---|---|
| ``GET /`` | ``portal_home`` | redirects to the catalog |
| ``GET /catalog`` | ``portal_catalog`` | the open catalog, searchable (``q``) and filtered by ``department``, ``theme``, ``open_type`` |
| ``GET /catalog.jsonld`` | ``portal_catalog_jsonld`` | the catalog as DCAT JSON-LD (``web.portal.dcat``) |
| ``GET /catalog/entries/{entry_id}`` | ``portal_entry`` | one catalog entry: GX-Open art. 16 fields and its open releases |
| ``GET /releases/{release_id}`` | ``portal_release`` | one release: status (and why it is not served), versions, DCAT metadata, checksums, downloads |
| ``GET /releases/{release_id}/v{version}/{file}`` | ``portal_download`` | a file of a version: 451 with the reason when the release is suspended or withdrawn (GX-Open art. 22) |
| ``GET /terms`` | ``portal_terms`` | terms of use of open data (the catalog's ``dct:license``) |

The requesters' pages — sign-up and login, conditional-open request forms (GX-Open art. 20),
"my requests" with their deadlines, agreement and rating forms, complaint forms (art. 22) and
the notices in force — are ``web.portal.opening_pages``, included below.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from jutong.catalog.releases import ReleaseError
from jutong.governance import releases as G
from jutong.settings import Settings, get_settings
from web.portal import catalog as C
from web.portal import opening_pages
from web.portal.dcat import CONTEXT, catalog_document, dataset_node
from web.portal.releases import MEDIA_TYPES, withdrawn_reason
from web.portal.responses import error
from web.templating import templates

# pages and files for people and harvesters, not part of the REST API's OpenAPI document
router = APIRouter(tags=["portal"], include_in_schema=False)


def portal_settings(request: Request) -> Settings:
    """The application's settings: those of its request context (``web.context.Context``, as
    ``web.app.create_app`` and ``create_portal_app`` set it), else the process's."""
    context = getattr(request.app.state, "context", None)
    return context.settings if context is not None else get_settings()


SettingsDep = Annotated[Settings, Depends(portal_settings)]


def url_maker(request: Request):
    """``url(name, query=None, **path_params)`` -> absolute URL, for links and JSON-LD."""

    def url(name: str, query: dict | None = None, **params) -> str:
        u = str(request.url_for(name, **params))
        return f"{u}?{urlencode(query)}" if query else u

    return url


@router.get("/", name="portal_home")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("portal_catalog"), status_code=307)


PER_PAGE = 20


@router.get("/catalog", name="portal_catalog")
def catalog_page(
    request: Request,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
    theme: Annotated[str, Query(max_length=64)] = "",
    open_type: Literal["", "unconditional", "conditional"] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = PER_PAGE,
) -> Response:
    """The open catalog (GX-Open art. 16), searchable, filtered and in pages."""
    datasets = C.open_catalog(settings)
    found = C.search(datasets, q=q, department=department, theme=theme, open_type=open_type)
    pages = max(1, -(-len(found) // per_page))
    filters = {"q": q, "department": department, "theme": theme, "open_type": open_type}

    def page_url(n: int) -> str:
        query = {k: v for k, v in filters.items() if v}
        if per_page != PER_PAGE:
            query["per_page"] = per_page
        if n > 1:
            query["page"] = n
        path = request.url_for("portal_catalog").path
        return f"{path}?{urlencode(query)}" if query else path

    return templates.TemplateResponse(
        request,
        "portal/catalog.html",
        {
            "info": C.portal_info(settings),
            "datasets": found[(page - 1) * per_page : page * per_page],
            "found": len(found),
            "total": len(datasets),
            "facets": C.facets(datasets),
            "filters": filters,
            "page": page,
            "pages": pages,
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page < pages else None,
        },
    )


@router.get("/catalog.jsonld", name="portal_catalog_jsonld")
def catalog_jsonld(request: Request, settings: SettingsDep) -> JSONResponse:
    """The open catalog as DCAT (DCAT-AP style) JSON-LD, for harvesters (CKAN's DCAT harvester)."""
    doc = catalog_document(url_maker(request), C.portal_info(settings), C.open_catalog(settings))
    return JSONResponse(doc, media_type="application/ld+json")


@router.get("/catalog/entries/{entry_id}", name="portal_entry")
def entry_page(request: Request, entry_id: str, settings: SettingsDep) -> Response:
    """A catalog entry: open (its GX-Open art. 16 fields), or not open with open releases."""
    catalog, _ = C.catalog_and_definitions(settings)
    entry = catalog.entries.get(entry_id)
    datasets = C.open_catalog(settings)
    releases = [d for d in datasets if d.kind == "release" and d.entry_id == entry_id]
    own = next((d for d in datasets if d.kind == "entry" and d.id == entry_id), None)
    if entry is None or (own is None and not releases and entry.open.type not in C.OPEN_TYPES):
        return _error(
            settings,
            request,
            404,
            f"'{entry_id}' is not in the open catalog (目录中无此开放数据项)",
            back=str(request.url_for("portal_catalog")),
        )
    dept = catalog.departments.get(entry.department)
    return templates.TemplateResponse(
        request,
        "portal/entry.html",
        {
            "info": C.portal_info(settings),
            "entry": entry,
            "dataset": own,
            "releases": releases,
            "provider": dept.name if dept else entry.department,
            "provider_en": dept.name_en if dept else None,
            "open_en": C.OPEN_TYPE_EN[entry.open.type],
            "cycle": C.CYCLE_LABELS[entry.update_cycle],
        },
    )


def _error(settings: Settings, request: Request, status: int, message: str, **kw) -> Response:
    """An error answer in the portal's layout."""
    return error(request, status, message, info=C.portal_info(settings), **kw)


def _release_dataset(settings: Settings, release_id: str) -> C.OpenDataset | None:
    ds = C.get_dataset(settings, release_id)
    return ds if ds is not None and ds.kind == "release" else None


@router.get("/releases/{release_id}", name="portal_release")
def release_page(request: Request, release_id: str, settings: SettingsDep) -> Response:
    """A release: status, why it is not served, versions, DCAT metadata, checksums, downloads."""
    ds = _release_dataset(settings, release_id)
    if ds is None:
        return _error(
            settings,
            request,
            404,
            f"no open release '{release_id}' (无此开放数据集)",
            back=str(request.url_for("portal_catalog")),
        )
    node = {"@context": CONTEXT, **dataset_node(url_maker(request), ds)}
    return templates.TemplateResponse(
        request,
        "portal/release.html",
        {
            "info": C.portal_info(settings),
            "ds": ds,
            "rv": ds.release,
            "jsonld": node,
            "complaint_ref": _complaint_ref(request.query_params.get("complaint")),
        },
    )


@router.api_route(
    "/releases/{release_id}/v{version}/{file}", methods=["GET", "HEAD"], name="portal_download"
)
def download(
    request: Request, release_id: str, version: int, file: str, settings: SettingsDep
) -> Response:
    """A file of a release version; 451 with the recorded reason when it is not served."""
    page = str(request.url_for("portal_release", release_id=release_id))
    if file not in MEDIA_TYPES:
        return _error(
            settings,
            request,
            404,
            f"release '{release_id}' has no file '{file}' (files: {', '.join(MEDIA_TYPES)})",
            back=page,
        )
    definition = C.open_release(settings, release_id)
    if definition is None:
        return _error(settings, request, 404, f"no open release '{release_id}' (无此开放数据集)")
    row = next((v for v in G.versions(settings, release_id) if v["version"] == version), None)
    if row is None:
        return _error(
            settings, request, 404, f"release '{release_id}' has no version {version}", back=page
        )
    st = G.status(settings, release_id)
    if st is not G.Status.published or row["withdrawn"]:
        if st is G.Status.published:  # a version withdrawn before the release was reopened
            reason, since = withdrawn_reason(settings, release_id) or ("withdrawn", None)
            state = "withdrawn"
        else:
            ev = G.events(settings, release_id)[-1]
            reason, since, state = ev["reason"], ev["at"], st.value if st else "unpublished"
        when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
        return _error(
            settings,
            request,
            451,
            f"release '{release_id}' v{version} is {state}{when} and not served "
            f"(GX-Open art. 22): {reason}",
            details={
                "release_id": release_id,
                "version": version,
                "status": state,
                "reason": reason,
                "since": since.isoformat(timespec="seconds") + "Z" if since else None,
                "release_page": page,
            },
            back=page,
        )
    # conditionally open data only to an account with an approved delivery (GX-Open art. 20)
    blocked = opening_pages.conditional_download_block(request, settings, definition, file)
    if blocked is not None:
        return blocked
    try:  # the state machine has the last word on what is served
        path = G.serve_path(settings, release_id, version=version, file=file)
    except ReleaseError as exc:
        return _error(settings, request, 404, str(exc), back=page)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[file],
        filename=f"{release_id}-v{version}-{file}",
        content_disposition_type="attachment",
        # a cache must ask again before reusing a copy: a suspension applies at once
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/terms", name="portal_terms")
def terms(request: Request, settings: SettingsDep) -> Response:
    """Terms of use of the open data (the catalog's and distributions' ``dct:license``)."""
    return templates.TemplateResponse(
        request, "portal/terms.html", {"info": C.portal_info(settings)}
    )


__all__ = ["portal_settings", "router"]


def _complaint_ref(value: str | None) -> str | None:
    """The complaint just filed (shown after the redirect), when it looks like a case ref."""
    if value and len(value) <= 16 and value.replace("-", "").isalnum():
        return value
    return None


router.include_router(opening_pages.router)
