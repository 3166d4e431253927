"""The demo catalog loader: 石泉县 (610922), its departments, towns, villages, information
systems, catalog entries and demo users.

The data are files in schemas/demo/ (organizations.yaml, info_systems.yaml, users.yaml,
entries.json). This module creates what is missing, through CKAN actions so that every
validator of the catalog runs, and brings organizations, systems and entries loaded from an older
version of the files up to date. A second run changes nothing and takes a few seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan import model

from ckanext.govcatalog import vocab

log = logging.getLogger(__name__)

# Entries are created with defer_commit and committed and indexed per batch: the same rows and
# index documents as one package_create each, in a fraction of the time.
BATCH_SIZE = 50
# Keys of the data files that document provenance and are not catalog fields.
PROVENANCE_KEYS = ("corpus_id",)
DIGEST_KEY = "govcatalog.demo_data_digest"


def demo_dir() -> str:
    return os.path.join(vocab.schemas_dir(), "demo")


def read_data(folder: str | None = None) -> dict[str, Any]:
    """The demo data: organizations, info_systems, users, entries and retired names."""
    folder = folder or demo_dir()

    def read_yaml(name: str) -> Any:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    with open(os.path.join(folder, "entries.json"), encoding="utf-8") as f:
        entries = json.load(f)["entries"]
    retired = read_yaml("retired.yaml")
    return {
        "organizations": read_yaml("organizations.yaml")["organizations"],
        "info_systems": read_yaml("info_systems.yaml")["systems"],
        "users": read_yaml("users.yaml")["users"],
        "entries": entries,
        "retired_datasets": retired.get("datasets") or [],
    }


def demo_password(username: str, site_secret: str | None = None) -> str:
    """A password derived from the site's secret key, so it is stable and never stored;
    ``site_secret``: that key, for a process that serves no site (None: the running site's)."""
    secret = site_secret
    if secret is None:
        secret = str(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or "")
    digest = hmac.new(secret.encode(), f"govcatalog-demo:{username}".encode(), hashlib.sha256)
    return "Sq-" + base64.b32encode(digest.digest()).decode()[:12].lower()


def _site_context(**extra: Any) -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, **extra}


def _active_names(query: Any) -> dict[str, str]:
    return dict(query)


def data_digest(data: dict[str, Any]) -> str:
    """A fingerprint of the demo data, kept in system_info to skip the update pass when the data
    files have not changed since the last load."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load(
    echo: Callable[[str], None] | None = None, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Create what is missing of the demo catalog, and bring entries and systems loaded from an
    older version of the data files up to date; returns what was done and the totals."""
    say = echo or (lambda msg: log.info(msg))
    data = data if data is not None else read_data()
    created = {
        "organizations": 0,
        "users": 0,
        "memberships": 0,
        "info_systems": 0,
        "entries": 0,
        "updated_organizations": 0,
        "updated_packages": 0,
        "purged": 0,
    }

    created["purged"] = _purge_retired(data["retired_datasets"])
    created["organizations"], created["updated_organizations"] = _load_organizations(
        data["organizations"]
    )
    created["users"], created["memberships"] = _load_users(data["users"])
    packages = _active_names(
        model.Session.query(model.Package.name, model.Package.state).filter(
            model.Package.name.like("sq-%")
        )
    )
    created["info_systems"] = _create_packages(
        [dict(s, type="info_system") for s in data["info_systems"]], packages, say
    )
    entries = [dict(e, type="dataset") for e in data["entries"]]
    systems = [dict(s, type="info_system") for s in data["info_systems"]]
    created["entries"] = _create_packages(entries, packages, say)
    digest = data_digest(data)
    if model.get_system_info(DIGEST_KEY) != digest:
        # only packages that existed before this run can differ from the data files
        old = [p for p in systems + entries if packages.get(p["name"]) == "active"]
        created["updated_packages"] = _update_packages(old)
        model.set_system_info(DIGEST_KEY, digest)
    created["users_and_passwords"] = [
        {
            "name": u["name"],
            "password": demo_password(u["name"]),
            "roles": ", ".join(f"{m['role']}@{m['org']}" for m in u["memberships"]) or "public",
        }
        for u in data["users"]
    ]
    created["totals"] = {
        "organizations": len(data["organizations"]),
        "info_systems": len(data["info_systems"]),
        "entries": len(data["entries"]),
        "users": len(data["users"]),
    }
    return created


def _purge_retired(names: Iterable[str]) -> int:
    """Removes datasets of earlier demo versions (they lack the catalog fields)."""
    names = list(names)
    if not names:
        return 0
    found = [
        n for (n,) in model.Session.query(model.Package.name).filter(model.Package.name.in_(names))
    ]
    for name in found:
        tk.get_action("dataset_purge")(_site_context(), {"id": name})
    return len(found)


def _org_fields(org: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in org.items() if v not in (None, "")}


