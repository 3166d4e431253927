"""How data-item and element names are compared.

``fold`` is the identity of a name in the register (one element per folded name): full-width
forms made half-width, spaces and punctuation dropped, Latin letters lower-cased, 帐 read as 账.
``core`` goes further for matching: bracketed notes and trailing counters dropped, and the
suffix variants of one representation made one (号/号码/编号/编码/代码 -> 号, 时间 -> 日期,
金额 -> 额).
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_DROP = re.compile(r"[\s_\-·•.:：;；,，、'\"“”‘’《》<>〈〉【】\[\]{}]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_TRAILING_COUNTER = re.compile(r"\d+$")
# other bracket forms read as round brackets by ``core`` (注册资本【万元】, 面积〔平方米〕);
# ``fold`` keeps dropping them, so the register's identity of a name does not change
_OTHER_BRACKETS = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "[": "(",
        "]": ")",
        "［": "(",
        "］": ")",
        "{": "(",
        "}": ")",
        "｛": "(",
        "｝": ")",
    }
)
# longest first: 号码 before 号
_SUFFIXES = (
    ("号码", "号"),
    ("编号", "号"),
    ("编码", "号"),
    ("代码", "号"),
    ("代号", "号"),
    ("时间", "日期"),
    ("金额", "额"),
)


def fold(name: str) -> str:
    """The form two names are the same name in (the register's uniqueness key)."""
    text = unicodedata.normalize("NFKC", name or "").lower().replace("帐", "账")
    text = text.replace("（", "(").replace("）", ")")
    return _DROP.sub("", text)


def canonical_suffix(text: str) -> str:
    for suffix, canonical in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + canonical
    return text


def round_folded(name: str) -> str:
    """The folded name with every bracket form read as round brackets (面积〔平方米〕 ->
    面积(平方米)), its notes kept."""
    return fold((name or "").translate(_OTHER_BRACKETS))


def core(name: str) -> str:
    """The folded name without brackets' notes or a trailing counter, with one suffix form."""
    text = round_folded(name)
    unbracketed = text.replace("(", "").replace(")", "")
    # a name written wholly in brackets ((身份证号), 【姓名】) is no note: it is the name
    text = _BRACKETED.sub("", text).replace("(", "").replace(")", "") or unbracketed
    text = _TRAILING_COUNTER.sub("", text) or text
    return canonical_suffix(text)


def bracketed(name: str) -> list[str]:
    """The notes in brackets of a name (行政相对人代码_5 (居民身份证号) -> [居民身份证号])."""
    return [part for part in _BRACKETED.findall(round_folded(name)) if part]


def initials(name: str) -> str:
    """Pinyin initials, upper-case, of the Chinese characters; other letters and digits kept."""
    letters = lazy_pinyin(
        unicodedata.normalize("NFKC", name or ""),
        style=Style.FIRST_LETTER,
        errors=lambda chunk: list(chunk),
    )
    return "".join(ch for ch in "".join(letters).upper() if ch.isascii() and ch.isalnum())
