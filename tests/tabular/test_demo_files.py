"""The demo catalog's sample files: deterministic, columns = data items, 示例数据 marked, fake
personal values in valid form; and attached to an entry and loaded into the DataStore."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.govcatalog.demo import files, loader
from ckanext.govcatalog.elements.formats import check_value
from ckanext.govcatalog.tabular import demo_files, loading
from tests import factories

PERSON_ENTRY = {
    "name": "sq-test-people",
    "title": "人口基础信息",
    "share_type": "conditional",
    "open_type": "closed",
    "format_type": "Oracle 数据表",
    "data_items": [
        {"name": "姓名", "data_type": "C", "personal_info": "yes"},
        {"name": "公民身份号码", "data_type": "C", "personal_info": "yes"},
        {"name": "联系电话", "data_type": "C", "personal_info": "yes"},
        {"name": "出生日期", "data_type": "D", "personal_info": "yes"},
        {"name": "人数", "data_type": "I", "personal_info": "no"},
        {"name": "人数", "data_type": "N", "personal_info": "no"},
        {"name": "单位统一社会信用代码", "data_type": "C", "personal_info": "no"},
    ],
}


def test_rows_are_the_same_every_time_and_differ_between_entries() -> None:
    assert demo_files.sample_rows(PERSON_ENTRY) == demo_files.sample_rows(PERSON_ENTRY)
    other = dict(PERSON_ENTRY, name="sq-test-other")
    assert demo_files.sample_rows(other)[1] != demo_files.sample_rows(PERSON_ENTRY)[1]


def test_columns_are_the_data_items_and_personal_values_are_valid_fakes() -> None:
    columns, rows = demo_files.sample_rows(PERSON_ENTRY)
    assert columns == [
        "姓名",
        "公民身份号码",
        "联系电话",
        "出生日期",
        "人数",
        "人数（2）",
        "单位统一社会信用代码",
    ]
    assert len(rows) == demo_files.rules()["rows"]
    surnames = set(demo_files.rules()["surnames"])
    for name, id_number, phone, birth, count, amount, credit_code in rows:
        assert name[0] in surnames
        assert check_value("gb11643", id_number), id_number
        assert id_number.startswith("610922") and id_number[6:14] == birth.replace("-", "")
        assert re.fullmatch(r"1[3-9]\d{9}", phone)
        assert count.isdigit() and re.fullmatch(r"\d+\.\d\d", amount)
        assert check_value("gb32100", credit_code), credit_code


def test_every_demo_entry_that_is_open_or_shared_gets_a_file_of_its_kind() -> None:
    entries = loader.read_data()["entries"]
    wanted = [e for e in entries if demo_files.wants_file(e)]
    assert len(wanted) == len(
        [e for e in entries if e.get("share_type") != "none" or e.get("open_type") != "closed"]
    )
    kinds = {demo_files.file_format(e) for e in wanted}
    assert kinds == {"CSV", "XLSX", "PDF"}
    xlsx = next(e for e in wanted if demo_files.file_format(e) == "XLSX")
    sample = demo_files.sample_file(xlsx)
    # the loader reads what the generator writes: the marker is skipped, the items are the header
    table = loading.parse_xlsx(sample.content)
    assert table.columns == demo_files.column_names(xlsx)
    assert len(table.rows) == sample.row_count


def test_every_demo_table_header_passes_the_loaders_checks() -> None:
    """Long item names are cut to what a database column takes; no demo header is refused."""
    for entry in loader.read_data()["entries"]:
        if demo_files.wants_file(entry) and demo_files.file_format(entry) != "PDF":
            loading.check_header(demo_files.column_names(entry))


def test_files_are_marked_as_sample_data() -> None:
    marker = demo_files.rules()["marker"]
    csv_file = demo_files.sample_file(PERSON_ENTRY)
    assert csv_file.format == "CSV"
    assert csv_file.content.decode("utf-8-sig").startswith(marker)
    document = demo_files.sample_file(dict(PERSON_ENTRY, data_items=[]))
    assert document.format == "PDF" and document.content.startswith(b"%PDF-1.4")
    assert "示例数据".encode("utf-16-be").hex().upper().encode() in document.content


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_attached_sample_is_marked_and_loads(county_and_department: dict[str, Any]) -> None:
    admin = county_and_department["admin"]
    entry = factories.Entry(
        user=admin, owner_org=county_and_department["dept"]["id"], share_type="unconditional"
    )
    resource = files.attach_sample(PERSON_ENTRY, entry["id"], admin["name"])
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["sample_data"] == "true" and "示例数据" in shown["name"]
    assert shown["url_type"] == "upload" and shown["format"] == "CSV"
    # the set-up loads it right away: nothing queued, and marked as having its table already (so
    # loading runs no second package_update)
    assert loading.load_state(resource["id"]) is None
    assert str(shown["datastore_active"]).lower() == "true"
    assert loading.load_resource(resource["id"]) == loading.LOADED
    rows = helpers.call_action("datastore_search", resource_id=resource["id"], limit=5)
    assert [f["id"] for f in rows["fields"]][1:] == demo_files.column_names(PERSON_ENTRY)
    assert rows["total"] == demo_files.rules()["rows"]
    assert check_value("gb11643", rows["records"][0]["公民身份号码"])


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("govcatalog.tabular.max_bytes", 64)
def test_a_sample_whose_load_fails_is_not_left_marked_as_having_a_table(
    county_and_department: dict[str, Any],
) -> None:
    admin = county_and_department["admin"]
    entry = factories.Entry(
        user=admin, owner_org=county_and_department["dept"]["id"], share_type="unconditional"
    )
    resource = files.attach_sample(PERSON_ENTRY, entry["id"], admin["name"])
    assert loading.load_resource(resource["id"]) == loading.FAILED  # larger than 64 bytes
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert str(shown.get("datastore_active")).lower() != "true"
    assert loading.load_state(resource["id"])["reason"].startswith("The file is")
