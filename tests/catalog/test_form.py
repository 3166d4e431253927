"""The entry form: its sections, the data-item grid, and rows pasted into it from Excel."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from werkzeug.datastructures import MultiDict

from ckanext.govcatalog.catalog import form
from tests import factories
from tests.ops.forms import read_form, replace


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


HEADER = "信息项名称\t数据类型\t数据长度（字节）\t描述\t涉及个人信息"


@pytest.mark.usefixtures("shared_plugins", "with_request_context")
class TestPaste:
    def test_rows_without_header_in_the_grids_column_order(self):
        pasted = form.parse_grid_paste(
            "姓名\tC\t50\t户籍登记的姓名\t是\n出生日期\t日期型\t8\t\t否\n"
        )
        assert not pasted.header and not pasted.errors
        assert pasted.rows == [
            {
                "name": "姓名",
                "data_type": "C",
                "length": "50",
                "description": "户籍登记的姓名",
                "personal_info": "yes",
            },
            {
                "name": "出生日期",
                "data_type": "D",
                "length": "8",
                "description": "",
                "personal_info": "no",
            },
        ]

    def test_a_header_row_is_recognised_and_may_reorder_the_columns(self):
        text = "数据类型\t信息项名称\t涉及个人信息\tlength\t描述\r\nN 数值型\t年龄\t是\t3\t周岁\r\n"
        pasted = form.parse_grid_paste(text)
        assert pasted.header and not pasted.errors
        assert pasted.rows == [
            {
                "data_type": "N",
                "name": "年龄",
                "personal_info": "yes",
                "length": "3",
                "description": "周岁",
            }
        ]

    def test_excel_quoted_cells_keep_their_tabs_and_line_breaks(self):
        pasted = form.parse_grid_paste('住址\tC\t200\t"省市县\n乡镇村"\t是')
        assert pasted.rows[0]["description"] == "省市县\n乡镇村"

    def test_bad_rows_are_refused_one_by_one_with_the_reason(self):
        too_long = "名" * 101
        text = "\n".join(
            [
                HEADER,
                "姓名\tC\t50\t\t是",  # row 2: good
                "性别\tC\t1",  # row 3: three columns
                "婚姻状况\t字符串\t2\t\t是",  # row 4: unknown data type
                f"{too_long}\tC\t10\t\t否",  # row 5: name over 100 characters
                "民族\tC\t2\t\t是",  # row 6: good
            ]
        )
        pasted = form.parse_grid_paste(text)
        assert [r["name"] for r in pasted.rows] == ["姓名", "民族"]
        by_row = {e["row"]: e for e in pasted.errors}
        assert sorted(by_row) == [3, 4, 5]
        assert by_row[3]["column"] is None and "3" in by_row[3]["message"]
        assert by_row[4]["column"] == "data_type" and "字符串" in by_row[4]["message"]
        assert by_row[5]["column"] == "name" and "101" in by_row[5]["message"]
        # refused, never cut to fit
        assert not any(r["name"].startswith("名名") for r in pasted.rows)

    def test_every_field_of_the_entry_schema_is_in_a_section(self):
        from ckan.plugins import toolkit as tk

        fields = tk.h.scheming_get_dataset_schema("dataset")["dataset_fields"]
        sections = form.form_sections(fields)
        placed = [f["field_name"] for s in sections for f in s["fields"]]
        assert sorted(placed) == sorted(f["field_name"] for f in fields)
        assert [s["id"] for s in sections] == [
            "basic",
            "classification",
            "items",
            "sharing",
            "upkeep",
            "links",
        ]


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
class TestPasteAction:
    def test_paste_action_answers_rows_and_errors_in_chinese(self, app, world):
        response = app.post(
            "/zh_Hans_CN/api/3/action/govcatalog_data_items_paste",
            json={"text": "姓名\tC\t50\t\t是\n性别\tQ\t1\t\t否"},
            headers={"Authorization": world["admin"]["token"]},
        )
        result = response.json["result"]
        assert result["rows"] == [
            {
                "name": "姓名",
                "data_type": "C",
                "length": "50",
                "description": "",
                "personal_info": "yes",
            }
        ]
        assert result["errors"][0]["row"] == 2
        assert result["errors"][0]["message"] == "数据类型：未知的值“Q”"

    def test_paste_action_needs_a_login(self, app):
        app.post("/api/3/action/govcatalog_data_items_paste", json={"text": "姓名\tC"}, status=403)


def _login(app: Any, name: str) -> None:
    user = model.User.get(name)
    user.password = factories.PASSWORD
    model.repo.commit()
    app.client = app.test_client()
    response = app.post(
        "/user/login",
        data={"login": name, "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 302


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
class TestGridForm:
    def _edit_form(self, app: Any, world: dict[str, Any]) -> tuple[str, dict[str, Any], list]:
        entry = factories.Entry(user=world["admin"], owner_org=world["dept"]["id"])
        _login(app, world["admin"]["name"])
        url = f"/dataset/edit/{entry['name']}"
        html = app.get(url).get_data(as_text=True)
        return url, entry, html

    def test_edit_form_shows_sections_and_the_grid_with_blank_rows(self, app, world):
        _url, entry, html = self._edit_form(app, world)
        for title in ("基本信息", "分类与编码", "信息项", "共享与开放", "更新与责任", "关联"):
            assert f"{title}</legend>" in html, title
        fields, _buttons = read_form(html, "dataset-edit")
        names = [k for k, _v in fields]
        # the entry's two items, then three blank rows; the row template posts nothing
        assert "data_items__0__name" in names and "data_items__4__name" in names
        assert not any("ROWINDEX" in n for n in names)
        assert dict(fields)["data_items__0__name"] == entry["data_items"][0]["name"]

    def test_an_over_long_name_is_refused_on_its_row_and_nothing_is_saved(self, app, world):
        url, entry, html = self._edit_form(app, world)
        fields, buttons = read_form(html, "dataset-edit")
        save = [b for b in buttons if b[0] == "save"][:1]
        long_name = "很长的名称" * 21  # 105 characters
        posted = replace(
            fields,
            title="户籍人口基本信息（修订）",
            **{"data_items__2__name": long_name, "data_items__2__data_type": "C"},
        )
        response = app.post(url, data=MultiDict(posted + save), follow_redirects=False)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, html[:1000]
        # the message sits in the cell of row 3's name, and the long name is kept whole
        assert 'id="field-data_items-2-name-error"' in html
        assert "105" in html and long_name in html
        model.Session.rollback()
        saved = model.Package.get(entry["id"])
        assert saved.title == entry["title"]

    def test_rows_typed_into_blank_rows_are_saved_in_order(self, app, world):
        url, entry, html = self._edit_form(app, world)
        fields, buttons = read_form(html, "dataset-edit")
        save = [b for b in buttons if b[0] == "save"][:1]
        posted = replace(
            fields,
            **{
                "data_items__2__name": "民族",
                "data_items__2__data_type": "C",
                "data_items__4__name": "籍贯",
                "data_items__4__data_type": "C",
            },
        )
        response = app.post(url, data=MultiDict(posted + save), follow_redirects=False)
        html = response.get_data(as_text=True)
        assert response.status_code == 302, html[html.find("error-explanation") :][:1500]
        from ckan.tests.helpers import call_action

        shown = call_action("package_show", id=entry["id"])
        assert [i["name"] for i in shown["data_items"]] == [
            *(i["name"] for i in entry["data_items"]),
            "民族",
            "籍贯",
        ]
