"""Large web uploads as background jobs (bulk/jobs.py with bulk/views.py): an upload with more
rows than govcatalog.bulk.background_rows is checked and written by jobs enqueued on Redis, not
in the request; the report page shows their progress (the status endpoint), the confirmation
is idempotent, and nobody but the uploader sees any of it.

The jobs are taken off the queue and performed here, in this process (the real worker, killed
halfway, is tests/bulk/test_worker_kill.py).
"""

from __future__ import annotations

import csv
import io

import pytest
from ckan.lib import jobs as ckan_jobs
from openpyxl import load_workbook

from ckanext.govcatalog.bulk import jobs
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W
from tests import factories
from tests.bulk.spreadsheets import ENTRY_HEADERS, FIXTURE_SCHEMA, entry_row, item_rows, xlsx
from tests.bulk.test_views import REPORT_URL, body, count, login, token, upload

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.ckan_config(jobs.THRESHOLD_OPTION, "2"),
    pytest.mark.usefixtures("shared_plugins", "clean_redis"),
]


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


def three_rows() -> bytes:
    rows = [entry_row(n, "石泉县公安局", 信息资源名称=f"后台导入资源{n}") for n in (1, 2, 3)]
    return xlsx(rows, item_rows(1) + item_rows(2) + item_rows(3))


def queued() -> list:
    queue = ckan_jobs.get_queue()
    return [queue.fetch_job(job_id) for job_id in queue.job_ids]


def perform_queued(app) -> int:
    """Runs the queued jobs here, as the worker would (in an app context of their own)."""
    ran = 0
    queue = ckan_jobs.get_queue()
    for job in queued():
        queue.remove(job)
        with app.flask_app.app_context():
            job.perform()
        ran += 1
    return ran


def status(app, tok: str) -> dict:
    response = app.get(f"/catalog/bulk/upload/{tok}/status")
    assert response.status_code == 200, body(response)
    return response.json


def test_entry_rows_counts_the_entry_sheet_cheaply(app):
    # the template filled in: its drop-downs reach row 5,001 and its instructions sheet is long
    with app.flask_app.test_request_context():
        template = W.template_bytes(L.layout())
    wb = load_workbook(io.BytesIO(template))
    for n in range(1, 4):
        wb[L.ENTRY_SHEET].append([n, "", f"资源{n}"])
    filled = io.BytesIO()
    wb.save(filled)
    assert jobs.entry_rows(filled.getvalue()) == 3
    entries = [entry_row(n, "石泉县公安局") for n in range(1, 6)]
    # the data item sheet has more rows than the entry sheet: the entries are what counts
    assert jobs.entry_rows(xlsx(entries, [r for n in range(1, 6) for r in item_rows(n, 3)])) == 5
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*ENTRY_HEADERS, "信息项"])
    for n in range(1, 4):
        # a cell of several lines (the data items of a CSV row) is still one row
        writer.writerow([*entry_row(n, "石泉县公安局"), "字段1|字符\n字段2|字符"])
    writer.writerow([""] * len(ENTRY_HEADERS))
    assert jobs.entry_rows(out.getvalue().encode("utf-8")) == 3
    assert jobs.entry_rows(b"\x89PNG not a spreadsheet") == 0


def test_a_large_upload_is_checked_and_written_by_jobs_with_progress(app, bulk_env):
    login(app, bulk_env["user"])
    response = upload(app, three_rows(), "大文件.xlsx", bulk_env["org"]["id"])
    assert response.status_code == 302
    location = response.headers["Location"]
    tok = REPORT_URL.search(location).group(1)

    # nothing was checked in the request: the page shows the progress of the queued check
    page = app.get(location)
    html = body(page)
    assert page.status_code == 200
    assert 'id="bulk-job"' in html and f"/catalog/bulk/upload/{tok}/status" in html
    assert 'id="bulk-ready"' not in html and 'id="bulk-confirm-form"' not in html
    assert "govcatalog-bulk-job.js" in html  # the script that moves the bars
    assert status(app, tok) == {
        "state": "queued",
        "job": "check",
        "rows": 3,
        "checked": 0,
        "to_write": 0,
        "written": 0,
        "message": "",
        "finished": False,
    }
    assert [j.func_name for j in queued()] == ["ckanext.govcatalog.bulk.jobs.run_check"]

    assert perform_queued(app) == 1
    checked = status(app, tok)
    assert checked["state"] == "checked" and checked["finished"]
    assert checked["checked"] == 3
    report = app.get(location)
    html = body(report)
    assert 'id="bulk-ready"' in html and 'id="bulk-background-note"' in html
    assert count() == 0, "checking writes nothing"

    confirm_url = f"/catalog/bulk/upload/{tok}/confirm"
    csrf = token(report)
    first = app.post(confirm_url, data={"_csrf_token": csrf}, follow_redirects=True)
    assert "The import is queued" in body(first)
    assert 'id="bulk-job"' in body(first) and "Entries written" in body(first)
    # a second click enqueues nothing new, and says so
    second = app.post(confirm_url, data={"_csrf_token": csrf}, follow_redirects=True)
    assert "already being imported in the background; nothing new was queued" in body(second)
    assert [j.func_name for j in queued()] == ["ckanext.govcatalog.bulk.jobs.run_write"]
    assert status(app, tok)["state"] == "queued" and count() == 0

    assert perform_queued(app) == 1
    done = status(app, tok)
    assert done["state"] == "done" and done["finished"]
    assert done["written"] == done["to_write"] == 3 and done["checked"] == 3
    assert count() == 3
    assert 'id="bulk-done"' in body(app.get(location))
    again = app.post(confirm_url, data={"_csrf_token": csrf}, follow_redirects=True)
    assert "already imported" in body(again)
    assert queued() == [] and count() == 3


