"""An import keeps the data-element rules of issue 15 §6, with the real catalog schema: a row
binding a sensitive element in an unconditionally shared entry is refused naming its sheet row,
field, item and element, and nothing is written; the auto-binding of an import leaves such an
element out and says so in its report (as ``ckan govcatalog elements bind`` does)."""

from __future__ import annotations

import io

import pytest
from ckan.tests.helpers import call_action
from openpyxl import load_workbook

from ckanext.govcatalog.bulk import exporter, importer
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.elements import seedfile, transfer
from tests import factories
from tests.bulk.test_views import REPORT_URL, body, login, upload

pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

ID_NUMBER = "DE00001"  # 公民身份号码: c18, sensitive personal information
PERSON_NAME = "DE00002"  # 姓名


@pytest.fixture
def app(shared_app):
    return shared_app


@pytest.fixture
def department(app):
    """The elements these tests bind to, a department with an officer, and a workbook exported
    from one of its entries (conditionally shared, its items 姓名 and 身份证号 unbound)."""
    with app.flask_app.test_request_context():
        records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
        wanted = {ID_NUMBER, PERSON_NAME}
        transfer.import_records([r for r in records if r["id"] in wanted], actor=None)
        org = factories.Organization(title="石泉县测试局")
        officer = factories.Member(organization=org, capacity="editor")
        entry = factories.Entry(
            owner_org=org["id"],
            title="持证人员名册",
            share_type="conditional",
            open_type="closed",
            data_items=[
                {"name": "姓名", "data_type": "C", "length": 50, "personal_info": "yes"},
                {"name": "身份证号", "data_type": "C", "length": 18, "personal_info": "yes"},
            ],
        )
        data = exporter.to_xlsx([call_action("package_show", id=entry["id"])], L.layout())
    return {"org": org, "officer": officer, "entry": entry, "xlsx": data}


def _new_unconditional_entry(data: bytes, id_number_element: str | None) -> bytes:
    """The exported workbook as a new entry (no resource code, another title) shared
    unconditionally, its 身份证号 item bound to ``id_number_element`` (or left unbound)."""
    lay = L.layout()
    wb = load_workbook(io.BytesIO(data))
    entries = wb[L.ENTRY_SHEET]

    def entry_cell(field: str):
        column = next(n for n, c in enumerate(lay.columns, start=2) if c.field == field)
        return entries.cell(row=2, column=column)

    entry_cell(L.KEY_FIELD).value = None
    entry_cell("title").value = "持证人员名册（导入）"
    share = lay.column("share_type")
    entry_cell("share_type").value = L.write_cell(share, "unconditional", L.OrgIndex())
    sheet = lay.item_sheets[0]
    items = wb[sheet.title]
    name_at = next(n for n, c in enumerate(sheet.columns, start=2) if c.field == "name")
    element_at = next(n for n, c in enumerate(sheet.columns, start=2) if c.field == "element_id")
    row = next(r for r in range(2, items.max_row + 1) if items.cell(r, name_at).value == "身份证号")
    items.cell(row, element_at).value = id_number_element
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _titles(org_id: str) -> list[str]:
    found = call_action("package_search", fq=f"owner_org:{org_id}", include_private=True, rows=50)[
        "results"
    ]
    return sorted(p["title"] for p in found)


def test_an_import_binding_a_sensitive_element_in_an_unconditionally_shared_entry_is_refused(
    app, department
):
    data = _new_unconditional_entry(department["xlsx"], f"{ID_NUMBER} 公民身份号码")
    with app.flask_app.test_request_context():
        result = importer.import_file(data, "名册.xlsx", department["officer"]["name"])
        assert not result.ok and not result.written and result.package_ids == []
        (problem,) = result.problems
        # the entry's row of the entry sheet, its 共享类型 cell, the item and the element
        assert (problem.sheet, problem.row) == (L.ENTRY_SHEET, 2)
        assert problem.column.rstrip(" *") == L.layout().column("share_type").header
        assert "sensitive personal information" in problem.reason
        assert "“身份证号”" in problem.reason and f"公民身份号码（{ID_NUMBER}）" in problem.reason
        # nothing written: the department holds the exported entry only
        assert _titles(department["org"]["id"]) == ["持证人员名册"]


def test_an_import_says_which_auto_binding_it_left_out_and_why(app, department):
    data = _new_unconditional_entry(department["xlsx"], None)
    with app.flask_app.test_request_context():
        result = importer.import_file(data, "名册.xlsx", department["officer"]["name"])
        assert result.ok and result.written, result.problems
        notes = {b["item"]: b for b in result.auto_bound}
        # 姓名 is bound for review; 身份证号 would make the entry share sensitive personal
        # information unconditionally: not bound, and the report says so
        assert notes["姓名"]["element_id"] == PERSON_NAME and "left_out" not in notes["姓名"]
        left = notes["身份证号"]
        assert (left["sheet"], left["row"]) == (L.layout().item_sheets[0].title, 3)
        assert left["element_id"] == ID_NUMBER
        assert "sensitive personal information" in left["left_out"]
        assert "身份证号" in left["left_out"] and "公民身份号码" in left["left_out"]
        stored = call_action("package_show", id=result.package_ids[0])
        assert [i.get("element_id") for i in stored["data_items"]] == [PERSON_NAME, None]


def test_the_upload_report_lists_the_left_out_binding_and_its_workbook_fills_nothing_in(
    app, department
):
    data = _new_unconditional_entry(department["xlsx"], None)
    login(app, department["officer"]["name"])
    response = upload(app, data, "名册.xlsx", department["org"]["id"])
    assert response.status_code == 302, body(response)
    location = response.headers["Location"]
    page = body(app.get(location))
    # one element filled in (姓名); the 身份证号 row says it was not bound, and why
    assert "Data elements filled in automatically (1)" in page
    left = page[page.index("govcatalog-import-left-out") :]
    left = left[: left.index("</td>")]
    assert "Not bound:" in left and "sensitive personal information" in left
    assert "公民身份号码" in left

    report = app.get(f"/catalog/bulk/upload/{REPORT_URL.search(location).group(1)}/report")
    sheet = load_workbook(io.BytesIO(report.data))[L.layout().item_sheets[0].title]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert f"{PERSON_NAME} 姓名" in values
    assert not any(str(v).startswith(ID_NUMBER) for v in values if v)
