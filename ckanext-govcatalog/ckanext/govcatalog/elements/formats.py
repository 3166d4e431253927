"""表示格式 (representation formats) and value-domain rules of data elements, and whether a data
item's type and length can hold an element's values.

Formats follow GB/T 18391.3 / GA/T 543: ``c18`` 18 characters, ``c..50`` up to 50, ``n8``,
``n..18,2`` (2 decimals), ``d8`` YYYYMMDD, ``t6`` hhmmss, ``dt14`` YYYYMMDDhhmmss, ``b`` binary
(an image or a file), with ``an`` / ``a`` for alphanumeric / alphabetic text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from ckanext.govcatalog.catalog.field_rules import uscc_check_char

_FORMAT = re.compile(r"^(?P<kind>an|a|c|n)(?P<upto>\.\.)?(?P<length>\d+)(?:,(?P<decimals>\d+))?$")
_FIXED = {"d8": ("date", 8), "t6": ("time", 6), "dt14": ("datetime", 14), "b": ("binary", 0)}

# which family of values each 数据类型 (the data_type vocabulary) holds
TYPE_FAMILY = {
    "C": "text",
    "M": "text",
    "N": "number",
    "Y": "number",
    "B": "number",
    "I": "number",
    "F": "number",
    "D": "date",
    "T": "datetime",
    "L": "logical",
    "G": "binary",
}
# lengths of a date written as text: 20240101, 2024-01-01, 20240101120000, 2024-01-01 12:00:00
_DATE_TEXT_LENGTHS = (8, 10, 14, 19)


@dataclasses.dataclass(frozen=True)
class Format:
    family: str  # text / number / date / time / datetime / binary
    min_length: int | None  # a fixed length's length; None when variable
    max_length: int | None
    decimals: int | None = None


def parse_format(text: str) -> Format | None:
    """The parsed ``text``, or None when it is not a format."""
    text = (text or "").strip().lower()
    if text in _FIXED:
        family, length = _FIXED[text]
        return Format(family, length or None, length or None)
    found = _FORMAT.match(text)
    if not found:
        return None
    length = int(found["length"])
    family = "number" if found["kind"] == "n" else "text"
    decimals = int(found["decimals"]) if found["decimals"] else None
    if decimals is not None and family != "number":
        return None
    return Format(family, None if found["upto"] else length, length, decimals)


def type_fits_format(data_type: str, fmt: Format) -> bool:
    """Whether an element of 数据类型 ``data_type`` may have the format ``fmt``."""
    family = TYPE_FAMILY.get(data_type)
    if family == fmt.family:
        return True
    # a logical value is written as one character or digit; a time as text of its own format
    if family == "logical":
        return fmt.family in ("text", "number") and fmt.max_length == 1
    return family == "datetime" and fmt.family == "time"


def item_fits(
    data_type: str | None, length: int | None, element_type: str, fmt: Format | None
) -> bool:
    """Whether a data item of ``data_type`` / ``length`` can hold the values of an element.

    Unknown parts fit. Dates may be kept as text of a date's length and codes or numbers as
    text or numbers, but a date never holds an identifier, nor an identifier a date.
    """
    if fmt is None:
        return True
    item_family = TYPE_FAMILY.get((data_type or "").upper())
    family = fmt.family
    if item_family is None:
        fits_type = True
    elif family in ("date", "datetime", "time"):
        fits_type = item_family in ("date", "datetime") or (
            item_family in ("text", "number") and (length is None or length in _DATE_TEXT_LENGTHS)
        )
        return fits_type
    elif family == "binary":
        fits_type = item_family == "binary"
    elif item_family in ("date", "datetime", "binary"):
        fits_type = False
    elif family == "text" and item_family == "number":
        # digits only: a code of digits may be kept as a number, an identifier with letters not
        fits_type = element_type not in ("C", "M") or _digits_only(fmt)
    else:
        fits_type = True
    if not fits_type:
        return False
    return length is None or fmt.min_length is None or length >= fmt.min_length


def _digits_only(fmt: Format) -> bool:
    # c6 postcodes and c12 division codes are digits; c18 IDs and credit codes end with letters
    return fmt.min_length is not None and fmt.min_length != 18


# ---- value-domain rules ---------------------------------------------------------------------

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"


def gb11643_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a 公民身份号码."""
    total = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def _gb11643(value: str) -> bool:
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    if _date(value[6:14]) is False:
        return False
    return gb11643_check_char(value[:17]) == value[17]


def _gb32100(value: str) -> bool:
    value = value.upper()
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def _division12(value: str) -> bool:
    return bool(re.fullmatch(r"\d{6}|\d{12}", value))


def _date(value: str) -> bool:
    for pattern in ("%Y%m%d", "%Y-%m-%d"):
        try:
            dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return True
    return False


# the checks behind the names of the element_value_rule vocabulary
RULES = {"gb11643": _gb11643, "gb32100": _gb32100, "division12": _division12, "date": _date}


def check_value(rule: str, value: str) -> bool:
    """Whether ``value`` satisfies the named value-domain rule (KeyError for an unknown rule)."""
    return RULES[rule](str(value).strip())
