"""``/api/v1/open-data/{dataset}``: an approved dataset served with the API key of its delivery
(GX-Open art. 20(5)): ``Authorization: Bearer jtk_…`` or ``X-Api-Key: jtk_…``.

Every answer comes from ``opening.keys.check_key`` (the one check the portal and the CLI use):
200 with the file; 401 a missing, malformed or unknown key; 403 revoked, another dataset,
outside the approved period, the delivery or case revoked; 451 the release is suspended or
withdrawn after a complaint (GX-Open art. 22), with the release's reason.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from jutong.catalog.releases import ReleaseError, load_definitions
from jutong.governance import releases as G
from jutong.governance.opening.keys import check_key
from web.context import Context, get_context
from web.errors import ERRORS, ApiError, ErrorResponse

router = APIRouter(
    prefix="/open-data",
    tags=["open data by API key 开放数据接口"],
    responses={
        **ERRORS,
        451: {"model": ErrorResponse, "description": "Suspended or withdrawn (GX-Open art. 22)"},
    },
)

Ctx = Annotated[Context, Depends(get_context)]

# the key of a delivery, in either header (documented as security schemes of the document)
key_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OpenDataKeyBearer",
    description="the API key of an open-data delivery: Authorization: Bearer jtk_…",
)
key_header = APIKeyHeader(
    name="X-Api-Key",
    auto_error=False,
    scheme_name="OpenDataKey",
    description="the API key of an open-data delivery: X-Api-Key: jtk_…",
)

MEDIA = {
    "data.csv": "text/csv; charset=utf-8",
    "data.parquet": "application/vnd.apache.parquet",
    "metadata.json": "application/json",
}


def presented_key(bearer: HTTPAuthorizationCredentials | None, x_api_key: str | None) -> str:
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    raise ApiError(
        401,
        "an API key is required: 'Authorization: Bearer jtk_…' or 'X-Api-Key: jtk_…' (the key "
        "of your delivery, GX-Open art. 20(5))",
        headers={"WWW-Authenticate": 'Bearer realm="jutong-open-data"'},
    )


def _release_of(ctx: Context, dataset: str, key_resource: str, key_release: str | None) -> str:
    try:
        defs = load_definitions(ctx.settings)
    except ReleaseError as err:
        raise ApiError(500, f"release definitions: {err}", code="misconfigured") from None
    if dataset in defs:
        return dataset
    if key_release:
        return key_release
    served = [
        rid
        for rid, d in sorted(defs.items())
        if d.catalog_entry == key_resource and G.status(ctx.settings, rid) is not None
    ]
    if not served:
        raise ApiError(404, f"{dataset}: no release of {key_resource} has been published yet")
    return served[0]


@router.get(
    "/{dataset}",
    summary="The approved dataset (a catalog entry or one of its releases), with the API key",
    response_class=FileResponse,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def serve(
    dataset: str,
    ctx: Ctx,
    file: Literal["data.csv", "data.parquet", "metadata.json"] = "data.csv",
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(key_bearer)] = None,
    x_api_key: Annotated[str | None, Depends(key_header)] = None,
) -> FileResponse:
    token = presented_key(bearer, x_api_key)
    check = check_key(ctx.settings, token, dataset=dataset)
    if not check.ok:
        raise ApiError(
            check.status,
            check.reason,
            details={"dataset": dataset, "key_id": check.key_id, "case": check.case_ref},
            headers={"WWW-Authenticate": 'Bearer realm="jutong-open-data"'}
            if check.status == 401
            else None,
        )
    release_id = _release_of(ctx, dataset, check.resource or dataset, check.release_id)
    try:
        path = G.serve_path(ctx.settings, release_id, file=file)
    except G.ReleaseNotServed as err:
        status = (
            451 if G.status(ctx.settings, release_id) not in (None, G.Status.published) else 404
        )
        raise ApiError(status, str(err), details={"release": release_id}) from None
    return FileResponse(
        path,
        media_type=MEDIA[file],
        filename=f"{release_id}.{file.split('.', 1)[1]}",
        headers={"X-Release": release_id, "Cache-Control": "no-store"},
    )
