"""Template helpers of the search result cards (templates/govcatalog/search/): the highlighted
matches (search/highlight.py) and the entry's share and open levels as badges.

A badge has the same class, and so the same colours from schemas/vocab, as on the entry page
(web/branding.py): a bare ``.badge`` has white text and no background.
"""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog import vocab
from ckanext.govcatalog.search import highlight
from ckanext.govcatalog.web import branding


def govcatalog_search_highlights(
    q: str | None, packages: list[dict[str, Any]] | None
) -> dict[str, highlight.Highlight]:
    """The highlighted matches of the entries on a search page, by entry id."""
    return highlight.highlights(q or "", list(packages or []))


def govcatalog_level_badge(vocabulary: str, value: Any) -> dict[str, str] | None:
    """``{"label", "css"}`` of a share or open level, or None for a value the vocabulary lacks."""
    css = branding.level_badge_class(vocabulary, value)
    if css is None:
        return None
    return {"label": vocab.label(vocabulary, value), "css": f"govcatalog-level {css}"}


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_search_highlights": govcatalog_search_highlights,
        "govcatalog_level_badge": govcatalog_level_badge,
    }
