"""Why a search result matches: Solr's highlighting of its title, its summary and the data items
that hold the query's words, for the result cards of the search page.

CKAN 2.12's ``package_search`` neither passes ``hl`` parameters to Solr (they are not among
``VALID_SOLR_PARAMETERS``) nor returns Solr's highlighting block, so the search page asks Solr
once more, for the entries on the page only: their ids (which the user has just been shown), the
same query as the search (cleaned and cut into words by search/query.py), Solr's unified
highlighter. That query adds a few milliseconds to the page and nothing to ``package_search``.

Solr marks the matches with two private-use characters. A fragment is used only if, without its
marks, it is part of the entry's own text; it is then HTML-escaped piece by piece and only the
pieces between the marks are wrapped in ``<mark>``, so nothing an entry holds becomes HTML.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchQueryError
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import solr_literal
from markupsafe import Markup, escape

from ckanext.govcatalog.search import index
from ckanext.govcatalog.search import query as search_query

log = logging.getLogger(__name__)

PRE, POST = "\ue000", "\ue001"
# how many matching data items a card lists
MAX_ITEMS = 8
# characters of summary around the matches
SUMMARY_FRAGMENT = 120


@dataclasses.dataclass(frozen=True)
class Highlight:
    """What a result card shows of one entry's matches: safe HTML, or None where nothing matched."""

    title: Markup | None = None
    notes: Markup | None = None
    items: tuple[Markup, ...] = ()


def marked(fragment: str, source: str | Iterable[str]) -> Markup | None:
    """A Solr fragment as HTML with ``<mark>`` around the matches, or None if the fragment is not
    part of ``source`` (one text, or any of several) once its marks are removed, or marks
    nothing."""
    plain = fragment.replace(PRE, "").replace(POST, "")
    sources = [source] if isinstance(source, str) else list(source)
    if not plain or PRE not in fragment or not any(plain in s for s in sources if s):
        return None
    if any(PRE in s or POST in s for s in sources if s):
        return None  # the entry's own text holds a mark character: the marks would be ambiguous
    out: list[str] = []
    inside = False
    for piece in fragment.replace(POST, PRE).split(PRE):
        if piece:
            out.append(f"<mark>{escape(piece)}</mark>" if inside else str(escape(piece)))
        inside = not inside
    return Markup("".join(out))


def _params(q: str, ids: list[str]) -> dict[str, Any]:
    return {
        "q": "*:*",
        "fq": [
            "+site_id:" + solr_literal(tk.config.get("ckan.site_id")),
            "+id:(" + " OR ".join(solr_literal(i) for i in ids) + ")",
        ],
        "fl": "id,index_id",
        "rows": len(ids),
        "hl": "true",
        "hl.method": "unified",
        "hl.q": q,
        "hl.qparser": "dismax",
        "qf": search_query.QUERY_FIELDS,
        "hl.fl": "title,notes,data_item_text",
        "hl.tag.pre": PRE,
        "hl.tag.post": POST,
        "hl.defaultSummary": "false",
        "f.title.hl.fragsize": 0,
        "f.notes.hl.fragsize": SUMMARY_FRAGMENT,
        "f.data_item_text.hl.fragsize": 0,
        "f.data_item_text.hl.snippets": MAX_ITEMS,
        "wt": "json",
    }


def solr_highlighting(q: str, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """Solr's highlighted fragments by entry id and field for a plain search query (empty when
    the query is empty, rejected, or Solr cannot answer: highlighting never breaks a page)."""
    if not ids or not (q or "").strip():
        return {}
    try:
        cleaned = search_query.clean_user_query(q, plain=True)
    except SearchQueryError:
        return {}
    if not cleaned or cleaned == "*:*":
        return {}
    words, _ = search_query.cut_into_words(cleaned)
    params = _params(words, ids)
    try:
        result = make_connection(decode_dates=False).search(params.pop("q"), **params)
    except Exception as e:  # pysolr's errors and its HTTP client's: the page shows plain cards
        log.warning("govcatalog search: no highlighting for %r: %s", q, e)
        return {}
    # Solr keys its highlighting by the document's unique key (index_id), not the entry id
    entry_ids = {d.get("index_id"): d.get("id") for d in result.docs}
    return {entry_ids[k]: v for k, v in (result.highlighting or {}).items() if entry_ids.get(k)}


def highlights(q: str, packages: list[dict[str, Any]]) -> dict[str, Highlight]:
    """The highlights of the entries shown for a search, by entry id."""
    by_id = solr_highlighting(q, [p["id"] for p in packages if p.get("id")])
    if not by_id:
        return {}
    out: dict[str, Highlight] = {}
    for pkg in packages:
        fragments = by_id.get(pkg.get("id") or "")
        if not fragments:
            continue
        title = next(iter(fragments.get("title") or []), None)
        notes = next(iter(fragments.get("notes") or []), None)
        items = index.data_item_names(pkg.get("data_items"))
        out[pkg["id"]] = Highlight(
            title=marked(title, pkg.get("title") or "") if title else None,
            notes=marked(notes, pkg.get("notes") or "") if notes else None,
            items=tuple(
                m for f in fragments.get("data_item_text") or [] if (m := marked(f, items))
            ),
        )
    return out
