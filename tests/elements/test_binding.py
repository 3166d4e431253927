"""Binding data items to data elements: what a bound item is checked against on create, update
and import (unknown, deprecated and unfit elements; the grading rules), where the binding shows,
and binding a department's existing items in bulk (``ckan govcatalog elements bind``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests.helpers import call_action

from ckanext.govcatalog.bulk import importer
from ckanext.govcatalog.catalog import form
from ckanext.govcatalog.elements import autobind, binding, seedfile, transfer
from tests import factories

# pages are fetched without a request context of their own; the other tests need one
pytestmark = pytest.mark.usefixtures("with_plugins")
in_request = pytest.mark.usefixtures("with_request_context")

ID_NUMBER = "DE00001"  # 公民身份号码: c18, sensitive personal information
BIRTH_DATE = "DE00004"  # 出生日期: d8
PERSON_NAME = "DE00002"  # 姓名


@pytest.fixture
def seeded(clean_db, clean_index):
    """The three shipped elements these tests bind to (the whole seed takes seconds to load)."""
    wanted = {ID_NUMBER, BIRTH_DATE, PERSON_NAME}
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    return transfer.import_records([r for r in records if r["id"] in wanted], actor=None)


def _item(name: str, data_type: str, length: int, element_id: str | None = None) -> dict:
    item = {"name": name, "data_type": data_type, "length": length, "personal_info": "yes"}
    if element_id is not None:
        item["element_id"] = element_id
    return item


def _refusal(**fields) -> dict:
    with pytest.raises(tk.ValidationError) as refused:
        factories.Entry(**fields)
    return refused.value.error_dict


def _element_errors(errors: dict) -> list[str]:
    return [m for row in errors.get("data_items", []) for m in (row or {}).get("element_id", [])]


def _set_element(element_id: str, **changes) -> None:
    call_action("data_element_update", id=element_id, **changes)


def test_a_bound_item_is_stored_and_shown_on_the_entry_page(seeded, app):
    entry = factories.Entry(
        data_items=[
            _item("身份证号", "C", 18, "DE00001 公民身份号码"),  # the id out of what is typed
            _item("姓名", "C", 50, "姓名"),  # an element's name means the element
            _item("备注", "C", 200),
        ],
        open_type="closed",
    )
    stored = call_action("package_show", id=entry["id"])["data_items"]
    assert [i.get("element_id") for i in stored] == [ID_NUMBER, PERSON_NAME, None]
    admin = factories.Sysadmin()
    page = app.get(f"/dataset/{entry['name']}", headers={"Authorization": admin["token"]}).body
    assert f'href="/data-element/{ID_NUMBER}"' in page and "公民身份号码" in page
    assert "govcatalog-sensitive" in page  # the sensitive item is marked
    assert [b.package_name for b in binding.bound_items(ID_NUMBER)] == [entry["name"]]


def _unknown_deprecated_and_unfit_elements_are_refused() -> None:
    errors = _refusal(data_items=[_item("身份证号", "C", 18, "DE99999")])
    assert _element_errors(errors) == ["Row 1, data item “身份证号”: Unknown data element DE99999"]

    replacement = call_action(
        "data_element_create", name="测试新证号", data_type="C", format="c18", status="已发布"
    )
    old = call_action(
        "data_element_create",
        name="测试旧证号",
        data_type="C",
        format="c18",
        status="已废止",
        replaced_by=replacement["id"],
    )
    errors = _refusal(data_items=[_item("姓名", "C", 50), _item("旧证号", "C", 18, old["id"])])
    (message,) = _element_errors(errors)
    assert message.startswith("Row 2, data item “旧证号”") and old["id"] in message
    assert f"use {replacement['id']} 测试新证号 instead" in message

    # an 18-character identifier kept in a date item, and a date element in an 18-character text
    errors = _refusal(
        data_items=[
            _item("出生日期", "D", 8, ID_NUMBER),
            _item("身份证号", "C", 18, BIRTH_DATE),
        ]
    )
    first, second = _element_errors(errors)
    assert first.startswith("Row 1, data item “出生日期”") and "公民身份号码（DE00001）" in first
    assert "c18" in first
    assert second.startswith("Row 2, data item “身份证号”") and "出生日期（DE00004）" in second


def _sensitive_items_forbid_unconditional_sharing_and_opening() -> None:
    items = [_item("姓名", "C", 50, PERSON_NAME), _item("身份证号", "C", 18, ID_NUMBER)]
    errors = _refusal(data_items=items, share_type="unconditional", open_type="open")
    for field in ("share_type", "open_type"):
        (message,) = errors[field]
        assert "sensitive personal information" in message
        assert (
            "row 2, data item “身份证号” is bound to data element 公民身份号码（DE00001）"
            in message
        )

    # an entry without the binding is saved; binding the item on update is refused, unchanged
    entry = factories.Entry(
        data_items=[_item("身份证号", "C", 18)], share_type="unconditional", open_type="closed"
    )
    with pytest.raises(tk.ValidationError) as refused:
        call_action(
            "package_patch", id=entry["id"], data_items=[_item("身份证号", "C", 18, ID_NUMBER)]
        )
    assert list(refused.value.error_dict) == ["share_type"]
    stored = call_action("package_show", id=entry["id"])
    assert "element_id" not in stored["data_items"][0] and stored["share_type"] == "unconditional"


def _the_grade_is_the_highest_of_the_elements_and_core_data_is_never_shared() -> None:
    _set_element(PERSON_NAME, data_grade="重要数据")
    items = [_item("姓名", "C", 50, PERSON_NAME)]
    errors = _refusal(data_items=items, data_grade="一般数据")
    (message,) = errors["data_grade"]
    assert "Important data" in message and "row 1, data item “姓名”" in message
    assert factories.Entry(data_items=items, data_grade="重要数据")["data_grade"] == "重要数据"
    assert factories.Entry(data_items=items, data_grade="核心数据")["data_grade"] == "核心数据"

    _set_element(PERSON_NAME, data_grade="核心数据")
    errors = _refusal(data_items=items, data_grade="核心数据", share_type="conditional")
    assert "“Not shared”" in errors["share_type"][0] and "姓名" in errors["share_type"][0]
    entry = factories.Entry(
        data_items=items, data_grade="核心数据", share_type="none", open_type="closed"
    )
    assert entry["share_type"] == "none"


def _bind_prints_what_it_would_bind_and_applies_only_auto_bindings(cli) -> None:
    org = factories.Organization()
    open_entry = factories.Entry(
        owner_org=org["id"],
        data_items=[_item("身份证号码", "C", 18), _item("申请人姓名", "C", 50)],
        share_type="unconditional",
        open_type="open",
        title="公开名录",
    )
    closed = factories.Entry(
        owner_org=org["id"],
        data_items=[_item("居民身份证号", "C", 18), _item("甲乙丙", "C", 10)],
        title="内部名册",
    )
    other = factories.Entry(data_items=[_item("姓名", "C", 50)])

    shown = cli.invoke(ckan_cli, ["govcatalog", "elements", "bind", "--org", org["name"]])
    assert shown.exit_code == 0, shown.output
    assert "内部名册: row 1, “居民身份证号” → 公民身份号码（DE00001）" in shown.output
    assert "公开名录: row 2, “申请人姓名” → 姓名（DE00002）" in shown.output
    # the sensitive ID number is not bound into an unconditionally shared entry, and says why
    assert (
        "Not bound: 公开名录" in shown.output and "sensitive personal information" in shown.output
    )
    assert "nothing written" in shown.output
    assert "element_id" not in call_action("package_show", id=closed["id"])["data_items"][0]

    done = cli.invoke(ckan_cli, ["govcatalog", "elements", "bind", "--org", org["name"], "--apply"])
    assert done.exit_code == 0, done.output
    assert "written: 2 entries" in done.output
    items = {
        e["title"]: [
            i.get("element_id") for i in call_action("package_show", id=e["id"])["data_items"]
        ]
        for e in (open_entry, closed, other)
    }
    assert items["公开名录"] == [None, PERSON_NAME]
    assert items["内部名册"] == [ID_NUMBER, None]
    assert items[other["title"]] == [None]  # another department's entry is left alone
    # the search index has the bindings too
    found = call_action("package_search", q=f"id:{closed['id']}")["results"][0]
    assert ID_NUMBER in str(found["data_items"])


def _bind_asks_for_a_department_through_the_message_catalogue(cli) -> None:
    for args in ([], ["--org", "any", "--all"]):
        refused = cli.invoke(ckan_cli, ["govcatalog", "elements", "bind", *args])
        assert refused.exit_code == 2, refused.output
        # tk._ worded (and translated) like the command's other messages
        assert "Give --org (one or more) or --all" in refused.output


def _bind_is_all_or_nothing() -> None:
    org = factories.Organization()
    items = [_item("居民身份证号", "C", 18)]
    first = factories.Entry(name="bind-a-entry", owner_org=org["id"], data_items=items)
    last = factories.Entry(name="bind-b-entry", owner_org=org["id"], data_items=items)
    plan = autobind.plan([org["id"]])
    assert list(plan.updates) == [first["id"], last["id"]]
    # the last write is refused: the first, already written, is rolled back with it
    plan.updates[last["id"]]["share_condition"] = ""
    with pytest.raises(tk.ValidationError):
        autobind.apply(plan, factories.Sysadmin()["name"])
    for entry in (first, last):
        assert "element_id" not in call_action("package_show", id=entry["id"])["data_items"][0]


def _an_import_fills_the_element_of_auto_items_for_review() -> None:
    org = factories.Organization()
    user = factories.Sysadmin()
    data = factories.Entry.data(owner_org=org["id"], title="导入的名册")
    data.pop("name")
    data["data_items"] = [_item("身份证号", "C", 18), _item("甲乙丙", "C", 10)]
    row = importer.Row(2, "1", data, {}, item_rows={"data_items": [2, 3]})
    result = importer.import_rows([row], user["name"], dry_run=True)
    assert result.ok, result.problems
    assert [(b["row"], b["item"], b["element_id"]) for b in result.auto_bound] == [
        (2, "身份证号", ID_NUMBER)
    ]
    assert result.auto_bound[0]["sheet"] == "信息项"


def test_an_upload_lists_the_filled_elements_and_marks_them_in_its_report_workbook(seeded, app):
    """The upload's report page lists the 数据元 the check filled in, and the downloadable
    workbook shows each in the data item sheet's 数据元 column, marked for review."""
    import io

    from openpyxl import load_workbook

    from ckanext.govcatalog.bulk import exporter
    from ckanext.govcatalog.bulk import layout as L
    from tests.bulk.test_views import REPORT_URL, body, login, upload

    org = factories.Organization(title="石泉县测试局")
    officer = factories.Member(organization=org, capacity="editor")
    entry = factories.Entry(
        owner_org=org["id"], data_items=[_item("人员姓名", "C", 50), _item("甲乙丙", "C", 10)]
    )
    with app.flask_app.test_request_context():
        shown = call_action("package_show", id=entry["id"])
        data = exporter.to_xlsx([shown], L.layout())
    login(app, officer["name"])
    response = upload(app, data, "名册.xlsx", org["id"])
    assert response.status_code == 302, body(response)
    location = response.headers["Location"]
    page = body(app.get(location))
    assert 'id="bulk-element-bindings"' in page and 'id="bulk-bindings-file"' in page
    assert "人员姓名" in page and f"/data-element/{PERSON_NAME}" in page

    report = app.get(f"/catalog/bulk/upload/{REPORT_URL.search(location).group(1)}/report")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.data))["信息项"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # required columns are headed with a star (信息项名称 *)
    header = next(
        [str(v or "").rstrip(" *") for v in r] for r in rows if "数据元" in r and len(r) > 2
    )
    name_at, element_at = header.index("信息项名称"), header.index("数据元")
    filled = {r[name_at]: r[element_at] for r in rows if r[name_at] in ("人员姓名", "甲乙丙")}
    assert filled == {"人员姓名": f"{PERSON_NAME} 姓名", "甲乙丙": None}
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == f"{PERSON_NAME} 姓名")
    assert cell.comment is not None and "%" in cell.comment.text


