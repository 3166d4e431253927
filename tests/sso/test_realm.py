"""The embedded Keycloak's realm export is the demo data's: every department a group at its place
in the tree, every demo user with their groups and roles and no password stored; the ini's group
map names the same departments; rendering fills in the secrets."""

from __future__ import annotations

import json
from pathlib import Path

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.sso import realm, settings

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "config" / "keycloak" / "realm-govcatalog.json"


def test_the_committed_export_is_built_from_the_demo_data():
    committed = json.loads(EXPORT.read_text(encoding="utf-8"))
    assert committed == realm.demo_realm(), (
        "config/keycloak/realm-govcatalog.json is stale: run "
        "python -m ckanext.govcatalog.sso.realm export --out config/keycloak/realm-govcatalog.json"
    )
    assert realm.CLIENT_SECRET_MARK in EXPORT.read_text(encoding="utf-8")
    editor = next(u for u in committed["users"] if u["username"] == "sq-gaj-editor")
    assert editor["groups"] == ["/石泉县/石泉县公安局"]
    assert editor["realmRoles"] == ["editor"]
    assert {r["name"] for r in committed["roles"]["realm"]} == {
        "member",
        "editor",
        "admin",
        "data-admin",
    }


def test_villages_sit_under_their_town():
    paths = realm.demo_group_map()
    assert paths["/石泉县/石泉县城关镇人民政府/石泉县城关镇西城社区居民委员会"] == (
        "shiquan-chengguan-xicheng"
    )
    assert len(paths) == len(set(paths.values()))


def test_the_ini_maps_every_department_of_the_realm():
    configured = settings.parse_lines(tk.config.get("govcatalog.sso.group_map"), "group_map")
    assert configured == realm.demo_group_map()


def test_render_fills_in_the_secrets():
    rendered = realm.render(realm.demo_realm(), "client-secret-1", lambda name: f"pw-{name}")
    assert rendered["clients"][0]["secret"] == "client-secret-1"
    user = rendered["users"][0]
    assert user["credentials"][0]["value"] == f"pw-{user['username']}"
    assert realm.PASSWORD_MARK not in json.dumps(rendered)
