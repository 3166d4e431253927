"""Posting a page's form as a browser would: every field the form holds, with its current value.

The fault tests save real forms (the entry edit form, the resource upload form) without knowing
their fields: what the page's HTML offers is what is posted, with the changes the test makes.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_values: list[str] = []
        self._select_first: str | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.inside:
            if self.form_id is None or a.get("id") == self.form_id:
                self.inside, self.depth = True, 0
            return
        if not self.inside:
            return
        if tag == "form":
            self.depth += 1
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                self.buttons.append((name, a.get("value", "")))
            elif kind not in ("file", "button", "reset", "image"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            self.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_values, self._select_first = name, [], None
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": []}
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"].append(data)
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            if self.depth == 0:
                self.inside = False
            else:
                self.depth -= 1
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            if value is None:
                value = "".join(self._option["text"]).strip()
            if self._select_first is None:
                self._select_first = value
            if self._option["selected"]:
                self._select_values.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            values = self._select_values or (
                [self._select_first] if self._select_first is not None else []
            )
            self.fields += [(self._select, v) for v in values]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def read_form(html: str, form_id: str | None = None) -> tuple[list[tuple[str, str]], list]:
    """The (name, value) pairs a browser would post from the form (the first one, or the one
    with ``form_id``), and its submit buttons as (name, value)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields, reader.buttons


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with the named ones given new values."""
    changed = [(k, values[k]) if k in values else (k, v) for k, v in fields]
    missing = set(values) - {k for k, _ in fields}
    assert not missing, f"the form has no field {sorted(missing)}"
    return changed