def _deprecate_a_bound_element(admin: dict) -> tuple[dict, dict, dict]:
    """(entry, deprecated element, successor) after deprecating an element the entry holds."""
    as_admin = {"user": admin["name"]}
    successor = call_action(
        "data_element_create", name="测试新证号", data_type="C", format="c18", status="已发布"
    )
    old = call_action(
        "data_element_create", name="测试旧证号", data_type="C", format="c18", status="已发布"
    )
    entry = factories.Entry(
        title="持证人员名册",
        data_items=[_item("姓名", "C", 50, PERSON_NAME), _item("旧证号", "C", 18, old["id"])],
    )
    retired = call_action(
        "data_element_update", id=old["id"], status="已废止", replaced_by=successor["id"]
    )
    assert retired["status"] == "已废止"
    (warning,) = retired["warnings"]
    assert f"{old['id']} 测试旧证号" in warning and "1 data items of 1 entries" in warning
    assert "持证人员名册: 旧证号" in warning
    # a change that is not a deprecation warns of nothing
    assert call_action("data_element_update", id=old["id"], definition="旧式证号")["warnings"] == []

    # an edit of other fields goes through, and the binding stays
    call_action("package_patch", as_admin, id=entry["id"], notes="只改说明")
    stored = call_action("package_show", id=entry["id"])
    assert stored["notes"] == "只改说明"
    assert [i.get("element_id") for i in stored["data_items"]] == [PERSON_NAME, old["id"]]
    # so does an edit of the items that keeps the binding (moved to another row, item renamed)
    call_action(
        "package_patch",
        as_admin,
        id=entry["id"],
        data_items=[_item("原证号", "C", 18, old["id"]), _item("姓名", "C", 50, PERSON_NAME)],
    )

    # a second item bound to it is a new binding: refused, naming it and its successor
    with pytest.raises(tk.ValidationError) as refused:
        call_action(
            "package_patch",
            as_admin,
            id=entry["id"],
            data_items=[
                _item("原证号", "C", 18, old["id"]),
                _item("姓名", "C", 50, PERSON_NAME),
                _item("曾用证号", "C", 18, old["id"]),
            ],
        )
    (message,) = _element_errors(refused.value.error_dict)
    assert message.startswith("Row 3, data item “曾用证号”") and "deprecated" in message
    assert f"use {successor['id']} 测试新证号 instead" in message
    assert len(call_action("package_show", id=entry["id"])["data_items"]) == 2
    # and so is a new entry binding it
    errors = _refusal(data_items=[_item("旧证号", "C", 18, old["id"])])
    assert "deprecated" in _element_errors(errors)[0]
    return entry, old, successor


