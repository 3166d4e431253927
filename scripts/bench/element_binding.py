#!/usr/bin/env python
"""Binding quality of the data-element suggester on real data-item names.

Scores ``elements.suggest`` (the same Index the ``data_element_suggest`` action uses, built here
from the published seed elements of schemas/elements, so no site is needed) against the
judgments of tests/data/element_judgments.yaml: every distinct data-item name of the 普陀区
templates in ../shared/corpus, each judged to one element or none by the rules at the top of
that file.

Splits, by fixed rules on the UTF-8 bytes of the name (never on its judgment):

    test       zlib.crc32 odd: the held-out half (419 names). Never tuned on; its per-name
               results are never listed, and its aggregate is printed only with --split test
               or --split all (once, at the end of a round of work).
    dev        zlib.crc32 even: the development half (394 names), tuned on by earlier rounds
               until it over-predicts; split again by a second, independent hash:
    dev-tune   dev names whose SHA-1 digest has an even first byte: the only names whose errors
               are read when tuning (--show-errors lists these alone);
    dev-check  dev names whose SHA-1 digest has an odd first byte: checked by aggregate only,
               to see that what was tuned on dev-tune generalises (precision kept >= 0.97).
    fresh      not 普陀区 names at all: the field names that the `简介` of the Harbin and Foshan
               catalogs (../shared/corpus) enumerate, by the extraction rule of
               ``summary_field_names`` and ``fresh_names`` (text after 包括 up to 等信息 / 等内容 /
               。, cut at 、，,；; outside brackets, trimmed, distinct, names of the 普陀区
               judgments left out), judged blind by the same rules R1-R12 in
               tests/data/element_judgments_fresh.yaml; weighted by the number of records whose
               summary lists the name. Split again, before any per-name result was read, by a
               hash independent of the two above:
    fresh-dev  fresh names whose SHA-256 digest (of the UTF-8 name) has an even first byte: the
               only fresh names whose errors are read when tuning (--split fresh-dev
               --show-errors lists these alone);
    fresh-test fresh names whose SHA-256 digest has an odd first byte: never tuned on, never
               listed; its aggregate is printed only with --split fresh-test, fresh or all (once,
               at the end of a round of work, with the time of the print).
    fresh2     a second unseen round (tests/data/element_judgments_fresh2.yaml): the field names
               of the Harbin and Foshan `标签` (``record_tag_names``: cut at commas, a tag that is
               part of another tag of its record dropped as a fragment) and of the Aba, Deyang and
               Shaanxi summaries (``listed_summary_names``), names of both earlier judged files
               left out (``fresh2_names``); judged blind by R1-R12 before the suggester was run on
               them; weighted by the number of records listing the name; split by the same
               SHA-256 rule into fresh2-dev (errors read when tuning) and fresh2-test (never
               listed, printed only with --split fresh2-test, fresh2 or all).
    fresh3     a third unseen round, not from the corpus (tests/data/element_judgments_fresh3.yaml):
               column comments and field labels other people wrote for government and
               public-service systems in public repositories (SQL COMMENTs, Java and TypeScript
               field comments; ``source_field_labels``, ``clean_field_label``,
               ``file_field_names``, ``fresh3_names``), names of the three earlier judged files
               left out; the judged file carries each name's weight (files listing it) and first
               file, with the repositories' commits. Judged blind by R1-R12 before the suggester
               was run on them; split by the same SHA-256 rule into fresh3-dev (errors read when
               tuning) and fresh3-test (never listed, printed only with --split fresh3-test or
               fresh3; not part of --split all). --snapshots DIR (the repositories' git
               snapshots) checks the judged file against the rule's output first.
    fresh4     a fourth unseen round (tests/data/element_judgments_fresh4.yaml): THE extraction rule
               of fresh3, unchanged, on the next repositories of the list written down for fresh3
               (a real-estate registration system), names of the four earlier judged files left
               out; judged blind by R1-R12 against the register as it was before any suggestion
               was made for them; weights and provenance in the judged file as for fresh3. Split
               by the same SHA-256 rule into fresh4-dev (errors read when tuning) and fresh4-test
               (never listed, printed only with --split fresh4-test or fresh4; not part of --split
               all); --snapshots DIR checks it against the rule's output as for fresh3.

Rows ``*-lo`` score the same names as if no seed synonym had been learnt from them (each name
that is a seed synonym is suggested by an index without that synonym): the seed's synonyms came
from the whole dev half, so dev-check's plain row over-predicts; its -lo row is the fairer one.

    auto precision  auto-bound names whose element is the judged one / auto-bound names
                    (a name judged none counts against it when auto-bound)
    auto recall     correctly auto-bound names / names judged to an element
    top-1 / top-3   names judged to an element whose judged element is the first / among the
                    first three suggestions

Each figure is given per distinct name and weighted by how often the name occurs in the
templates. Targets: auto precision >= 0.97 with auto recall >= 0.85.

Two anchors run beside it on the same names, from the same published seed:

    exact name      the item's name, folded (full/half width, spaces, punctuation), equal to an
                    element's name or synonym; bound automatically when it is
    jieba overlap   jieba's search segmentation of the item's name against each name and synonym,
                    ranked by the Jaccard overlap of their words; bound automatically when the
                    best overlap is at least JIEBA_AUTO and no other element's is as high

    .venv/bin/python scripts/bench/element_binding.py [--show-errors]
        [--split (or --sets) dev-tune|dev-check|dev|test|all|fresh-dev|fresh-test|fresh|
                 fresh2-dev|fresh2-test|fresh2|fresh3-dev|fresh3-test|fresh3|
                 fresh4-dev|fresh4-test|fresh4] [--snapshots DIR]
    (default dev: dev-tune, dev-check, dev; all: every 普陀区 row, then fresh-dev, fresh-test,
    fresh, fresh2-dev, fresh2-test and fresh2, so one run gives the whole table)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
TEMPLATES = "putuo_district_data_templates.jsonl"
JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments.yaml")
SEED = os.path.join(ROOT, "schemas", "elements")
STATUS_VOCAB = os.path.join(ROOT, "schemas", "vocab", "element_status.yaml")
PRECISION_TARGET, RECALL_TARGET = 0.97, 0.85
JIEBA_AUTO = 0.75


@dataclasses.dataclass
class AnchorSuggestion:
    id: str
    name: str
    confidence: float
    auto: bool
    match: str


class ExactNameAnchor:
    """Binding by name equality alone: what a register without a matcher gives."""

    def __init__(self, seed: list[dict]) -> None:
        from ckanext.govcatalog.elements import names

        self.fold = names.fold
        self.by_name: dict[str, dict] = {}
        for element in seed:
            for text in [element["name"], *(element.get("synonyms") or [])]:
                self.by_name.setdefault(names.fold(text), element)

    def suggest(self, name: str, limit: int = 3) -> list[AnchorSuggestion]:
        element = self.by_name.get(self.fold(name))
        if element is None:
            return []
        return [AnchorSuggestion(element["id"], element["name"], 1.0, True, "exact")][:limit]


class JiebaOverlapAnchor:
    """Binding by the words jieba finds in both names (Jaccard overlap of word sets)."""

    def __init__(self, seed: list[dict]) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.cut = lambda text: {w for w in jieba.lcut_for_search(text) if w.strip()}
        self.forms: list[tuple[set[str], dict]] = [
            (self.cut(text), element)
            for element in seed
            for text in [element["name"], *(element.get("synonyms") or [])]
        ]

    def suggest(self, name: str, limit: int = 3) -> list[AnchorSuggestion]:
        words = self.cut(name)
        best: dict[str, tuple[float, dict]] = {}
        for form, element in self.forms:
            union = words | form
            overlap = len(words & form) / len(union) if union else 0.0
            if overlap > best.get(element["id"], (0.0, element))[0]:
                best[element["id"]] = (overlap, element)
        ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1]["id"]))
        out = [AnchorSuggestion(e["id"], e["name"], round(c, 3), False, "jieba") for c, e in ranked]
        if out and out[0].confidence >= JIEBA_AUTO:
            out[0].auto = len(out) == 1 or out[1].confidence < out[0].confidence
        return out[:limit]


def split_of(name: str) -> str:
    """dev-tune, dev-check or test: the fixed rules of the module's docstring."""
    data = name.encode("utf-8")
    if zlib.crc32(data) % 2:
        return "test"
    return "dev-tune" if hashlib.sha1(data).digest()[0] % 2 == 0 else "dev-check"


