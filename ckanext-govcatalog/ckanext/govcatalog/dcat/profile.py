"""DCAT-AP 3 for catalog entries: the ``govcatalog_dcat`` RDF profile of ckanext-dcat.

It runs after ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 govcatalog_dcat``),
which already writes title, description, keywords (tags), publisher (the owner organization),
temporal coverage (our ``temporal_coverage`` subfields have its start/end shape), distributions
and dates. This profile maps the catalog's own fields (catalog-spec §3) on top:

* open_type -> dct:accessRights (EU access-right table: PUBLIC / RESTRICTED / NON_PUBLIC);
* update_cycle -> dct:accrualPeriodicity (EU frequency table);
* theme -> dcat:theme (EU data-theme table; the Chinese theme stays as a keyword);
* data_items -> a CSVW table schema (dct:conformsTo [csvw:column ...]);
* resource_code -> dct:identifier and adms:identifier; publish_date -> dct:issued;
* steward -> dcat:contactPoint (vcard with the name, phone and e-mail found in the text);
* region_code -> dct:spatial (a dct:Location named by the division code and its name);
* owner organization -> its unified social credit code as the publisher's dct:identifier;
* license -> dct:license on every distribution, the entry page -> dcat:landingPage.

The vocabulary mappings are data: schemas/dcat.yaml.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckanext.dcat.profiles import ADMS, DCAT, DCT, FOAF, RDF, RDFS, SKOS, VCARD
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import catalog_uri
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog.fields import as_list

# the language of the labels we publish (SKOS prefLabel @zh)
CATALOG_LANG = vocab.DEFAULT_LANG
CSVW = Namespace("http://www.w3.org/ns/csvw#")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(?:0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9})(?!\d)")


@functools.cache
def _mapping(folder: str) -> dict[str, Any]:
    with open(os.path.join(folder, "dcat.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def mapping() -> dict[str, Any]:
    """schemas/dcat.yaml: which entries are published and how our choices map to EU tables."""
    return _mapping(vocab.schemas_dir())


def published_open_types() -> list[str]:
    return list(mapping().get("published_open_types") or [])


def is_published(dataset_dict: dict[str, Any]) -> bool:
    return dataset_dict.get("open_type") in published_open_types()


def _label(vocabulary: str, value: str) -> str:
    """The Chinese label of a vocabulary value ('' when it is not listed): the labels are
    published tagged as Chinese, whoever asks."""
    return vocab.labels(vocabulary, CATALOG_LANG).get(str(value), "")


class GovCatalogDCATProfile(RDFProfile):
    """Our catalog fields on top of euro_dcat_ap_3 (serialization only; we do not harvest)."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        m = mapping()
        g.bind("csvw", CSVW)

        code = dataset_dict.get("resource_code")
        if code:
            g.remove((dataset_ref, DCT.identifier, None))
            g.add((dataset_ref, DCT.identifier, Literal(code)))
            identifier = BNode()
            g.add((dataset_ref, ADMS.identifier, identifier))
            g.add((identifier, RDF.type, ADMS.Identifier))
            g.add((identifier, SKOS.notation, Literal(code)))

        if dataset_dict.get("publish_date"):
            g.remove((dataset_ref, DCT.issued, None))
            self._add_date_triple(dataset_ref, DCT.issued, dataset_dict["publish_date"])
        if dataset_dict.get("last_data_update"):
            g.remove((dataset_ref, DCT.modified, None))
            self._add_date_triple(dataset_ref, DCT.modified, dataset_dict["last_data_update"])

        access = m["access_rights"].get(dataset_dict.get("open_type"))
        if access:
            self._set_concept(
                dataset_ref, DCT.accessRights, m["access_right_base"] + access, DCT.RightsStatement
            )
        frequency = m["frequency"].get(dataset_dict.get("update_cycle"))
        if frequency:
            self._set_concept(
                dataset_ref, DCT.accrualPeriodicity, m["frequency_base"] + frequency, DCT.Frequency
            )

        self._themes(dataset_dict, dataset_ref, m)
        self._contact_point(dataset_dict, dataset_ref)
        self._spatial(dataset_dict, dataset_ref)
        self._table_schema(dataset_dict, dataset_ref)
        self._publisher_code(dataset_dict, dataset_ref)

        language = URIRef(m["language"])
        g.add((dataset_ref, DCT.language, language))
        g.add((language, RDF.type, DCT.LinguisticSystem))
        if dataset_dict.get("name"):
            page = URIRef("{}/dataset/{}".format(catalog_uri().rstrip("/"), dataset_dict["name"]))
            g.remove((dataset_ref, DCAT.landingPage, None))
            g.add((dataset_ref, DCAT.landingPage, page))
            g.add((page, RDF.type, FOAF.Document))
        self._licenses(dataset_dict, dataset_ref)
        self._distributions(dataset_ref, m)

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        g = self.g
        m = mapping()
        # euro_dcat_ap writes the locale (zh_Hans_CN) as a literal; DCAT-AP wants the EU table.
        g.remove((catalog_ref, DCT.language, None))
        language = URIRef(m["language"])
        g.add((catalog_ref, DCT.language, language))
        g.add((language, RDF.type, DCT.LinguisticSystem))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        if not any(g.objects(catalog_ref, DCT.publisher)):
            # DCAT-AP 3 requires a publisher of the catalog: the site's operator.
            publisher = URIRef(catalog_uri().rstrip("/") + "/#publisher")
            name = tk.config.get("govcatalog.dcat.catalog_publisher") or tk.config.get(
                "ckan.site_title"
            )
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(name)))

    # ---- pieces ---------------------------------------------------------------------------

    def _set_concept(self, dataset_ref: Any, predicate: Any, uri: str, rdf_type: Any) -> None:
        """``predicate`` of the dataset becomes the one concept ``uri`` (replacing what the
        stock profile wrote), typed ``rdf_type``."""
        ref = URIRef(uri)
        self.g.remove((dataset_ref, predicate, None))
        self.g.add((dataset_ref, predicate, ref))
        self.g.add((ref, RDF.type, rdf_type))

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: Any, m: dict[str, Any]) -> None:
        g = self.g
        # euro_dcat_ap turned our Chinese theme values into (invalid) URIs: replace them.
        g.remove((dataset_ref, DCAT.theme, None))
        for theme in as_list(dataset_dict.get("theme")):
            code = m["themes"].get(theme)
            if code:
                ref = URIRef(m["theme_base"] + code)
                g.add((dataset_ref, DCAT.theme, ref))
                g.add((ref, RDF.type, SKOS.Concept))
                label = (m.get("theme_labels") or {}).get(code)
                if label:
                    g.add((ref, SKOS.prefLabel, Literal(label, lang="en")))
            g.add((dataset_ref, DCAT.keyword, Literal(theme)))

    def _contact_point(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        steward = (dataset_dict.get("steward") or "").strip()
        if not steward or any(self.g.objects(dataset_ref, DCAT.contactPoint)):
            return
        g = self.g
        contact = BNode()
        g.add((dataset_ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        email = _EMAIL.search(steward)
        phone = _PHONE.search(steward)
        name = steward
        for found in (email, phone):
            if found:
                name = name.replace(found.group(0), " ")
        name = re.sub(r"[\s,，;；/、]+", " ", name).strip() or steward
        g.add((contact, VCARD.fn, Literal(name)))
        if email:
            g.add((contact, VCARD.hasEmail, URIRef("mailto:" + email.group(0))))
        if phone:
            tel = re.sub(r"[\s-]", "", phone.group(0))
            g.add((contact, VCARD.hasTelephone, URIRef("tel:" + tel)))

    def _spatial(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        code = dataset_dict.get("region_code")
        if not code:
            return
        location = self._get_or_create_spatial_ref(dataset_dict, dataset_ref)
        self.g.add((location, DCT.identifier, Literal(code)))
        name = _label("region_code", code)
        if name:
            self.g.add((location, SKOS.prefLabel, Literal(name, lang="zh")))

    def _table_schema(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        items = [i for i in as_list(dataset_dict.get("data_items")) if isinstance(i, dict)]
        if not items:
            return
        g = self.g
        schema = BNode()
        g.add((dataset_ref, DCT.conformsTo, schema))
        g.add((schema, RDF.type, DCT.Standard))
        g.add((schema, RDF.type, CSVW.Schema))
        g.add((schema, DCT.title, Literal("信息项", lang="zh")))
        columns = []
        for item in items:
            if not item.get("name"):
                continue
            column = BNode()
            columns.append(column)
            g.add((column, RDF.type, CSVW.Column))
            g.add((column, CSVW.name, Literal(item["name"])))
            g.add((column, CSVW.title, Literal(item["name"], lang="zh")))
            data_type = item.get("data_type")
            if data_type:
                label = _label("data_type", data_type)
                g.add((column, CSVW.datatype, Literal(label or data_type)))
            if str(item.get("length") or "").strip():
                g.add((column, CSVW.maxLength, Literal(str(item["length"]).strip())))
            if item.get("description"):
                g.add((column, DCT.description, Literal(item["description"])))
        # CSVW columns are an ordered list: the catalog's order of data items
        head = BNode()
        Collection(g, head, columns)
        g.add((schema, CSVW.column, head))

    def _publisher_code(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        org = dataset_dict.get("organization") or {}
        code = org.get("org_code")
        if not code and org.get("id"):
            # euro_dcat_ap filled ckanext-dcat's organization cache for the publisher
            org_dict = self._org_cache.get(org["id"])
            if org_dict is None:
                try:
                    org_dict = tk.get_action("organization_show")(
                        {"ignore_auth": True}, {"id": org["id"]}
                    )
                except tk.ObjectNotFound:
                    org_dict = {}
            code = org_dict.get("org_code")
        if not code:
            return
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            self.g.add((publisher, DCT.identifier, Literal(code)))

    def _distributions(self, dataset_ref: Any, m: dict[str, Any]) -> None:
        """URLs typed as resources, formats as EU file types (DCAT-AP 3 ranges)."""
        g = self.g
        known = set(m.get("file_types") or [])
        for dist in list(g.objects(dataset_ref, DCAT.distribution)):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                for url in g.objects(dist, predicate):
                    g.add((url, RDF.type, RDFS.Resource))
            for fmt in list(g.objects(dist, DCT["format"])):
                if not isinstance(fmt, Literal):
                    continue
                g.remove((dist, DCT["format"], fmt))
                code = re.sub(r"[^A-Z0-9]+", "_", str(fmt).strip().upper()).strip("_")
                if code in known:
                    ref: Any = URIRef(m["file_type_base"] + code)
                else:
                    ref = BNode()
                    g.add((ref, RDFS.label, Literal(str(fmt))))
                g.add((dist, DCT["format"], ref))
                g.add((ref, RDF.type, DCT.MediaTypeOrExtent))

    def _licenses(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        url = dataset_dict.get("license_url")
        if not url or not str(url).startswith("http"):
            return
        license_ref = URIRef(url)
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            if not any(self.g.objects(distribution, DCT.license)):
                self.g.add((distribution, DCT.license, license_ref))
                self.g.add((license_ref, RDF.type, DCT.LicenseDocument))
