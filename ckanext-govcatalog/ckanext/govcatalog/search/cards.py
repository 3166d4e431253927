"""Template helpers of the search result cards (templates/govcatalog/search/): the highlighted
matches (search/highlight.py) and the entry's share and open levels as badges.

A badge's colour follows the value's place in its vocabulary (schemas/vocab: the widest access
first, none last), so no value is named here. The classes are Bootstrap 5's ``text-bg-*``, which
set the text colour with the background: a bare ``.badge`` has white text and no background.
With CKAN 2.12's colours each pair has a contrast of at least 4.5:1 (tested).
"""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog import vocab
from ckanext.govcatalog.search import highlight

# the widest level, the levels between, no access
LEVEL_CLASSES = ("text-bg-success", "text-bg-warning", "text-bg-secondary")


def govcatalog_search_highlights(
    q: str | None, packages: list[dict[str, Any]] | None
) -> dict[str, highlight.Highlight]:
    """The highlighted matches of the entries on a search page, by entry id."""
    return highlight.highlights(q or "", list(packages or []))


def govcatalog_level_badge(vocabulary: str, value: Any) -> dict[str, str] | None:
    """``{"label", "css"}`` of a share or open level, or None for a value the vocabulary lacks."""
    values = vocab.values(vocabulary)
    if value in (None, "") or str(value) not in values:
        return None
    place = values.index(str(value))
    if place == 0:
        css = LEVEL_CLASSES[0]
    elif place == len(values) - 1:
        css = LEVEL_CLASSES[2]
    else:
        css = LEVEL_CLASSES[1]
    return {"label": vocab.label(vocabulary, value), "css": css}


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_search_highlights": govcatalog_search_highlights,
        "govcatalog_level_badge": govcatalog_level_badge,
    }