# --split fresh: names nobody tuned on, from the prose summaries of two other cities' catalogs
FRESH_SOURCES = ("harbin_city_open_catalog_2018.jsonl", "foshan_city_open_catalog_2018.jsonl")
FRESH_JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments_fresh.yaml")
_LIST_START = "包括"
# where the enumeration ends: 等信息 / 等内容 (登内容 is the sources' typo of 等内容) or a full stop
_LIST_END = re.compile(r"等信息|等内容|登内容|。")
_SEPARATORS = "、，,；;"
_OPEN, _CLOSE = "(（", ")）"


def split_outside_brackets(text: str) -> list[str]:
    """``text`` cut at each separator (、，,；;) that is not inside round brackets, so a bracketed
    note keeps its own list (预报时段(24、48、72小时等) stays one name)."""
    parts, current, depth = [], [], 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        if char in _SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def summary_field_names(summary: str) -> list[str]:
    """The field names one catalog summary (``简介``) enumerates, in order (THE extraction rule):

    1. the text after the first 包括 (a record whose summary has no 包括 yields nothing), a colon
       right after it dropped;
    2. up to the first 等信息, 等内容, 登内容 (the sources' typo) or 。, else to the end;
    3. cut at each 、，,；; outside round brackets (either width);
    4. each part trimmed of spaces and colons; empty parts dropped.
    """
    start = summary.find(_LIST_START)
    if start < 0:
        return []
    listed = summary[start + len(_LIST_START) :].lstrip("：: ")
    end = _LIST_END.search(listed)
    if end:
        listed = listed[: end.start()]
    parts = (part.strip().strip("：:").strip() for part in split_outside_brackets(listed))
    return [part for part in parts if part]


def fresh_names(corpus: str, judged_before: Iterable[str]) -> Counter[str]:
    """Distinct field names of the Harbin and Foshan summaries (``summary_field_names`` of every
    record, in file order) with the number of records listing each, leaving out every name
    whose folded form (elements.names.fold) is that of a name of tests/data/element_judgments.yaml
    (``judged_before``); of names with one folded form, the first met is kept."""
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import names

    seen = {names.fold(name) for name in judged_before}
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for source in FRESH_SOURCES:
        with open(os.path.join(corpus, source), encoding="utf-8") as f:
            for line in f:
                for name in summary_field_names(json.loads(line).get("简介") or ""):
                    key = names.fold(name)
                    if key in seen:
                        continue
                    counts[spelling.setdefault(key, name)] += 1
    return counts


