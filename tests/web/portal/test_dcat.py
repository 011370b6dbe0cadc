"""``/catalog.jsonld`` parsed as JSON-LD into RDF (rdflib): the DCAT-AP-style triples a
harvester (CKAN's DCAT harvester) reads — catalog, datasets, distributions with download URL,
media type, SHA-256 checksum and size, publisher, issued/modified, licence, theme, contact."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS

from jutong.governance import releases as G
from tests.web.conftest import POPULATION, QIYE

# open namespaces (rdflib's DCAT is the closed DCAT 2 one, without DCAT 3's dcat:version)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
BASE = "http://testserver"


def graph(client) -> Graph:
    r = client.get("/catalog.jsonld")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/ld+json"
    g = Graph()
    g.parse(data=r.text, format="json-ld", base=BASE)
    return g


def one(g: Graph, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def test_catalog_datasets_and_their_fields(client):
    g = graph(client)
    cat = URIRef(f"{BASE}/catalog.jsonld")
    assert (cat, RDF.type, DCAT.Catalog) in g
    assert Literal("广西壮族自治区公共数据开放目录", lang="zh") in set(
        g.objects(cat, DCTERMS.title)
    )
    assert one(g, cat, DCTERMS.license) == URIRef(f"{BASE}/terms")
    assert one(g, cat, FOAF.homepage) == URIRef(f"{BASE}/catalog")
    bureau = one(g, cat, DCTERMS.publisher)
    assert Literal("自治区大数据发展局", lang="zh") in set(g.objects(bureau, FOAF.name))
    assert one(g, cat, DCTERMS.modified).datatype == XSD.dateTime

    datasets = set(g.objects(cat, DCAT.dataset))
    assert datasets == set(g.subjects(RDF.type, DCAT.Dataset))  # no stray dataset node
    ids = {str(one(g, d, DCTERMS.identifier)): d for d in datasets}
    assert set(ids) == {QIYE, POPULATION, "shenpi.xuke", "ziranziyuan.zongdi"}

    qiye = ids[QIYE]
    assert qiye == URIRef(f"{BASE}/releases/{QIYE}")
    assert Literal("Enterprise registrations (open data)", lang="en") in set(
        g.objects(qiye, DCTERMS.title)
    )
    assert one(g, qiye, DCAT.landingPage) == qiye
    publisher = one(g, qiye, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert Literal("自治区市场监督管理局", lang="zh") in set(g.objects(publisher, FOAF.name))
    contact = one(g, qiye, DCAT.contactPoint)
    assert str(one(g, contact, VCARD.fn)) == "自治区市场监督管理局"
    theme = one(g, qiye, DCAT.theme)
    assert one(g, theme, SKOS.prefLabel) == Literal("市场监管", lang="zh")
    assert (theme, RDF.type, SKOS.Concept) in g
    assert one(g, qiye, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/DAILY")
    assert one(g, qiye, DCTERMS.accessRights) == URIRef(f"{EU}access-right/PUBLIC")
    issued, modified = one(g, qiye, DCTERMS.issued), one(g, qiye, DCTERMS.modified)
    assert issued.datatype == modified.datatype == XSD.dateTime
    assert issued.toPython() <= modified.toPython()
    assert one(g, qiye, DCAT.version) == Literal("v2")
    # a conditionally open entry: restricted, its conditions, no distribution
    zongdi = ids["ziranziyuan.zongdi"]
    assert one(g, zongdi, DCTERMS.accessRights) == URIRef(f"{EU}access-right/RESTRICTED")
    assert "界址坐标依申请开放" in str(
        one(g, one(g, zongdi, DCTERMS.rights), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    )
    assert list(g.objects(zongdi, DCAT.distribution)) == []


def test_distributions_download_the_files_their_checksums_describe(client):
    g = graph(client)
    qiye = URIRef(f"{BASE}/releases/{QIYE}")
    dists = list(g.objects(qiye, DCAT.distribution))
    assert len(dists) == 2
    media = {}
    for d in dists:
        assert (d, RDF.type, DCAT.Distribution) in g
        url = one(g, d, DCAT.downloadURL)
        assert str(url).startswith(f"{BASE}/releases/{QIYE}/v2/")
        assert one(g, d, DCTERMS.license) == URIRef(f"{BASE}/terms")
        media[str(one(g, d, DCAT.mediaType)).rsplit("/", 2)[-2:][-1]] = d
        checksum = one(g, d, SPDX.checksum)
        assert one(g, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = one(g, checksum, SPDX.checksumValue)
        body = client.get(str(url).removeprefix(BASE)).content
        assert str(value) == hashlib.sha256(body).hexdigest()
        assert int(one(g, d, DCAT.byteSize)) == len(body)
    assert set(media) == {"csv", "vnd.apache.parquet"}
    assert one(g, media["csv"], DCTERMS["format"]) == URIRef(f"{EU}file-type/CSV")


@pytest.mark.parametrize("action", ["suspend", "withdraw"])
def test_a_release_not_served_keeps_its_dataset_and_loses_its_distributions(
    client, portal_settings, action
):
    getattr(G, action)(portal_settings, QIYE, "投诉：核实中", actor="staff")
    g = graph(client)
    qiye = URIRef(f"{BASE}/releases/{QIYE}")
    assert (qiye, RDF.type, DCAT.Dataset) in g
    assert list(g.objects(qiye, DCAT.distribution)) == []
    assert not any(
        str(u).startswith(f"{BASE}/releases/{QIYE}/") for u in g.objects(None, DCAT.downloadURL)
    )
    pop = URIRef(f"{BASE}/releases/{POPULATION}")
    assert len(list(g.objects(pop, DCAT.distribution))) == 2
