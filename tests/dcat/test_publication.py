"""DCAT-AP 3 of the open entries through ckanext-dcat and our profile.

The output of /catalog.ttl and /dataset/<id>.rdf is validated with pyshacl against the DCAT-AP
3.0.0 SHACL shapes (tests/data/dcat-ap-3.0.0-shacl.jsonld, see its NOTICE), and only entries with
open_type open are published, whoever asks.
"""

from __future__ import annotations

import os

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SKOS

from tests import factories


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
EU = "http://publications.europa.eu/resource/authority/"
SHAPES = os.path.join(os.path.dirname(__file__), "..", "data", "dcat-ap-3.0.0-shacl.jsonld")


@pytest.fixture
def catalog(county_and_department):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    items = [
        {
            "name": "姓名",
            "data_type": "C",
            "length": 50,
            "description": "户主姓名",
            "personal_info": "yes",
        },
        {"name": "出生日期", "data_type": "D", "length": 8, "personal_info": "no"},
    ]
    open_entry = factories.Entry(
        user=admin,
        owner_org=dept["id"],
        title="石泉县公共厕所分布",
        open_to_all=True,
        update_cycle="每季度",
        data_items=items,
        theme=["公共服务", "城乡建设"],
        tag_string="厕所,民生",
        region_code="610922",
        temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}],
        license_id="cc-by",
        resources=[
            {"url": "http://example.invalid/toilets.csv", "format": "CSV", "name": "公厕点位"}
        ],
    )
    conditional = factories.Entry(
        user=admin,
        owner_org=dept["id"],
        title="有条件开放的目录",
        open_type="conditional",
        open_condition="须签订数据使用协议。",
    )
    closed = factories.Entry(user=admin, owner_org=dept["id"], title="不予开放的目录")
    gov = factories.Member(organization=dept, capacity="editor")
    return {
        "open": open_entry,
        "conditional": conditional,
        "closed": closed,
        "dept": dept,
        "gov": gov,
    }


def graph(response, fmt: str) -> Graph:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def shacl_report(data: Graph) -> tuple[bool, str]:
    import pyshacl

    shapes = Graph().parse(SHAPES, format="json-ld")
    conforms, _graph, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return conforms, text


