"""Searching as a given user, for the search tests."""

from __future__ import annotations

from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from tests import factories


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    """An action context for this user (None = anonymous), with auth and labels applied."""
    return {
        "user": user["name"] if user else "",
        "auth_user_obj": core_model.User.get(user["id"]) if user else None,
        "ignore_auth": False,
    }


def search(user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """package_search as ``user`` (anonymous by default)."""
    return tk.get_action("package_search")(as_user(user), params)


def titles(result: dict[str, Any]) -> list[str]:
    """The titles of a search result's entries, in rank order."""
    return [r["title"] for r in result["results"]]


def open_entry(org: dict[str, Any], title: str, **fields: Any) -> dict[str, Any]:
    """An entry of ``org`` open to all, whose searchable text is its title alone."""
    return factories.Entry(
        owner_org=org["id"], title=title, open_to_all=True, title_words_only=True, **fields
    )
