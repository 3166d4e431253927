"""Government facets (IFacets) and their Chinese labels.

Facet fields are the Solr fields that before_dataset_index fills (field names of catalog-spec §3).
Titles are English msgids translated in i18n/src/zh_Hans_CN/search.po; value labels come from the
vocabularies in schemas/vocab/ (vocab.py), else from the scheming field's choices, else from the
organization titles (provider/source departments), else the raw value. Counts need no work here:
package_search computes them under the user's permission labels, like the results.
"""

from __future__ import annotations

import functools
import logging
from collections import OrderedDict
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab

log = logging.getLogger(__name__)


def _(s: str) -> str:
    """Marks a msgid for extraction; translated when the facet titles are built."""
    return s


# Solr field -> English title (translated at request time). Order = order on the search page.
FACETS: list[tuple[str, str]] = [
    ("catalog_class", _("Resource class")),
    ("catalog_item", _("Resource item")),
    ("organization", _("Provider department")),
    ("source_org", _("Source department")),
    ("share_type", _("Share type")),
    ("open_type", _("Open type")),
    ("format_category", _("Format category")),
    ("update_cycle", _("Update cycle")),
    ("data_grade", _("Data grade")),
    ("region_code", _("Region")),
    ("theme", _("Theme")),
    ("data_item_names", _("Data items")),
    ("tags", _("Tags")),
]

# Facet field -> vocabulary file (schemas/vocab/<name>.yaml) that labels its values; a field
# missing here is looked up under its own name.
_FACET_FIELDS = {f for f, _ in FACETS}

VOCAB_FOR_FIELD: dict[str, tuple[str, ...]] = {
    "region_code": ("region_code", "region", "division", "regions"),
    "theme": ("theme", "themes"),
}

ORG_FIELDS = ("organization", "source_org")


def dataset_facets(facets: OrderedDict[str, Any], package_type: str) -> OrderedDict[str, Any]:
    """Our facets replace the stock ones (groups, formats, licences are not catalog concepts)."""
    out: OrderedDict[str, Any] = OrderedDict()
    for field, title in FACETS:
        out[field] = tk._(title)
    return out


def organization_facets(
    facets: OrderedDict[str, Any], organization_type: str, package_type: str
) -> OrderedDict[str, Any]:
    return dataset_facets(facets, package_type)


def group_facets(
    facets: OrderedDict[str, Any], group_type: str, package_type: str
) -> OrderedDict[str, Any]:
    return dataset_facets(facets, package_type)


def _lang() -> str:
    try:
        return tk.h.lang() or "zh_Hans_CN"
    except Exception:  # outside a request (CLI, benchmarks)
        return tk.config.get("ckan.locale_default") or "zh_Hans_CN"


def _text(label: Any, lang: str | None = None) -> str:
    """A label that may be a {lang: text} dict, in ``lang`` (default: the current language)."""
    if isinstance(label, dict):
        lang = lang or _lang()
        for key in (lang, lang.split("_")[0], "zh_Hans_CN", "zh", "en"):
            if label.get(key):
                return str(label[key])
        return str(next(iter(label.values()), ""))
    return "" if label is None else str(label)


def _pairs(data: Any) -> dict[str, Any]:
    """value -> label from the vocabulary shapes we accept (a mapping or a list of entries,
    possibly nested under choices/values/items/children)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key in ("choices", "values", "items", "entries", "codes"):
            if isinstance(data.get(key), (list, dict)):
                return _pairs(data[key])
        for k, v in data.items():
            if isinstance(v, dict) and not ({"label", "name", "title"} & set(v)):
                out[str(k)] = v  # {value: {zh_Hans_CN: .., en: ..}}
            elif isinstance(v, dict):
                out[str(k)] = v.get("label") or v.get("title") or v.get("name")
                out.update(_pairs(v.get("children") or v.get("items") or []))
            else:
                out[str(k)] = v
    elif isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict):
                continue
            value = entry.get("value", entry.get("code", entry.get("id")))
            label = entry.get("label", entry.get("title", entry.get("name")))
            if value is not None:
                out[str(value)] = label if label is not None else value
            for key in ("children", "items", "choices"):
                if isinstance(entry.get(key), (list, dict)):
                    out.update(_pairs(entry[key]))
    return out


def _vocab_labels(field: str) -> dict[str, Any]:
    names = set(vocab.vocabulary_names())
    for name in VOCAB_FOR_FIELD.get(field, (field,)):
        if name in names:
            try:
                return _pairs(vocab.load(name))
            except Exception:  # a malformed vocabulary must not break search
                log.exception("vocabulary %s could not be read for facet labels", name)
    return {}


def _scheming_labels(field: str, package_type: str = "dataset") -> dict[str, Any]:
    try:
        schema = tk.h.scheming_get_dataset_schema(package_type)
    except Exception:
        return {}
    for f in (schema or {}).get("dataset_fields", []):
        if f.get("field_name") == field and f.get("choices"):
            return {str(c.get("value")): c.get("label") for c in f["choices"]}
    return {}


def _org_titles(values: list[str]) -> dict[str, str]:
    if not values:
        return {}
    rows = (
        model.Session.query(model.Group.id, model.Group.name, model.Group.title)
        .filter(model.Group.name.in_(values) | model.Group.id.in_(values))
        .all()
    )
    out: dict[str, str] = {}
    for gid, name, title in rows:
        out[gid] = out[name] = title or name
    return out


@functools.lru_cache(maxsize=64)
def _choice_labels(field: str, folder: str) -> dict[str, Any]:
    # vocabularies and the schema are read once per process (they change with a deploy)
    return _vocab_labels(field) or _scheming_labels(field)


def value_labels(field: str, values: list[str]) -> dict[str, str]:
    """Display labels for the facet values of ``field``."""
    if field in ORG_FIELDS:
        return _org_titles(values)
    labels = _choice_labels(field, vocab.vocab_dir())
    lang = _lang()
    named = {v: _text(labels[v], lang) for v in values if v in labels}
    return {v: label for v, label in named.items() if label}


def label_facets(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: Chinese display names for the facet values."""
    facets = search_results.get("search_facets") or {}
    for field, facet in facets.items():
        # tags are free text; CKAN itself labels "organization" with the org titles
        if field in ("tags", "organization") or field not in _FACET_FIELDS:
            continue
        items = facet.get("items") or []
        labels = value_labels(field, [i["name"] for i in items])
        for item in items:
            if item["name"] in labels:
                item["display_name"] = labels[item["name"]]
    return search_results