def _load_organizations(orgs: list[dict[str, Any]]) -> tuple[int, int]:
    """Creates missing organizations (parents first, as listed) and brings existing ones whose
    catalog fields differ from the data file (e.g. placeholders of an older loader) up to date."""
    existing = {
        g.name: g
        for g in model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active"
        )
    }
    created = updated = 0
    for org in orgs:
        fields = _org_fields(org)
        group = existing.get(org["name"])
        if group is None:
            tk.get_action("organization_create")(_site_context(), fields)
            created += 1
            continue
        current = {"title": group.title, **(group.extras or {})}
        if any(str(current.get(k) or "") != str(v) for k, v in fields.items() if k != "name"):
            tk.get_action("organization_patch")(_site_context(), dict(fields, id=group.id))
            updated += 1
    return created, updated


def _load_users(users: list[dict[str, Any]]) -> tuple[int, int]:
    created = memberships = 0
    for user in users:
        obj = model.User.get(user["name"])
        if obj is None:
            tk.get_action("user_create")(
                _site_context(),
                {
                    "name": user["name"],
                    "email": user["email"],
                    "fullname": user["fullname"],
                    "password": demo_password(user["name"]),
                },
            )
            obj = model.User.get(user["name"])
            created += 1
        current = {
            (m.group.name, m.capacity)
            for m in model.Session.query(model.Member).filter(
                model.Member.table_name == "user",
                model.Member.table_id == obj.id,
                model.Member.state == "active",
            )
        }
        for m in user["memberships"]:
            if (m["org"], m["role"]) not in current:
                tk.get_action("organization_member_create")(
                    _site_context(), {"id": m["org"], "username": user["name"], "role": m["role"]}
                )
                memberships += 1
    return created, memberships


def _package_fields(item: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k not in PROVENANCE_KEYS}
    if isinstance(fields.get("tags"), list):  # keywords, as the schema's tag_string field
        fields["tag_string"] = ",".join(fields.pop("tags"))
    return fields


def _same(wanted: Any, shown: Any) -> bool:
    """Whether a value of the data files equals what package_show returns for it."""
    if isinstance(wanted, list):
        if not isinstance(shown, list) or len(wanted) != len(shown):
            return False
        return all(_same(w, s) for w, s in zip(wanted, shown, strict=True))
    if isinstance(wanted, dict):
        return isinstance(shown, dict) and all(_same(v, shown.get(k)) for k, v in wanted.items())
    return str(wanted if wanted is not None else "") == str(shown if shown is not None else "")


def _update_packages(items: list[dict[str, Any]]) -> int:
    """Updates the packages whose fields differ from the data files (package_update, so the
    validators run; resource codes are kept)."""
    updated = 0
    for item in items:
        fields = _package_fields(item)
        shown = tk.get_action("package_show")(_site_context(), {"id": item["name"]})
        shown["owner_org"] = (shown.get("organization") or {}).get("name")
        tags = fields.pop("tag_string", None)
        same_tags = tags is None or sorted(tags.split(",")) == sorted(
            t["name"] for t in shown.get("tags", [])
        )
        if same_tags and all(_same(v, shown.get(k)) for k, v in fields.items()):
            continue
        if tags is not None:
            fields["tag_string"] = tags
        tk.get_action("package_update")(_site_context(), dict(fields, id=shown["id"]))
        updated += 1
    return updated


def _create_packages(
    items: list[dict[str, Any]], existing: dict[str, str], say: Callable[[str], None]
) -> int:
    """Creates the packages not yet in the database, in batches (defer_commit), then commits and
    indexes each batch exactly as package_create does."""
    from ckan.lib import search
    from ckan.logic import package_show_default_and_custom_schemas

    todo = []
    for item in items:
        state = existing.get(item["name"])
        if state == "active":
            continue
        if state is not None:  # deleted or draft leftovers would block the name
            tk.get_action("dataset_purge")(_site_context(), {"id": item["name"]})
        todo.append(item)
    index = search.index_for("Package")
    done = 0
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start : start + BATCH_SIZE]
        ids = []
        for item in batch:
            context = _site_context(defer_commit=True, return_id_only=True)
            try:
                ids.append(tk.get_action("package_create")(context, _package_fields(item)))
            except tk.ValidationError as e:
                model.Session.rollback()
                raise tk.ValidationError(
                    {"demo": [f"{item['name']} ({item.get('title')}): {e.error_dict}"]}
                ) from e
        model.repo.commit()
        for pkg_id in ids:
            default, custom = package_show_default_and_custom_schemas(_site_context(), pkg_id)
            index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
        index.commit()
        done += len(batch)
        say(f"  {done}/{len(todo)} {batch[0].get('type')} created")
    return done


def format_report(report: dict[str, Any]) -> str:
    """The loader's report for the console: what was created, the totals, the demo users."""
    made = ", ".join(
        f"{k} {report[k]}"
        for k in (
            "organizations",
            "updated_organizations",
            "updated_packages",
            "info_systems",
            "entries",
            "users",
            "memberships",
            "purged",
        )
    )
    totals = ", ".join(f"{k} {v}" for k, v in report["totals"].items())
    lines = [f"demo catalog: created {made}", f"demo catalog holds: {totals}", "demo users:"]
    lines += [
        f"  {u['name']:<22} {u['password']:<16} {u['roles']}" for u in report["users_and_passwords"]
    ]
    return "\n".join(lines)
