"""Binding suggestions: which published data elements a data item's name most likely means.

A name is tried as it is, then in simpler readings, each with the confidence it deserves:

============================================  ==========
the element's name / a synonym                1.0 / 0.98
the identifier typed (GMSFHM)                 0.95
same core (names.core + the rules' words)     0.95
a bracket's note names it                     0.93
a holder, role or time word before it         0.93 less 0.005 a character taken off (0.02 at most)
  ... a word making it another organization   0.88 (所属机构名称: the rules' not_after_leading)
the name with 名称 added (毕业院校名称)        0.93
  ... or a bare noun without it (专业名称)    0.88 (产品 is no 产品名称: reviewed)
  ... after a leading noun (企业法人)          0.88 (a compound term: the rules' implied_after)
a holder-free element's name ending it        0.91 (出资人身份证号, 卫生许可证号 -> 证照编号)
  ... an organization's after no holder word  0.88 (签约组织机构代码: holder_stated_classes)
  ... a classifying one after no holder word  0.88 (少数民族, 儿童医院: holder_stated_elements)
a holder noun before a property of its class  0.91 (申报旅行社英文名称, 被征地人员职业)
  ... or of either class for 地址             0.91 (责任人地址: either_class_elements)
  ... 名称 after a person and nothing else    0.91 (配偶名称 -> 姓名: person_only_holders)
a pattern of the rules (与户主关系)           0.91
a registration's / filing's date or number    0.89 (抵押登记日期: event_elements), reviewed
  ... after another event's word (注销…登记时间) 0.89 for the ending event (注销日期), reviewed
a number after the system keeping it          0.91 (审批系统业务号: the rules' keeper_words)
a role's word ending the name (注销申请人)      0.88 (the role's name, reviewed)
every part of a composite name names it       the least of the parts' (街道/乡镇, R6)
  ... a number's word written once           (证书/证明号 is 证书号 and 证明号)
the name ends with an element's name of 4+    0.88 (出租房屋居住证地址 -> 居住地址)
  ... or with one as written                  0.88 (收费项目名称 is no 项目名称: reviewed)
... of 2 or 3 characters                      up to 0.80 (会计机构负责人 is no 负责人)
an abbreviation of one element's name         0.85 (邮编 -> 邮政编码)
same pinyin initials                          0.80
fuzzy similarity (rapidfuzz)                  up to 0.80
a …编码 read as an issued 代码 (机构编码)        0.88 at most, unless a name or synonym as written
============================================  ==========

The core of a name (names.core: width, brackets, 号/号码/编号/代码, 时间/日期) is further
normalised by the rules of schemas/elements/rules/name_rules.yaml, applied alike to the
register's names and to the item's: the particle 的, trailing units (注册资本万元), equivalent
words (状态/状况, 签发/颁发/发证, 全称/名称, 手机号码/手机, R12's kinds of organization), equivalent
endings (合计/总额, 年月/日期, 住址 -> 居住地址), the leading words, role aliases, and the
holder-free elements (an ID number, a phone number, a name or a licence number is the same
element whoever holds it), the holder nouns (a person's or an organization's property after a
word naming a holder of that 对象类, R4 / GA/T 1054.1) and the coded elements' 代码 (职业类别代码 is
职业类别, as WS 445 names them).

A role noun alone means that person's name (联系人 -> 联系人姓名); a person's property after a
word naming an organization (单位证件类型: the rules' person_classes) is another thing and waits
for review. A name that joins several items (X、Y, X/Y, X及Y, X或Y, X和Y) or lists them (the
rules' list_words: 所有的, 列表) is never bound automatically unless it is a name of the element
or every part alone binds automatically to that one element; a joiner inside a note in
brackets (性别（男/女）) or inside a word of the rules' not_joining (中华人民共和国) joins nothing.
A column asking a question (the rules' flag_words: 是否, 有无) holds yes or no and is never bound
automatically; nor is a system's label (the rules' label_words: a match mode 左模糊, a code table's
字典项, a mapping 对应的), one end of a query's range (发证日期(起): a date or number with a
range_notes bound; 有效期（始） reads the bound as part of the name, 有效期起始日期), or a name
qualified by a note inside it (经营（合同）面积: inner_note_min).

A suggestion whose element the item's type or length cannot hold (an 18-character identifier in
a date) keeps a third of its confidence; a name whose note in brackets is a unit of count or
amount (疾病（户）, the rules' quantity_notes) is read as a numeric item when no type is given.
``auto`` marks the best suggestion when it may be
applied without review: confidence at least ``AUTO_CONFIDENCE``, type and length fit, and no
other element as likely. The index lives in memory, rebuilt when the register changes.
Measured by scripts/bench/element_binding.py (tuned on its development half only; since that
half was split again, on its dev-tune names, checked on dev-check; then on the fresh-dev names of
two other cities' catalogs and the fresh2-dev names of their tags and three other catalogs'
summaries, and the fresh3-dev column names of public-service systems outside the corpus, never on
fresh-test, fresh2-test or fresh3-test).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import threading
from collections.abc import Iterable
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from ckanext.govcatalog.elements import formats, names

AUTO_CONFIDENCE = 0.9
# confidence an unfit type or length keeps
UNFIT_FACTOR = 1 / 3
# the reading rules (equivalent words and endings, leading words, role aliases, holder-free
# elements) are data: schemas/elements/rules/name_rules.yaml
RULES_FILE = os.path.join("elements", "rules", "name_rules.yaml")
_SHIPPED_SCHEMAS = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "schemas")
)

EXACT_NAME = 1.0
EXACT_SYNONYM = 0.98
IDENTIFIER = 0.95
CORE = 0.95
BRACKET = 0.93
LEADING = 0.93
LEADING_PER_CHARACTER = 0.005  # the less taken off, the closer the reading
# ... but a known holder word taken off is a safe reading however long it is (拟开设机构所在地区县):
# the penalty ranks readings, it never takes one below AUTO_CONFIDENCE
LEADING_PENALTY_CAP = 0.02
# a holder-free element's name ending a longer name (出资人身份证号, 办公电话, 卫生许可证号): above
# AUTO_CONFIDENCE, below the readings that take off a known leading word
HOLDER_FREE = 0.91
HOLDER_FREE_SYNONYM_LENGTH = 4
# A property of a person or an organization after a word naming a holder of that class (a
# word ending with one of the rules' holder_nouns: 申报旅行社英文名称, 被征地人员职业): R4 (a role
# followed by a property binds to the general element) and GA/T 1054.1's data items (a qualifier,
# often a holder in a role, before a data element leaves the element as it is). Never an element
# of numbers or amounts (a word before a count names the population counted: 普通中学教职工数 is a
# statistic of a sector, no school's staff) nor one of the rules' not_by_ending (the identity
# name of an organization: R5). On the names readable when tuning (dev-tune, fresh-dev,
# fresh2-dev): 1 such reading, right (申报旅行社英文名称); a count's or amount's name ending a
# longer one after a word the leading words do not know: 24 times, never rightly bound.
HOLDER_NOUN = 0.91
HOLDER_NOUN_QUANTITIES = frozenset({"N", "Y"})  # data types of counts and amounts
IMPLIED = 0.93  # the element's name with its representation word written (毕业院校名称 -> 毕业院校)
# ... and a bare noun read as the element's name without its representation word (专业 ->
# 专业名称): below AUTO_CONFIDENCE. A noun alone is as often a fragment or a heading as the thing's
# name: on the names readable when tuning (dev-tune, dev-check, fresh-dev, fresh2-dev) 1 of its 3
# automatic bindings was right (商品; not 产品, 货物), and the judges split on it (学校, 专业 bound;
# 医院, 单位 not), so it is applied only after review.
IMPLIED_BARE = 0.88
PATTERN = 0.91  # a name of a pattern the rules give (与户主关系 -> 家庭关系)
# below AUTO_CONFIDENCE: on the development names 8 of 10 such readings were right, too few to
# apply unreviewed (计量标准名称 is no 标准名称); the same for abbreviations (组名 is no 组织名称)
ENDS_WITH_LONG = 0.88
ENDS_WITH_LONG_LENGTH = 4  # an element name this long is specific enough to end a longer name
# ... and applied unreviewed when the ending is a name or synonym of the element as written (no
# form the rules' equivalences made) and no longer normalised ending names another element:
# Chinese names are head-final, so 上年度营业收入 is a 营业收入. Calibrated on dev-tune alone: the
# reading, tried on every dev-tune name it fits, 13 right and 0 wrong (through the equivalences:
# 14 right, 1 wrong); the rules' not_by_ending elements excepted. Checked on dev-check:
# precision 0.990 (dev-check-lo 0.989). It did not generalise: on names of other sources (the
# fresh-dev names of the bench) 3 of its 6 automatic bindings were wrong (a qualifier before the
# ending changes the thing: 收费项目名称 is no project's name, 年末餐饮营业面积 no premises' area),
# so it ranks with the other readings of a long ending and is applied only after review.
ENDS_WITH_NAME = ENDS_WITH_LONG
# An organization's holder-free code (the rules' holder_stated_classes) after a word that names
# no holder (签约组织机构代码: whose code, in whose numbering?): for review. On the names readable
# when tuning, this reading of an organization's code after another word was wrong once
# (签约组织机构代码) and right never; after a holder noun it stays HOLDER_FREE
# (许可机关组织机构代码).
HOLDER_STATED = ENDS_WITH_LONG
# A name written …编码 read as an element named as an issued code (组织机构代码), other than by a
# name or synonym of it as written: for review (the rules' code_words; 机构编码 of a framework's
# department table is its own numbering, no GB 11714 code).
SYSTEM_CODE = ENDS_WITH_LONG
AS_WRITTEN = frozenset({"name", "synonym", "identifier"})
ENDS_WITH = 0.80
ABBREVIATION = 0.85
ROLE_NAME = "姓名"  # what a role noun alone holds
# what joins several items in one column
COMPOSITE = re.compile(r"[、/／,，;；]|及|或|和|以及")
# a note in brackets joins nothing: 性别（男/女） is one item (R3: notes do not change the element)
_BRACKET_NOTE = re.compile(r"[(（【〔\[［][^()（）【】〔〕\[\]［］]*[)）】〕\]］]")
INITIALS = 0.80
FUZZY = 0.80
# A registration's, filing's or change's date or number after a word naming its kind (抵押登记日期,
# 合同备案号: the rules' event_elements): the event's element first, for review (above
# ENDS_WITH_LONG, below AUTO_CONFIDENCE). On the readable dev sets 10 such names, 10 judged to the
# event's element, but by fresh4's reading only: fresh3's judges read a qualified event's date as
# none (抵押注销时间), so the reading is disputed and an officer decides. The names with another
# event's word before the ending (注销异议登记时间, 3) put the ending event's element first
# (ENDING_EVENT).
EVENT = 0.89
# a number's name after the system or department keeping it (审批系统业务号: the rules'
# keeper_words): on the readable dev sets 5 such names, 5 judged to the element
KEEPER = 0.91
# a role's word ending a longer name (注销申请人 -> 申请人姓名): for review; on the readable dev
# sets 5 of the 9 such names bound no other way were judged to the role's name (执行申请人,
# 运营负责人, 发包方负责人 not)
ROLE_ENDING = ENDS_WITH_LONG
PASSIVE = "被"  # 被申请人 is the other party of an application
# an added holder-free ending this long binds alone (证明号 -> 证照编号; not 电话, 医院)
HOLDER_FREE_WHOLE_LENGTH = 3
# the ending event's element (注销日期 of 注销抵押登记时间): first, for review, as EVENT
ENDING_EVENT = 0.89
# the data types a range's bound is a query's parameter of (the rules' range_notes)
RANGED_TYPES = frozenset({"D", "T", "N", "Y"})
# a note in round brackets (names.fold made every bracket form round or dropped it)
_ROUND_NOTE = re.compile(r"\(([^()]*)\)")
FUZZY_CUTOFF = 60


@dataclasses.dataclass(frozen=True)
class NameRules:
    """The reading rules of schemas/elements/rules/name_rules.yaml."""

    trailing_units: tuple[str, ...] = ()
    equivalent_words: tuple[tuple[str, str], ...] = ()
    equivalent_endings: tuple[tuple[str, str], ...] = ()
    leading_words: tuple[str, ...] = ()
    role_aliases: tuple[tuple[str, str], ...] = ()
    organization_properties: tuple[str, ...] = ()
    implied_endings: tuple[str, ...] = ()
    implied_after: frozenset[str] = frozenset()
    too_general: frozenset[str] = frozenset()
    not_by_ending: frozenset[str] = frozenset()
    not_after_leading: tuple[tuple[str, frozenset[str]], ...] = ()
    quantity_notes: frozenset[str] = frozenset()
    not_joining: tuple[str, ...] = ()
    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()
    holder_free: tuple[tuple[str, tuple[str, ...]], ...] = ()
    holder_nouns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    coded_suffix: str = ""
    coded_name_suffix: str = ""
    dropped_particles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    list_words: tuple[str, ...] = ()
    flag_words: tuple[str, ...] = ()
    person_classes: frozenset[str] = frozenset()
    organization_words: tuple[str, ...] = ()
    holder_stated_classes: frozenset[str] = frozenset()
    holder_stated_elements: frozenset[str] = frozenset()
    party_words: tuple[str, ...] = ()
    system_code_word: str = ""
    issued_code_word: str = ""
    serial_code_words: tuple[str, ...] = ()
    label_words: tuple[str, ...] = ()
    range_notes: frozenset[str] = frozenset()
    inner_note_min: int = 0
    either_holder_words: tuple[str, ...] = ()
    either_class_elements: frozenset[str] = frozenset()
    authority_heads: tuple[str, ...] = ()
    keeper_words: tuple[str, ...] = ()
    event_elements: tuple[str, ...] = ()
    event_stop_words: tuple[str, ...] = ()
    ending_events: tuple[tuple[str, str], ...] = ()
    person_only_holders: tuple[str, ...] = ()
    person_name_words: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: dict[str, Any]) -> NameRules:
        def longest_first(pairs: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
            folded = [(names.fold(k), names.fold(v)) for k, v in (pairs or {}).items()]
            return tuple(sorted(folded, key=lambda kv: -len(kv[0])))

        def folded(key: str) -> tuple[str, ...]:  # a list of words, folded as names are
            return tuple(names.fold(w) for w in data.get(key) or ())

        def listed(key: str) -> tuple[str, ...]:  # a list of element or class names, as written
            return tuple(str(n) for n in data.get(key) or ())

        code_words = data.get("code_words") or {}

        return cls(
            trailing_units=tuple(
                sorted((names.fold(u) for u in data.get("trailing_units") or ()), key=len)[::-1]
            ),
            equivalent_words=longest_first(data.get("equivalent_words")),
            equivalent_endings=longest_first(data.get("equivalent_endings")),
            leading_words=folded("leading_words"),
            role_aliases=tuple((data.get("role_aliases") or {}).items()),
            organization_properties=tuple(data.get("organization_properties") or ()),
            implied_endings=tuple(data.get("implied_endings") or ()),
            implied_after=frozenset(folded("implied_after")),
            too_general=frozenset(folded("too_general")),
            not_by_ending=frozenset(listed("not_by_ending")),
            not_after_leading=tuple(
                (str(element), frozenset(names.fold(w) for w in words or ()))
                for element, words in (data.get("not_after_leading") or {}).items()
            ),
            quantity_notes=frozenset(folded("quantity_notes")),
            not_joining=listed("not_joining"),
            patterns=tuple(
                (re.compile(p["regex"]), str(p["element"])) for p in data.get("patterns") or ()
            ),
            holder_free=tuple(
                (str(name), tuple(names.fold(e) for e in endings or ()))
                for name, endings in (data.get("holder_free") or {}).items()
            ),
            holder_nouns=tuple(
                (str(object_class), tuple(names.fold(n) for n in nouns or ()))
                for object_class, nouns in (data.get("holder_nouns") or {}).items()
            ),
            coded_suffix=names.fold(str(data.get("coded_suffix") or "")),
            coded_name_suffix=names.fold(str(data.get("coded_name_suffix") or "")),
            list_words=folded("list_words"),
            flag_words=folded("flag_words"),
            person_classes=frozenset(listed("person_classes")),
            organization_words=folded("organization_words"),
            holder_stated_classes=frozenset(listed("holder_stated_classes")),
            holder_stated_elements=frozenset(listed("holder_stated_elements")),
            party_words=folded("party_words"),
            system_code_word=names.fold(str(code_words.get("system") or "")),
            issued_code_word=names.fold(str(code_words.get("issued") or "")),
            serial_code_words=tuple(names.fold(w) for w in code_words.get("serial") or ()),
            label_words=folded("label_words"),
            range_notes=frozenset(folded("range_notes")),
            inner_note_min=int(data.get("inner_note_min") or 0),
            either_holder_words=folded("either_holder_words"),
            either_class_elements=frozenset(listed("either_class_elements")),
            authority_heads=folded("authority_heads"),
            keeper_words=folded("keeper_words"),
            event_elements=listed("event_elements"),
            event_stop_words=folded("event_stop_words"),
            ending_events=tuple(
                (names.fold(word), str(element))
                for word, element in (data.get("ending_events") or {}).items()
            ),
            person_only_holders=folded("person_only_holders"),
            person_name_words=folded("person_name_words"),
            dropped_particles=tuple(
                (names.fold(particle), tuple(names.fold(w) for w in kept or ()))
                for particle, kept in (data.get("dropped_particles") or {}).items()
            ),
        )

    def without_particles(self, key: str) -> str:
        """``key`` without the rules' particles (企业的名称 -> 企业名称), kept inside the words
        listed with each (目的), and never at either end (的士 aside, a name is no particle)."""
        for particle, kept in self.dropped_particles:
            if particle not in key[1:-1]:
                continue
            marks = {chr(0xE000 + i): word for i, word in enumerate(kept) if word in key}
            for mark, word in marks.items():
                key = key.replace(word, mark)
            key = key[0] + key[1:-1].replace(particle, "") + key[-1]
            for mark, word in marks.items():
                key = key.replace(mark, word)
        return key

    def normal(self, key: str) -> str:
        """A core key without its particles and a trailing unit, with the equivalent words and
        endings made one."""
        key = self.without_particles(key) if len(key) > 2 else key
        for unit in self.trailing_units:
            # 注册资本万元 is a 注册资本; the rest must still be a name (not 万元 alone)
            if key.endswith(unit) and len(key) - len(unit) >= 2:
                key = key[: -len(unit)]
                break
        for word, same in self.equivalent_words:
            key = key.replace(word, same)
        for ending, same in self.equivalent_endings:
            if key.endswith(ending):
                return key[: -len(ending)] + same
        return key


@functools.lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> NameRules:
    """The reading rules of a schemas folder (the site's, else the one shipped)."""
    if path is None:
        from ckanext.govcatalog import vocab

        path = os.path.join(vocab.schemas_dir(), RULES_FILE)
        if not os.path.exists(path):  # a site's own schemas folder without reading rules
            path = os.path.join(_SHIPPED_SCHEMAS, RULES_FILE)
    with open(path, encoding="utf-8") as f:
        return NameRules.of(yaml.safe_load(f) or {})


@dataclasses.dataclass(frozen=True)
class Element:
    """What the suggester needs of an element."""

    id: str
    name: str
    identifier: str
    synonyms: tuple[str, ...]
    data_type: str
    format: str
    object_class: str = ""  # 对象类: whose property it is (holder nouns, HOLDER_NOUN)
    representation: str = ""  # 表示: 代码 for a coded element (the rules' coded_suffix)

    @classmethod
    def of(cls, data: Any) -> Element:
        get = data.get if isinstance(data, dict) else lambda key: getattr(data, key, None)
        return cls(
            id=get("id"),
            name=get("name"),
            identifier=get("identifier") or "",
            synonyms=tuple(get("synonyms") or ()),
            data_type=get("data_type") or "",
            format=get("format") or "",
            object_class=get("object_class") or "",
            representation=get("representation") or "",
        )


@dataclasses.dataclass
class Suggestion:
    id: str
    name: str
    identifier: str
    confidence: float
    auto: bool
    match: str  # how it matched: name, synonym, identifier, core, bracket, leading, ...
    fits: bool  # whether the item's type and length can hold the element's values

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Index:
    """The published elements, by every form of their names."""

    def __init__(self, elements: Iterable[Element], rules: NameRules | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        self.elements: dict[str, Element] = {}
        self.formats: dict[str, formats.Format | None] = {}
        self.exact: dict[str, tuple[str, str]] = {}  # fold -> (element id, name|synonym)
        self.cores: dict[str, str] = {}  # core -> element id
        self.identifiers: dict[str, str] = {}
        self.initials: dict[str, set[str]] = {}
        for element in elements:
            self.elements[element.id] = element
            self.formats[element.id] = formats.parse_format(element.format)
            self.identifiers[element.identifier.upper()] = element.id
            for text, kind in [(element.name, "name")] + [(s, "synonym") for s in element.synonyms]:
                self.exact.setdefault(names.fold(text), (element.id, kind))
                key = self.core(text)
                self.cores.setdefault(key, element.id)
                if len(key) >= 3:
                    self.initials.setdefault(names.initials(key), set()).add(element.id)
        # a coded element's name with its representation word written (WS 445 names a coded
        # element so: 职业类别代码 is the code of 职业类别); after every name, so that a name of
        # another element keeps its own core
        suffix = self.rules.coded_suffix
        for element in self.elements.values():
            if not suffix or element.representation != suffix:
                continue
            for text in (element.name, *element.synonyms):
                written = names.core(text)
                if written and not written.endswith(names.canonical_suffix("_" + suffix)[1:]):
                    self.cores.setdefault(self.core(text + suffix), element.id)
        # ... and with the code's name written (证件类型名称, 性别名称: the code's text, as
        # 身份证件名称 is a 证件类型), unless the element is named as a code itself (行政区划代码:
        # 行政区划名称 names a division, not its code)
        named = self.rules.coded_name_suffix
        for element in self.elements.values():
            if not named or element.representation != suffix:
                continue
            if names.core(element.name).endswith(names.canonical_suffix("_" + suffix)[1:]):
                continue
            for text in (element.name, *element.synonyms):
                self.cores.setdefault(self.core(text + named), element.id)
        # an authority's name with another head noun of an authority (审批机构 of 审批机关,
        # 登记管理机构 of 登记管理机关: the rules' authority_heads), after every name, so no
        # name of another element changes
        heads = self.rules.authority_heads
        for element in self.elements.values():
            if not heads or not names.fold(element.name).endswith(heads[0]):
                continue
            for text in (element.name, *element.synonyms):
                folded = names.fold(text)
                for head in heads:
                    if folded.endswith(head) and len(folded) > len(head):
                        stem = folded[: -len(head)]
                        for other in heads:
                            self.cores.setdefault(self.core(stem + other), element.id)
        self.core_keys = list(self.cores)
        # longest first, so that 法定代表人姓名 is found before 姓名 at the end of a name
        self.by_length = sorted(self.core_keys, key=len, reverse=True)
        # the endings that bind a holder-free element whatever comes before them
        self.by_name = by_name = {e.name: e.id for e in self.elements.values()}
        self.holder_free: list[tuple[str, str]] = []  # (ending, element id), longest first
        self.holder_free_whole: dict[str, str] = {}  # an added ending alone (证明号) -> element
        self.holder_free_added: set[str] = set()  # the rules' added endings (邮编, 证明号)
        for name, endings in self.rules.holder_free:
            element_id = by_name.get(name)
            if element_id is None:
                continue  # not published on this site
            element = self.elements[element_id]
            # a short synonym's core (统一代码 -> 统一号) would end too many other names
            own = [self.core(element.name)] + [
                key
                for key in (self.core(s) for s in element.synonyms)
                if len(key) >= HOLDER_FREE_SYNONYM_LENGTH
            ]
            added = {self.rules.normal(names.canonical_suffix(e)) for e in endings}
            forms = {*own, *added}
            self.holder_free.extend((form, element_id) for form in forms if len(form) >= 2)
            # an added ending of HOLDER_FREE_WHOLE_LENGTH+ characters is a name alone (证明号)
            self.holder_free_added.update(added)
            for form in added - set(own):
                if len(form) >= HOLDER_FREE_WHOLE_LENGTH:
                    self.holder_free_whole.setdefault(form, element_id)
        self.holder_free.sort(key=lambda pair: -len(pair[0]))
        # (ending, element id, holder nouns of its class), longest first, for HOLDER_NOUN
        nouns_of = dict(self.rules.holder_nouns)
        # a property persons and organizations alike hold (地址: the rules' either_class_elements)
        # is read after a holder noun of either class (责任人地址, 建设单位地址)
        any_holder = tuple(n for _, nouns in self.rules.holder_nouns for n in nouns)

        def holders_of(e: Element) -> tuple[str, ...]:
            if e.name in self.rules.either_class_elements:
                return any_holder
            return nouns_of.get(e.object_class, ())

        self.holder_properties: list[tuple[str, str, tuple[str, ...]]] = sorted(
            (
                (key, e.id, holders_of(e))
                for e in self.elements.values()
                if holders_of(e)
                and e.data_type not in HOLDER_NOUN_QUANTITIES
                and e.name not in self.rules.not_by_ending
                for key in {
                    self.core(e.name),
                    *(
                        k
                        for k in (self.core(s) for s in e.synonyms)
                        if len(k) >= HOLDER_FREE_SYNONYM_LENGTH
                    ),
                }
                if len(key) >= 2
            ),
            key=lambda triple: -len(triple[0]),
        )
        # the elements' names and synonyms as written (names.core only), longest first, for
        # ENDS_WITH_NAME
        self.own_names = sorted(
            (
                (key, e.id)
                for e in self.elements.values()
                if e.name not in self.rules.not_by_ending
                for text in (e.name, *e.synonyms)
                if len(key := names.core(text)) >= ENDS_WITH_LONG_LENGTH
            ),
            key=lambda pair: -len(pair[0]),
        )
        # the nouns that name a holder, of any class, and a party (行政相对人, 许可机关, 处罚对象,
        # 甲方: HOLDER_STATED)
        self.holder_words = (
            *(n for _, nouns in self.rules.holder_nouns for n in nouns),
            *self.rules.party_words,
        )
        # the elements named as an issued code (组织机构代码) with no name or synonym written as a
        # system's code (行政区划编码 is one of 行政区划代码's): SYSTEM_CODE
        issued, system = self.rules.issued_code_word, self.rules.system_code_word

        def named_as(words: tuple[str, ...]) -> frozenset[str]:
            return frozenset(
                e.id
                for e in self.elements.values()
                if words
                and system
                and names.fold(e.name).endswith(words)
                and not any(names.fold(t).endswith(system) for t in (e.name, *e.synonyms))
            )

        self.issued_codes = named_as((issued,) if issued else ())
        # ... and those named as a record's serial number (办件编号, 证照编号: the rules' serial
        # code words), reached by a …编码 through their own name only (办件编码), never through a
        # synonym's suffix variant (业务编码 is no 业务号)
        self.serial_codes = named_as(self.rules.serial_code_words) - self.issued_codes
        # the elements that are numbers given to a record (…编号 / …号 / …号码 / …代码): KEEPER
        numbering = tuple(w for w in (*self.rules.serial_code_words, issued) if w)
        self.numbered = frozenset(
            e.id
            for e in self.elements.values()
            if numbering and names.fold(e.name).endswith(numbering)
        )
        # the endings of the rules' event elements (登记日期 / 登记时间, 备案号), longest first, and
        # the element each ending event word puts first (注销 -> 注销日期): EVENT
        self.event_endings = sorted(
            (
                (key, element_id)
                for element_name in self.rules.event_elements
                if (element_id := by_name.get(element_name))
                for text in (element_name, *self.elements[element_id].synonyms)
                if len(key := self.core(text)) >= 2
            ),
            key=lambda pair: -len(pair[0]),
        )
        # the role words whose name is an element (申请人 -> 申请人姓名), longest first
        self.role_names = sorted(
            (
                (key[: -len(ROLE_NAME)], e.id)
                for e in self.elements.values()
                if e.name.endswith(ROLE_NAME)
                and len(key := self.core(e.name)) > len(ROLE_NAME) + 1
                and key.endswith(ROLE_NAME)
                and key[: -len(ROLE_NAME)].endswith("人")
            ),
            key=lambda pair: -len(pair[0]),
        )
        # the stop words as written and as the equivalences make them (状态 -> 状况)
        self.event_stops = tuple(
            {*self.rules.event_stop_words, *map(self.rules.normal, self.rules.event_stop_words)}
        )
        self.ending_events = tuple(
            (word, by_name[element_name])
            for word, element_name in self.rules.ending_events
            if element_name in by_name
        )

    def core(self, name: str) -> str:
        """names.core with this index's equivalent words and endings made one."""
        return self.rules.normal(names.core(name))

    # -- the readings of a name, each yielding (element id, confidence, how)

    def _leading_readings(self, key: str) -> list[tuple[str, int, frozenset[str]]]:
        """The name without up to two leading holder / role / time words (a role alias read as
        its role), each with the number of characters and the words taken off."""
        found: list[tuple[str, int, frozenset[str]]] = []
        frontier: list[tuple[str, int, int, frozenset[str]]] = [(key, 0, 0, frozenset())]
        while frontier:
            text, depth, taken, words = frontier.pop()
            for alias, role in self.rules.role_aliases:
                rest = text[len(alias) :]
                if (
                    text.startswith(alias)
                    and rest
                    and not text.startswith(role)
                    and rest not in self.rules.organization_properties
                ):
                    found.append((role + rest, taken, words))
                    frontier.append((role + rest, depth, taken, words))
            if depth == 2:
                continue
            for word in self.rules.leading_words:
                rest = text[len(word) :]
                if text.startswith(word) and len(rest) >= 2:
                    found.append((rest, taken + len(word), words | {word}))
                    frontier.append((rest, depth + 1, taken + len(word), words | {word}))
        return found

    def _leading_confidence(
        self, element_id: str | None, taken: int, words: frozenset[str], holder: str = ""
    ) -> float:
        """A leading reading's confidence, below review when a word taken off makes the name
        another thing than the element (所属机构名称 names the organization the subject belongs
        to, not the subject: the rules' not_after_leading; a person's property after an
        organization, ``holder`` being what was taken off: 单位证件类型)."""
        element = self.elements.get(element_id or "")
        for name, changing in self.rules.not_after_leading:
            if element is not None and element.name == name and words & changing:
                return ENDS_WITH_LONG
        if self._organization_holds_person_property(element_id, holder):
            return ENDS_WITH_LONG
        return _leading(taken)

    def _organization_holds_person_property(self, element_id: str | None, holder: str) -> bool:
        """Whether ``holder`` (what comes before the property) names an organization and the
        element is a person's property (the rules' person_classes and organization_words)."""
        element = self.elements.get(element_id or "")
        return bool(
            element is not None
            and holder
            and element.object_class in self.rules.person_classes
            and any(
                holder.endswith(noun)
                for noun in (*self.rules.organization_words, *self.rules.either_holder_words)
            )
        )

    def _matches(self, name: str) -> dict[str, tuple[float, str]]:
        best: dict[str, tuple[float, str]] = {}

        def offer(element_id: str | None, confidence: float, how: str) -> None:
            if element_id and confidence > best.get(element_id, (0.0, ""))[0]:
                best[element_id] = (confidence, how)

        offer(*self._parts(name))
        name = self.bound_joined(name)  # 有效期（始） -> 有效期始: the rules' range_notes
        folded = names.fold(name)
        if folded in self.exact:
            element_id, kind = self.exact[folded]
            offer(element_id, EXACT_NAME if kind == "name" else EXACT_SYNONYM, kind)
        offer(self.identifiers.get(folded.upper()), IDENTIFIER, "identifier")
        key = self.core(name)
        if not key:
            return best
        offer(self.cores.get(key), CORE, "core")
        # a role's word alone names that person's name (办理人 -> 经办人姓名), so the word with
        # 姓名 written names it too (办理人姓名, 办理人员姓名)
        if key.endswith(ROLE_NAME) and len(key) > len(ROLE_NAME):
            found = self.cores.get(key[: -len(ROLE_NAME)])
            if found and self.elements[found].name.endswith(ROLE_NAME):
                offer(found, CORE, "core")
        offer(*self._event(key))
        offer(*self._kept(key))
        offer(*self._role_ending(key))
        offer(self.holder_free_whole.get(key), HOLDER_FREE, "holder_free")
        for note in names.bracketed(name):
            offer(self.cores.get(self.core(note)), BRACKET, "bracket")
        for text, taken, words in [(key, 0, frozenset()), *self._leading_readings(key)]:
            if text != key:
                holder = key[: len(key) - len(text)] if key.endswith(text) else ""
                found = self.cores.get(text)
                offer(found, self._leading_confidence(found, taken, words, holder), "leading")
                if text not in self.rules.too_general:  # 所在学校 -> 学校 -> 学校名称
                    # ... only after the rules' implied_after words (where, whose, when): after
                    # a noun the two make a compound term (企业法人, 行政处罚), no name of the
                    # noun's, so that reading waits for review
                    compound = not words <= self.rules.implied_after
                    for ending in self.rules.implied_endings:
                        found = self.cores.get(self.core(text + ending))
                        confidence = self._leading_confidence(found, taken, words, holder)
                        if compound:
                            confidence = min(confidence, IMPLIED_BARE)
                        offer(found, confidence, "leading")
            if text.endswith("人"):
                offer(
                    self.cores.get(text + ROLE_NAME),
                    _leading(taken),
                    "role",
                )
        offer(*self._holder_free(key))
        offer(*self._holder_noun(key))
        offer(*self._person_named(key))
        if key not in self.rules.too_general:
            for ending in self.rules.implied_endings:
                offer(self.cores.get(self.core(key + ending)), IMPLIED_BARE, "implied")
        # ... and the other way: an element's name with the representation word added
        # (毕业院校名称 -> 毕业院校, 登记机关名称 -> 登记机关), read as written, since the
        # equivalences would make 单位名称 of 工作单位名称
        written, too_general = names.core(name), self.rules.too_general
        for ending in self.rules.implied_endings:
            stated = written[: -len(ending)]
            if written.endswith(ending) and len(stated) >= 2 and stated not in too_general:
                offer(self.cores.get(self.core(stated)), IMPLIED, "implied")
        for pattern, element_name in self.rules.patterns:
            if pattern.search(key):
                offer(self.by_name.get(element_name), PATTERN, "pattern")
        if best:
            return best
        abbreviated = [k for k in self.exact if _abbreviates(folded, k)]
        if len({self.exact[k][0] for k in abbreviated}) == 1:
            offer(self.exact[abbreviated[0]][0], ABBREVIATION, "abbreviation")
        ending: str | None = None  # the element whose (normalised) name ends the name
        for candidate in self.by_length:
            if len(candidate) >= 2 and len(candidate) < len(key) and key.endswith(candidate):
                if len(candidate) >= ENDS_WITH_LONG_LENGTH:
                    confidence = ENDS_WITH_LONG
                else:
                    confidence = ENDS_WITH * (0.7 + 0.3 * len(candidate) / len(key))
                ending = self.cores[candidate]
                offer(ending, confidence, "ends_with")
                break
        offer(*self._own_name_ending(name, ending))
        if len(key) >= 3:
            for element_id in self.initials.get(names.initials(key), ()):
                offer(element_id, INITIALS, "initials")
        for candidate, score, _ in process.extract(
            key, self.core_keys, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_CUTOFF
        ):
            offer(self.cores[candidate], FUZZY * score / 100, "fuzzy")
        return best

    def _parts(self, name: str) -> tuple[str | None, float, str]:
        """R6: a name joining several items (街道/乡镇) names one element when every part, read
        alone, binds to that same element (each part's best reading, at auto confidence); a part
        may leave out the words it shares with the others (联系人/代理人地址 is 联系人地址 and
        代理人地址, 不动产产权证号/证明号 is 不动产产权证号 and 不动产证明号)."""
        parts = self._joined(name)
        if len(parts) < 2:
            return None, 0.0, ""
        for whole in (parts, *self._elided(parts)):
            element_id, confidence = self._one_element(whole)
            if element_id:
                return element_id, confidence, "parts"
        return None, 0.0, ""

    def _one_element(self, parts: list[str]) -> tuple[str | None, float]:
        """The element every part binds to at auto confidence, ahead of any other, and the
        least of their confidences; (None, 0.0) when they do not agree."""
        chosen: set[str] = set()
        confidences: list[float] = []
        for part in parts:
            ranked = sorted(self._matches(part).items(), key=lambda kv: -kv[1][0])
            if not ranked or ranked[0][1][0] < AUTO_CONFIDENCE:
                return None, 0.0
            if len(ranked) > 1 and ranked[1][1][0] >= ranked[0][1][0]:
                return None, 0.0
            chosen.add(ranked[0][0])
            confidences.append(ranked[0][1][0])
        if len(chosen) != 1:
            return None, 0.0
        return chosen.pop(), min(confidences)

    def _elided(self, parts: list[str]) -> list[list[str]]:
        """The parts read whole when words they share are written once (R6): an element's name
        or synonym, or an ending the rules' holder_free adds (邮编), ending the last part and no
        other is every part's ending (联系人/代理人地址, 联系人/代理人邮编),
        or the first part's opening words open every later shorter part that names nothing
        alone (不动产产权证号/证明号)."""
        readings: list[list[str]] = []
        last = names.fold(parts[-1])
        # ... or a number's word (证书/证明号 is 证书号 and 证明号: the rules' serial code words),
        # a head written once after coordinated nouns as Chinese writes it (中小学)
        endings = sorted(
            (
                key
                for key in (*self.exact, *self.holder_free_added, *self.rules.serial_code_words)
                if len(key) < len(last) and last.endswith(key)
            ),
            key=len,
        )
        for ending in endings:
            if not any(names.fold(p).endswith(ending) for p in parts[:-1]):
                readings.append([p + ending for p in parts[:-1]] + [parts[-1]])
        # ... only for later parts that name nothing alone (证明号): 户籍地址/居住地址 is two items
        first = parts[0]
        if all(self._one_element([p])[0] is None and len(p) < len(first) for p in parts[1:]):
            for cut in range(len(first) - 2, 0, -1):
                readings.append([first] + [first[:cut] + p for p in parts[1:]])
        return readings

    def _own_name_ending(self, name: str, ending: str | None) -> tuple[str | None, float, str]:
        """The element whose name or synonym of 4+ characters ends the name as written, when
        the normalised reading agrees (or has no ending of its own)."""
        written = names.core(name)
        for own, element_id in self.own_names:
            if len(own) < len(written) and written.endswith(own):
                if ending in (None, element_id):
                    return element_id, ENDS_WITH_NAME, "ends_with_name"
                return None, 0.0, ""
        return None, 0.0, ""

    def _joins(self, name: str) -> bool:
        """Whether a joiner of several items occurs in the name outside its notes in brackets
        and the rules' words that merely contain one (中华人民共和国, 涉及), or a word of the
        rules' list_words makes it a list (所有的, 列表)."""
        if any(word in names.fold(name) for word in self.rules.list_words):
            return True
        return bool(COMPOSITE.search(_BRACKET_NOTE.sub("", self._masked(name)[0])))

    def _masked(self, name: str) -> tuple[str, dict[str, str]]:
        """The name with each of the rules' not_joining words replaced by a private-use mark."""
        marks: dict[str, str] = {}
        for i, word in enumerate(self.rules.not_joining):
            if word in name:
                marks[chr(0xE000 + i)] = word
                name = name.replace(word, chr(0xE000 + i))
        return name, marks

    def _joined(self, name: str) -> list[str]:
        """The parts a name joins (one part when it joins none), not split inside the rules'
        not_joining words."""
        masked, marks = self._masked(name)
        parts = []
        for part in COMPOSITE.split(masked):
            for mark, word in marks.items():
                part = part.replace(mark, word)
            if part.strip():
                parts.append(part)
        return parts

    def counts_in_note(self, name: str) -> bool:
        """Whether a note in brackets of the name is a unit of count or amount (the rules'
        quantity_notes: 户, 人次, 万元 ...), so the column holds numbers."""
        return any(note in self.rules.quantity_notes for note in names.bracketed(name))

    def _holder_free(self, key: str) -> tuple[str | None, float, str]:
        """The holder-free element whose name ends ``key``, unless a longer name of another
        element ends it too (被监护人姓名 ends with 监护人姓名, not only with 姓名)."""
        for ending, element_id in self.holder_free:
            if len(ending) < len(key) and key.endswith(ending):
                if self._organization_holds_person_property(element_id, key[: -len(ending)]):
                    return None, 0.0, ""
                if self._another_element_ends(key, ending, element_id):
                    return None, 0.0, ""
                if self._holder_unstated(element_id, key[: -len(ending)]):
                    return element_id, HOLDER_STATED, "holder_free"
                return element_id, HOLDER_FREE, "holder_free"
        return None, 0.0, ""

    def _holder_unstated(self, element_id: str, before: str) -> bool:
        """Whether ``before`` (what precedes a holder-free element's name) fails to name the
        holder that the element's class needs named (the rules' holder_stated_classes: an
        organization's code after 签约 is no 行政相对人组织机构代码)."""
        element = self.elements[element_id]
        stated = (
            element.object_class in self.rules.holder_stated_classes
            or element.name in self.rules.holder_stated_elements
        )
        return stated and not any(before.endswith(noun) for noun in self.holder_words)

    def _coded_apart(self, name: str, element_id: str) -> bool:
        """Whether a name written …编码 reaches the element only by a reading the code words
        keep for review: an element named as an issued code (组织机构代码), or as a record's
        serial number (办件编号) other than by its own name's suffix variant (办件编码)."""
        if element_id in self.issued_codes:
            return True
        own = self.core(self.elements[element_id].name)
        return element_id in self.serial_codes and not self.core(name).endswith(own)

    def _written_as_system_code(self, name: str) -> bool:
        """Whether the name, without its notes in brackets, ends with the rules' word for a
        system's own code (机构编码: the rules' code_words)."""
        word = self.rules.system_code_word
        plain = _BRACKET_NOTE.sub("", names.fold(name))
        return bool(word) and plain.endswith(word)

    def _another_element_ends(self, key: str, ending: str, element_id: str) -> bool:
        """Does a name of another element, longer than ``ending``, end ``key`` too (被监护人姓名
        ends with 监护人姓名, not only with 姓名)?"""
        longest = next((c for c in self.by_length if len(c) < len(key) and key.endswith(c)), ending)
        return len(longest) > len(ending) and self.cores[longest] != element_id

    def bound_joined(self, name: str) -> str:
        """The name with a note in brackets that bounds a range written as part of it (the
        rules' range_notes: 有效期（始） -> 有效期始, 发证日期(起) -> 发证日期起)."""
        if not self.rules.range_notes:
            return name
        folded = names.round_folded(name)

        def joined(match: re.Match[str]) -> str:
            note = match.group(1)
            return note if note in self.rules.range_notes else match.group(0)

        return _ROUND_NOTE.sub(joined, folded)

    def _range_bounded(self, name: str) -> bool:
        """Whether the name bounds a date, a time or a number with a note in brackets
        (发证日期(起)): one end of a query's range, no column of the element (range_notes)."""
        if not any(note in self.rules.range_notes for note in names.bracketed(name)):
            return False
        element_id = self.cores.get(self.core(name))
        return bool(element_id) and self.elements[element_id].data_type in RANGED_TYPES

    def _inner_note(self, name: str) -> bool:
        """Whether a note in brackets of the rules' inner_note_min characters or more stands
        inside the name, with words on both sides (经营（合同）面积): it qualifies the word
        before it. A note opening the name ((必填)姓名) or ending it (面积（平方米）) does not."""
        least = self.rules.inner_note_min
        if not least:
            return False
        folded = names.round_folded(name)
        return any(
            len(match.group(1)) >= least and match.start() > 0 and match.end() < len(folded)
            for match in _ROUND_NOTE.finditer(folded)
        )

    def _labels(self, name: str) -> bool:
        """Whether a word of the rules' label_words makes the column a system's label (a
        match mode, a code table's entry, a mapping), holding no element's value."""
        folded = names.fold(name)
        return any(word in folded for word in self.rules.label_words)

    def _role_ending(self, key: str) -> tuple[str | None, float, str]:
        """A role's name element (申请人姓名) for a name ending with the role's word after a
        word naming the matter (注销申请人, 异议申请人: the applicant for a 注销 is an applicant):
        ROLE_ENDING, for review (执行申请人 may be a court). Not after 被 (被申请人, 被监护人 are
        the other party)."""
        for role, element_id in self.role_names:
            before = key[: -len(role)]
            if len(before) >= 2 and key.endswith(role) and not before.endswith(PASSIVE):
                return element_id, ROLE_ENDING, "role"
        return None, 0.0, ""

    def _kept(self, key: str) -> tuple[str | None, float, str]:
        """The number (an element named …编号 / …号 / …代码) whose name or synonym ends ``key``
        after a word naming the system or department keeping it (the rules' keeper_words:
        审批系统业务号): KEEPER."""
        if not self.rules.keeper_words:
            return None, 0.0, ""
        for candidate in self.by_length:
            if len(candidate) >= 2 and len(candidate) < len(key) and key.endswith(candidate):
                before = key[: -len(candidate)]
                # the keeper named (审批系统, 部门内部), not the system itself (系统变更时间)
                # only a number the keeper gives (业务号, 办件编号, 证号): 审批系统地址 is the
                # system's own address
                element_id = self.cores[candidate]
                if element_id in self.numbered and any(
                    before.endswith(word) and len(before) > len(word)
                    for word in self.rules.keeper_words
                ):
                    return element_id, KEEPER, "keeper"
                return None, 0.0, ""
        return None, 0.0, ""

    def _event(self, key: str) -> tuple[str | None, float, str]:
        """The rules' event elements (登记日期, 备案编号) ending ``key`` after a word naming the
        kind of event (抵押登记日期, 合同备案号): EVENT, unless the words before name another
        event or a date (event_stop_words); before an ending event's word (注销抵押登记时间),
        that event's element at ENDING_EVENT, for review."""
        for ending, element_id in self.event_endings:
            before = key[: -len(ending)]
            if len(ending) >= len(key) or not key.endswith(ending) or len(before) < 2:
                continue
            for word, ending_element in self.ending_events:
                if word in before:
                    return ending_element, ENDING_EVENT, "event"
            if any(word in before for word in self.event_stops):
                return None, 0.0, ""
            if self._another_element_ends(key, ending, element_id):
                return None, 0.0, ""
            return element_id, EVENT, "event"
        return None, 0.0, ""

    def _holder_noun(self, key: str) -> tuple[str | None, float, str]:
        """The property of a person or organization ending ``key`` after a word naming a holder
        of its class (HOLDER_NOUN), unless a longer name of another element ends it too."""
        for ending, element_id, nouns in self.holder_properties:
            holder = key[: -len(ending)]
            if len(ending) < len(key) and key.endswith(ending) and len(holder) >= 2:
                if not any(holder.endswith(noun) for noun in nouns):
                    continue
                if self._another_element_ends(key, ending, element_id):
                    return None, 0.0, ""
                return element_id, HOLDER_NOUN, "holder_noun"
        return None, 0.0, ""

    def _person_named(self, key: str) -> tuple[str | None, float, str]:
        """A person's 姓名 for a name ending with an organization's word for a name (名称) right
        after a holder that is a person and nothing else (家庭成员名称, 配偶名称: the rules'
        person_only_holders and person_name_words): HOLDER_NOUN."""
        element_id = self.by_name.get(ROLE_NAME)
        for word in self.rules.person_name_words:
            before = key[: -len(word)]
            if (
                element_id
                and key.endswith(word)
                and len(before) >= 2
                and any(before.endswith(holder) for holder in self.rules.person_only_holders)
            ):
                return element_id, HOLDER_NOUN, "holder_noun"
        return None, 0.0, ""

    def suggest(
        self,
        name: str,
        data_type: str | None = None,
        length: int | None = None,
        limit: int = 5,
    ) -> list[Suggestion]:
        """Ranked suggestions for a data item's name (and its type and length when known)."""
        if not (name or "").strip():
            return []
        if not data_type and self.counts_in_note(name):
            # 疾病（户）: a column counted in households holds numbers, not a disease's name
            data_type = "N"
        ranked: list[Suggestion] = []
        system_code = self._written_as_system_code(name)
        for element_id, (confidence, how) in self._matches(name).items():
            element = self.elements[element_id]
            if system_code and how not in AS_WRITTEN and self._coded_apart(name, element_id):
                confidence = min(confidence, SYSTEM_CODE)
            fits = formats.item_fits(data_type, length, element.data_type, self.formats[element_id])
            ranked.append(
                Suggestion(
                    id=element.id,
                    name=element.name,
                    identifier=element.identifier,
                    confidence=round(confidence * (1 if fits else UNFIT_FACTOR), 3),
                    auto=False,
                    match=how,
                    fits=fits,
                )
            )
        ranked.sort(key=lambda s: (-s.confidence, s.id))
        if ranked:
            top = ranked[0]
            runner_up = ranked[1].confidence if len(ranked) > 1 else 0.0
            composite = self._joins(name) and top.match not in ("name", "synonym", "parts")
            # R1: a column asking 是否 / 有无 holds yes or no (是否有经纬度 holds no 纬度)
            flag = any(word in names.fold(name) for word in self.rules.flag_words)
            # a system's label (坐落（左模糊）, 字典项, 对应的), one end of a query's range
            # (发证日期(起)) or a name qualified inside by a note (经营（合同）面积): for review
            label = self._labels(name) or self._range_bounded(name) or self._inner_note(name)
            top.auto = bool(
                top.fits
                and top.confidence >= AUTO_CONFIDENCE
                and runner_up < top.confidence
                and not composite
                and not flag
                and not label
            )
        return ranked[: max(limit, 0)]


def _leading(taken: int) -> float:
    """The confidence of a reading with ``taken`` characters of leading words taken off."""
    return LEADING - min(LEADING_PER_CHARACTER * taken, LEADING_PENALTY_CAP)


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` is a Chinese abbreviation of ``long``: its characters in order, the
    same first character, and its last among the last two of ``long`` (邮编 of 邮政编码)."""
    if not 2 <= len(short) < len(long) or short[0] != long[0] or short[-1] not in long[-2:]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


# ---- the index of the site's register ---------------------------------------------------------

_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def site_index() -> Index:
    """The index of the register's published elements, rebuilt when the register changed."""
    from ckanext.govcatalog.elements import register, terms

    current = register.generation()
    with _cache_lock:
        if _cache.get("generation") != current:
            published = register.all_live(terms.public_statuses())
            _cache["index"] = Index(Element.of(e) for e in published)
            _cache["generation"] = current
        return _cache["index"]


def suggest(
    name: str, data_type: str | None = None, length: int | None = None, limit: int = 5
) -> list[Suggestion]:
    """Ranked suggestions from the site's register for a data item's name."""
    return site_index().suggest(name, data_type=data_type, length=length, limit=limit)
