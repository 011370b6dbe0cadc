"""``/catalog.jsonld``: the open catalog as DCAT (DCAT-AP style) in JSON-LD, for harvesters
such as CKAN's DCAT harvester (ckanext-dcat reads every ``dcat:Dataset`` and its
``dcat:Distribution``s).

- ``dcat:Catalog``: title (zh, en), publisher (the big-data bureau), homepage, language,
  licence (the portal's terms of use), theme taxonomy, modified, its datasets;
- ``dcat:Dataset`` per open dataset (``web.portal.catalog``): identifier, title, description,
  ``dcat:theme`` (a ``skos:Concept`` of the catalog's domains), keywords, publisher and
  contact point (the provider, GX-Open art. 16 数据提供单位), update frequency (EU frequency
  vocabulary), access rights (EU access-right vocabulary: 无条件开放 PUBLIC, 有条件开放
  RESTRICTED) with the open conditions, issued and modified, version, landing page;
- ``dcat:Distribution`` — only for a served release, and only its current version's CSV and
  Parquet: download URL, IANA media type, EU file type, byte size, SHA-256 checksum (SPDX),
  licence, issued. A suspended or withdrawn release keeps its dataset (with its status) and
  loses its distributions (GX-Open art. 22).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from jutong.catalog.model import OpenType, UpdateCycle
from web.portal.catalog import OpenDataset, PortalInfo
from web.portal.releases import VersionView

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "jutong": "https://jutong.example.org/ns#",
}
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = {
    UpdateCycle.realtime: "CONT",
    UpdateCycle.daily: "DAILY",
    UpdateCycle.weekly: "WEEKLY",
    UpdateCycle.monthly: "MONTHLY",
    UpdateCycle.quarterly: "QUARTERLY",
    UpdateCycle.yearly: "ANNUAL",
    UpdateCycle.on_change: "IRREG",
}
ACCESS_RIGHTS = {OpenType.unconditional: "PUBLIC", OpenType.conditional: "RESTRICTED"}
IANA = "http://www.iana.org/assignments/media-types/"
DISTRIBUTIONS = {
    # file: (title, IANA media type, EU file type)
    "data.csv": ("CSV (UTF-8)", "text/csv", "CSV"),
    "data.parquet": ("Parquet", "application/vnd.apache.parquet", "PARQUET"),
}
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"

# url(route_name, query=None, **path_params) -> absolute URL
UrlFor = Callable[..., str]


def _text(zh: str, en: str | None = None) -> list[dict]:
    out = [{"@value": zh, "@language": "zh"}]
    if en:
        out.append({"@value": en, "@language": "en"})
    return out


def _when(value: dt.datetime) -> dict:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return {"@value": value.isoformat(timespec="seconds") + "Z", "@type": "xsd:dateTime"}


def _agent(url: UrlFor, department: str, name: str, name_en: str | None) -> dict:
    return {
        "@id": url("portal_catalog", query={"department": department}),
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": _text(name, name_en),
        "dct:identifier": department,
    }


def _distributions(url: UrlFor, ds: OpenDataset, v: VersionView) -> list[dict]:
    out = []
    for name, (title, media, filetype) in DISTRIBUTIONS.items():
        f = v.file(name)
        if f is None:
            continue
        href = url("portal_download", release_id=ds.id, version=v.version, file=name)
        dist = {
            "@id": f"{url('portal_release', release_id=ds.id)}#v{v.version}-{filetype.lower()}",
            "@type": "dcat:Distribution",
            "dct:title": _text(
                f"{ds.title} v{v.version} {title}", f"{ds.title_en or ds.id} {title}"
            ),
            "dcat:downloadURL": {"@id": href},
            "dcat:accessURL": {"@id": href},
            "dcat:mediaType": {"@id": IANA + media},
            "dct:format": {"@id": f"{EU}file-type/{filetype}"},
            "dct:license": {"@id": url("portal_terms")},
            "dct:issued": _when(v.built_at),
        }
        if f.size is not None:
            dist["dcat:byteSize"] = {"@value": str(f.size), "@type": "xsd:nonNegativeInteger"}
        if f.sha256:
            dist["spdx:checksum"] = {
                "@type": "spdx:Checksum",
                "spdx:algorithm": {"@id": SHA256},
                "spdx:checksumValue": {"@value": f.sha256, "@type": "xsd:hexBinary"},
            }
        out.append(dist)
    return out


def dataset_node(url: UrlFor, ds: OpenDataset) -> dict:
    page = (
        url("portal_release", release_id=ds.id)
        if ds.kind == "release"
        else url("portal_entry", entry_id=ds.id)
    )
    publisher = _agent(url, ds.department, ds.provider, ds.provider_en)
    node: dict = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": ds.id,
        "dct:title": _text(ds.title, ds.title_en),
        "dct:description": _text(ds.summary),
        "dcat:theme": {
            "@id": url("portal_catalog", query={"theme": ds.domain}),
            "@type": "skos:Concept",
            "skos:prefLabel": _text(ds.domain),
            "skos:inScheme": {"@id": url("portal_catalog_jsonld") + "#themes"},
        },
        "dcat:keyword": [{"@value": k, "@language": "zh"} for k in dict.fromkeys(ds.keywords)],
        "dct:publisher": publisher,
        "dcat:contactPoint": {
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": ds.provider,
            "vcard:hasURL": {"@id": publisher["@id"]},
        },
        "dct:accrualPeriodicity": {"@id": f"{EU}frequency/{FREQUENCY[ds.update_cycle]}"},
        "dct:accessRights": {"@id": f"{EU}access-right/{ACCESS_RIGHTS[ds.open_type]}"},
        "dcat:landingPage": {"@id": page},
        "dct:source": {"@id": url("portal_entry", entry_id=ds.entry_id)},
        "jutong:openType": ds.open_type.value,
        "jutong:catalogEntry": ds.entry_id,
    }
    if ds.open_conditions:
        node["dct:rights"] = {
            "@type": "dct:RightsStatement",
            "rdfs:label": _text(ds.open_conditions),
        }
    rv = ds.release
    if rv is None:
        return node
    node["jutong:status"] = rv.status_key
    if rv.first_issued:
        node["dct:issued"] = _when(rv.first_issued)
    if rv.last_modified:
        node["dct:modified"] = _when(rv.last_modified)
    current = rv.current
    if current is not None:
        node["dcat:version"] = f"v{current.version}"
        node["owl:versionInfo"] = str(current.version)
        node["jutong:rows"] = {"@value": str(current.rows), "@type": "xsd:nonNegativeInteger"}
        node["dcat:distribution"] = _distributions(url, ds, current)
    return node


def catalog_document(url: UrlFor, info: PortalInfo, datasets: list[OpenDataset]) -> dict:
    modified = [d.release.last_modified for d in datasets if d.release and d.release.last_modified]
    doc: dict = {
        "@context": CONTEXT,
        "@id": url("portal_catalog_jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": _text(info.title, info.title_en),
        "dct:description": _text(info.description, info.description_en),
        "dct:publisher": _agent(url, info.publisher_id, info.publisher, info.publisher_en),
        "foaf:homepage": {"@id": url("portal_catalog")},
        "dct:language": {"@id": f"{EU}language/ZHO"},
        "dct:license": {"@id": url("portal_terms")},
        "dcat:themeTaxonomy": {
            "@id": url("portal_catalog_jsonld") + "#themes",
            "@type": "skos:ConceptScheme",
            "dct:title": _text("数据领域", "Data domains"),
        },
        "dcat:dataset": [dataset_node(url, ds) for ds in datasets],
    }
    if modified:
        doc["dct:modified"] = _when(max(modified))
    return doc


__all__ = ["CONTEXT", "catalog_document", "dataset_node"]
