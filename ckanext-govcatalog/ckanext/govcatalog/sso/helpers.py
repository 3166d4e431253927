"""Template helpers of single sign-on: what the login page offers."""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog.sso import settings


def govcatalog_sso_enabled() -> bool:
    return settings.enabled()


def govcatalog_sso_local_login() -> str:
    """Who may use the password form: all, sysadmins or off."""
    return settings.local_login_mode()


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_sso_enabled": govcatalog_sso_enabled,
        "govcatalog_sso_local_login": govcatalog_sso_local_login,
    }
