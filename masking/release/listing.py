"""Listing releases, one release's record, and the demo's releases."""

from __future__ import annotations

import datetime as dt

from jutong.catalog.releases import ReleaseError, get_definition, load_definitions
from jutong.governance import releases as G
from jutong.settings import Settings
from masking.release.build import build_release
from masking.release.package import ReleaseResult


def list_releases(settings: Settings) -> list[dict]:
    """One row per defined or published release: id, status, latest version, rows, path."""
    try:
        defs = load_definitions(settings)
    except ReleaseError:
        defs = {}
    ids = G.recorded_ids(settings)
    out = []
    for rid in sorted(set(defs) | ids):
        vs = G.versions(settings, rid)
        st = G.status(settings, rid)
        last = vs[-1] if vs else None
        out.append(
            {
                "release_id": rid,
                "title": defs[rid].title if rid in defs else "",
                "status": st.value if st else "not built",
                "version": last["version"] if last else None,
                "rows": last["rows"] if last else None,
                "path": last["path"] if last else None,
                "built_at": last["built_at"] if last else None,
            }
        )
    return out


def demo_releases(settings: Settings, as_of: dt.date | None = None) -> list[ReleaseResult]:
    """Build the demo's open releases (creating a local demo key per purpose if absent)."""
    from masking.keys import ensure_demo_key

    results = []
    for rid in ("qiye_registrations", "population_by_county_sex_age"):
        d = get_definition(settings, rid)
        ensure_demo_key(settings, d.purpose)
        results.append(build_release(settings, rid, as_of=as_of, actor="demo"))
    return results


def demo_summary(settings: Settings) -> list[str]:
    """Lines for the demo's summary: release id, version, rows, status, path."""
    lines = []
    for r in list_releases(settings):
        if r["version"] is None:
            lines.append(f"{r['release_id']}: not built")
            continue
        lines.append(
            f"{r['release_id']} v{r['version']}: {r['rows']} rows, {r['status']}, {r['path']}"
        )
    return lines


def release_info(settings: Settings, release_id: str) -> dict:
    """Definition, versions and events of one release (for ``jutong release show``)."""
    defs = load_definitions(settings)
    d = defs.get(release_id)
    vs = G.versions(settings, release_id)
    if d is None and not vs:
        raise ReleaseError(f"no release '{release_id}' (known: {', '.join(sorted(defs))})")
    st = G.status(settings, release_id)
    return {
        "release_id": release_id,
        "definition": d.model_dump(mode="json") if d else None,
        "status": st.value if st else "not built",
        "versions": vs,
        "events": G.events(settings, release_id),
    }