def test_a_deprecated_element_keeps_its_bindings_and_refuses_new_ones(seeded, app):
    """Deprecating an element in use warns how many items hold it; the entries holding it stay
    editable and show the binding as deprecated with its successor; a new binding is refused."""
    admin = factories.Sysadmin()
    with app.flask_app.test_request_context():
        entry, old, successor = _deprecate_a_bound_element(admin)

    # the entry page shows the binding as deprecated, pointing to its successor
    page = app.get(f"/dataset/{entry['name']}", headers={"Authorization": admin["token"]}).body
    marker = page.index("govcatalog-element-retired")
    start = page.rindex('<td class="gc-col-element_id"', 0, marker)
    cell = page[start : page.index("</td>", marker)]
    assert "测试旧证号" in cell and old["id"] in cell and "Deprecated" in cell
    assert f'href="/data-element/{successor["id"]}"' in cell and "测试新证号" in cell


def test_deprecating_a_bound_element_on_its_form_says_who_holds_it(seeded, app):
    import re

    with app.flask_app.test_request_context():
        entry = factories.Entry(
            title="持证人员名册", data_items=[_item("姓名", "C", 50, PERSON_NAME)]
        )
    signed_in = {"Authorization": factories.Sysadmin()["token"]}
    form = app.get(f"/data-element/{PERSON_NAME}/edit", headers=signed_in)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    fields = {"name": "姓名", "data_type": "C", "format": "c..50", "personal_info": "on"}
    saved = app.post(
        f"/data-element/{PERSON_NAME}/edit",
        headers=signed_in,
        data={"_csrf_token": csrf.group(1), **fields, "status": "已废止"},
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert saved.status_code == 200, page
    assert f"Data element {PERSON_NAME} 姓名 is deprecated while 1 data items of 1 entries" in page
    assert f"{entry['title']}: 姓名" in page


@in_request
def test_a_paste_may_leave_out_the_element_column_or_give_it():
    five = form.parse_grid_paste("姓名\tC\t50\t\t是")
    six = form.parse_grid_paste("身份证号\tC\t18\t\t是\tDE00001")
    assert not five.errors and "element_id" not in five.rows[0]
    assert not six.errors and six.rows[0]["element_id"] == "DE00001"
    assert form.parse_grid_paste("姓名\tC\t50\t\t是\tDE00002\t多余").errors


@in_request
def test_bound_items_are_checked_naming_row_item_and_element_nothing_half_saved(seeded):
    """Unknown, deprecated and unfit elements; then the grading rules (the last one changes
    an element's grade, so it runs last)."""
    _unknown_deprecated_and_unfit_elements_are_refused()
    _sensitive_items_forbid_unconditional_sharing_and_opening()
    _the_grade_is_the_highest_of_the_elements_and_core_data_is_never_shared()


@in_request
def test_bulk_binding_by_command_and_by_import(seeded, cli):
    _bind_asks_for_a_department_through_the_message_catalogue(cli)
    _bind_prints_what_it_would_bind_and_applies_only_auto_bindings(cli)
    _bind_is_all_or_nothing()
    _an_import_fills_the_element_of_auto_items_for_review()
