"""The embedded Keycloak's realm ``govcatalog``: built from the demo data, rendered with secrets.

``config/keycloak/realm-govcatalog.json`` is an export of the realm as this module builds it from
``schemas/demo/organizations.yaml`` and ``users.yaml``: the department tree as groups (the county
division on top, e.g. ``/石泉县/石泉县公安局``, towns' villages under their town), the roles
``member``, ``editor``, ``admin`` and ``data-admin``, the demo users with their groups and roles,
and the confidential client of the catalog (code flow with PKCE S256, groups and roles in the ID
token). It holds no secret: ``render`` fills in the client secret and each demo user's password,
the same password the demo loader gives the user in CKAN (derived from the site's secret key), so
one printed list serves both. scripts/services/keycloak.sh runs ``render`` before every start.

    python -m ckanext.govcatalog.sso.realm export --out config/keycloak/realm-govcatalog.json
    python -m ckanext.govcatalog.sso.realm group-map     # the ini's group path -> organization
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from typing import Any

import yaml

REALM = "govcatalog"
CLIENT_ID = "govcatalog-catalog"
ROLES = {
    "member": "部门成员：可查看本部门目录",
    "editor": "部门编目员：可编辑本部门目录",
    "admin": "部门负责人：可管理本部门目录与成员",
    "data-admin": "数据管理员（数据局）：目录系统管理员",
}
# The demo's role names (users.yaml) are CKAN capacities; the realm role of the same name.
CLIENT_SECRET_MARK = "@CLIENT_SECRET@"
PASSWORD_MARK = "@DEMO_PASSWORD@"

_SCHEMAS = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "schemas")
)


def _read_yaml(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def division_name(root_title: str) -> str:
    """The county's name of its government's title: 石泉县人民政府 -> 石泉县."""
    return root_title.removesuffix("人民政府") or root_title


def department_paths(organizations: list[dict[str, Any]]) -> dict[str, str]:
    """Group path -> organization name for the department tree.

    The top group is the county division (``/石泉县``); the county government and every department
    under it sit directly below it, and an organization below another (a town's village) sits
    below its parent's group, so paths read like the tree people know.
    """
    by_name = {o["name"]: o for o in organizations}
    roots = [o for o in organizations if not o.get("parent_org")]
    if len(roots) != 1:
        raise ValueError(f"the department tree needs one root organization, found {len(roots)}")
    root = roots[0]
    top = "/" + division_name(root["title"])

    def path(org: dict[str, Any]) -> str:
        parent = by_name.get(org.get("parent_org") or "")
        if parent is None or parent is root:
            return f"{top}/{org['title']}"
        return f"{path(parent)}/{org['title']}"

    return {path(o): o["name"] for o in organizations}


def _group_tree(paths: list[str]) -> list[dict[str, Any]]:
    tree: dict[str, Any] = {}
    for p in sorted(paths):
        node = tree
        for part in p.strip("/").split("/"):
            node = node.setdefault(part, {})

    def groups(node: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
        return [
            {"name": name, "path": f"{prefix}/{name}", "subGroups": groups(sub, f"{prefix}/{name}")}
            for name, sub in node.items()
        ]

    return groups(tree, "")


def _names_of(fullname: str) -> tuple[str, str]:
    """(lastName, firstName) of a Chinese full name: the surname is its first character.
    Keycloak's user profile asks for both; the catalog joins them back in Chinese order."""
    return fullname[:1], fullname[1:] or fullname[:1]


def build_realm(organizations: list[dict[str, Any]], users: list[dict[str, Any]]) -> dict[str, Any]:
    """The realm export, without secrets."""
    paths = department_paths(organizations)
    path_of = {name: path for path, name in paths.items()}
    realm_users = []
    for user in users:
        last, first = _names_of(user["fullname"])
        memberships = user.get("memberships") or []
        realm_users.append(
            {
                "username": user["name"],
                "enabled": True,
                "email": user["email"],
                "emailVerified": True,
                "firstName": first,
                "lastName": last,
                "groups": sorted(path_of[m["org"]] for m in memberships),
                "realmRoles": sorted({m["role"] for m in memberships}),
                "credentials": [{"type": "password", "value": PASSWORD_MARK, "temporary": False}],
            }
        )
    mapper_config = {"id.token.claim": "true", "access.token.claim": "true"}
    return {
        "realm": REALM,
        "enabled": True,
        "displayName": "石泉县统一身份认证平台",
        "internationalizationEnabled": True,
        "supportedLocales": ["zh-CN", "en"],
        "defaultLocale": "zh-CN",
        "sslRequired": "external",
        "loginWithEmailAllowed": True,
        "bruteForceProtected": True,
        "roles": {"realm": [{"name": n, "description": d} for n, d in ROLES.items()]},
        "groups": _group_tree(list(paths)),
        "clients": [
            {
                "clientId": CLIENT_ID,
                "name": "石泉县政务信息资源目录",
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": CLIENT_SECRET_MARK,
                "standardFlowEnabled": True,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "serviceAccountsEnabled": False,
                "frontchannelLogout": False,
                # the catalog on any local port (make run, the journeys) and the test suite's site
                "redirectUris": [
                    "http://127.0.0.1:*",
                    "http://localhost:*",
                    "http://test.ckan.net/*",
                ],
                "webOrigins": ["+"],
                "attributes": {
                    "pkce.code.challenge.method": "S256",
                    "post.logout.redirect.uris": "+",
                },
                "protocolMappers": [
                    {
                        "name": "groups",
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-group-membership-mapper",
                        "config": {"claim.name": "groups", "full.path": "true", **mapper_config},
                    },
                    {
                        "name": "roles",
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-usermodel-realm-role-mapper",
                        "config": {
                            "claim.name": "roles",
                            "multivalued": "true",
                            "jsonType.label": "String",
                            **mapper_config,
                        },
                    },
                ],
            }
        ],
        "users": realm_users,
    }


def demo_realm(schemas_dir: str = _SCHEMAS) -> dict[str, Any]:
    demo = os.path.join(schemas_dir, "demo")
    organizations = _read_yaml(os.path.join(demo, "organizations.yaml"))["organizations"]
    users = _read_yaml(os.path.join(demo, "users.yaml"))["users"]
    return build_realm(organizations, users)


def demo_group_map(schemas_dir: str = _SCHEMAS) -> dict[str, str]:
    organizations = _read_yaml(os.path.join(schemas_dir, "demo", "organizations.yaml"))
    return department_paths(organizations["organizations"])


def render(realm: dict[str, Any], client_secret: str, password_of: Any) -> dict[str, Any]:
    """The realm to import: the client secret and each demo user's password filled in."""
    rendered = json.loads(json.dumps(realm))
    for client in rendered["clients"]:
        if client.get("secret") == CLIENT_SECRET_MARK:
            client["secret"] = client_secret
    for user in rendered["users"]:
        for credential in user.get("credentials") or []:
            if credential.get("value") == PASSWORD_MARK:
                credential["value"] = password_of(user["username"])
    return rendered


def _demo_password_function(site_secret: str) -> Any:
    """The demo loader's password rule, for the site whose secret key is ``site_secret``."""
    from ckanext.govcatalog.demo.loader import demo_password

    # this process serves no site: the loader's rule is given the secret the site's ini holds
    return functools.partial(demo_password, site_secret=site_secret)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ckanext.govcatalog.sso.realm")
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write the realm export built from schemas/demo")
    export.add_argument("--out", required=True)
    sub.add_parser("group-map", help="print the ini lines 'group path = organization'")
    rend = sub.add_parser("render", help="fill the secrets into a realm export for import")
    rend.add_argument("--template", required=True)
    rend.add_argument("--site-secret-file", required=True)
    rend.add_argument("--client-secret-file", required=True)
    rend.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "export":
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(demo_realm(), f, ensure_ascii=False, indent=2)
            f.write("\n")
    elif args.command == "group-map":
        for path, name in demo_group_map().items():
            print(f"    {path} = {name}")
    else:
        with open(args.template, encoding="utf-8") as f:
            realm = json.load(f)
        password_of = _demo_password_function(_read(args.site_secret_file))
        rendered = render(realm, _read(args.client_secret_file), password_of)
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(rendered, f, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
