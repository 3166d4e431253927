"""Where the words of a Chinese search query begin and end (query time).

The index stores Chinese as character bigrams (config/solr/configsets/govcatalog/conf/schema.xml),
so a word is found inside any longer word; but a run of Chinese typed without spaces, such as
农村居民收入 or 民政局低保, is searched as ONE phrase, and the records that hold its words apart
(农村居民人均可支配收入) or in another order are not found. Cutting the run into its words lets
the query parser require most of the words, each as its own phrase, while the phrase boosts of
solrconfig.xml keep the records that hold the whole run first.

Solr's own word segmenters were measured for this (scripts/bench/search_relevance.py docstring):
both the ICU dictionary tokenizer and smartcn cut the words a government user types into single
characters (低保 -> 低/保, 汶川县 -> 汶/川/县, 公积金 -> 公/积/金), and a single character cannot
be a required word. jieba's dictionary keeps them.

The cut, for one run of Chinese characters:
1. jieba's dictionary segmentation, with every term of the search synonyms (the configset's
   synonyms_zh.txt: department names, abbreviations, names of services) added as a word, so that
   a term that has synonyms is never cut (住房公积金, 市场监管局);
2. a word of four or more characters that is not such a term is cut again into the dictionary
   words that make it up (居民收入 -> 居民 收入), so a compound matches its parts wherever they are;
3. a single character left over is joined to the word before it (汶川 县 -> 汶川县), or to the next
   word at the start of the run, except connectives (和, 及, 与 ...), which are dropped.
A query that is one such compound typed alone (信息系统) is not cut (one_word_query): it is sent
as the word or all its parts apart, so the entries holding the word itself rank first.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

_HAN_RUN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
# single characters that join words rather than belong to them
CONNECTIVES = frozenset("和与及或的之")
# the search synonyms, read by Solr at query time and here as words never to cut
SYNONYMS_FILE = os.path.abspath(
    os.path.join(
        os.path.dirname(__file__),
        *[os.pardir] * 4,
        "config",
        "solr",
        "configsets",
        "govcatalog",
        "conf",
        "synonyms_zh.txt",
    )
)
# jieba's frequency for an added term: above any dictionary word, so the term is kept whole
_TERM_FREQ = 10**7

_lock = threading.Lock()
_tokenizer: Any = None
_terms: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def synonym_rules(path: str = SYNONYMS_FILE) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """The rules of a Solr synonyms file as (terms matched, terms they expand to): a group
    ``a,b,c`` matches and expands to all its members, ``a => x,y`` matches a and expands to x, y."""
    rules = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        log.warning("govcatalog search: no synonyms file at %s; query words cut without it", path)
        return ()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        left, _, right = line.partition("=>")
        matched = frozenset(t.strip() for t in left.split(",") if t.strip())
        expanded = frozenset(t.strip() for t in (right or left).split(",") if t.strip())
        rules.append((matched, expanded))
    return tuple(rules)


def synonym_terms(path: str = SYNONYMS_FILE) -> frozenset[str]:
    """The Chinese terms (two or more characters) of a Solr synonyms file, either side of ``=>``."""
    return frozenset(
        term
        for matched, expanded in synonym_rules(path)
        for term in matched | expanded
        if len(term) >= 2 and _HAN_RUN.match(term)
    )


def expansions(word: str) -> int:
    """An upper bound of the forms Solr's synonym filter gives ``word``: one, plus the expansions
    of every rule matching the word or a piece of it (a piece may expand inside the word)."""
    forms = {word}
    for matched, expanded in synonym_rules():
        if any(m in word for m in matched):
            forms |= expanded
    return len(forms)


def _segmenter() -> Any:
    """jieba's tokenizer with the synonym terms, built once per process (about a second)."""
    global _tokenizer, _terms
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                terms = synonym_terms()
                for term in terms:
                    tokenizer.add_word(term, freq=_TERM_FREQ)
                _terms = terms
                _tokenizer = tokenizer
    return _tokenizer


