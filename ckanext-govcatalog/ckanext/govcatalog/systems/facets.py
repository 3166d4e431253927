"""The facets of the information-system list (/info_system): 建设层级, 系统状态, 使用单位 and the
owning department, in place of the catalog's facets (which an information system has none of).

Titles are the labels of the fields in schemas/info_system.yaml; value labels come from the
vocabularies of the same names (vocab.py) and, for organizations, from their titles. Counts come
from package_search under the viewer's permission labels, like the results.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab
from ckanext.govcatalog.search import facets as search_facets

DATASET_TYPE = "info_system"

# Solr field -> the schema field whose label is its title (organization: the owner_org field)
FACETS: list[tuple[str, str]] = [
    ("build_level", "build_level"),
    ("system_status", "system_status"),
    ("user_orgs", "user_orgs"),
    ("organization", "owner_org"),
]
ORG_FACETS = ("user_orgs", "organization")


def _field_labels() -> dict[str, str]:
    schema = tk.h.scheming_get_dataset_schema(DATASET_TYPE) or {}
    return {
        f["field_name"]: vocab.label_text(f.get("label")) or f["field_name"]
        for f in schema.get("dataset_fields", [])
    }


def dataset_facets(facets: OrderedDict[str, Any], package_type: str) -> OrderedDict[str, Any]:
    """The information-system facets, titled with the schema's field labels."""
    labels = _field_labels()
    return OrderedDict((field, labels.get(source, field)) for field, source in FACETS)


def _is_system_search(search_params: dict[str, Any]) -> bool:
    queries = [search_params.get("fq", ""), *(search_params.get("fq_list") or [])]
    fq = " ".join(str(q) for q in queries)
    return f"dataset_type:{DATASET_TYPE}" in fq


def label_facets(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: Chinese display names of the information-system facet values."""
    if not _is_system_search(search_params):
        return search_results
    facets = search_results.get("search_facets") or {}
    for field, _source in FACETS:
        facet = facets.get(field)
        if not facet or field == "organization":  # CKAN labels organization itself
            continue
        items = facet.get("items") or []
        names = [i["name"] for i in items]
        if field in ORG_FACETS:
            labels = search_facets.value_labels("organization", names)
        else:
            labels = vocab.labels(field)
        for item in items:
            if item["name"] in labels:
                item["display_name"] = labels[item["name"]]
    return search_results
