"""Loading CSV/XLSX resources into the DataStore: the checks on a file (encoding, header, ragged
rows, size), and the job queued by entry changes, run by a real rq worker in this process (CKAN's
``with_test_worker``), with the load state it leaves."""

from __future__ import annotations

import io
import signal
from typing import Any

import pytest
from ckan import model
from ckan.lib import jobs
from ckan.plugins import toolkit as tk
from ckan.tests import helpers

from ckanext.govcatalog.tabular import loading
from tests import factories

GOOD_CSV = "# 示例数据\r\n姓名,数量,编码\r\n张三,12,007\r\n李四,3.5,010\r\n".encode()


# ---- checks on a file (no database) ------------------------------------------------------------


def test_csv_comment_lines_skipped_and_types_inferred() -> None:
    table = loading.parse_csv(b"\xef\xbb\xbf" + GOOD_CSV)
    assert table.columns == ["姓名", "数量", "编码"]
    assert table.rows == [["张三", "12", "007"], ["李四", "3.5", "010"]]
    # codes with leading zeros stay text: a number would lose them
    assert loading.column_types(table) == ["text", "numeric", "text"]


def test_gb18030_csv_is_read() -> None:
    table = loading.parse_csv("名称,地址\r\n石泉县,城关镇\r\n".encode("gb18030"))
    assert table.rows == [["石泉县", "城关镇"]]


def test_undecodable_csv_names_the_encodings() -> None:
    with pytest.raises(loading.LoadError) as caught:
        loading.parse_csv(b"a,b\r\n\x80\xff,\x81\r\n")
    assert caught.value.message == "The file is neither UTF-8 nor GB18030 text."


def test_ragged_row_names_its_line() -> None:
    with pytest.raises(loading.LoadError) as caught:
        loading.parse_csv("# 示例数据\r\n甲,乙\r\n1,2\r\n3,4,5\r\n".encode())
    # line 4 of the file: marker, header, a good row, the ragged one
    assert caught.value.params == {"line": 4, "found": 3, "expected": 2}


def test_duplicate_and_reserved_column_names_refused() -> None:
    with pytest.raises(loading.LoadError, match="appears twice"):
        loading.parse_csv("甲,甲\r\n1,2\r\n".encode())
    with pytest.raises(loading.LoadError, match="cannot be used"):
        loading.parse_csv("_id,乙\r\n1,2\r\n".encode())
    # 22 Chinese characters are 66 bytes, more than a PostgreSQL column name holds
    with pytest.raises(loading.LoadError, match="at most 63 bytes"):
        loading.parse_csv(("甲" * 22 + ",乙\r\n1,2\r\n").encode())
    assert loading.parse_csv(("甲" * 21 + ",乙\r\n1,2\r\n").encode()).columns[0] == "甲" * 21


def test_xlsx_first_sheet_read_and_broken_workbook_refused() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["# 示例数据"])
    book.active.append(["名称", "数量"])
    book.active.append(["甲", 2])
    out = io.BytesIO()
    book.save(out)
    table = loading.parse_xlsx(out.getvalue())
    assert table.columns == ["名称", "数量"] and table.rows == [["甲", "2"]]
    with pytest.raises(loading.LoadError, match="not a valid XLSX"):
        loading.parse_xlsx(b"PK\x03\x04 not a zip")


# ---- the job, queued by entry changes ----------------------------------------------------------


def _run_jobs() -> None:
    # rq's worker installs its own SIGINT/SIGTERM handlers; the test process keeps its own
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        jobs.Worker().work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _rows(resource_id: str) -> list[dict[str, Any]]:
    found = helpers.call_action("datastore_search", resource_id=resource_id)
    return [{k: v for k, v in r.items() if k != "_id"} for r in found["records"]]


def _table_exists(resource_id: str) -> bool:
    try:
        helpers.call_action("datastore_info", id=resource_id)
    except tk.ObjectNotFound:
        return False
    return True


@pytest.fixture
def entry(county_and_department: dict[str, Any], with_test_worker: None) -> dict[str, Any]:
    jobs.get_queue().empty()
    admin = county_and_department["admin"]
    created = factories.Entry(
        user=admin,
        owner_org=county_and_department["dept"]["id"],
        share_type="unconditional",
        open_type="open",
    )
    return {"admin": admin, "entry": created}


pytestmark_db = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