def test_the_open_entry_maps_our_fields_and_conforms_to_dcat_ap_3(app, catalog):
    pkg = catalog["open"]
    g = graph(app.get(f"/dataset/{pkg['id']}.rdf"), "xml")
    ds = URIRef(f"http://test.ckan.net/dataset/{pkg['id']}")
    assert (ds, RDF.type, DCAT.Dataset) in g
    assert g.value(ds, DCTERMS.title) == Literal("石泉县公共厕所分布")
    assert g.value(ds, DCTERMS.identifier) == Literal(pkg["resource_code"])
    assert g.value(ds, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert g.value(ds, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/QUARTERLY")
    themes = set(g.objects(ds, DCAT.theme))
    assert themes == {URIRef(EU + "data-theme/GOVE"), URIRef(EU + "data-theme/REGI")}
    keywords = {str(k) for k in g.objects(ds, DCAT.keyword)}
    assert {"厕所", "民生", "公共服务"} <= keywords
    # publisher = the owner organization, with its unified social credit code
    publisher = g.value(ds, DCTERMS.publisher)
    assert str(g.value(publisher, Namespace("http://xmlns.com/foaf/0.1/").name)) == "石泉县公安局"
    assert g.value(publisher, DCTERMS.identifier) == Literal(catalog["dept"]["org_code"])
    # contact point = the steward, split into name, phone and e-mail
    contact = g.value(ds, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == "李娜"
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:li.na@example.invalid")
    assert g.value(contact, VCARD.hasTelephone) == URIRef("tel:09156312345")
    # spatial = the division code
    location = g.value(ds, DCTERMS.spatial)
    assert g.value(location, DCTERMS.identifier) == Literal("610922")
    assert str(g.value(location, SKOS.prefLabel)) == "石泉县"
    # temporal coverage
    period = g.value(ds, DCTERMS.temporal)
    assert str(g.value(period, DCAT.startDate)).startswith("2023-01-01")
    # data items = a table schema, in catalog order
    schema = g.value(ds, DCTERMS.conformsTo)
    columns = Collection(g, g.value(schema, CSVW.column))
    assert [str(g.value(c, CSVW.name)) for c in columns] == ["姓名", "出生日期"]
    assert str(g.value(columns[0], CSVW.maxLength)) == "50"
    # license on the distribution, the entry page as landing page
    dist = g.value(ds, DCAT.distribution)
    assert g.value(dist, DCAT.accessURL) == URIRef("http://example.invalid/toilets.csv")
    assert g.value(dist, DCTERMS["format"]) == URIRef(EU + "file-type/CSV")
    assert g.value(dist, DCTERMS.license) is not None
    assert g.value(ds, DCAT.landingPage) == URIRef(f"http://test.ckan.net/dataset/{pkg['name']}")
    assert g.value(ds, DCTERMS.language) == URIRef(EU + "language/ZHO")

    conforms, text = shacl_report(g)
    assert conforms, text


def test_the_catalog_has_only_open_entries_and_conforms(app, catalog):
    g = graph(app.get("/catalog.ttl"), "turtle")
    datasets = {str(d) for d in g.subjects(RDF.type, DCAT.Dataset)}
    assert datasets == {f"http://test.ckan.net/dataset/{catalog['open']['id']}"}
    catalog_ref = next(g.subjects(RDF.type, DCAT.Catalog))
    assert g.value(catalog_ref, DCTERMS.publisher) is not None
    conforms, text = shacl_report(g)
    assert conforms, text


@pytest.mark.parametrize("which", ["closed", "conditional"])
def test_entries_that_are_not_open_are_not_published_to_anyone(app, catalog, which):
    pkg = catalog[which]
    assert app.get(f"/dataset/{pkg['id']}.rdf").status_code in (403, 404)
    assert app.get(f"/dataset/{pkg['name']}.ttl").status_code in (403, 404)
    assert pkg["id"] not in app.get("/catalog.ttl").get_data(as_text=True)
    # a government user sees the entry on the site, but the open-data feed still leaves it out
    headers = {"Authorization": factories.APIToken(user=catalog["gov"]["name"])["token"]}
    assert app.get(f"/dataset/{pkg['name']}", headers=headers).status_code == 200
    assert app.get(f"/dataset/{pkg['id']}.rdf", headers=headers).status_code == 404
    feed = app.get("/catalog.ttl", headers=headers).get_data(as_text=True)
    assert pkg["id"] not in feed


def _published(response) -> dict[str, str]:
    """URI -> title of the datasets of a catalog feed."""
    g = graph(response, "turtle")
    return {str(d): str(g.value(d, DCTERMS.title)) for d in g.subjects(RDF.type, DCAT.Dataset)}


@pytest.mark.parametrize(
    "fq",
    ["dataset_type:dataset", "open_type:*", "*:*"],
)
def test_a_caller_filter_that_matches_every_entry_still_yields_only_the_open_ones(app, catalog, fq):
    open_entry = catalog["open"]
    published = _published(app.get("/catalog.ttl", query_string={"fq": fq}))
    assert published == {f"http://test.ckan.net/dataset/{open_entry['id']}": open_entry["title"]}


def test_a_caller_filter_narrows_the_feed(app, catalog):
    open_entry = catalog["open"]
    found = _published(app.get("/catalog.ttl", query_string={"fq": "theme:城乡建设"}))
    assert found == {f"http://test.ckan.net/dataset/{open_entry['id']}": open_entry["title"]}
    # the same filters naming entries that are not open: found on the site, not in the feed
    for fq in [
        "open_type:closed",
        f'name:"{catalog["closed"]["name"]}"',
        "theme:公共服务 -theme:城乡建设",
    ]:
        assert _published(app.get("/catalog.ttl", query_string={"fq": fq})) == {}, fq


@pytest.mark.parametrize(
    "fq", [") OR (*:*", 'title:"(" ) OR (*:*', "*:* \\) OR (*:*", "{!lucene}*:*"]
)
def test_a_caller_filter_that_could_escape_its_group_is_refused(app, catalog, fq):
    response = app.get("/catalog.ttl", query_string={"fq": fq})
    assert response.status_code == 409, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    assert "Unsupported filter query" in body
    for which in ("open", "conditional", "closed"):
        assert catalog[which]["id"] not in body
