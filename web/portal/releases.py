"""A release as the portal shows it: status, the reason when it is not served, its versions with
row counts, files, sizes and SHA-256 checksums, and the served version's DCAT metadata.

Read from the governance database (``jutong.governance.releases``: versions, events, status)
and from each version folder as ``masking.release.package`` writes it (``SHA256SUMS``,
``metadata.json``). Whether a file may be downloaded is decided by
``jutong.governance.releases.serve_path`` alone (GX-Open art. 22): a suspended or withdrawn
release, and a withdrawn version, are not served.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from jutong.governance import releases as G
from jutong.settings import Settings

log = logging.getLogger(__name__)

# The files of a version offered for download, in the order shown: (file, label, media type).
DOWNLOADS = (
    ("data.csv", "CSV", "text/csv; charset=utf-8"),
    ("data.parquet", "Parquet", "application/vnd.apache.parquet"),
    ("metadata.json", "DCAT metadata.json", "application/json"),
    ("SHA256SUMS", "SHA256SUMS", "text/plain; charset=utf-8"),
    ("report.json", "脱敏与匿名化报告 report.json", "application/json"),
)
MEDIA_TYPES = {name: media for name, _, media in DOWNLOADS}
DATA_FILES = ("data.csv", "data.parquet")

STATUS_LABELS = {
    None: ("尚未发布", "not published yet"),
    G.Status.published: ("已发布", "published"),
    G.Status.suspended: ("已暂停开放", "suspended"),
    G.Status.withdrawn: ("已撤回", "withdrawn"),
}


@dataclass(frozen=True)
class FileView:
    name: str
    label: str
    media_type: str
    size: int | None
    sha256: str | None  # from the version's SHA256SUMS (every file but SHA256SUMS itself)


@dataclass(frozen=True)
class VersionView:
    version: int
    built_at: dt.datetime
    rows: int
    withdrawn: bool
    served: bool  # downloadable now
    files: tuple[FileView, ...]

    def file(self, name: str) -> FileView | None:
        return next((f for f in self.files if f.name == name), None)


@dataclass(frozen=True)
class ReleaseView:
    id: str
    status: G.Status | None
    reason: str | None  # why it is not served (the recorded reason of the last change)
    since: dt.datetime | None  # when that change was made
    versions: tuple[VersionView, ...]  # newest first
    metadata: dict | None  # metadata.json of the served version (else the newest)
    first_issued: dt.datetime | None
    last_modified: dt.datetime | None

    @property
    def served(self) -> bool:
        return self.status is G.Status.published and any(v.served for v in self.versions)

    @property
    def current(self) -> VersionView | None:
        """The version served now (the newest not withdrawn), when the release is served."""
        return next((v for v in self.versions if v.served), None)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS_LABELS[self.status][1]

    @property
    def status_key(self) -> str:
        return self.status.value if self.status else "unpublished"


def read_sums(folder: Path) -> dict[str, str]:
    """``SHA256SUMS`` of a version folder: file name -> SHA-256 (empty when missing)."""
    path = folder / "SHA256SUMS"
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            out[name.strip()] = digest.strip()
    return out


def _files(folder: Path) -> tuple[FileView, ...]:
    sums = read_sums(folder)
    out = []
    for name, label, media in DOWNLOADS:
        path = folder / name
        if path.is_file():
            out.append(FileView(name, label, media, path.stat().st_size, sums.get(name)))
    return tuple(out)


def _metadata(folder: Path) -> dict | None:
    path = folder / "metadata.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s: no readable metadata (%s)", path, exc)
        return None


def release_view(settings: Settings, release_id: str) -> ReleaseView:
    st = G.status(settings, release_id)
    events = G.events(settings, release_id)
    rows = G.versions(settings, release_id)
    published = st is G.Status.published
    versions = []
    for v in reversed(rows):
        folder = Path(v["path"])
        # every version not withdrawn is served while the release is published (serve_path)
        served = published and not v["withdrawn"]
        versions.append(
            VersionView(
                version=v["version"],
                built_at=v["built_at"],
                rows=v["rows"],
                withdrawn=bool(v["withdrawn"]),
                served=served and (folder / "data.csv").is_file(),
                files=_files(folder),
            )
        )
    reason = since = None
    if st is not None and not published and events:
        reason, since = events[-1]["reason"], events[-1]["at"]
    shown = next((v for v in versions if v.served), versions[0] if versions else None)
    meta = None
    if shown is not None:
        meta = _metadata(Path(next(r["path"] for r in rows if r["version"] == shown.version)))
    return ReleaseView(
        id=release_id,
        status=st,
        reason=reason,
        since=since,
        versions=tuple(versions),
        metadata=meta,
        first_issued=rows[0]["built_at"] if rows else None,
        last_modified=events[-1]["at"] if events else None,
    )


def withdrawn_reason(settings: Settings, release_id: str) -> tuple[str, dt.datetime] | None:
    """The reason and time of the last withdrawal of a release (for a withdrawn version)."""
    for ev in reversed(G.events(settings, release_id)):
        if ev["action"] == "withdraw":
            return ev["reason"], ev["at"]
    return None


__all__ = [
    "DATA_FILES",
    "DOWNLOADS",
    "MEDIA_TYPES",
    "FileView",
    "ReleaseView",
    "VersionView",
    "release_view",
    "withdrawn_reason",
]