# --split fresh2: names of a second unseen round, from the tags of the same two catalogs and the
# summaries of the three catalogs without data items (see tests/data/element_judgments_fresh2.yaml)
FRESH2_JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments_fresh2.yaml")
FRESH2_SUMMARIES = (
    ("aba_prefecture_open_catalog.jsonl", "tableRemark"),
    ("deyang_city_open_catalog.jsonl", "资源摘要"),
    ("shaanxi_province_open_catalog.jsonl", "描述"),
)
_TAG_SEPARATORS = re.compile(r"[,，]")


def record_tag_names(tags: str) -> list[str]:
    """The field names one Harbin/Foshan record's ``标签`` holds, in order (THE tag rule):

    1. the text cut at each comma (either width), each part trimmed, empty parts dropped;
    2. a tag that is a proper part of another tag of the same record is dropped: the portal cut
       the longer names into word fragments (法定代表 of 法定代表人, 注销 of 注销日期) and added
       them as tags; a fragment is not a name a record holds.
    """
    parts = [part.strip() for part in _TAG_SEPARATORS.split(tags or "")]
    parts = list(dict.fromkeys(part for part in parts if part))
    return [part for part in parts if not any(part != other and part in other for other in parts)]


def listed_summary_names(summary: str) -> list[str]:
    """``summary_field_names`` of a summary of the catalogs without data items, each name with a
    trailing 等 (their lists end 原因等, not 等信息) trimmed."""
    out = []
    for name in summary_field_names(summary):
        name = name[:-1].strip() if name.endswith("等") else name
        if name:  # a lone 等 is no name
            out.append(name)
    return out


def fresh2_names(corpus: str, judged_before: Iterable[str]) -> Counter[str]:
    """The second fresh set: ``record_tag_names`` of every Harbin and Foshan record, then
    ``listed_summary_names`` of every Aba, Deyang and Shaanxi record, files and records in file
    order; distinct by elements.names.fold (the first spelling met kept), each with the number
    of records listing it; every name whose folded form is that of an earlier judged name
    (``judged_before``: the 普陀区 and the first fresh judgments) left out."""
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import names

    seen = {names.fold(name) for name in judged_before}
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()

    def add(listed: list[str]) -> None:
        for name in dict.fromkeys(listed):
            key = names.fold(name)
            if key and key not in seen:
                counts[spelling.setdefault(key, name)] += 1

    for source in FRESH_SOURCES:
        with open(os.path.join(corpus, source), encoding="utf-8") as f:
            for line in f:
                add(record_tag_names(json.loads(line).get("标签") or ""))
    for source, column in FRESH2_SUMMARIES:
        with open(os.path.join(corpus, source), encoding="utf-8") as f:
            for line in f:
                value = json.loads(line).get(column)
                add(listed_summary_names(value if isinstance(value, str) else ""))
    return counts


def fresh_split_of(name: str, prefix: str = "fresh") -> str:
    """fresh-dev or fresh-test (fresh2-… or fresh3-… with that ``prefix``): the first byte of the
    SHA-256 digest of the UTF-8 name, even or odd (independent of the crc32 and SHA-1 rules of
    ``split_of``; the fresh sets share no name)."""
    even = hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0
    return f"{prefix}-dev" if even else f"{prefix}-test"


# --split fresh3: column names written by other people for government and public-service systems
# (SQL column comments, Java and TypeScript field comments of public repositories; see
# tests/data/element_judgments_fresh3.yaml for the repositories, commits and the judging notes)
FRESH3_JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments_fresh3.yaml")
# --split fresh4: the same rule on the next repositories of fresh3's list (see the file's header)
FRESH4_JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments_fresh4.yaml")
# a file's names are taken when one of them is one of these (folded), fixed before any file was read
FRESH3_SEEDS = (
    "统一社会信用代码",
    "法定代表人",
    "户籍地址",
    "公民身份号码",
    "身份证号码",
    "联系电话",
    "邮政编码",
    "不动产单元号",
    "社会保障卡号",
    "出生日期",
)
FRESH3_SUFFIXES = (".sql", ".java", ".ts")
FRESH3_MAX_CHARS = 20
_CJK = re.compile(r"[\u3400-\u9fff]")
# SQL: a column's COMMENT '...' (not the table's COMMENT='...'), and COMMENT ON COLUMN t.c IS '...'
# (a key or constraint line is no column: PRIMARY KEY (`code`) COMMENT '...')
_SQL_COLUMN_COMMENT = re.compile(
    r"^\s*(?!(?:PRIMARY|UNIQUE|KEY|INDEX|CONSTRAINT|FOREIGN|FULLTEXT)\b)"
    r"[`\"\[]?\w+[`\"\]]?\s+[^\n]*?\bCOMMENT\s+'([^']*)'",
    re.IGNORECASE | re.MULTILINE,
)
_SQL_COMMENT_ON = re.compile(r"\bCOMMENT\s+ON\s+COLUMN\s+[\w.\"`]+\s+IS\s+'([^']*)'", re.IGNORECASE)
# Java / TypeScript: one field declaration per line
_JAVA_FIELD = re.compile(
    r"^\s*(?:(?:private|protected|public|static|final|readonly)\s+)+"
    r"[\w<>\[\]?,. ]+?\s+\w+\s*(?:=[^;]*)?;"
)
_TS_FIELD = re.compile(r"^\s*(?:readonly\s+)?\w+\??\s*:\s*[^;/=(){]+(?:=[^;]*)?[;,]?\s*(?://.*)?$")
_LABEL_ANNOTATION = re.compile(
    r"@(?:ApiModelProperty|Schema|Excel|ExcelField|ExcelProperty|Column)\s*\((?:[^)]*?\b"
    r"(?:value|title|name|description)\s*=\s*)?\"([^\"]*)\""
)
_LEADING_TAG = re.compile(r"^\s*[\[【][^\]】]*[\]】]\s*")
_FIELDS_TAG = re.compile(r"^@Fields\s+\w+\s*[:：-]?\s*")
_CUT_AT = re.compile(r"[:：,，;；。\s=]")
_BRACKET = re.compile(r"[(（]([^()（）]*)[)）]")


