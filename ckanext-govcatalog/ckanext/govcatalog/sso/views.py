"""The single sign-on pages: start the login at the identity provider, take its answer back,
log out of both; and the password login restricted to the break-glass accounts.

- ``/user/sso/login``: sends the user to the provider (state, nonce, PKCE challenge kept in the
  session). An unreachable provider brings the user back to the login page, which says so and
  shows the password form, usable by sysadmins only (``govcatalog.sso.local_login``).
- ``/user/sso/callback``: checks the state (once: a replayed callback finds none), exchanges the
  code, verifies the ID token, finds or creates the account, applies the claims' memberships and
  logs the user in. A refusal creates nothing and says why, in the user's language.
- ``user.logout`` of a single sign-on session also ends the provider's session (RP-initiated
  logout) when ``govcatalog.sso.rp_logout`` is on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import login_user, logout_user, session
from ckan.views.user import regenerate_session, rotate_token
from flask import Blueprint, request

from ckanext.govcatalog.sso import accounts, mapping, notices, provider
from ckanext.govcatalog.sso import settings as sso_settings

log = logging.getLogger(__name__)

sso = Blueprint("govcatalog_sso", __name__)

PENDING_KEY = "govcatalog_sso_pending"  # state -> PendingLogin fields
ID_TOKEN_KEY = "govcatalog_sso_id_token"  # the ID token of this session (logout hint)
MAX_PENDING = 5  # logins started in other tabs and not finished
PENDING_SECONDS = 600  # a login not finished within this is refused as expired


def refusal_message(reason: str) -> str:
    """What a refused login tells the user."""
    messages = {
        provider.UNREACHABLE: tk._(
            "The unified identity platform cannot be reached right now. Please try again "
            "later. System administrators can use the emergency password login below."
        ),
        provider.PROVIDER_ERROR: tk._(
            "The unified identity platform did not complete the login. Please try again."
        ),
        provider.STATE: tk._(
            "This login request has expired or was already used. Please start the login again."
        ),
        provider.TOKEN: tk._(
            "The unified identity platform did not confirm the login. Please try again."
        ),
        provider.SIGNATURE: tk._(
            "The identity token's signature is not valid. The login was refused."
        ),
        provider.ISSUER: tk._(
            "The identity token was issued by an unexpected identity platform. "
            "The login was refused."
        ),
        provider.AUDIENCE: tk._(
            "The identity token was not issued for this catalog. The login was refused."
        ),
        provider.EXPIRED: tk._("The identity token has expired. Please log in again."),
        provider.NONCE: tk._(
            "The identity token does not belong to this login request. The login was refused."
        ),
        provider.CLAIMS: tk._(
            "The identity token lacks required information. The login was refused."
        ),
        accounts.EMAIL_TAKEN: tk._(
            "The e-mail address of your unified identity account belongs to another catalog "
            "account, which was not merged. Please ask the data administration to link the "
            "accounts."
        ),
        accounts.ACCOUNT_DISABLED: tk._(
            "Your catalog account is disabled. Please contact the data administration."
        ),
        accounts.NO_IDENTITY: tk._(
            "The unified identity platform sent neither a user name nor a verified e-mail "
            "address. The login was refused."
        ),
    }
    return messages.get(reason) or messages[provider.CLAIMS]


def redirect_uri() -> str:
    return tk.url_for("govcatalog_sso.callback", _external=True)


def _came_from() -> str:
    target = request.args.get("came_from") or ""
    return target if target and tk.h.url_is_local(target) else tk.url_for("dashboard.datasets")


def _refuse(reason: str, detail: str = "") -> Any:
    log.warning("single sign-on login refused (%s): %s", reason, detail)
    tk.h.flash_error(refusal_message(reason))
    args = {"sso": "unreachable"} if reason == provider.UNREACHABLE else {}
    return tk.redirect_to(tk.url_for("user.login", **args))


@sso.route("/user/sso/login")
def login() -> Any:
    if not sso_settings.enabled():
        return tk.abort(404)
    if tk.current_user.is_authenticated:
        return tk.redirect_to(_came_from())
    try:
        url, pending = provider.start(sso_settings.current(), redirect_uri(), _came_from())
    except provider.Refused as refused:
        return _refuse(refused.reason, refused.detail)
    except sso_settings.ConfigurationError as error:
        # a broken option (an unreadable secret file): to the user it is an unusable provider
        return _refuse(provider.UNREACHABLE, str(error))
    waiting = dict(session.get(PENDING_KEY) or {})
    waiting[pending.state] = dataclasses.asdict(pending)
    # keep the newest few: a tab left open must not grow the session without end
    newest = sorted(waiting.values(), key=lambda p: p["started"])[-MAX_PENDING:]
    session[PENDING_KEY] = {p["state"]: p for p in newest}
    return tk.redirect_to(url)


def _take_pending(state: str | None) -> provider.PendingLogin:
    """The login this callback answers, removed from the session: a state is good once."""
    waiting = dict(session.get(PENDING_KEY) or {})
    found = waiting.pop(state, None) if state else None
    session[PENDING_KEY] = waiting
    if found is None:
        raise provider.Refused(provider.STATE, f"no pending login for state {state!r}")
    pending = provider.PendingLogin(**found)
    if time.time() - pending.started > PENDING_SECONDS:
        raise provider.Refused(provider.STATE, "the login was started too long ago")
    return pending


@sso.route("/user/sso/callback")
def callback() -> Any:
    if not sso_settings.enabled():
        return tk.abort(404)
    try:
        settings = sso_settings.current()
        pending = _take_pending(request.args.get("state"))
        if request.args.get("error"):
            raise provider.Refused(provider.PROVIDER_ERROR, request.args["error"])
        code = request.args.get("code")
        if not code:
            raise provider.Refused(provider.TOKEN, "no code in the callback")
        token = provider.exchange_code(settings, redirect_uri(), code, pending)
        claims = provider.verify_id_token(settings, token["id_token"], pending.nonce)
    except provider.Refused as refused:
        return _refuse(refused.reason, refused.detail)
    except sso_settings.ConfigurationError as error:
        return _refuse(provider.UNREACHABLE, str(error))
    return finish_login(settings, claims, token["id_token"], pending.came_from)


def finish_login(
    settings: sso_settings.Settings, claims: dict[str, Any], id_token: str, came_from: str
) -> Any:
    """Log in the account of verified claims, its memberships brought up to date first."""
    try:
        user, created = accounts.find_or_create(claims, settings)
    except accounts.AccountRefused as refused:
        model.Session.rollback()
        return _refuse(refused.reason, refused.detail)
    changes = mapping.apply(user, mapping.desired(claims, settings), claims, settings)
    if changes.unknown_groups:
        notices.unknown_departments(user, changes.unknown_groups)
        tk.h.flash_notice(
            tk._(
                "Your department in the unified identity platform (%(groups)s) is not known to "
                "the catalog yet, so you were given no rights in it. The data administration "
                "has been notified."
            )
            % {"groups": "、".join(changes.unknown_groups)}
        )
    log.info(
        "single sign-on: %s logged in (%s; joined %s, changed %s, removed %s)",
        user.name,
        "created" if created else "existing",
        changes.joined,
        changes.changed,
        changes.removed,
    )
    regenerate_session()
    login_user(user)
    rotate_token()
    session[ID_TOKEN_KEY] = id_token
    return tk.redirect_to(came_from)


@sso.before_app_request
def logout_at_provider() -> Any:
    """``user.logout`` of a single sign-on session: end CKAN's session, then the provider's."""
    if request.endpoint != "user.logout" or not sso_settings.enabled():
        return None
    id_token = session.get(ID_TOKEN_KEY)
    if not id_token or not tk.current_user.is_authenticated:
        return None
    settings = sso_settings.current()
    if not settings.rp_logout:
        return None
    back = tk.url_for("user.logged_out_page", _external=True)
    url = provider.end_session_url(settings, id_token, back)
    logout_user()
    session.pop(ID_TOKEN_KEY, None)
    return tk.redirect_to(url or back)


@sso.before_app_request
def restrict_password_login() -> Any:
    """While single sign-on is on, the password form serves only who ``local_login`` allows."""
    if request.endpoint != "user.login" or request.method != "POST":
        return None
    mode = sso_settings.local_login_mode()
    if mode == "all":
        return None
    login_name = (request.form.get("login") or "").strip()
    user = model.User.by_name(login_name) or model.User.by_email(login_name)
    if mode == "sysadmins" and user is not None and user.sysadmin:
        return None
    if mode == "off":
        tk.h.flash_error(
            tk._("Password login is turned off. Please log in with the unified identity platform.")
        )
    else:
        tk.h.flash_error(
            tk._(
                "Password login is reserved for system administrators (emergency access). "
                "Please log in with the unified identity platform."
            )
        )
    # 200 with the form again, as CKAN answers a failed login (web/session.py would turn an
    # anonymous 403 into "your session has expired")
    return tk.render("user/login.html", {})


def get_blueprints() -> list[Blueprint]:
    return [sso]
