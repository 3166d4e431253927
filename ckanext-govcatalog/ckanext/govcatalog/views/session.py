"""A form posted after the session expired (or after the CSRF token timed out).

Flask-WTF then raises CSRFError, which CKAN renders as a bare "400 Bad Request: The CSRF session
token is missing" page: nothing a data officer understands or can act on. Instead we say what
happened and send them where they can carry on: to the login page (coming back to the form
afterwards) when the session is gone, or back to the form when only the token is stale.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from flask import Blueprint, request
from flask_wtf.csrf import CSRFError

session = Blueprint("govcatalog_session", __name__)


def _same_site_path(url: str | None) -> str | None:
    """The path of a URL on this site (never an outside address: no open redirect)."""
    if not url:
        return None
    parsed = urlparse(url)
    site = urlparse(tk.config.get("ckan.site_url") or "")
    if parsed.netloc and parsed.netloc not in (site.netloc, request.host):
        return None
    path = parsed.path or "/"
    return path + (f"?{parsed.query}" if parsed.query else "")


@session.app_errorhandler(CSRFError)
def form_expired(error: CSRFError) -> Any:
    # The form the user was filling in: the page that posted it, else the URL it posted to.
    back = _same_site_path(request.referrer) or _same_site_path(request.path) or "/"
    if not tk.current_user.is_authenticated:
        tk.h.flash_error(
            tk._("Your session has expired. Please log in again and submit the form once more.")
        )
        return tk.redirect_to(tk.h.url_for("user.login", came_from=back))
    tk.h.flash_error(tk._("This page was open too long. Please submit the form once more."))
    return tk.redirect_to(back)


def get_blueprints() -> list[Blueprint]:
    return [session]