def clean_field_label(comment: str) -> str | None:
    """One column comment or field label made a name (THE clean-up rule of fresh3):

    1. trimmed of spaces and comment marks (``*``, ``/``); a leading ``@Fields name :`` (a
       Javadoc template) and a leading bracketed tag (``[必填]``, ``【选填】``) dropped;
    2. cut at the first colon, comma, semicolon, full stop, ``=`` or white space (what follows is
       an explanation: ``性别 : Unknow(未知)``, ``出生日期 yyyy-MM-dd``);
    3. a bracket that explains rather than qualifies is cut with all after it: one whose content
       holds a digit, a letter, ``=``, ``、``, ``/`` or more than 6 characters
       (``状态（0=正在审核…）``); a short unit or qualifier stays (``注册资本(万元)``);
    4. None when what is left holds no CJK character or is longer than 20 characters.
    """
    text = comment.strip().strip("*/").strip()
    text = _FIELDS_TAG.sub("", text)
    text = _LEADING_TAG.sub("", text)
    cut = _CUT_AT.search(text)
    if cut:
        text = text[: cut.start()]
    for bracket in _BRACKET.finditer(text):
        inner = bracket.group(1)
        if re.search(r"[0-9A-Za-z=、/]", inner) or len(inner) > 6:
            text = text[: bracket.start()]
            break
    else:
        # an unclosed bracket (cut above at a comma inside it) is an explanation too
        opened = re.search(r"[(（][^)）]*$", text)
        if opened:
            text = text[: opened.start()]
    text = text.strip()
    if not _CJK.search(text) or len(text) > FRESH3_MAX_CHARS:
        return None
    return text


def _comment_before(lines: list[str], index: int) -> str | None:
    """The comment directly above line ``index`` (only annotations and blank lines between):
    the last non-empty line of a ``/** ... */`` block, or a ``//`` line."""
    j = index - 1
    while j >= 0 and (not lines[j].strip() or lines[j].strip().startswith("@")):
        j -= 1
    if j < 0:
        return None
    line = lines[j].strip()
    if line.startswith("//"):
        return line.lstrip("/").strip()
    if line.endswith("*/"):
        body: list[str] = []
        while j >= 0:
            part = lines[j].strip().removesuffix("*/").strip().lstrip("/*").strip()
            if part:
                body.insert(0, part)
            if lines[j].strip().startswith("/*"):
                break
            j -= 1
        # the first line of the block that is not an @-tag is the field's label
        labels = [b for b in body if not b.startswith("@") or b.startswith("@Fields")]
        return labels[0] if labels else None
    return None


def source_field_labels(text: str, suffix: str) -> list[str]:
    """The raw column comments / field labels of one source file, in order (THE extraction rule
    of fresh3, before ``clean_field_label``):

    - ``.sql``: each column definition's ``COMMENT '...'`` (a line starting with a column name;
      the table's ``COMMENT='...'``, ``) COMMENT '...'`` and key or constraint lines are not
      columns) and each
      ``COMMENT ON COLUMN t.c IS '...'``;
    - ``.java`` and ``.ts``: each field declaration (Java: ``private|public|protected ... name;``;
      TypeScript: ``name: type;``): the label of an annotation on it (@ApiModelProperty,
      @Schema, @Excel, @ExcelField, @ExcelProperty, @Column with a quoted value/title/name),
      else its trailing ``// comment``, else the comment directly above it.
    """
    if suffix == ".sql":
        found = [(m.start(), m.group(1)) for m in _SQL_COLUMN_COMMENT.finditer(text)]
        found += [(m.start(), m.group(1)) for m in _SQL_COMMENT_ON.finditer(text)]
        return [label for _, label in sorted(found)]
    lines = text.splitlines()
    field = _JAVA_FIELD if suffix == ".java" else _TS_FIELD
    out = []
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if not field.match(code if suffix == ".java" else line) or "(" in code:
            continue
        label = None
        j = i - 1
        while j >= 0 and lines[j].strip().startswith("@"):
            annotation = _LABEL_ANNOTATION.search(lines[j])
            if annotation and _CJK.search(annotation.group(1)):
                label = annotation.group(1)
            j -= 1
        if label is None and "//" in line:
            label = line.split("//", 1)[1].strip()
        if label is None:
            label = _comment_before(lines, i)
        if label:
            out.append(label)
    return out


def file_field_names(text: str, suffix: str) -> list[str]:
    """``clean_field_label`` of every label of ``source_field_labels``, empty ones dropped,
    repeats within the file dropped (first kept); [] unless one of them is a seed name
    (``FRESH3_SEEDS``, folded): only files that record persons, organizations, places or
    certificates with a common element are taken."""
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import names

    cleaned = [clean_field_label(label) for label in source_field_labels(text, suffix)]
    listed = list(dict.fromkeys(name for name in cleaned if name))
    seeds = {names.fold(seed) for seed in FRESH3_SEEDS}
    return listed if any(names.fold(name) in seeds for name in listed) else []


