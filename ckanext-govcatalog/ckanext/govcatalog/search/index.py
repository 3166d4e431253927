"""before_dataset_index: turns catalog fields into searchable and facetable Solr fields.

CKAN has already flattened the extras into top-level strings (lists and repeating subfields as
their JSON text). Here:

* ``data_items`` -> ``data_item_names`` (multi-valued string; copied into the full text and
  ``data_item_text`` by the Solr schema), the JSON itself is dropped from the document;
* ``theme``, ``user_orgs``, ``related_resource_codes`` -> real multi-valued lists;
* ``org_path`` = the provider's name and the names of all organizations above it;
* ``temporal_coverage`` -> ``temporal_start`` / ``temporal_end`` (earliest start, latest end);
* scalar choice fields (share_type, open_type, update_cycle...) stay single strings, which the
  dynamic ``*`` field indexes for facets as they are;
* the fields ``element_fields`` derives from the data items' bound data elements (given by
  plugin.py: the register is a higher floor than search, so search does not import it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ckanext.govcatalog.catalog import orgs
from ckanext.govcatalog.catalog.fields import as_list

LIST_FIELDS = ("theme", "user_orgs", "related_resource_codes")
# JSON of repeating subfields: useless to Solr as one string, and searched through derived fields
DROPPED = ("data_items", "extras_data_items", "temporal_coverage", "extras_temporal_coverage")


def data_item_names(items: Any) -> list[str]:
    out: list[str] = []
    for item in as_list(items):
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        if name and name not in out:
            out.append(name)
    return out


def _temporal(pkg_dict: dict[str, Any], periods: Any) -> None:
    starts = [p["start"] for p in as_list(periods) if isinstance(p, dict) and p.get("start")]
    ends = [p["end"] for p in as_list(periods) if isinstance(p, dict) and p.get("end")]
    if starts:
        pkg_dict["temporal_start"] = min(starts)
    if ends:
        pkg_dict["temporal_end"] = max(ends)


# the document being indexed -> fields to add (elements/provenance.py index_fields)
ElementFields = Callable[[Mapping[str, Any]], dict[str, Any]]


def before_dataset_index(
    pkg_dict: dict[str, Any], element_fields: ElementFields | None = None
) -> dict[str, Any]:
    names = data_item_names(pkg_dict.get("data_items"))
    if names:
        pkg_dict["data_item_names"] = names
        if element_fields is not None:
            pkg_dict.update(element_fields(pkg_dict))
    _temporal(pkg_dict, pkg_dict.get("temporal_coverage"))
    for key in DROPPED:
        pkg_dict.pop(key, None)
    for key in LIST_FIELDS:
        if key in pkg_dict:
            values = [str(v) for v in as_list(pkg_dict[key]) if v not in (None, "")]
            if values:
                pkg_dict[key] = values
            else:
                pkg_dict.pop(key)
    path = orgs.org_path(pkg_dict.get("owner_org") or "")
    if path:
        pkg_dict["org_path"] = path
    return pkg_dict
