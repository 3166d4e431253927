"""The single sign-on options of the ini (``govcatalog.sso.*``; config_declaration.yaml).

One place reads them, so the views, the token checks and the mapping agree on what is configured.
Mappings are ini lines ``left = right``, one a line (CKAN keeps an option's continuation lines).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk

PREFIX = "govcatalog.sso."
CAPACITIES = ("member", "editor", "admin")
# who may still log in with a CKAN password while single sign-on is on
LOCAL_LOGIN_CHOICES = ("all", "sysadmins", "off")


class ConfigurationError(ValueError):
    """A single sign-on option that cannot work; raised at first use, naming the option."""


@dataclasses.dataclass(frozen=True)
class Settings:
    enabled: bool
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    group_claim: str
    role_claim: str
    email_claim: str
    username_claim: str
    group_map: dict[str, str]  # group path -> organization name
    role_map: dict[str, str]  # provider role -> CKAN capacity
    sysadmin_role: str  # provider role that makes a CKAN sysadmin; "" for none
    default_capacity: str  # capacity in a mapped department when no role maps
    local_login: str  # all | sysadmins | off
    rp_logout: bool
    timeout: float
    leeway: int


def _get(name: str, default: Any = None) -> Any:
    return tk.config.get(PREFIX + name, default)


def parse_lines(text: str | None, option: str) -> dict[str, str]:
    """``left = right`` lines of an ini option as a dict; blank lines and ``#`` lines skipped."""
    pairs: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        left, sep, right = line.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ConfigurationError(f"{PREFIX}{option}: '{line}' is not 'name = value'")
        pairs[left.strip()] = right.strip()
    return pairs


def _client_secret() -> str:
    path = _get("client_secret_file")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as error:
            raise ConfigurationError(
                f"{PREFIX}client_secret_file: cannot read {path} ({error.strerror})"
            ) from error
    return _get("client_secret") or ""


def current() -> Settings:
    """The options as configured now (read each time: tests change them per test)."""
    role_map = parse_lines(_get("role_map"), "role_map")
    for role, capacity in role_map.items():
        if capacity not in CAPACITIES:
            raise ConfigurationError(
                f"{PREFIX}role_map: role {role} maps to '{capacity}', not one of {CAPACITIES}"
            )
    local_login = _get("local_login", "sysadmins")
    if local_login not in LOCAL_LOGIN_CHOICES:
        raise ConfigurationError(f"{PREFIX}local_login must be one of {LOCAL_LOGIN_CHOICES}")
    default_capacity = _get("default_capacity", "member")
    if default_capacity not in CAPACITIES:
        raise ConfigurationError(f"{PREFIX}default_capacity must be one of {CAPACITIES}")
    return Settings(
        enabled=tk.asbool(_get("enabled", False)),
        issuer=(_get("issuer") or "").rstrip("/"),
        client_id=_get("client_id") or "",
        client_secret=_client_secret() if tk.asbool(_get("enabled", False)) else "",
        scope=_get("scope", "openid profile email"),
        group_claim=_get("claim.groups", "groups"),
        role_claim=_get("claim.roles", "roles"),
        email_claim=_get("claim.email", "email"),
        username_claim=_get("claim.username", "preferred_username"),
        group_map=parse_lines(_get("group_map"), "group_map"),
        role_map=role_map,
        sysadmin_role=_get("sysadmin_role", "") or "",
        default_capacity=default_capacity,
        local_login=local_login,
        rp_logout=tk.asbool(_get("rp_logout", True)),
        timeout=float(_get("timeout", 10)),
        leeway=int(_get("leeway", 60)),
    )


def enabled() -> bool:
    return tk.asbool(_get("enabled", False))


def local_login_mode() -> str:
    """Who may log in with a password: everyone while single sign-on is off."""
    if not enabled():
        return "all"
    mode = _get("local_login", "sysadmins")
    return mode if mode in LOCAL_LOGIN_CHOICES else "sysadmins"