def fresh3_names(
    files: Iterable[tuple[str, str, str]], judged_before: Iterable[str]
) -> tuple[Counter[str], dict[str, str]]:
    """The third fresh set from ``files`` ((source, path, text) in the stated repository and
    path order): ``file_field_names`` of each file whose path ends with one of
    FRESH3_SUFFIXES and does not lie under a ``.svn`` folder (Subversion's copies of the
    sources); distinct by elements.names.fold (first spelling kept), each with the number of
    files listing it and the first file's ``source:path``; names of ``judged_before`` (every
    earlier judged file) left out."""
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import names

    seen = {names.fold(name) for name in judged_before}
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()
    first_file: dict[str, str] = {}
    for source, path, text in files:
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in FRESH3_SUFFIXES or "/.svn/" in f"/{path}":
            continue
        for name in file_field_names(text, suffix):
            key = names.fold(name)
            if not key or key in seen:
                continue
            kept = spelling.setdefault(key, name)
            counts[kept] += 1
            first_file.setdefault(kept, f"{source}:{path}")
    return counts, first_file


def snapshot_source_files(
    snapshots: str, repositories: dict[str, str]
) -> Iterator[tuple[str, str, str]]:
    """(``repo@commit``, path, text) of every file of each repository at its commit, repositories
    in the given order and paths in sorted order, read from the git directories under
    ``snapshots`` (``owner+name/repo``, as the snapshots were fetched, or ``owner/name``); a file
    is read as UTF-8, else GB 18030 (older Chinese sources), else skipped."""
    for repo, commit in repositories.items():
        owner, name = repo.split("/", 1)
        candidates = [
            os.path.join(snapshots, f"{owner}+{name}", "repo", ".git"),
            os.path.join(snapshots, f"{owner}+{name}", "repo"),
            os.path.join(snapshots, owner, name, ".git"),
        ]
        gitdir = next((c for c in candidates if os.path.isdir(c)), None)
        if gitdir is None:
            raise FileNotFoundError(f"no snapshot of {repo} under {snapshots}")
        git = ["git", "--git-dir", gitdir]
        listing = subprocess.run(
            [*git, "ls-tree", "-r", "--name-only", "-z", commit],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=True,
        ).stdout.decode("utf-8")
        for path in sorted(p for p in listing.split("\0") if p):
            if os.path.splitext(path)[1].lower() not in FRESH3_SUFFIXES:
                continue
            blob = subprocess.run(
                [*git, "show", f"{commit}:{path}"],
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=120,
                check=True,
            ).stdout
            for encoding in ("utf-8", "gb18030"):
                try:
                    yield f"{repo}@{commit}", path, blob.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue


