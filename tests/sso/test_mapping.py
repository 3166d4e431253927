"""What the claims entitle a user to, by the ini's maps: the highest mapped role in every mapped
department, the default capacity without one, unknown group paths set aside, the sysadmin role,
and claims reached by a dotted name (Keycloak's realm_access.roles)."""

from __future__ import annotations

import dataclasses

import pytest

from ckanext.govcatalog.sso import mapping, settings

BASE = settings.Settings(
    enabled=True,
    issuer="https://idp.example/realms/county",
    client_id="catalog",
    client_secret="s",
    scope="openid",
    group_claim="groups",
    role_claim="roles",
    email_claim="email",
    username_claim="preferred_username",
    group_map={"/县/公安局": "police", "/县/城关镇/西城社区": "xicheng"},
    role_map={"member": "member", "editor": "editor", "admin": "admin"},
    sysadmin_role="data-admin",
    default_capacity="member",
    local_login="sysadmins",
    rp_logout=True,
    timeout=5,
    leeway=60,
)


def test_highest_role_applies_in_every_mapped_department():
    wanted = mapping.desired(
        {
            "groups": ["/县/公安局", "县/城关镇/西城社区/"],
            "roles": ["member", "admin", "offline_access"],
        },
        BASE,
    )
    assert wanted.memberships == {"police": "admin", "xicheng": "admin"}
    assert wanted.unknown_groups == ()
    assert not wanted.sysadmin


def test_no_mapped_role_gives_the_default_capacity_and_unknown_paths_are_set_aside():
    claims = {"groups": ["/县/公安局", "/县/不存在局"], "roles": "data-admin"}
    wanted = mapping.desired(claims, BASE)
    assert wanted.memberships == {"police": "member"}
    assert wanted.unknown_groups == ("/县/不存在局",)
    assert wanted.sysadmin


def test_dotted_claim_names_reach_into_objects():
    keycloak_style = dataclasses.replace(BASE, role_claim="realm_access.roles")
    wanted = mapping.desired(
        {"groups": ["/县/公安局"], "realm_access": {"roles": ["editor"]}}, keycloak_style
    )
    assert wanted.memberships == {"police": "editor"}
    assert mapping.desired({}, BASE).memberships == {}


def test_map_lines_are_parsed_and_bad_ones_named():
    assert settings.parse_lines("\n  /县/公安局 = police\n# note\n", "group_map") == {
        "/县/公安局": "police"
    }
    with pytest.raises(settings.ConfigurationError, match="group_map"):
        settings.parse_lines("/县/公安局 police", "group_map")