@pytestmark_db
def test_upload_is_queued_then_loaded_and_a_bad_replacement_fails_cleanly(
    entry: dict[str, Any], create_with_upload: Any
) -> None:
    context = {"user": entry["admin"]["name"]}
    resource = create_with_upload(
        GOOD_CSV, "table.csv", context=context, package_id=entry["entry"]["id"], format="CSV"
    )
    assert loading.load_state(resource["id"])["state"] == loading.QUEUED
    _run_jobs()
    state = loading.load_state(resource["id"])
    assert state["state"] == loading.LOADED and state["rows"] == 2
    assert _rows(resource["id"]) == [
        {"姓名": "张三", "数量": 12, "编码": "007"},
        {"姓名": "李四", "数量": 3.5, "编码": "010"},
    ]

    # a metadata edit does not queue a reload
    helpers.call_action("resource_patch", context=dict(context), id=resource["id"], name="改名")
    assert jobs.get_queue().count == 0

    # a ragged replacement: failed with the line, and the old table is gone, not left as loaded
    create_with_upload(
        "甲,乙\r\n1,2\r\n3\r\n".encode(),
        "table.csv",
        context=dict(context),
        action="resource_patch",
        id=resource["id"],
        format="CSV",
    )
    assert loading.load_state(resource["id"])["state"] == loading.QUEUED
    _run_jobs()
    state = loading.load_state(resource["id"])
    assert state["state"] == loading.FAILED
    assert state["params"] == {"line": 3, "found": 1, "expected": 2}
    assert not _table_exists(resource["id"])


@pytestmark_db
@pytest.mark.ckan_config("govcatalog.tabular.max_bytes", 64)
def test_oversized_file_fails_with_the_sizes(
    entry: dict[str, Any], create_with_upload: Any
) -> None:
    resource = create_with_upload(
        GOOD_CSV * 3,
        "big.csv",
        context={"user": entry["admin"]["name"]},
        package_id=entry["entry"]["id"],
        format="CSV",
    )
    _run_jobs()
    state = loading.load_state(resource["id"])
    assert state["state"] == loading.FAILED
    assert state["reason"].startswith("The file is %(size)s MB, larger than")
    assert not _table_exists(resource["id"])


@pytestmark_db
def test_failure_halfway_drops_the_table(
    entry: dict[str, Any], create_with_upload: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One row per DataStore call, and a second row PostgreSQL refuses (a NUL character in a
    text): the table made by the first call is dropped, and the state says failed."""
    monkeypatch.setattr(loading, "_BATCH", 1)
    resource = create_with_upload(
        "名称,说明\r\n甲,好\r\n乙,坏\x00值\r\n".encode(),
        "bad.csv",
        context={"user": entry["admin"]["name"]},
        package_id=entry["entry"]["id"],
        format="CSV",
    )
    _run_jobs()
    state = loading.load_state(resource["id"])
    assert state["state"] == loading.FAILED, state
    assert not _table_exists(resource["id"])


@pytestmark_db
def test_deferred_commit_queues_only_once_committed(entry: dict[str, Any]) -> None:
    """A bulk import creates entries with defer_commit and commits (or rolls back) them as a
    whole: its loads are queued on commit, and a rollback queues none. (CKAN's package_create
    takes no file uploads, so the upload here is one whose file is not in storage: the job then
    fails saying so.)"""
    dept_id = entry["entry"]["owner_org"]
    resource = {"url": "t.csv", "url_type": "upload", "format": "CSV", "name": "表"}

    def create(name: str) -> None:
        context = {"user": entry["admin"]["name"], "defer_commit": True}
        helpers.call_action(
            "package_create",
            context=context,
            **factories.Entry.data(owner_org=dept_id, name=name, resources=[resource]),
        )

    create("deferred-rolled-back")
    model.Session.rollback()
    assert jobs.get_queue().count == 0

    create("deferred-committed")
    assert jobs.get_queue().count == 0
    model.Session.commit()
    assert jobs.get_queue().count == 1
    resource_id = model.Package.get("deferred-committed").resources[0].id
    assert loading.load_state(resource_id)["state"] == loading.QUEUED
    _run_jobs()
    state = loading.load_state(resource_id)
    assert state["state"] == loading.FAILED
    assert state["reason"] == "The uploaded file is missing."


@pytestmark_db
def test_links_and_documents_are_not_loaded(entry: dict[str, Any], create_with_upload: Any) -> None:
    context = {"user": entry["admin"]["name"]}
    link = helpers.call_action(
        "resource_create",
        context=dict(context),
        package_id=entry["entry"]["id"],
        url="http://example.invalid/t.csv",
        format="CSV",
    )
    pdf = create_with_upload(
        b"%PDF-1.4", "d.pdf", context=dict(context), package_id=entry["entry"]["id"], format="PDF"
    )
    assert jobs.get_queue().count == 0
    assert loading.load_state(link["id"]) is None and loading.load_state(pdf["id"]) is None