def load_judged_file(stream: IO[str]) -> dict:
    """A judged file's YAML: libyaml's safe loader when PyYAML has it (the fresh4 file holds
    2,679 names and their sources; the pure-Python loader takes seconds on it), else PyYAML's."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(stream, Loader=loader)


def fresh3_snapshot_problem(
    snapshots: str, earlier: Iterable[str], judged_file: str = FRESH3_JUDGMENTS
) -> str | None:
    """Why the judged file (fresh3's, or fresh4's: the same rule) is not what the extraction rule
    yields from the repositories' snapshots at the recorded commits (None when it is: the same
    names in the same order, the same weights and first files)."""
    with open(judged_file, encoding="utf-8") as f:
        data = load_judged_file(f)
    files = snapshot_source_files(snapshots, data["repositories"])
    counts, first = fresh3_names(files, earlier)
    if list(counts) != list(data["judgments"]):
        return (
            f"the rule yields {len(counts)} names from the snapshots, the file judges "
            f"{len(data['judgments'])} (or another order)"
        )
    for name, (weight, where) in data["sources"].items():
        repo, path = where.split(":", 1)
        source = f"{repo}@{data['repositories'][repo]}:{path}"
        if counts[name] != weight or first[name] != source:
            return f"{name}: the snapshots give {counts[name]} files from {first[name]}"
    return None


def fresh3_weights(path: str) -> Counter[str]:
    """Each fresh3 name's weight (the number of files listing it) from the judged file's
    ``sources`` (name: [files, first file])."""
    with open(path, encoding="utf-8") as f:
        sources = load_judged_file(f)["sources"]
    return Counter({name: int(listed[0]) for name, listed in sources.items()})


def fresh3_problem(
    judgments: dict[str, str],
    counts: Counter[str],
    earlier: Iterable[str],
    label: str = "element_judgments_fresh3.yaml",
) -> str | None:
    """Why the fresh3 file (or the fresh4 file, named by ``label``) cannot be scored (None when
    it can): every judged name has a source and the reverse, names are distinct by fold and none
    is a name of an earlier judged set."""
    from ckanext.govcatalog.elements import names

    if list(judgments) != list(counts):
        return f"{label}: judgments and sources name different names"
    folded = [names.fold(name) for name in judgments]
    if len(set(folded)) != len(folded):
        return f"{label}: two names have one folded form"
    seen = {names.fold(name) for name in earlier}
    again = [name for name, key in zip(judgments, folded, strict=True) if key in seen]
    if again:
        return f"{label} holds names judged before: {again[:5]}"
    return None


# the sets taken from repository snapshots by fresh3's rule: judged file, what it holds, and the
# judged files (besides the 普陀区 and first fresh ones) whose names it leaves out
REPOSITORY_SETS = {
    "fresh3": (
        FRESH3_JUDGMENTS,
        "column comments of public-service systems",
        (FRESH2_JUDGMENTS,),
    ),
    "fresh4": (
        FRESH4_JUDGMENTS,
        "column comments of a real-estate registration system",
        (FRESH2_JUDGMENTS, FRESH3_JUDGMENTS),
    ),
}

# the unseen sets, each split by fresh_split_of into -dev and -test
FRESH_SETS = ("fresh", "fresh2", "fresh3", "fresh4")
# the parts each --split choice of a fresh set scores, and the rows it prints (a whole set's
# choice adds the set's own row)
FRESH_PARTS = {
    split: parts
    for prefix in FRESH_SETS
    for split, parts in (
        (f"{prefix}-dev", (f"{prefix}-dev",)),
        (f"{prefix}-test", (f"{prefix}-test",)),
        (prefix, (f"{prefix}-dev", f"{prefix}-test")),
    )
}
FRESH_SHOWN = {
    split: (*parts, split) if split in FRESH_SETS else parts for split, parts in FRESH_PARTS.items()
}
# splits whose names are never read: their aggregate print is stamped with its time
UNREAD = ("test", "all", *(split for prefix in FRESH_SETS for split in (f"{prefix}-test", prefix)))


def stamp(splits: Iterable[str]) -> None:
    unread = [s for s in splits if s in UNREAD]
    if unread:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"(aggregates of never-read splits {', '.join(unread)} printed at {now})")


# which splits each --split choice prints (held-out only when asked for by name)
SHOWN = {
    "dev-tune": ("dev-tune",),
    "dev-check": ("dev-check",),
    "dev": ("dev-tune", "dev-check", "dev"),
    "test": ("test",),
    "all": ("dev-tune", "dev-check", "dev", "test", "all"),
}
PARTS = {
    "dev-tune": ("dev-tune",),
    "dev-check": ("dev-check",),
    "dev": ("dev-tune", "dev-check"),
    "test": ("test",),
    "all": ("dev-tune", "dev-check", "test"),
}


def occurrences(corpus: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    with open(os.path.join(corpus, TEMPLATES), encoding="utf-8") as f:
        for line in f:
            counts.update(json.loads(line)["columns"])
    return counts


def suggester_and_anchors(seed: list[dict]) -> dict[str, object]:
    """The suggester and the two anchors, each built from the same published seed."""
    from ckanext.govcatalog.elements.suggest import Element, Index

    return {
        "govcatalog": Index(Element.of(e) for e in seed),
        "exact name": ExactNameAnchor(seed),
        "jieba overlap": JiebaOverlapAnchor(seed),
    }


def published_seed() -> list[dict]:
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import seedfile

    with open(STATUS_VOCAB, encoding="utf-8") as f:
        public = {str(v["value"]) for v in yaml.safe_load(f)["values"] if v.get("public")}
    return [e for e in seedfile.read_files(seedfile.seed_paths(SEED)) if e.get("status") in public]


def score(rows: list[tuple[str, str, list, int]]) -> dict[str, float]:
    """rows: (name, judged element or 'none', suggestions, occurrences)."""
    out: dict[str, float] = {}
    for weighted in (False, True):
        tally: Counter[str] = Counter()
        for _name, judged, suggestions, count in rows:
            w = count if weighted else 1
            auto = next((s for s in suggestions if s.auto), None)
            bound = judged != "none"
            tally["names"] += w
            tally["bound"] += w * bound
            if auto:
                tally["auto"] += w
                tally["auto_right"] += w * (auto.id == judged)
            if bound:
                ids = [s.id for s in suggestions]
                tally["top1"] += w * (ids[:1] == [judged])
                tally["top3"] += w * (judged in ids[:3])
        suffix = "_weighted" if weighted else ""
        out["names" + suffix] = tally["names"]
        out["bound" + suffix] = tally["bound"]
        out["auto" + suffix] = tally["auto"]
        out["precision" + suffix] = tally["auto_right"] / tally["auto"] if tally["auto"] else 1.0
        out["recall" + suffix] = tally["auto_right"] / tally["bound"] if tally["bound"] else 0.0
        out["top1" + suffix] = tally["top1"] / tally["bound"] if tally["bound"] else 0.0
        out["top3" + suffix] = tally["top3"] / tally["bound"] if tally["bound"] else 0.0
    return out


def leave_synonym_out(seed: list[dict], dev_rows: list, counts: Counter[str]) -> list:
    """Dev names scored as if no seed synonym had been learnt from them: each name that is a
    seed synonym is suggested by an index without that synonym. Guesses the held-out figures
    without reading a held-out name."""
    from ckanext.govcatalog.elements import names
    from ckanext.govcatalog.elements.suggest import Element, Index

    out = []
    for name, judged, suggestions, count in dev_rows:
        key = names.fold(name)
        trimmed = [
            {**e, "synonyms": [s for s in e.get("synonyms") or [] if names.fold(s) != key]}
            for e in seed
        ]
        if any(
            len(t["synonyms"]) != len(e.get("synonyms") or [])
            for t, e in zip(trimmed, seed, strict=True)
        ):
            suggestions = Index(Element.of(e) for e in trimmed).suggest(name, limit=3)
        out.append((name, judged, suggestions, count))
    return out


def print_leave_synonym_out(
    seed: list[dict], by_split: dict[str, list], counts: Counter[str], splits: Iterable[str]
) -> None:
    """A ``-lo`` row for each of ``splits`` (development splits only): its names scored as if no
    seed synonym had been learnt from them (``leave_synonym_out``)."""
    for split in splits:
        s = score(leave_synonym_out(seed, by_split[split], counts))
        print(
            f"{split + '-lo':<13}{s['names']:>7.0f}{s['bound']:>7.0f}{s['auto']:>6.0f}"
            f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['top1']:>7.3f}"
            f"{s['top3']:>7.3f}   (each name scored without the seed synonym equal to it)"
        )


def score_line(label: str, s: dict[str, float]) -> str:
    return (
        f"{label:<13}{s['names']:>7.0f}{s['bound']:>7.0f}{s['auto']:>6.0f}"
        f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['top1']:>7.3f}{s['top3']:>7.3f}"
        f"   {s['precision_weighted']:>31.3f} {s['recall_weighted']:.3f} "
        f"{s['top1_weighted']:.3f} {s['top3_weighted']:.3f}"
    )


HEADER = (
    f"{'split':<13}{'names':>7}{'bound':>7}{'auto':>6}{'precision':>11}{'recall':>8}"
    f"{'top-1':>7}{'top-3':>7}   weighted by occurrences: precision recall top-1 top-3"
)


def read_judgments(path: str) -> dict[str, str]:
    """A judgments file's names and the element id judged for each ("none"), in file order."""
    with open(path, encoding="utf-8") as f:
        return load_judged_file(f)["judgments"]