def test_a_background_check_with_errors_reports_them_and_confirms_nothing(app, bulk_env):
    login(app, bulk_env["user"])
    rows = [entry_row(n, "石泉县公安局", 信息资源名称=f"后台资源{n}") for n in (1, 2)]
    rows.append(entry_row(3, "石泉县公安局", 共享类型="随便共享"))
    location = upload(app, xlsx(rows, item_rows(1)), "bad.xlsx", bulk_env["org"]["id"]).headers[
        "Location"
    ]
    tok = REPORT_URL.search(location).group(1)
    perform_queued(app)
    report = app.get(location)
    html = body(report)
    assert report.status_code == 422
    assert 'id="bulk-problems"' in html and "随便共享" in html
    assert 'id="bulk-confirm-form"' not in html
    # the marked workbook comes from the stored problems
    assert app.get(f"/catalog/bulk/upload/{tok}/report").status_code == 200
    refused = app.post(f"/catalog/bulk/upload/{tok}/confirm", data={"_csrf_token": token(report)})
    assert "the file has errors" in body(refused)
    assert queued() == [] and count() == 0


def test_small_uploads_stay_in_the_request(app, bulk_env):
    login(app, bulk_env["user"])
    rows = [entry_row(n, "石泉县公安局", 信息资源名称=f"小文件资源{n}") for n in (1, 2)]
    location = upload(app, xlsx(rows, item_rows(1)), "small.xlsx", bulk_env["org"]["id"]).headers[
        "Location"
    ]
    html = body(app.get(location))
    assert 'id="bulk-ready"' in html and 'id="bulk-job"' not in html
    tok = REPORT_URL.search(location).group(1)
    assert app.get(f"/catalog/bulk/upload/{tok}/status").status_code == 404
    assert queued() == []


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_the_progress_is_the_uploaders_and_speaks_chinese(app, bulk_env):
    """The progress page and its status are the uploader's, in Chinese: another officer of the
    same organization and a sysadmin get the same 404 as for a missing upload, anonymous users
    are asked to log in."""
    login(app, bulk_env["user"])
    location = upload(app, three_rows(), "a.xlsx", bulk_env["org"]["id"]).headers["Location"]
    tok = REPORT_URL.search(location).group(1)
    html = body(app.get(location))
    assert "文件检查中" in html and "已检查 0 / 3 行" in html and "正在等待后台任务进程" in html
    for other in (
        factories.Member(organization=bulk_env["org"], capacity="editor"),
        factories.Sysadmin(),
    ):
        login(app, other["name"])
        assert app.get(location).status_code == 404
        assert app.get(f"/catalog/bulk/upload/{tok}/status").status_code == 404
        csrf = token(app.get("/catalog/bulk"))
        assert app.post(location + "/confirm", data={"_csrf_token": csrf}).status_code == 404
    app.client = app.test_client()  # logged out
    assert app.get(f"/catalog/bulk/upload/{tok}/status").status_code == 403
    assert [j.func_name for j in queued()] == ["ckanext.govcatalog.bulk.jobs.run_check"]

    login(app, bulk_env["user"])
    perform_queued(app)
    html = body(app.get(location))
    assert 'id="bulk-ready"' in html and "确认后由后台任务写入" in html
