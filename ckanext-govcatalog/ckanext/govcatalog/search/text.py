"""Pinyin of titles for search (index time).

Users often type pinyin in the search box (renkou, or just the initials rk for 人口). Solr cannot
derive pinyin, so the indexer adds it: ``title_pinyin`` holds the syllables ("shi quan xian ren
kou ...") and ``title_initials`` their first letters ("s q x r k ..."). The Solr field type
``text_pinyin`` glues neighbouring syllables together at index time, so renkou and rk match as
whole query words (config/solr/configsets/govcatalog/conf/schema.xml).

Glued syllables also match across two words: shidi (湿地) matched 城市低保 (cheng SHI DI bao) and
liangshi (粮食) 不良事件 (bu LIANG SHI jian), and the short titles holding such a crossing ranked
above the entries holding the word itself. ``title_pinyin_words`` and ``title_initials_words``
hold the pinyin and the initials of the title's WORDS (segment.index_words: jieba's words with the
synonym terms, each followed by the words inside it), one token per word (shidi, sd); searched
beside the syllables with a higher weight (search/query.py), an entry whose title holds the word
ranks above one where the syllables only meet across two words.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pypinyin import Style, lazy_pinyin

from ckanext.govcatalog.catalog import orgs
from ckanext.govcatalog.search import segment

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Latin letters and digits inside a title ("2018", "GDP") are kept as their own syllables.
_WORD = re.compile(r"[0-9A-Za-z]+")


def _syllables(text: str, style: Style) -> list[str]:
    out: list[str] = []
    for chunk in lazy_pinyin(text, style=style, errors=lambda s: [s]):
        if _HAN.search(chunk):
            continue  # a character pypinyin does not know: leave it to the Chinese analyzer
        if chunk.isalpha() and chunk.isascii() and len(chunk) <= 6 and chunk.islower():
            out.append(chunk)
        else:
            out.extend(w.lower() for w in _WORD.findall(chunk))
    return out


def _initials(syllables: list[str]) -> str:
    # pinyin initials are the syllables' first letters (石泉县 -> "s q x")
    return " ".join(s[0] for s in syllables if s)


def word_pinyin(title: str) -> tuple[str, str]:
    """The pinyin and the initials of each word of ``title``, one token per word: 若尔盖县湿地
    -> ("ruoergaixian ruoergai shidi", "regx reg sd"). Words without Chinese are left out (the
    text fields search those as they are)."""
    pinyin: list[str] = []
    initials: list[str] = []
    for word in segment.index_words(title).split():
        if not _HAN.search(word):
            continue
        syllables = _syllables(word, Style.NORMAL)
        if not syllables:
            continue
        token = "".join(syllables)
        if token not in pinyin:
            pinyin.append(token)
        short = "".join(s[0] for s in syllables)
        if len(syllables) > 1 and short not in initials:
            initials.append(short)
    return " ".join(pinyin), " ".join(initials)


def _stored(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    # index_package has already flattened the dict (organization -> its name, data items -> a
    # JSON extra); the validated package dict it stores keeps the structure.
    for key in ("validated_data_dict", "data_dict"):
        try:
            stored = json.loads(pkg_dict.get(key) or "{}")
        except ValueError:
            continue
        if isinstance(stored, dict) and stored:
            return stored
    return {}


def add_search_text(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Adds to a Solr document being indexed: ``title_pinyin`` and ``title_initials`` (and the
    same by word, ``title_pinyin_words`` and ``title_initials_words``), the
    provider's title (``organization_title``; stock CKAN indexes only the org's URL name, so
    "民政局 低保" could not find the civil affairs bureau's entries), and ``org_path_title``: the
    titles of the departments above the provider (from ``org_path``) as words, so that a town's
    name finds its villages' entries."""
    title = pkg_dict.get("title") or ""
    if _HAN.search(title):
        syllables = _syllables(title, Style.NORMAL)  # once for both fields
        pkg_dict["title_pinyin"] = " ".join(syllables)
        pkg_dict["title_initials"] = _initials(syllables)
        pkg_dict["title_pinyin_words"], pkg_dict["title_initials_words"] = word_pinyin(title)
    stored = _stored(pkg_dict)
    org_title = (stored.get("organization") or {}).get("title")
    if org_title:
        pkg_dict["organization_title"] = org_title
    # the departments above the provider (org_path: the provider's name first or last), as
    # words (schema.xml text_words): as bigrams, 民政 was found in every entry below
    # 石泉县人民政府 (人民政府 holds the bigram 民政); the provider's own title is searched as
    # the entry's text is (organization_title)
    groups = [orgs.active_org(name) for name in pkg_dict.get("org_path") or []]
    provider = pkg_dict.get("organization")
    above = [
        g.title
        for g in groups
        if g is not None and g.title and g.name != provider and g.title != org_title
    ]
    if above:
        pkg_dict["org_path_title"] = [segment.index_words(t) for t in above]
    return pkg_dict