def score_matchers(
    matchers: dict[str, object],
    judged: list[str],
    judgments: dict[str, str],
    counts: Counter[str],
    split_of_name: Callable[[str], str],
    parts: dict[str, tuple[str, ...]],
    shown: tuple[str, ...],
    verdict_split: str,
    also: Callable[[dict[str, list]], None] | None = None,
) -> tuple[dict[str, list], bool]:
    """Every matcher's suggestions for the ``judged`` names, by split (``split_of_name``), with
    the figures of each ``shown`` split (made of ``parts``) printed; then, for govcatalog, the
    stamp of never-read splits and ``also``'s figures. Returns govcatalog's rows by split and
    whether it met the targets on ``verdict_split``."""
    verdict = True
    rows: dict[str, list] = {}
    for label, matcher in matchers.items():
        started = time.perf_counter()
        by_split: dict[str, list] = {part: [] for split in parts.values() for part in split}
        for name in judged:
            by_split[split_of_name(name)].append(
                (name, str(judgments[name]), matcher.suggest(name, limit=3), counts[name])
            )
        per_call_ms = (time.perf_counter() - started) * 1000 / max(len(judged), 1)
        print(f"\n{label}: {per_call_ms:.2f} ms per name (in memory)")
        print(HEADER)
        for split in shown:
            s = score([row for part in parts[split] for row in by_split[part]])
            print(score_line(split, s))
            if split == verdict_split and label == "govcatalog":
                verdict = s["precision"] >= PRECISION_TARGET and s["recall"] >= RECALL_TARGET
        if label == "govcatalog":
            rows = by_split
            stamp(shown)
            if also is not None:
                also(by_split)
    print(
        f"\ntargets for govcatalog on {verdict_split}: precision >= {PRECISION_TARGET}, "
        f"recall >= {RECALL_TARGET}: " + ("met" if verdict else "NOT met")
    )
    return rows, verdict


def seed_names_among(seed: list[dict], judged: Iterable[str]) -> list[str]:
    """The seed's names and synonyms that are also among ``judged`` (after folding)."""
    from ckanext.govcatalog.elements import names

    keys = {names.fold(n) for n in judged}
    return sorted(
        {
            text
            for e in seed
            for text in [e["name"], *(e.get("synonyms") or [])]
            if names.fold(text) in keys
        }
    )


