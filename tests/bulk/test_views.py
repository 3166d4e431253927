"""The data officers' web pages (template, upload, report, confirm, export), through the Flask
test app.

Forms are posted the way a browser does: logged in through the login form, the CSRF token read
from the rendered page, the file sent as multipart form data.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from ckan.tests.helpers import call_action
from openpyxl import load_workbook

from ckanext.govcatalog.bulk import views as bulk_views
from tests import factories
from tests.bulk.spreadsheets import FIXTURE_SCHEMA, entry_row, item_rows, xlsx

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.usefixtures("shared_plugins"),
]


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


PASSWORD = "correct123"  # the factories' password
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
REPORT_URL = re.compile(r"/catalog/bulk/upload/([A-Za-z0-9_-]+)$")


def login(app, name: str):
    from ckan import model

    user = model.User.get(name)
    user.password = PASSWORD  # hashed by the model
    model.repo.commit()
    app.client = app.test_client()  # a browser of its own
    response = app.post(
        "/user/login", data={"login": name, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 302, "logged in"


def body(response) -> str:
    return response.get_data(as_text=True)


def token(page) -> str:
    found = TOKEN.search(body(page))
    assert found, "the form carries no CSRF token"
    return found.group(1)


def upload(app, data: bytes, filename: str, org: str, csrf: str | None = None):
    if csrf is None:
        csrf = token(app.get("/catalog/bulk"))
    return app.post(
        "/catalog/bulk/upload",
        data={"_csrf_token": csrf, "org": org, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=False,
    )


def count() -> int:
    return call_action("package_search", q="*:*", include_private=True)["count"]


def activities() -> int:
    import sqlalchemy as sa
    from ckan import model

    return model.Session.execute(sa.text("select count(*) from activity")).scalar()


def good_file() -> bytes:
    rows = [entry_row(1, "石泉县公安局"), entry_row(2, "石泉县公安局", 信息资源名称="第二条资源")]
    return xlsx(rows, item_rows(1) + item_rows(2))


def test_the_page_offers_template_upload_and_export_with_labels(app, bulk_env):
    login(app, bulk_env["user"])
    page = app.get("/catalog/bulk")
    html = body(page)
    assert page.status_code == 200
    assert token(page)
    # every form control has a label tied to it (keyboard and screen-reader use)
    for control in ("bulk-org", "bulk-file", "export-org"):
        assert f'for="{control}"' in html and f'id="{control}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert bulk_env["org"]["id"] in html  # the officer's organization is offered
    template = app.get("/catalog/bulk/template.xlsx")
    assert template.status_code == 200
    assert template.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in template.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(template.data))
    assert "信息资源" in wb.sheetnames and "信息项" in wb.sheetnames
    headers = [c.value for c in wb["信息资源"][1]]
    assert any(str(h).startswith("信息资源名称") for h in headers)


def test_report_then_confirm_writes_once(app, bulk_env):
    login(app, bulk_env["user"])
    response = upload(app, good_file(), "目录.xlsx", bulk_env["org"]["id"])
    assert response.status_code == 302
    location = response.headers["Location"]
    tok = REPORT_URL.search(location).group(1)
    report = app.get(location)
    assert report.status_code == 200, body(report)
    assert 'id="bulk-ready"' in body(report)
    assert count() == 0, "checking writes nothing"
    # the file waits on the server, tied to the user
    folder = os.path.join(bulk_views.upload_root(), tok)
    meta = json.loads(Path(folder, "meta.json").read_text(encoding="utf-8"))
    assert meta["user_id"] == call_action("user_show", id=bulk_env["user"])["id"]

    confirm_url = f"/catalog/bulk/upload/{tok}/confirm"
    csrf = token(report)
    done = app.post(confirm_url, data={"_csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 302, body(done)
    assert count() == 2
    written = activities()
    page = app.get(location)
    assert 'id="bulk-done"' in body(page)

    # a second confirmation (double click, back button) writes nothing
    again = app.post(confirm_url, data={"_csrf_token": csrf}, follow_redirects=True)
    assert "already imported" in body(again)
    assert count() == 2 and activities() == written


def test_rows_with_errors_are_reported_and_nothing_is_written(app, bulk_env):
    login(app, bulk_env["user"])
    rows = [entry_row(1, "石泉县公安局"), entry_row(2, "石泉县公安局", 共享类型="随便共享")]
    response = upload(app, xlsx(rows, item_rows(1)), "bad.xlsx", bulk_env["org"]["id"])
    location = response.headers["Location"]
    report = app.get(location)
    html = body(report)
    assert report.status_code == 422
    assert 'id="bulk-problems"' in html
    # row, column, value and reason of the bad cell
    row = re.search(r"<tr>\s*<td>[^<]*</td>\s*<td>3</td>\s*<td>共享类型</td>(.*?)</tr>", html, re.S)
    assert row and "随便共享" in row.group(1), html
    assert 'id="bulk-confirm-form"' not in html
    # the uploaded workbook comes back with an error column
    tok = REPORT_URL.search(location).group(1)
    marked = app.get(f"/catalog/bulk/upload/{tok}/report")
    assert marked.status_code == 200
    ws = load_workbook(io.BytesIO(marked.data))["信息资源"]
    last = [ws.cell(row=r, column=ws.max_column).value for r in range(1, ws.max_row + 1)]
    assert last[0] and last[2] and "共享类型" in last[2] and not last[1]
    # confirming anyway writes nothing
    refused = app.post(
        f"/catalog/bulk/upload/{tok}/confirm",
        data={"_csrf_token": token(report)},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert count() == 0


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_the_report_speaks_chinese(app, bulk_env):
    login(app, bulk_env["user"])
    rows = [entry_row(1, "石泉县公安局", 共享类型="随便共享")]
    location = upload(app, xlsx(rows, item_rows(1)), "bad.xlsx", bulk_env["org"]["id"]).headers[
        "Location"
    ]
    html = body(app.get(location))
    assert "导入检查报告" in html and "填写内容" in html and "下载带错误说明列的文件" in html


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_error(app, bulk_env):
    login(app, bulk_env["user"])
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    response = upload(app, png, "photo.xlsx", bulk_env["org"]["id"])
    assert response.status_code == 400
    assert "neither an .xlsx workbook nor a CSV file" in body(response)
    assert 'id="bulk-error"' in body(response)
    assert count() == 0
    empty = upload(app, b"", "empty.csv", bulk_env["org"]["id"])
    assert empty.status_code == 400 and "empty" in body(empty)


def test_a_non_member_is_refused(app, bulk_env):
    outsider = factories.User()
    login(app, outsider["name"])
    page = app.get("/catalog/bulk")
    assert 'id="bulk-upload-form"' not in body(page)
    assert "Only data officers" in body(page)
    response = upload(app, good_file(), "a.xlsx", bulk_env["org"]["id"], csrf=token(page))
    assert response.status_code == 403
    assert count() == 0


def test_a_member_without_editor_rights_and_other_users_uploads(app, bulk_env):
    """A plain member may not import into the organization; nobody but the uploader may see
    or confirm an upload."""
    reader = factories.Member(organization=bulk_env["org"], capacity="member")
    login(app, reader["name"])
    page = app.get("/catalog/bulk")
    assert (
        upload(app, good_file(), "a.xlsx", bulk_env["org"]["id"], csrf=token(page)).status_code
        == 403
    )

    login(app, bulk_env["user"])
    location = upload(app, good_file(), "a.xlsx", bulk_env["org"]["id"]).headers["Location"]
    other_officer = factories.Member(organization=bulk_env["org"], capacity="editor")
    login(app, other_officer["name"])
    csrf = token(app.get("/catalog/bulk"))
    assert app.get(location).status_code == 404
    assert app.post(location + "/confirm", data={"_csrf_token": csrf}).status_code == 404
    assert count() == 0


def test_a_confirmation_without_the_form_token_is_refused(app, bulk_env):
    login(app, bulk_env["user"])
    location = upload(app, good_file(), "a.xlsx", bulk_env["org"]["id"]).headers["Location"]
    response = app.post(location + "/confirm", data={}, follow_redirects=False)
    assert response.status_code in (302, 400, 403)
    assert count() == 0


def test_an_expired_upload_is_gone(app, bulk_env):
    login(app, bulk_env["user"])
    location = upload(app, good_file(), "a.xlsx", bulk_env["org"]["id"]).headers["Location"]
    tok = REPORT_URL.search(location).group(1)
    meta_path = os.path.join(bulk_views.upload_root(), tok, "meta.json")
    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    meta["created"] -= bulk_views.TTL_SECONDS + 1
    Path(meta_path).write_text(json.dumps(meta), encoding="utf-8")
    assert app.get(location).status_code == 404
    assert not os.path.exists(os.path.dirname(meta_path))


def test_exports_hold_what_the_caller_may_see(app, bulk_env):
    from ckanext.govcatalog.bulk import importer

    with app.flask_app.test_request_context():
        result = importer.import_file(good_file(), "a.xlsx", bulk_env["user"])
    assert result.written, result.problems
    call_action(
        "package_patch", context={"user": bulk_env["user"]}, id=result.package_ids[0], private=True
    )
    anonymous = app.get("/catalog/bulk/export?format=jsonl")
    assert anonymous.status_code == 200
    assert [json.loads(line)["id"] for line in body(anonymous).splitlines()] == [
        result.package_ids[1]
    ]
    login(app, bulk_env["user"])
    mine = app.get(f"/catalog/bulk/export?format=jsonl&org={bulk_env['org']['name']}")
    assert len(body(mine).splitlines()) == 2
    csv = app.get("/catalog/bulk/export?format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert "第二条资源" in csv.data.decode("utf-8-sig")
    sheet = app.get("/catalog/bulk/export?format=xlsx")
    assert load_workbook(io.BytesIO(sheet.data))["信息资源"].max_row == 3
    assert app.get("/catalog/bulk/export?format=exe").status_code == 400
    assert app.get("/catalog/bulk/export?format=csv&org=no-such-org").status_code == 404


def test_the_pages_link_to_the_bulk_work(app, bulk_env):
    login(app, bulk_env["user"])
    assert "/catalog/bulk/template.xlsx" in body(app.get("/dataset/"))
    org_page = body(app.get(f"/organization/{bulk_env['org']['name']}"))
    assert f"/catalog/bulk/export?format=xlsx&amp;org={bulk_env['org']['name']}" in org_page
    assert 'href="/catalog/bulk"' in body(app.get("/dashboard/datasets"))