def _parts(word: str, freq: dict[str, int]) -> list[str]:
    """The fewest dictionary words (two characters or more) that make up ``word``, or [word]."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(2, n + 1):
        for start in range(0, end - 1):
            piece = word[start:end]
            prev = best[start]
            if prev is None or piece == word or not freq.get(piece):
                continue
            if best[end] is None or len(prev) + 1 < len(best[end] or []):
                best[end] = [*prev, piece]
    return best[n] or [word]


def _join_single_characters(words: list[str]) -> list[str]:
    out: list[str] = []
    leading = ""
    for w in words:
        if len(w) > 1:
            out.append(leading + w)
            leading = ""
        elif w in CONNECTIVES:
            continue
        elif out:
            out[-1] += w
        else:
            leading += w
    if leading:
        out.append(leading)
    return out


@lru_cache(maxsize=4096)
def _cut(run: str) -> tuple[str, ...]:
    tokenizer = _segmenter()
    words: list[str] = []
    for w in tokenizer.lcut(run, HMM=True):
        if len(w) >= 4 and w not in _terms:
            words.extend(_parts(w, tokenizer.FREQ))
        else:
            words.append(w)
    return tuple(_join_single_characters(words)) or (run,)


# the most pieces word_pieces gives one word: each piece is one more clause on every query field
MAX_PIECES = 6


def word_pieces(word: str) -> list[str]:
    """The dictionary words (two characters or more) inside a Chinese word of three or more, in
    reading order (屠宰场 -> 屠宰; 加油站点 -> 加油, 加油站, 站点): what jieba's search mode adds
    to the word. search/query.py lets an entry holding only a piece follow the entries holding
    the word (a word the cut joined, or a compound the records write shorter)."""
    if len(word) < 3 or not _HAN_RUN.match(word):
        return []
    freq = _segmenter().FREQ
    pieces = [
        word[start:end]
        for start in range(len(word) - 1)
        for end in range(start + 2, len(word) + 1)
        if (end - start) < len(word) and freq.get(word[start:end])
    ]
    return pieces[:MAX_PIECES]


def term_parts(word: str) -> list[str]:
    """The dictionary words (two characters or more) that make up a synonym term or a dictionary
    word of four or more characters (高龄津贴 -> 高龄 津贴, 道路运输 -> 道路 运输, 信息系统 -> 信息
    系统), or [] for any other word.

    Such a term is kept whole when a query is cut (its synonyms apply only to the whole term), and
    so is such a word typed alone (one_word_query); search/query.py lets a query of that one term
    or word also find the entries holding its parts apart (whole_term_or_parts).
    """
    if len(word) < 4 or not _HAN_RUN.match(word):
        return []
    tokenizer = _segmenter()
    # jieba's FREQ also lists every prefix of a word, with frequency 0: only a word counts
    if word not in _terms and not tokenizer.FREQ.get(word):
        return []
    parts = _parts(word, tokenizer.FREQ)
    return parts if len(parts) > 1 else []


def one_word_query(q: str) -> bool:
    """Whether a query is ONE dictionary word (or synonym term) of four or more characters made
    of smaller dictionary words, typed alone (信息系统, 个人信息, 产品名称): search/query.py then
    sends it as the word, or all its parts apart (whole_term_or_parts, as for a synonym term),
    instead of cutting it into its parts.

    Cut into 信息 系统, the query ranked the entries holding both parts anywhere by the parts'
    own weights: a rare part in a short title (市民政局-事项系统服务信息) outranked the word
    itself in a summary (统计调查信息系统), and some entries holding the word were not in the
    first 100 at all, where jieba + BM25, which indexes the whole word beside its parts, listed
    them (dev6 of scripts/bench/search_relevance.py: 信息系统 R-precision 0.71, anchor 0.95).
    Measured and not kept: the word as one word of a tiered query (the word first, then a piece
    of it in a title): 安全隐患 (devnew) lost the entries holding 安全 ... 隐患 apart (R-precision
    1.00 -> 0.88). In a query of several words a compound is still cut (市场监管局 行政处罚 finds
    行政 ... 处罚 apart with the department; kept whole there, dev department R-precision fell).
    """
    if len(q) < 4 or not _HAN_RUN.match(q):
        return False
    return _segmenter().lcut(q, HMM=True) == [q] and bool(term_parts(q))


_INDEX_TOKEN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _best_split(word: str, freq: dict[str, int], total: int) -> list[str]:
    """The most probable cut of ``word`` into dictionary words other than itself (jieba's model:
    the product of the pieces' frequencies; a character jieba lacks counts as rare)."""
    n = len(word)
    best: list[tuple[float, list[str]]] = [(0.0, [])] + [(-math.inf, [])] * n
    for end in range(1, n + 1):
        for start in range(end):
            piece = word[start:end]
            f = freq.get(piece) or (1 if len(piece) == 1 else 0)
            if piece == word or not f or best[start][0] == -math.inf:
                continue
            score = best[start][0] + math.log(f / total)
            if score > best[end][0]:
                best[end] = (score, [*best[start][1], piece])
    return best[n][1]


def _inner_words(word: str, tokenizer: Any) -> list[str]:
    """The words inside ``word`` along its most probable cut, and theirs (市场监督管理局 ->
    市场 监督 管理局 管理): unlike jieba's search-engine mode, never a word across that cut
    (人民政府 -> 人民 政府, not 民政)."""
    out: list[str] = []
    for piece in _best_split(word, tokenizer.FREQ, tokenizer.total):
        if len(piece) > 1:
            out.append(piece)
            if len(piece) > 2:
                out.extend(_inner_words(piece, tokenizer))
    return out


# an entry's departments are the same few names on every entry: cut each once per process
@lru_cache(maxsize=4096)
def index_words(text: str) -> str:
    """``text`` as words separated by spaces, for the word fields of the index (org_path_title):
    jieba's cut with the synonym terms as words, each word followed by the words inside it.

    The bigram fields find a word inside any run of characters, also across two words (民政
    inside 人民政府, so 民政 found every entry below 石泉县人民政府); a word field finds 民政 in
    民政局 but not in 人民政府.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    tokenizer = _segmenter()
    words: list[str] = []
    for word in tokenizer.lcut(text, HMM=True):
        if not _INDEX_TOKEN.search(word):
            continue
        words.append(word)
        if len(word) > 2 and _HAN_RUN.match(word):
            words.extend(_inner_words(word, tokenizer))
    return " ".join(words)


def query_words(run: str) -> list[str]:
    """The words of one run of Chinese characters (anything else comes back as it is)."""
    if len(run) <= 2 or not _HAN_RUN.match(run):
        return [run]
    return list(_cut(run))