def run_fresh(
    corpus: str, split: str = "fresh", show_errors: bool = False, snapshots: str | None = None
) -> int:
    """--split fresh[234]-dev|fresh[234]-test|fresh[234]: the suggester and both anchors on one
    fresh set alone; --show-errors lists its -dev part's wrong and missed names, never its
    -test's. With ``snapshots`` (fresh3 and fresh4) the judged file is first checked against what
    the extraction rule yields from the repositories' snapshots at the recorded commits."""
    prefix = split.split("-")[0]  # fresh, fresh2, fresh3 or fresh4
    from_repositories = prefix in REPOSITORY_SETS
    missing = [s for s in FRESH_SOURCES if not os.path.isfile(os.path.join(corpus, s))]
    if missing and not from_repositories:
        print(
            f"benchmark stopped: {', '.join(missing)} missing from {corpus}; put the shared "
            "corpus there (../shared/corpus beside the checkout) or pass --corpus",
            file=sys.stderr,
        )
        return 2
    judged_before = list(read_judgments(JUDGMENTS))
    first_fresh = read_judgments(FRESH_JUDGMENTS)
    if from_repositories:
        # the sources are repository snapshots, not the corpus: the judged file carries the
        # names' weights and provenance; it is checked against the earlier sets here
        judged_file, described, before = REPOSITORY_SETS[prefix]
        judgments = read_judgments(judged_file)
        counts = fresh3_weights(judged_file)
        earlier = {*judged_before, *first_fresh, *(n for f in before for n in read_judgments(f))}
        label = os.path.basename(judged_file)
        problem = fresh3_problem(judgments, counts, earlier, label)
        if problem is None and snapshots:
            problem = fresh3_snapshot_problem(snapshots, earlier, judged_file)
            if problem is None:
                print(f"{label} is what the rule yields from {snapshots}")
        if problem:
            print(f"benchmark stopped: {problem}", file=sys.stderr)
            return 2
    elif prefix == "fresh2":
        judgments = read_judgments(FRESH2_JUDGMENTS)
        counts = fresh2_names(corpus, [*judged_before, *first_fresh])
        judged_file, described = FRESH2_JUDGMENTS, "Harbin and Foshan tags, three summaries"
    else:
        judgments = first_fresh
        counts = fresh_names(corpus, judged_before)
        judged_file, described = FRESH_JUDGMENTS, "Harbin and Foshan summaries"
    if not from_repositories and list(counts) != list(judgments):
        # the judged file must be exactly what the rule yields, or the figures score other names
        print(
            f"benchmark stopped: {os.path.relpath(judged_file, ROOT)} does not hold the names "
            f"the extraction rule yields ({len(judgments)} judged, {len(counts)} extracted)",
            file=sys.stderr,
        )
        return 2

    seed = published_seed()
    matchers = suggester_and_anchors(seed)
    shown = FRESH_SHOWN[split]
    chosen_names = [n for n in judgments if fresh_split_of(n, prefix) in FRESH_PARTS[split]]
    print(
        f"register: {len(seed)} published seed elements; {len(judgments)} {prefix} names "
        f"({described}), {sum(v != 'none' for v in judgments.values())} judged "
        f"to an element, {sum(counts.values())} occurrences; {len(chosen_names)} in --split "
        f"{split}"
    )
    rows, verdict = score_matchers(
        matchers,
        chosen_names,
        judgments,
        counts,
        lambda name: fresh_split_of(name, prefix),
        FRESH_PARTS,
        shown,
        verdict_split=shown[-1],
        # the -dev part's names scored without the seed synonyms learnt from them
        also=lambda by_split: print_leave_synonym_out(
            seed, by_split, counts, [s for s in (f"{prefix}-dev",) if s in shown]
        ),
    )
    if show_errors:
        print_errors(rows[f"{prefix}-dev"])
    # only the chosen split's names: a fresh-dev run names no fresh-test name
    overlap = seed_names_among(seed, chosen_names)
    print(
        f"seed names that are also {split} names ({len(overlap)}; standard names and common use, "
        f"none taken from fresh-test): {'、'.join(overlap)}"
    )
    return 0 if verdict else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument(
        "--show-errors",
        action="store_true",
        help="list wrong and missed names of dev-tune (of the -dev part with a fresh split)",
    )
    parser.add_argument(
        "--split",
        "--sets",
        dest="split",
        choices=(*SHOWN, *FRESH_SHOWN),
        default="dev",
        help="the names to score (see the module's docstring); --sets is the same option",
    )
    parser.add_argument(
        "--snapshots",
        help="with a fresh3 or fresh4 split: a folder of the source repositories' git snapshots "
        "(owner+name/repo); the judged file is checked against the extraction rule's output first",
    )
    args = parser.parse_args()
    if args.split in FRESH_SHOWN:
        return run_fresh(os.path.abspath(args.corpus), args.split, args.show_errors, args.snapshots)
    templates = os.path.join(os.path.abspath(args.corpus), TEMPLATES)
    if not os.path.isfile(templates):
        print(
            f"benchmark stopped: {templates} is missing; put the shared corpus in "
            f"{os.path.abspath(args.corpus)} (../shared/corpus beside the checkout) "
            "or pass --corpus",
            file=sys.stderr,
        )
        return 2

    judgments = read_judgments(JUDGMENTS)
    counts = occurrences(args.corpus)
    missing = sorted(set(counts) - set(judgments))
    if missing:
        print(f"{len(missing)} corpus names have no judgment, e.g. {missing[:5]}", file=sys.stderr)
        return 2

    seed = published_seed()
    matchers = suggester_and_anchors(seed)
    shown = SHOWN[args.split]
    judged_names = [n for n in judgments if split_of(n) in PARTS[args.split]]
    print(
        f"register: {len(seed)} published seed elements; {len(judgments)} judged names, "
        f"{len(judged_names)} in --split {args.split}"
    )

    def leave_synonym_out_lines(by_split: dict[str, list]) -> None:
        print_leave_synonym_out(
            seed, by_split, counts, [s for s in ("dev-tune", "dev-check") if s in shown]
        )

    rows, verdict = score_matchers(
        matchers,
        judged_names,
        judgments,
        counts,
        split_of,
        PARTS,
        shown,
        verdict_split="test" if "test" in shown else shown[-1],
        also=leave_synonym_out_lines,
    )

    if "test" in shown:
        print("held-out (test) figures printed: read them once, at the end of a round of work")
        overlap = seed_names_among(seed, (n for n, *_ in rows["test"]))
        print(
            f"seed names that are also test-half names ({len(overlap)}; standard names and "
            f"common use): {'、'.join(overlap)}"
        )

    if args.show_errors:
        # only dev-tune's names are read when tuning; dev-check and test are scored, never listed
        print_errors(rows.get("dev-tune", []))
    if args.split == "all":
        print("\n--- fresh (Harbin and Foshan summaries) ---")
        fresh_verdict = run_fresh(os.path.abspath(args.corpus), "fresh")
        print("\n--- fresh2 (Harbin and Foshan tags; Aba, Deyang and Shaanxi summaries) ---")
        fresh2_verdict = run_fresh(os.path.abspath(args.corpus), "fresh2")
        if 2 in (fresh_verdict, fresh2_verdict):
            return 2
        return 0 if verdict and fresh_verdict == fresh2_verdict == 0 else 1
    return 0 if verdict else 1


def print_errors(rows: list) -> None:
    """The wrong automatic bindings and the misses of ``rows`` (a split that may be read)."""
    for name, judged, suggestions, count in rows:
        auto = next((s for s in suggestions if s.auto), None)
        top = ", ".join(f"{s.id} {s.name} {s.confidence:.2f} {s.match}" for s in suggestions)
        if auto and auto.id != judged:
            print(f"WRONG AUTO  {name} (x{count}) judged {judged}: {top}")
        elif judged != "none" and not auto:
            print(f"MISSED      {name} (x{count}) judged {judged}: {top}")


if __name__ == "__main__":
    sys.exit(main())
