"""The catalog the read-path matrix runs against: an organization tree, one entry per allowed
share_type/open_type combination (each with an uploaded file and a linked URL), an information
system and a private entry, the users of every role of spec §4 and their grants. Organizations,
people and entries are made with tests/factories.py (through the create actions and the
configured schemas); grants are inserted as the workflow would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import uuid
from typing import Any

import ckan.model as core_model
from ckan.tests.helpers import call_action
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

from ckanext.govcatalog.model import Grant
from tests import factories

# key: (dataset type, share_type, open_type, private)
ENTRIES: dict[str, tuple[str, str | None, str | None, bool]] = {
    "uo": ("dataset", "unconditional", "open", False),
    "uc": ("dataset", "unconditional", "conditional", False),
    "ux": ("dataset", "unconditional", "closed", False),
    "co": ("dataset", "conditional", "open", False),
    "cc": ("dataset", "conditional", "conditional", False),
    "cx": ("dataset", "conditional", "closed", False),
    "nx": ("dataset", "none", "closed", False),
    # an information system: no sharing levels, no resources; never public
    "is": ("info_system", None, None, False),
    "pv": ("dataset", "unconditional", "open", True),
}


WITH_RESOURCES = [key for key, spec in ENTRIES.items() if spec[0] == "dataset"]


def link_url(key: str) -> str:
    return f"http://exchange.example.gov.cn/{key}/qzsecret{key}link.csv"


def upload_name(key: str) -> str:
    return f"qzsecret{key}upload.csv"


def upload_content(key: str) -> str:
    return f"CONTENT-OF-{key.upper()}\n1,2,3\n"


def secrets(key: str) -> list[str]:
    """Strings that appear only where the data of entry `key` is served (one-word tokens, so a
    search for them can only match a data location)."""
    return [link_url(key), upload_name(key), f"qzsecret{key}"]


@dataclasses.dataclass
class World:
    orgs: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any] | None]
    tokens: dict[str, str | None]
    entries: dict[str, dict[str, Any]]  # key -> package dict (as the sysadmin sees it)
    upload: dict[str, dict[str, Any]]  # key -> resource dict
    link: dict[str, dict[str, Any]]
    views: dict[str, str]  # resource id -> view id
    creator: dict[str, Any]


def _entry(key: str, org: dict[str, Any], creator: dict[str, Any]) -> dict[str, Any]:
    type_, share, open_, private = ENTRIES[key]
    common = {
        "user": creator,
        "name": f"rp-{key}",
        "title": f"Read path entry {key.upper()}",
        "notes": f"Entry {key} of the read-path matrix",
        "owner_org": org["id"],
        "private": private,
    }
    if type_ == "info_system":
        return factories.InfoSystem(**common)
    return factories.Entry(share_type=share, open_type=open_, **common)


def _resources(key: str, pkg_id: str, creator: dict[str, Any]) -> tuple[dict, dict]:
    ctx = {"user": creator["name"]}
    stream = io.BytesIO(upload_content(key).encode())
    upload = call_action(
        "resource_create",
        ctx,
        package_id=pkg_id,
        name=f"{key} file",
        format="CSV",
        upload=FakeFileStorage(stream, upload_name(key)),
        url=upload_name(key),
    )
    link = call_action(
        "resource_create",
        ctx,
        package_id=pkg_id,
        name=f"{key} link",
        format="CSV",
        url=link_url(key),
    )
    return upload, link


def _grant(user: dict[str, Any], pkg_id: str, status: str, days: int) -> None:
    now = dt.datetime.utcnow()
    core_model.Session.add(
        Grant(
            id=str(uuid.uuid4()),
            package_id=pkg_id,
            user_id=user["id"],
            status=status,
            created=now - dt.timedelta(days=30),
            expires=now + dt.timedelta(days=days),
        )
    )


def build() -> World:
    site = factories.Sysadmin(name="rp_sysadmin")
    orgs = {"county": factories.County(user=site, name="rp-county", title="rp-county")}
    # parent_org: the organization schema's field, stored as CKAN's Member(capacity='parent')
    for key, parent in (("owner", "rp-county"), ("other", "rp-county"), ("child", "rp-owner")):
        orgs[key] = factories.Department(
            user=site, name=f"rp-{key}", title=f"rp-{key}", parent_org=parent
        )

    users: dict[str, dict[str, Any] | None] = {"anonymous": None, "sysadmin": site}
    memberships = {  # role: organization, capacity
        "owner_editor": ("owner", "editor"),
        "owner_admin": ("owner", "admin"),
        "parent_admin": ("county", "admin"),
        "other_dept": ("other", "editor"),
        "child_member": ("child", "admin"),
        "gov_grant": ("other", "member"),
        "gov_lapsed": ("other", "member"),
    }
    for role, (org, capacity) in memberships.items():
        users[role] = factories.Member(name=f"rp_{role}", organization=orgs[org], capacity=capacity)
    for role in ("public_user", "public_grant", "public_lapsed"):
        users[role] = factories.User(name=f"rp_{role}")

    creator = users["owner_editor"]
    entries, upload, link, views = {}, {}, {}, {}
    for key in ENTRIES:
        entries[key] = _entry(key, orgs["owner"], creator)
        if key not in WITH_RESOURCES:
            continue
        upload[key], link[key] = _resources(key, entries[key]["id"], creator)
        for res in (upload[key], link[key]):
            view = call_action(
                "resource_view_create",
                {"user": creator["name"]},
                resource_id=res["id"],
                view_type="image_view",
                title="Preview",
            )
            views[res["id"]] = view["id"]

    ids = {key: entries[key]["id"] for key in ENTRIES}
    # active grants, including ones the rules would never issue: they must not open anything
    for key in ("co", "cc", "cx", "nx", "uc"):
        _grant(users["gov_grant"], ids[key], "active", 30)
    for key in ("uc", "cc", "ux", "cx", "is", "pv"):
        _grant(users["public_grant"], ids[key], "active", 30)
    # lapsed grants: expired, revoked, suspended
    _grant(users["gov_lapsed"], ids["cc"], "active", -1)
    _grant(users["gov_lapsed"], ids["cx"], "revoked", 30)
    _grant(users["gov_lapsed"], ids["nx"], "suspended", 30)
    _grant(users["public_lapsed"], ids["uc"], "active", -1)
    _grant(users["public_lapsed"], ids["cc"], "revoked", 30)
    core_model.repo.commit()

    tokens: dict[str, str | None] = {"anonymous": None}
    for role, user in users.items():
        if user is None:
            continue
        tokens[role] = call_action(
            "api_token_create", {"user": user["name"]}, user=user["name"], name="rp"
        )["token"]
        if role != "sysadmin":
            call_action("follow_group", {"user": user["name"]}, id=orgs["owner"]["id"])
    return World(orgs, users, tokens, entries, upload, link, views, creator)
