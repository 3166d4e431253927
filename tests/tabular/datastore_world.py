"""A small catalog with DataStore tables for the row-API, masking and usage tests: an owner
department and another one, one conditionally shared entry and one open entry, each with a
table whose columns are the entry's data items, and an approved request naming two items.

Built once per test module (module fixtures of the tests), through the real actions: entries
by tests/factories.py, tables by datastore_create, the grant by the request workflow.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from tests import factories
from tests.module_app import catalog_app

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity dcat datastore"
ITEMS = ["姓名", "公民身份号码", "性别", "备注"]  # 姓名 and 公民身份号码 are personal (factories)
GRANTED_ITEMS = ["性别", "公民身份号码"]
ROWS = [
    {"姓名": "张三丰", "公民身份号码": "610924199003151234", "性别": "男", "备注": "甲"},
    {"姓名": "李秀英", "公民身份号码": "61092419851120002X", "性别": "女", "备注": "乙"},
    {"姓名": "王五", "公民身份号码": "610924200101010011", "性别": "男", "备注": "丙"},
]


@dataclasses.dataclass
class World:
    users: dict[str, dict[str, Any] | None]
    tokens: dict[str, str | None]
    entries: dict[str, dict[str, Any]]
    tables: dict[str, str]  # entry key -> resource id of its DataStore table
    requests: dict[str, dict[str, Any]]  # user role -> approved request


def clear_datastore() -> None:
    from ckanext.datastore.tests import helpers as ds_helpers

    engine = ds_helpers.db.get_write_engine()
    session = ds_helpers.orm.scoped_session(ds_helpers.orm.sessionmaker(bind=engine))
    ds_helpers.clear_db(session)


def table(entry: dict[str, Any], creator: dict[str, Any]) -> str:
    resource = call_action(
        "resource_create",
        {"user": creator["name"]},
        package_id=entry["id"],
        name="表",
        format="CSV",
        url=f"http://exchange.example.gov.cn/{entry['name']}.csv",
    )
    call_action(
        "datastore_create",
        {"user": creator["name"]},
        resource_id=resource["id"],
        force=True,
        fields=[{"id": name, "type": "text"} for name in ITEMS],
        records=ROWS,
    )
    return resource["id"]


def approve(entry: dict[str, Any], requester: dict[str, Any], decider: dict[str, Any], items):
    request = call_action(
        "access_request_create",
        {"user": requester["name"], "ignore_auth": False},
        **factories.access_request_data(entry, data_items=items),
    )
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    return call_action(
        "access_request_approve",
        {"user": decider["name"], "ignore_auth": False},
        id=request["id"],
        expires=expires,
    )


def build() -> World:
    site = factories.Sysadmin(name="ds_sysadmin")
    county = factories.County(user=site, name="ds-county")
    owner = factories.Department(user=site, name="ds-owner", parent_org=county["name"])
    other = factories.Department(user=site, name="ds-other", parent_org=county["name"])
    users: dict[str, dict[str, Any] | None] = {"anonymous": None, "sysadmin": site}
    users["owner_admin"] = factories.Member(
        name="ds_owner_admin", organization=owner, capacity="admin"
    )
    for role in ("requester", "requester2", "other_gov"):
        users[role] = factories.Member(name=f"ds_{role}", organization=other, capacity="editor")
    users["public_user"] = factories.User(name="ds_public_user")
    creator = users["owner_admin"]
    entries = {
        "cond": factories.Entry(
            user=creator,
            name="ds-cond",
            owner_org=owner["id"],
            items=ITEMS,
            share_type="conditional",
            open_type="conditional",
        ),
        "open": factories.Entry(
            user=creator, name="ds-open", owner_org=owner["id"], items=ITEMS, open_to_all=True
        ),
    }
    tables = {key: table(entry, creator) for key, entry in entries.items()}
    requests = {
        "requester": approve(entries["cond"], users["requester"], creator, GRANTED_ITEMS),
        "requester2": approve(entries["cond"], users["requester2"], creator, ["备注"]),
    }
    tokens: dict[str, str | None] = {"anonymous": None}
    for role, user in users.items():
        if user is not None:
            tokens[role] = call_action(
                "api_token_create", {"user": user["name"]}, user=user["name"], name="ds"
            )["token"]
    return World(users, tokens, entries, tables, requests)


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for) -> Iterator[tuple[Any, World]]:
    """The world, built once for the module, and a test app with the DataStore loaded."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        clear_datastore()
        yield web, build()


def ctx(world: World, role: str) -> dict[str, Any]:
    user = world.users[role]
    return {"user": user["name"] if user else "", "ignore_auth": False}


def headers(world: World, role: str) -> dict[str, str]:
    token = world.tokens[role]
    return {"Authorization": token} if token else {}
