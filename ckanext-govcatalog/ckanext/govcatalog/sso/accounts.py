"""Which CKAN account a verified ID token designates: by ``sub``, then by verified e-mail; a new
account on the first login.

The link to the provider is kept in the user's ``plugin_extras['govcatalog_sso']``
(``{"iss": ..., "sub": ...}``). An e-mail address is trusted only with ``email_verified``; an
account already linked to another ``sub`` is never taken over by a matching address (refused, not
merged silently).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govcatalog.sso.mapping import claim
from ckanext.govcatalog.sso.settings import Settings

EXTRAS_KEY = "govcatalog_sso"
# reasons accounts refuses a login (the provider's are in provider.REASONS)
EMAIL_TAKEN = "email_taken"  # the address belongs to an account linked to another subject
ACCOUNT_DISABLED = "account_disabled"  # the CKAN account is deleted or pending
NO_IDENTITY = "no_identity"  # neither a usable e-mail nor a name to make an account from

_NAME_CHARS = re.compile(r"[^a-z0-9_-]+")


class AccountRefused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def link_of(user: model.User) -> dict[str, Any]:
    return dict((user.plugin_extras or {}).get(EXTRAS_KEY) or {})


def by_subject(issuer: str, subject: str) -> model.User | None:
    column = model.User.plugin_extras[EXTRAS_KEY]
    return (
        model.Session.query(model.User)
        .filter(column["iss"].astext == issuer)
        .filter(column["sub"].astext == subject)
        .first()
    )


def _verified_email(claims: dict[str, Any], settings: Settings) -> str | None:
    email = claim(claims, settings.email_claim)
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is True:
        return email.strip()
    return None


def fullname_of(claims: dict[str, Any]) -> str | None:
    """The display name; a Chinese name is family name then given name, without a space."""
    family, given = claims.get("family_name") or "", claims.get("given_name") or ""
    if family and given and re.search(r"[\u3400-\u9fff]", family + given):
        return family + given
    return claims.get("name") or None


def _free_name(wanted: str) -> str:
    base = _NAME_CHARS.sub("-", wanted.lower()).strip("-_")[:90] or "user"
    base = base if len(base) >= 2 else f"user-{base}"
    name, n = base, 1
    while model.User.by_name(name) is not None:
        n += 1
        name = f"{base}-{n}"
    return name


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _link(user: model.User, issuer: str, subject: str) -> None:
    extras = dict(user.plugin_extras or {})
    extras[EXTRAS_KEY] = {**link_of(user), "iss": issuer, "sub": subject}
    user.plugin_extras = extras
    model.Session.add(user)
    model.Session.commit()


def _usable(user: model.User) -> model.User:
    if user.state != model.State.ACTIVE:
        raise AccountRefused(ACCOUNT_DISABLED, f"user {user.name} is {user.state}")
    return user


def find_or_create(claims: dict[str, Any], settings: Settings) -> tuple[model.User, bool]:
    """The account of a verified token's subject, and whether it was created now."""
    issuer, subject = claims["iss"], claims["sub"]
    user = by_subject(issuer, subject)
    if user is not None:
        return _usable(user), False
    email = _verified_email(claims, settings)
    if email:
        existing = model.User.by_email(email)
        if existing is not None:
            link = link_of(existing)
            if link.get("sub") and (link.get("sub"), link.get("iss")) != (subject, issuer):
                raise AccountRefused(
                    EMAIL_TAKEN, f"{email} belongs to {existing.name}, linked to another subject"
                )
            _usable(existing)
            _link(existing, issuer, subject)
            return existing, False
    else:
        address = claim(claims, settings.email_claim)
        if isinstance(address, str) and model.User.by_email(address) is not None:
            # an unverified address another account holds: not proof of being that person
            raise AccountRefused(EMAIL_TAKEN, f"{address} is held by another account, unverified")
    username = claim(claims, settings.username_claim) or (email or "").split("@")[0]
    if not username:
        raise AccountRefused(NO_IDENTITY, "no username and no verified e-mail in the claims")
    data = {
        "name": _free_name(str(username)),
        "email": email or claim(claims, settings.email_claim) or f"{subject}@sso.invalid",
        "password": secrets.token_urlsafe(32),  # never used: this account logs in through SSO
        "fullname": fullname_of(claims) or str(username),
        "plugin_extras": {EXTRAS_KEY: {"iss": issuer, "sub": subject}},
    }
    created = tk.get_action("user_create")(_site_context(), data)
    return model.User.get(created["id"]), True
