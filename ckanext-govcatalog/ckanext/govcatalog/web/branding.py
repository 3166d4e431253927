"""The portal's branding and the CKAN features it shows, read from the ini (config_declaration.yaml
declares the options with empty defaults; config/ckan.ini.in sets 石泉县's), and the colours of the
sharing and opening level badges, which are data in schemas/vocab (``colour`` of each value)."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab

# vocabulary -> the CSS class prefix of its badges (catalog_card.html, search result cards)
BADGE_VOCABULARIES = {"share_type": "govcatalog-share", "open_type": "govcatalog-open"}
# features of stock CKAN a county catalog does not use: off unless an operator turns them on
FEATURES = ("groups", "followers", "social", "license")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CSS_CLASS_PART = re.compile(r"^[A-Za-z0-9_-]+$")


def govcatalog_portal() -> dict[str, Any]:
    """Footer lines and feature switches: host_org (主办单位), contact, icp_number, icp_url,
    police_filing, and show_<feature> for each of FEATURES."""
    portal: dict[str, Any] = {
        key: (tk.config.get(f"govcatalog.portal.{key}") or "").strip()
        for key in ("host_org", "contact", "icp_number", "icp_url", "police_filing")
    }
    for feature in FEATURES:
        portal[f"show_{feature}"] = tk.asbool(tk.config.get(f"govcatalog.portal.show_{feature}"))
    return portal


def level_badge_class(vocabulary: str, value: Any) -> str | None:
    """The CSS class of a share or open level's badge (coloured by :func:`govcatalog_badge_css`),
    or None for a vocabulary without badges or a value it lacks."""
    prefix = BADGE_VOCABULARIES.get(vocabulary)
    if prefix is None or value in (None, "") or str(value) not in vocab.values(vocabulary):
        return None
    return f"{prefix}-{value}"


def badge_colours() -> dict[str, dict[str, str]]:
    """CSS class -> {"background", "color"} for every value of the badge vocabularies. A value
    without a valid colour gets none, and test_portal fails on it."""
    colours: dict[str, dict[str, str]] = {}
    for name, prefix in BADGE_VOCABULARIES.items():
        for value_entry in vocab.entries(name):
            colour = str(value_entry.get("colour") or "")
            value = value_entry["value"]
            if _HEX_COLOUR.match(colour) and _CSS_CLASS_PART.match(value):
                text = str(value_entry.get("text_colour") or "#ffffff")
                colours[f"{prefix}-{value}"] = {"background": colour, "color": text}
    return colours


def govcatalog_badge_css() -> str:
    """The style rules of the level badges, from the vocabularies (put in a <style> by base.html;
    the values are checked above, so the text is safe to mark up as is)."""
    return "\n".join(
        f".badge.{css_class}{{background-color:{c['background']};color:{c['color']};}}"
        for css_class, c in badge_colours().items()
    )


def get_helpers() -> dict[str, Any]:
    return {"govcatalog_portal": govcatalog_portal, "govcatalog_badge_css": govcatalog_badge_css}
