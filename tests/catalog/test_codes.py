"""Resource codes (分类码/顺序码): taken from the code table, allocated under real concurrency
against the test database, never reused."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ckan.model as model
import pytest
from ckan.logic import ValidationError
from ckan.tests.helpers import call_action

from ckanext.govcatalog.catalog import codes
from tests import factories


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


def create(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return call_action(
        "package_create",
        context={"user": world["admin"]["name"]},
        **factories.Entry.data(owner_org=world["dept"]["name"], **overrides),
    )


def test_class_code_comes_from_the_code_table(world):
    assert codes.class_code("basic", "人口") == "101"
    assert codes.class_code("thematic", "社区治理") == "210"
    assert codes.class_code("thematic", "应急维稳", "001", "02") == "21200102"
    with pytest.raises(codes.CodeError):
        codes.class_code("basic", "社区治理")


def test_codes_follow_classification(world):
    a = create(world)
    b = create(world)
    c = create(world, catalog_class="thematic", catalog_item="社区治理", catalog_entry="003")
    assert (a["resource_code"], b["resource_code"]) == ("101/000001", "101/000002")
    assert c["resource_code"] == "210003/000001"
    assert codes.code_pattern().match(c["resource_code"])


def test_departmental_items_are_per_department_and_stable(world):
    other = factories.Department(
        user=world["admin"], name="dept-health", title="石泉县卫生健康局", parent_org="county"
    )
    ours = create(world, catalog_class="departmental", catalog_item="")
    theirs = call_action(
        "package_create",
        context={"user": world["admin"]["name"]},
        **factories.Entry.data(
            owner_org=other["name"], catalog_class="departmental", catalog_item=""
        ),
    )
    again = create(world, catalog_class="departmental", catalog_item="")
    assert ours["resource_code"] == "301/000001"
    assert theirs["resource_code"] == "302/000001"
    assert again["resource_code"] == "301/000002"


def test_codes_are_never_reused_after_deletion_or_rejection(world):
    first = create(world)
    call_action("dataset_purge", context={"user": world["admin"]["name"]}, id=first["id"])
    with pytest.raises(ValidationError):
        create(world, share_condition="")  # rejected: no number is taken
    model.Session.remove()
    second = create(world)
    assert first["resource_code"] == "101/000001"
    assert second["resource_code"] == "101/000002"


class _FixedNumbers(codes.Numbering):
    """Numbers of a caller's own: 顺序码 from 4242 up, 项 "77" for every department."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def sequence(self, class_code: str) -> int:
        self.taken.append(class_code)
        return 4241 + len(self.taken)

    def departmental_item(self, org_id: str) -> str:
        return "77"


def test_a_numbering_in_the_context_numbers_the_new_entry(world):
    numbering = _FixedNumbers()
    context = {"user": world["admin"]["name"], codes.NUMBERING_KEY: numbering}
    ours = call_action(
        "package_create", context=context, **factories.Entry.data(owner_org=world["dept"]["name"])
    )
    departmental = call_action(
        "package_create",
        context=dict(context),
        **factories.Entry.data(
            owner_org=world["dept"]["name"], catalog_class="departmental", catalog_item=""
        ),
    )
    assert ours["resource_code"] == "101/004242"
    assert departmental["resource_code"] == "377/004243"
    assert numbering.taken == ["101", "377"]
    # nothing was taken from the sequence table meanwhile
    assert create(world)["resource_code"] == "101/000001"
    assert codes.numbering_in({}) is codes.SEQUENCE_TABLE


def test_parallel_sequence_allocation_gives_distinct_numbers():
    def take(_: int) -> list[int]:
        try:
            return [codes.next_sequence("999") for _ in range(25)]
        finally:
            model.Session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = [n for batch in pool.map(take, range(8)) for n in batch]
    assert sorted(taken) == list(range(1, 201))


def test_parallel_creates_receive_distinct_codes(world, app):
    """Eight threads create entries at once, each with its own session and database
    connection, through package_create (validation, allocation, save, index)."""
    barrier = threading.Barrier(8)
    user = world["admin"]["name"]
    owner = world["dept"]["name"]

    def create_in_thread(i: int) -> str:
        with app.flask_app.test_request_context():
            try:
                barrier.wait(timeout=30)
                pkg = call_action(
                    "package_create",
                    context={"user": user},
                    **factories.Entry.data(
                        owner_org=owner,
                        name=f"parallel-{i}",
                        catalog_class="thematic",
                        catalog_item="公共服务",
                    ),
                )
                return pkg["resource_code"]
            finally:
                model.Session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(create_in_thread, range(8)))
    assert len(set(got)) == 8, got
    assert sorted(got) == [f"201/{n:06d}" for n in range(1, 9)]
    stored = call_action("package_search", fq="resource_code:201*", rows=20)
    assert stored["count"] == 8
