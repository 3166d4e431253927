"""Finds English on a page meant to be Chinese: visible text and what a screen reader speaks
(aria-label, title, alt, placeholder, tooltips), minus an allowlist of terms that stay Latin in
Chinese government sites (API, CSV, ...) and the words of data users entered themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Comment

# Terms a Chinese catalog writes in Latin letters on purpose.
ALLOWED = frozenset(
    {
        "API",
        # sizes and text encodings
        "KB",
        "MB",
        "GB",
        "UTF",
        "GBK",
        "CSV",
        "XLSX",
        "XLS",
        "JSON",
        "URL",
        "DCAT",
        "RDF",
        "PDF",
        "OFD",  # the national standard format of electronic documents (GB/T 33190)
        "ICP",
        "SQL",
        "HTTP",
        "HTTPS",
        "ID",
        "JSONL",
        "AP",  # DCAT-AP, the name of the standard the open entries are published in
        "Excel",
        "English",  # the language selector names each language in that language
    }
)
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "data-bs-title")
# Text inside these is code or data, not interface: script and style are not shown; code and kbd
# hold code values (resource codes, division codes, format names).
SKIPPED_ELEMENTS = ("script", "style", "noscript", "template", "code", "kbd", "pre", "svg")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# e-mail addresses, URLs (with or without the site: the form's address preview shows /dataset/)
# and dotted file names are data, whichever letters they hold
_DATA_TOKENS = re.compile(
    r"\S+@\S+|https?://\S+|(?<!\S)/[\w./-]*"
    r"|\b[\w.-]+\.(?:xlsx|csv|json|jsonl|jsonld|rdf|ttl|xml)\b"
)


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(_DATA_TOKENS.sub(" ", text))


# keys of the dicts CKAN returns whose values are CKAN's own words, not what users typed: a page
# showing them (状态 active, 类型 dataset) shows English, so they are not let through as data
NOT_DATA_KEYS = frozenset({"state", "type", "capacity", "status"})


def data_words(values: Iterable[object]) -> set[str]:
    """The Latin words of user-entered data (titles, names, e-mails, codes), recursively."""
    words: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(v for k, v in value.items() if k not in NOT_DATA_KEYS)
        elif isinstance(value, (list, tuple, set)):
            stack.extend(value)
        elif isinstance(value, str):
            words.update(_LATIN_WORD.findall(value))
    return words


def english_on_page(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """Each piece of text on the page (or in a spoken attribute) that holds a Latin word outside
    ALLOWED and ``allowed``, as "where: text"."""
    ok = ALLOWED | set(allowed)
    soup = BeautifulSoup(html, "html.parser")
    found: list[str] = []
    for skipped in soup.find_all(SKIPPED_ELEMENTS):
        skipped.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    title = soup.find("title")
    if title and _has_english(title.get_text(), ok):
        found.append(f"<title>: {title.get_text().strip()}")
    body = soup.body or soup
    for text in body.find_all(string=True):
        if _has_english(text, ok):
            found.append(f"<{text.parent.name}>: {' '.join(text.split())}")
    for element in body.find_all(True):
        for attribute in SPOKEN_ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str) and _has_english(value, ok):
                found.append(f"<{element.name} {attribute}>: {' '.join(value.split())}")
        if element.name == "input" and element.get("type") in ("submit", "button"):
            value = element.get("value")
            if isinstance(value, str) and _has_english(value, ok):
                found.append(f"<input value>: {value}")
    return found


def _has_english(text: str, ok: frozenset[str] | set[str]) -> bool:
    # file formats are written either way (.xlsx, XLSX)
    return any(word not in ok and word.upper() not in ALLOWED for word in latin_words(text))
