"""before_dataset_search: makes user queries safe and Chinese-aware.

* Solr syntax the search box must not pass on (local params ``{!...}``, ``_query_``/``_val_``,
  ``*:*`` inside a longer query, over-long queries) is rejected with a clear message
  (SearchQueryError: the API answers 400, the search page shows the message), never a 500.
  Unbalanced quotes, brackets and a stray leading wildcard are escaped, so the words still search.
  The permission filter is CKAN's own ``fq`` on ``permission_labels``, added after this hook;
  nothing a user puts in ``q`` can remove it, and fq/defType are checked here as well.
* Free-text queries also search the pinyin of titles, data item names and the exact identifiers,
  and, weighted as the summary is (below the title, tags and data items), the provider department
  and the departments above it.
* A run of Chinese typed without spaces is cut into its words (search/segment.py), each word
  found anywhere in the entry (a word is still found inside longer words: the index holds
  bigrams). A query of one to three Chinese words lists the entries holding all of them first, as
  before, then those holding any word or a dictionary word inside one (``tiered_query``: a word
  the records lack, 名册 of 兽医人员名册, or a compound they write shorter, 屠宰 of 屠宰场, no
  longer empties the result); a longer one needs most of its words (``words_required``). The
  configset's solrconfig.xml adds a phrase boost over the whole query (``pf``, title first, with
  room for the cuts), so the entries that hold the words together, above all in their title, rank
  first. A query that is one term of the search synonyms (高龄津贴, 道路运输), kept whole by the
  cut so that its synonyms apply, also finds the entries holding all its parts apart
  (``whole_term_or_parts``). A query of one word lists the entries holding it as typed in their
  title, summary, tags or theme above those holding only a synonym of it or the word in a data
  item alone, and all of these above the entries holding neither it nor a synonym there nor the
  word as typed in an item (a synonym in an item alone, the provider's name; ``literal_boost``).
* Choosing a provider department in the facets (``organization:"name"``) also finds the entries of
  its sub-organizations (a town includes its villages) through the indexed ``org_path``.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchQueryError

from ckanext.govcatalog.search import segment

MAX_QUERY_LENGTH = 200

# The stock CKAN weights, plus: the title without synonyms (the words typed outrank their
# synonyms), pinyin, data items, whole identifiers (string fields: a code matches only in full)
# and, weighted as the summary is (below the title; 0.5, 1, 2 and 4 measured on the development
# queries of scripts/bench/search_relevance.py), the title of its provider and those of the
# departments above it (these as words: search/text.py). The theme (所属主题, indexed by CKAN
# as the text field extras_theme) counts as the tags do: it is the publisher's own subject
# word, and in the full text alone a theme's name was outweighed by titles holding its words
# apart (solrconfig.xml adds its phrase boost).
# title_exact 8 -> 12: a word typed outranks its synonyms in the title more clearly (车辆 had
# ranked titles holding only 机动车 first: two bigrams outscore one; development plain
# R-precision 0.957 -> 0.990).
# title_pinyin_words^4 / title_initials_words^2 (search/text.py word_pinyin): the pinyin of a
# title's whole words outranks syllables that only meet across two words (shidi: 湿地 above
# 城市低保, whose short titles had ranked first).
# text_exact^3 (the entry's own text without synonyms, schema.xml): the word typed in a summary,
# tag, item or theme outranks a synonym of it in a title (2, 3, 4, 6 measured on the development
# sets of scripts/bench/search_relevance.py: 4 and 6 cost the synonym queries' nDCG@10).
QUERY_FIELDS = (
    "name^4 title^4 title_exact^12 tags^2 groups^2 text text_exact^3 "
    "title_pinyin^2 title_initials title_pinyin_words^4 title_initials_words^2 data_item_text^2 "
    "resource_code^10 org_code^5 division_code^2 region_code^2 organization_title^1 "
    "org_path_title^1 extras_theme^2"
)

_ALLOWED_DEFTYPES = {"dismax", "edismax", "lucene"}
_LOCAL_PARAMS = re.compile(r"\{\s*!")
_MAGIC = re.compile(r"(?<![\w\\])\\?_(?:query|val)_\s*:", re.IGNORECASE)
_MATCH_ALL = re.compile(r"\*\s*:\s*\*")
_FIELD_WILDCARD = re.compile(r"(?<![\w\\])\*\s*:")
_LEADING_WILDCARD = re.compile(r"(^|[\s(:])([*?])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ORG_FQ = re.compile(r'(?<![\w-])organization:("(?:[^"\\]|\\.)+"|[^\s()"]+)')


# Marks a query built by our own code (the reuse finder): an object, not a string, so no API caller
# can send it. Such a query skips the length limit and the escaping of typing slips only; local
# params, magic fields and foreign parsers are rejected for every query.
BUILT_QUERY = object()
_BUILT_KEY = "govcatalog_built_query"


def built_query_extras() -> dict[str, Any]:
    """The ``extras`` to pass to package_search with a query built by code."""
    return {_BUILT_KEY: BUILT_QUERY}


def max_query_length() -> int:
    return tk.asint(tk.config.get("govcatalog.search.max_query_length", MAX_QUERY_LENGTH))


def _reject(message: str) -> None:
    raise SearchQueryError(message)


def _escape_unbalanced(q: str) -> str:
    """Escapes the quote and bracket characters that have no partner, left to right."""
    chars = list(q)
    quote_at: int | None = None
    opened: list[tuple[str, int]] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    escaped: set[int] = set()
    i = 0
    while i < len(chars):
        c = chars[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            quote_at = None if quote_at is not None else i
        elif quote_at is None:
            if c in "([{":
                opened.append((c, i))
            elif c in pairs:
                if opened and opened[-1][0] == pairs[c]:
                    opened.pop()
                else:
                    escaped.add(i)
        i += 1
    if quote_at is not None:
        escaped.add(quote_at)
    escaped.update(i for _, i in opened)
    return "".join("\\" + c if i in escaped else c for i, c in enumerate(chars))


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Brackets and punctuation that sit inside titles: 公共停车场（库）, 《…》, 、, 过夜游／一日游
_TITLE_PUNCTUATION = re.compile(
    r"[（）【】《》〈〉「」『』〔〕［］｛｝、，。；！？…—·“”‘’()\[\]{}/／]"
)
_SCRIPT_CHANGE = re.compile(rf"(?<=[{_CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_CJK}])")


def split_cjk_runs(q: str) -> str:
    """Words of a plain (dismax) query, outside quotes, split where a run of Chinese characters
    ends at punctuation or at Latin letters and digits.

    The index stores Chinese as bigrams plus single characters, and the single character ending
    a run takes a position of its own; a query analysed as one phrase across such a boundary
    (公共停车场（库）) then never matches, not even the entry with exactly that title. As separate
    words, each run is its own phrase and dismax's ``mm`` still requires them all.
    """
    parts = q.split('"')
    for i in range(0, len(parts), 2):  # even parts lie outside quotes
        words = _TITLE_PUNCTUATION.sub(" ", parts[i])
        parts[i] = re.sub(r" {2,}", " ", _SCRIPT_CHANGE.sub(" ", words))
    return '"'.join(parts).strip()


def clean_user_query(q: str | None, built: bool = False, plain: bool = False) -> str:
    """The query to send to Solr, or SearchQueryError with a message for the user. A ``plain``
    query (one CKAN sends to dismax) also has its Chinese runs split (split_cjk_runs)."""
    if q is None:
        return ""
    q = _CONTROL.sub(" ", str(q)).strip()
    if not built and len(q) > max_query_length():
        _reject(
            tk._(
                "The search query is too long ({length} characters); "
                "use at most {limit} characters."
            ).format(length=len(q), limit=max_query_length())
        )
    if _LOCAL_PARAMS.search(q):
        _reject(tk._("Solr local parameters ({!...}) are not allowed in a search query."))
    if _MAGIC.search(q):
        _reject(tk._("The fields _query_ and _val_ are not allowed in a search query."))
    if q.replace(" ", "") == "*:*":
        return "*:*"  # "everything I may see": the permission filter still applies
    if _MATCH_ALL.search(q) or _FIELD_WILDCARD.search(q):
        _reject(
            tk._(
                "'*:*' and '*:' can only be used alone; "
                "leave the search box empty to list all entries."
            )
        )
    if built:
        return q
    if plain:
        # before escaping: a bracket turned into a space must not leave its backslash behind
        q = drop_dangling_operators(split_cjk_runs(q))
    q = _escape_unbalanced(q)
    # A leading wildcard makes Solr scan every term of a field; treat it as a literal character.
    q = _LEADING_WILDCARD.sub(lambda m: m.group(1) + "\\" + m.group(2), q)
    return q


_UNESCAPED_QUOTE = re.compile(r'(?<!\\)"')
# the most words (clauses) a plain query keeps; see cut_into_words
MAX_WORDS = 12
# the boolean operators of Solr's query syntax, as whole words
OPERATORS = frozenset({"AND", "OR", "NOT", "&&", "||", "!", "+", "-"})


def words_required(words: int) -> int:
    """How many of a query's words an entry must hold: all of up to three, one fewer up to six,
    80% of more, so that a long query still finds the entries holding most of its words (measured
    on the development queries of scripts/bench/search_relevance.py)."""
    if words <= 3:
        return words
    if words <= 6:
        return words - 1
    return math.ceil(words * 0.8)


# A query of one to three words first finds the entries holding every word, then below them those
# holding any word or a piece of one (segment.word_pieces): a word the user adds that the records
# lack (名册 of 兽医人员名册) or a compound they write shorter (屠宰场) no longer empties the
# result. The first tier is a constant-score boost query (bq) of all the words on every query
# field; TIER_BOOST is far above any score the words earn (the highest of the 369 queries of
# scripts/bench/search_relevance.py on the corpus, 2026-11-30: 820), and not much further: Solr
# adds it in 32-bit floats, whose step near 100,000 (1/128) let entries of nearly equal scores
# change places within the first tier (21 of the 124 tiered development queries listed it in
# another order than at 10,000, whose step is 1/1024; at 2,048 and 1,024 the order is that of
# 10,000).
TIER_BOOST = 10000
# the words a tiered query may hold: Chinese words only. Codes and numbers keep every part
# required (301/000001 must not find 301/000002), and the boost query repeats the words on each
# field, so no word that needs escaping is tiered.
_PLAIN_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_QF_FIELD = re.compile(r"([A-Za-z_]+)(?:\^[0-9.]+)?")
# The query fields the first tier (every word) need not name: whatever Chinese word they hold,
# "text" holds too (schema.xml copies title, tags, groups, data item names and every extras_*
# field into it; title_exact and text_exact hold some of those without synonyms), or they hold no
# Chinese at all (the URL name, codes, pinyin). The first tier is the same without them, and a
# short boost query is cheaper for Solr to parse and for CKAN when it goes as local params
# (TIER_BOOST_FUNCTION; 2 words x 18 fields made a 760-character one).
# tests/search/test_tier_fields.py checks the claim against schema.xml.
_TEXT_HOLDS = frozenset(
    {
        "name", "title", "title_exact", "text_exact", "tags", "groups", "data_item_text",
        "extras_theme",
        "title_pinyin", "title_initials", "title_pinyin_words", "title_initials_words",
        "resource_code", "org_code", "division_code", "region_code",
    }
)  # fmt: skip
# The second tier (some of the words, or a piece of one) holds the entries with such a word in a
# field that says what the entry is about: its title, tags and theme. Every field (the summary,
# data item names: 机构 of 医疗机构, 统计 of 统计局) made it most of the catalog, 34,000 of the
# 100,000 entries of scripts/bench/search_latency.py for a department + topic query; with the
# provider's names as well, every other entry of the department came too (8,600; without them
# 5,500), and Solr counts the page's 13 facets over every entry listed. A department's entries
# on the topic are in the first tier. On the development sets of scripts/bench/search_relevance.py
# every figure stayed the same, per kind (nDCG@10, R-precision, recall@100), with and without the
# provider's names. The first tier keeps every field.
TAIL_FIELDS = ("title", "tags_text", "extras_theme")


# How the first tier's boost reaches dismax: as a boost function, the score of the boost query
# that the request's ``boost`` parameter holds (0 for an entry outside it), added to the score of
# the words as a boost query (bq) would add it: the same scores, so the same order (compared
# score by score on ckan_bench and on every tiered development query of search_relevance.py).
# Not as local params ({!dismax bq='...'}words): CKAN 2.12 parses the local params of every
# parameter that has them (lib/search/query.py _get_local_query_parser builds a pyparsing grammar
# each time: ~1.3 ms a search), and bq is not among the parameters it passes to Solr; bf and
# boost are. dismax itself does not read ``boost`` (edismax's multiplicative boost), so the
# parameter carries the query for ``$boost`` only, and the search names defType dismax.
TIER_BOOST_FUNCTION = "query($boost,0)"

# A query of ONE Chinese word (车辆, 幼儿园, 业务范围) lists the entries whose title, summary, tags
# or theme hold the word as typed above those holding only a synonym of it (机动车, 学前教育,
# 经营范围) or the word only in a data item: a boost query adds LITERAL_BOOST to their score.
# Added, not a tier: these entries keep their own order, and a score above 150 still counts (a
# synonym term's copies, whole_term_or_parts, earn ~490 for 残疾人证), though a single word's
# scores (~30-100 for 车辆, 幼儿园) lie below it. Measured on the development sets of
# scripts/bench/search_relevance.py (0, 10-90, 100, 150, 200, 400): the plain cells rise from 60
# (幼儿园) and 100 (业务范围) and stay so up to 400, no cell lower; 150 lies inside that range.
# Left out, each measured there: the data items (text_exact alone: a word typed in an item
# ranked above titles holding its synonym, 残疾人证 / 残疾证, which the synonym queries grade
# higher; dev synonym nDCG@10 0.936 -> 0.919 at 10), the title alone (titles holding a theme's
# words above the entries filed under it) and queries of several words (a constant per word
# outweighed the rare word: 兽医 of 兽医人员名册, dev4 nDCG@10 0.954 -> 0.877 at 10).
LITERAL_BOOST = 150
# the fields that say what the entry is about; "text_exact" (no synonyms, schema.xml) holds them
# and the data item names, so an entry holding the word in text_exact and the word or a synonym in
# one of these holds the word as typed there, or in an item beside a synonym in these
LITERAL_FIELDS = ("title", "notes", "tags_text", "extras_theme")


# Within the data items too, the word as typed outranks its synonyms (邮编 in an item above
# 邮政编码 in an item, which as a phrase of more bigrams had outscored it; dev7 of
# scripts/bench/search_relevance.py). ITEM_LITERAL_BOOST goes to every entry that holds the word or
# a synonym in a field of LITERAL_FIELDS or the word as typed in a data item (text_exact holds it,
# data_item_text the word or a synonym): only the entries holding neither, such as a synonym in an
# item alone or the word in the provider's name alone, fall behind. Given to the synonyms in a
# title too, it leaves their order against the word in an item as it was: the synonym queries
# grade a title holding the synonym higher (残疾证 for 残疾人证, a few points apart).
# Measured on the development sets (0, 3, 10, 30, 60, 150, 400): from 60 up every cell the same
# (dev7 plain R-precision 0.983 -> 0.996, dev synonym 0.917 -> 0.928), no cell lower at any.
# (A boost for the word in an item alone, without the synonyms in a title, cost dev synonym
# nDCG@10 0.936 -> 0.930 at 3 and 0.909 at 40: 残疾人证 in items above 残疾证 in titles.)
ITEM_LITERAL_BOOST = 150
ITEM_FIELD = "data_item_text"


def literal_boost(words: list[str]) -> str:
    """The boost query clause for a query of one Chinese word: LITERAL_BOOST for the entries that
    hold it as typed in a field of LITERAL_FIELDS, and ITEM_LITERAL_BOOST for those that hold it
    or a synonym there or the word as typed in a data item (see above); empty for any other
    query."""
    if len(words) != 1 or not _PLAIN_WORD.match(words[0]) or LITERAL_BOOST <= 0:
        return ""
    word = words[0]
    own = " OR ".join(f"{f}:{word}" for f in LITERAL_FIELDS)
    clause = f"(+text_exact:{word} +({own}))^={LITERAL_BOOST:g}"
    if ITEM_LITERAL_BOOST > 0:
        item = f"+text_exact:{word} +{ITEM_FIELD}:{word}"
        clause = f"{clause} OR ({own} OR ({item}))^={ITEM_LITERAL_BOOST:g}"
    return clause


class Tiered(NamedTuple):
    """A tiered query: ``q`` the words for dismax, ``boost`` the boost query of the first tier
    (every word), ``mm`` the clauses q requires, and ``fq`` the filter that keeps the entries of
    the two tiers (every word anywhere, or a word or piece in TAIL_FIELDS)."""

    q: str
    boost: str
    mm: int
    fq: str

    def local_params_q(self) -> str:
        """The same query with its boost as dismax local params, for a search whose caller
        sends a boost function (bf) or ``boost`` of its own."""
        return f"{{!dismax bq='{self.boost}'}}{self.q}"

    def solr_params(self, search_params: dict[str, Any]) -> dict[str, str]:
        """The parameters that send this query to Solr (q, mm, tie, and the boost as a boost
        function unless the caller's own bf or boost are in ``search_params``)."""
        params = {"mm": str(self.mm), "tie": str(search_params.get("tie", "0.1"))}
        if "bf" in search_params or "boost" in search_params:
            return {**params, "q": self.local_params_q()}
        return {
            **params,
            "q": self.q,
            "defType": "dismax",
            "bf": TIER_BOOST_FUNCTION,
            "boost": self.boost,
        }


def tiered_query(q: str, words: int, qf: str) -> Tiered | None:
    """A query of one to three Chinese words as a dismax query with a boost query that ranks
    the entries holding every word first (as before) and then those holding any word or a piece
    of one (segment.word_pieces: 屠宰 of 屠宰场) in TAIL_FIELDS; with the number of clauses mm
    requires (one) and the filter of the two tiers. None for any other query: it keeps
    ``words_required`` (and a single synonym term keeps ``whole_term_or_parts``)."""
    clauses = q.split()
    if not 1 <= words <= 3 or len(clauses) != words:
        return None
    if any(c in OPERATORS or not _PLAIN_WORD.match(c) for c in clauses):
        return None
    if words == 1 and segment.term_parts(q):
        return None
    pieces = [p for c in clauses for p in segment.word_pieces(c) if p not in clauses]
    if words == 1 and not pieces:
        return None
    fields = [f for m in _QF_FIELD.finditer(qf) if (f := m.group(1)) not in _TEXT_HOLDS]
    # explicit OR: CKAN parses the boost query with q.op=AND
    every_word = " ".join("+(" + " OR ".join(f"{f}:{c}" for f in fields) + ")" for c in clauses)
    # "OR id:0" (no entry has that id): dismax adds the clauses of a boost query that parses to
    # one boolean query straight into the main query, and q.op=AND would make a lone clause MUST
    literal = literal_boost(clauses)
    boost = f"({every_word})^={TIER_BOOST} OR {literal + ' OR ' if literal else ''}id:0"
    searched = [*clauses, *dict.fromkeys(pieces)]
    some_word = " OR ".join(f"{f}:{w}" for f in TAIL_FIELDS for w in searched)
    return Tiered(" ".join(searched), boost, 1, f"+(({every_word}) OR {some_word})")


def tiered_words(q: str | None) -> int | None:
    """The number of words of a query typed in the search box that search tiers (tiered_query),
    or None for any other query: what the search page's note on partial matches counts by."""
    if not q or ":" in q:
        return None
    try:
        cut, words = cut_into_words(clean_user_query(q, plain=True))
    except SearchQueryError:
        return None
    return words if tiered_query(cut, words, QUERY_FIELDS) else None


def drop_dangling_operators(q: str) -> str:
    """A plain query without the boolean operators that have nothing to join (人口 OR, AND 人口,
    人口 OR AND 户籍): Solr cannot parse those, and they are typing slips."""
    kept: list[str] = []
    for token in q.split():
        if token in OPERATORS and (not kept or kept[-1] in OPERATORS):
            continue
        kept.append(token)
    while kept and kept[-1] in OPERATORS:
        kept.pop()
    return " ".join(kept)


def cut_into_words(q: str) -> tuple[str, int]:
    """A cleaned plain query with each run of Chinese characters outside quotes cut into its
    words (search/segment.py), each matched on its own; and the number of words mm counts (a
    quoted phrase the user typed counts as one, a required or excluded word none).

    A word typed twice is kept once, and a query keeps its first ``MAX_WORDS`` words: each word
    becomes a clause on every query field and each of its synonyms, and Solr refuses a query of
    more than 1024 such clauses (a 200-character query cut into words could reach that).
    """
    if segment.one_word_query(q):  # 信息系统 typed alone: the word, or its parts apart
        return q, 1
    parts = _UNESCAPED_QUOTE.split(q)
    if len(parts) % 2 == 0:  # an unbalanced quote (cleaning escapes these): leave the query alone
        return q, len(q.split())
    clauses: list[str] = []
    counted = 0
    for i, part in enumerate(parts):
        pieces = [f'"{part}"'] if i % 2 else [w for t in part.split() for w in _words(t)]
        for piece in pieces:
            if piece in OPERATORS:  # joins words; no word itself
                clauses.append(piece)
                continue
            if piece in clauses or piece.strip('"') == "":
                continue
            if len(clauses) == MAX_WORDS:
                break
            clauses.append(piece)
            counted += piece[:1] not in "+-!"  # mm counts the optional clauses only
    while clauses and clauses[-1] in OPERATORS:  # left dangling by the words left out
        clauses.pop()
    return " ".join(clauses), counted


# The most phrase combinations whole_term_or_parts lets the copies of a term cost the phrase
# boost, counted by segment.expansions (a loose upper bound). Measured over the 754 terms of the
# synonyms file that have parts (2026-11-30): the 12 that Solr refused counted 512 or more
# (应急管理局 512, 互联网上网服务营业场所 729), every term up to 500 was answered; 256 keeps a
# margin of two.
PHRASE_FORMS_MAX = 256


def whole_term_or_parts(q: str, words: int) -> tuple[str, int]:
    """A query that is ONE synonym term made of dictionary words (高龄津贴, 道路运输,
    居民消费价格指数), as clauses that find the term, its synonyms, or all its parts apart; and the
    number of clauses mm must require.

    The cut keeps such a term whole so that its synonyms apply, and the whole term is searched as
    one phrase: the entries holding 高龄老人津贴 or 道路货物运输 were not found at all. dismax has
    no OR inside one required word, so the term is sent once more than it has parts, beside its
    parts: with mm = the number of parts, an entry holding the term or a synonym of it matches as
    many clauses as one holding every part, and an entry holding only some of the parts too few
    (one copy more than parts ranked the synonyms above parts found apart). The copies also
    rank the entries holding the term itself first. A query of several words keeps one clause per
    word: the copies would let a term stand in for the other words.
    """
    if words != 1 or " " in q or q[:1] in '"+-!':
        return q, words
    parts = segment.term_parts(q)
    if not parts:
        return q, words
    copies = len(parts) + 1
    # The phrase boost (solrconfig.xml pf) is built over all the clauses: one phrase for every
    # combination of their synonyms, which for the copies is (the term's forms) ** copies. Solr
    # refuses a query of more than 1024 clauses (互联网上网服务营业场所: 6 copies), so a term
    # whose phrases would pass PHRASE_FORMS_MAX keeps its one clause.
    forms = segment.expansions(q) ** copies * math.prod(segment.expansions(p) for p in parts)
    if forms > PHRASE_FORMS_MAX:
        return q, words
    return " ".join([q] * copies + parts), len(parts)


def _words(token: str) -> list[str]:
    # an operator or an escape belongs to the token as typed: only a bare run is cut
    return segment.query_words(token) if token[:1] not in "+-" else [token]


def _check_param(name: str, value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    for v in values:
        if isinstance(v, str) and (_LOCAL_PARAMS.search(v) or _MAGIC.search(v)):
            msg = tk._("Solr local parameters are not allowed in the search parameter {name}.")
            _reject(msg.format(name=name))


def org_hierarchy_fq(fq: str) -> str:
    """``organization:"x"`` -> the department and everything under it (its ``org_path``).

    The plain ``organization`` clause stays as an alternative, so the filter keeps working for
    entries indexed before ``org_path`` was filled.
    """
    return _ORG_FQ.sub(lambda m: "(organization:{v} OR org_path:{v})".format(v=m.group(1)), fq)


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    extras = search_params.get("extras")
    built = isinstance(extras, dict) and extras.get(_BUILT_KEY) is BUILT_QUERY
    def_type = search_params.get("defType")
    plain = False
    if "q" in search_params:
        raw = str(search_params.get("q") or "")
        # CKAN sends a query without ":" to dismax (lib/search/query.py)
        plain = ":" not in raw and def_type in (None, "dismax")
        search_params["q"] = clean_user_query(raw, built, plain)
    if def_type and def_type not in _ALLOWED_DEFTYPES:
        _reject(tk._("The query parser {name} is not allowed.").format(name=def_type))
    # facet.field too: the site config lets CKAN pass dismax local params (tiered_query), and
    # only this check keeps a caller's own out of every parameter
    for name in ("fq", "fq_list", "qf", "bf", "boost", "sort", "df", "mm", "fl", "facet.field"):
        if name in search_params:
            _check_param(name, search_params[name])
    q = search_params.get("q") or ""
    if q and q != "*:*" and "qf" not in search_params:
        search_params["qf"] = QUERY_FIELDS
        if plain and not built:
            cut, words = cut_into_words(q)
            tiered = tiered_query(cut, words, QUERY_FIELDS) if "mm" not in search_params else None
            if tiered:
                # after the checks of the caller's parameters above: these are ours
                search_params.update(tiered.solr_params(search_params))
                search_params["fq_list"] = [*search_params.get("fq_list", []), tiered.fq]
            else:
                search_params["q"], words = whole_term_or_parts(cut, words)
                if words:
                    search_params.setdefault("mm", str(words_required(words)))
                literal = literal_boost(cut.split())
                # like the tier boost: a boost function over ``boost``, unless the caller sends
                # a boost of its own (then no literal boost)
                if literal and not {"bf", "boost"} & search_params.keys():
                    search_params.update(
                        defType="dismax", bf=TIER_BOOST_FUNCTION, boost=f"{literal} OR id:0"
                    )
    if isinstance(search_params.get("fq"), str):
        search_params["fq"] = org_hierarchy_fq(search_params["fq"])
    if isinstance(search_params.get("fq_list"), list):
        search_params["fq_list"] = [
            org_hierarchy_fq(f) if isinstance(f, str) else f for f in search_params["fq_list"]
        ]
    return search_params
