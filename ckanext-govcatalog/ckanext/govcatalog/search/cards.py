"""Template helpers of the search result cards (templates/govcatalog/search/): the highlighted
matches (search/highlight.py), the entry's share and open levels as badges, and how many entries
hold every word typed (the note above a list that goes on with partial matches).

A badge has the same class, and so the same colours from schemas/vocab, as on the entry page
(web/branding.py): a bare ``.badge`` has white text and no background.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab
from ckanext.govcatalog.search import highlight
from ckanext.govcatalog.search import query as search_query
from ckanext.govcatalog.web import branding


def govcatalog_search_highlights(
    q: str | None, packages: list[dict[str, Any]] | None
) -> dict[str, highlight.Highlight]:
    """The highlighted matches of the entries on a search page, by entry id."""
    return highlight.highlights(q or "", list(packages or []))


def govcatalog_full_matches(q: str | None) -> int | None:
    """How many of the entries a search page lists hold every word typed, for a query whose
    other entries hold only some (search/query.py tiered_query: those are listed after them);
    None for any other query. Counted by package_search as the viewer, with the page's filters
    as CKAN's search view makes them from the page's arguments, so it counts what the page may
    list and nothing else."""
    words = search_query.tiered_words(q)
    if words is None:
        return None
    filters = [
        f'{name}:"{value}"'
        for name, value in tk.request.args.items(multi=True)
        if name not in ("q", "page", "sort") and value and not name.startswith(("_", "ext_"))
    ]
    extras = {name: value for name, value in tk.request.args.items() if name.startswith("ext_")}
    found = tk.get_action("package_search")(
        {},
        {
            "q": q,
            "fq": " ".join([*filters, *_type_filter()]),
            "rows": 0,
            "facet": "false",
            "mm": str(words),  # every word: a query that names its mm is not tiered
            "extras": extras,
            "include_private": tk.config.get("ckan.search.default_include_private"),
        },
    )
    return int(found["count"])


def _type_filter() -> list[str]:
    # as CKAN's dataset search view decides (views/dataset.py search): the page lists every
    # dataset type (entries and information systems) unless ckan.search.show_all_types says not
    setting = tk.config.get("ckan.search.show_all_types")
    try:
        all_types = tk.asbool(setting)
    except ValueError:
        all_types = setting == "dataset"
    return [] if all_types else ["+dataset_type:dataset"]


def govcatalog_level_badge(vocabulary: str, value: Any) -> dict[str, str] | None:
    """``{"label", "css"}`` of a share or open level, or None for a value the vocabulary lacks."""
    css = branding.level_badge_class(vocabulary, value)
    if css is None:
        return None
    return {"label": vocab.label(vocabulary, value), "css": f"govcatalog-level {css}"}


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_search_highlights": govcatalog_search_highlights,
        "govcatalog_full_matches": govcatalog_full_matches,
        "govcatalog_level_badge": govcatalog_level_badge,
    }
