"""sharing/views.py: the request pages through the Flask test app, as logged-in users.

Forms are posted the way a browser does: the CSRF token is read from the rendered page.
"""

from __future__ import annotations

import datetime as dt
import re

import ckan.model as core_model
import pytest

from ckanext.govcatalog.model import AccessRequest, Notification
from ckanext.govcatalog.sharing import workdays
from tests import factories
from tests.factories import PASSWORD, PERSON_ITEMS


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def login(app, user):
    """Log in through the login form, in a fresh client (a browser of its own)."""
    app.client = app.test_client()
    response = app.post(
        "/user/login",
        data={"login": user["name"], "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 302, "logged in"
    return app


def token(page) -> str:
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, "the form carries no CSRF token"
    return found.group(1)


def body(response) -> str:
    return response.get_data(as_text=True)


def form_fields(entry) -> dict:
    data = factories.access_request_data(entry)
    data.pop("package_id")
    return data


def submit_request(app, user, entry) -> str:
    login(app, user)
    url = f"/dataset/{entry['name']}/access-request"
    page = app.get(url)
    response = app.post(
        url, data={"_csrf_token": token(page), **form_fields(entry)}, follow_redirects=False
    )
    assert response.status_code == 302, body(response)
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_request_button_shows_where_a_request_is_possible(app, world):
    anonymous = app.get(f"/dataset/{world['conditional_open']['name']}")
    assert anonymous.status_code == 200
    assert "Log in to request access" in body(anonymous)
    assert "Log in to request access" not in body(
        app.get(f"/dataset/{world['unconditional']['name']}")
    )
    login(app, world["gov"])
    page = body(app.get(f"/dataset/{world['conditional']['name']}"))
    assert f'href="/dataset/{world["conditional"]["name"]}/access-request"' in page
    assert "Request access" in page
    # unconditional entries are everyone's already; owners have their own data
    assert "Request access" not in body(app.get(f"/dataset/{world['unconditional']['name']}"))
    login(app, world["admin"])
    assert "Request access" not in body(app.get(f"/dataset/{world['conditional']['name']}"))


def test_the_form_renders_with_labels_and_token(app, world):
    login(app, world["gov"])
    page = app.get(f"/dataset/{world['conditional']['name']}/access-request")
    assert page.status_code == 200
    html = body(page)
    token(page)
    for field in ("legal_basis", "usage_scenario", "usage_scope", "share_mode", "period_end"):
        assert f'for="field-{field}"' in html and f'id="field-{field}"' in html
    for n, item in enumerate(PERSON_ITEMS, start=1):
        assert f'<label class="form-check-label" for="field-data_items-{n}">{item}</label>' in html


def test_submitting_the_form_creates_a_pending_request(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    req = core_model.Session.get(AccessRequest, request_id)
    assert (req.status, req.requester_id) == ("pending", world["gov"]["id"])
    assert req.data_items == PERSON_ITEMS[:2]
    page = app.get(f"/access-request/{request_id}")
    assert page.status_code == 200
    assert "Pending" in body(page) and req.due_date.isoformat() in body(page)
    # the button now leads to the open request
    dataset_page = body(app.get(f"/dataset/{world['conditional']['name']}"))
    assert f"/access-request/{request_id}" in dataset_page
    # 我的申请 lists it
    mine = app.get("/dashboard/access-requests")
    assert mine.status_code == 200 and f"/access-request/{request_id}" in body(mine)


def test_an_incomplete_form_is_refused_with_messages(app, world):
    login(app, world["gov"])
    url = f"/dataset/{world['conditional']['name']}/access-request"
    page = app.get(url)
    fields = form_fields(world["conditional"])
    fields["legal_basis"] = ""
    fields["period_end"] = "2020-01-01"
    response = app.post(url, data={"_csrf_token": token(page), **fields})
    assert response.status_code == 409
    html = body(response)
    assert "Missing value" in html and "must not be in the past" in html
    assert core_model.Session.query(AccessRequest).count() == 0


def _full_width(text: str) -> str:
    """Digits and slashes as a Chinese input method types them (２０２７／６／３０)."""
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789/"})


def test_the_request_dates_are_chinese_text_inputs_that_take_typed_chinese_dates(app, world):
    """使用时限 is a text input in Chinese form (a browser's date input shows mm/dd/yyyy in an
    English browser); 2027年2月30日 is refused naming the field, a full-width date is taken."""
    login(app, world["gov"])
    url = f"/dataset/{world['conditional']['name']}/access-request"
    page = app.get(url)
    field = re.search(r'<input[^>]*id="field-period_end"[^>]*>', body(page)).group(0)
    assert 'type="text"' in field and 'lang="zh-CN"' in field
    assert 'aria-describedby="field-period_end-format"' in field
    fields = form_fields(world["conditional"])
    fields["period_end"] = "2027年2月30日"
    refused = app.post(url, data={"_csrf_token": token(page), **fields})
    assert refused.status_code == 409
    assert "Use until: “2027年2月30日” is not a date of the calendar" in body(refused)
    assert core_model.Session.query(AccessRequest).count() == 0
    day = dt.date.today() + dt.timedelta(days=200)
    fields["period_end"] = _full_width(f"{day.year}/{day.month}/{day.day}")
    response = app.post(url, data={"_csrf_token": token(page), **fields}, follow_redirects=False)
    assert response.status_code == 302, body(response)
    assert core_model.Session.query(AccessRequest).one().period_end == day
    # the decider's expiry: the same input
    login(app, world["admin"])
    request_page = body(app.get(response.headers["Location"]))
    expires = re.search(r'<input[^>]*id="approve-expires"[^>]*>', request_page).group(0)
    assert 'type="text"' in expires and 'lang="zh-CN"' in expires


def test_a_form_without_the_token_changes_nothing(app, world):
    login(app, world["gov"])
    url = f"/dataset/{world['conditional']['name']}/access-request"
    response = app.post(url, data=form_fields(world["conditional"]), follow_redirects=False)
    assert response.status_code in (302, 400)
    assert core_model.Session.query(AccessRequest).count() == 0


def test_requests_that_are_not_possible_explain_why(app, world):
    login(app, world["gov"])
    page = app.get(f"/dataset/{world['unconditional']['name']}/access-request")
    assert "shared without conditions" in body(page)
    assert 'id="access-request-form"' not in body(page)


def test_the_admin_decides_through_the_forms(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    login(app, world["admin"])
    decide = app.get("/dashboard/access-requests/decide")
    assert decide.status_code == 200 and f"/access-request/{request_id}" in body(decide)
    page = app.get(f"/access-request/{request_id}")
    html = body(page)
    for step in ("approve", "reject", "ask_info", "extend"):
        assert f'action="/access-request/{request_id}/{step}"' in html
    assert 'for="approve-expires"' in html and 'for="reject-reason"' in html
    # a rejection without a reason is refused, with the message on the page
    response = app.post(
        f"/access-request/{request_id}/reject", data={"_csrf_token": token(page), "reason": ""}
    )
    assert response.status_code == 409 and "Missing value" in body(response)
    assert core_model.Session.get(AccessRequest, request_id).status == "pending"
    expires = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    response = app.post(
        f"/access-request/{request_id}/approve",
        data={"_csrf_token": token(page), "expires": expires, "reason": "同意"},
        follow_redirects=False,
    )
    assert response.status_code == 302
    core_model.Session.expire_all()
    assert core_model.Session.get(AccessRequest, request_id).status == "approved"
    html = body(app.get(f"/access-request/{request_id}"))
    assert f'action="/access-request/{request_id}/revoke"' in html
    assert f'action="/access-request/{request_id}/approve"' not in html


def test_others_cannot_see_or_decide(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    login(app, world["gov2"])
    assert app.get(f"/access-request/{request_id}").status_code == 403
    page = app.get("/dashboard/access-requests")  # any page gives a token for this session
    response = app.post(
        f"/access-request/{request_id}/approve",
        data={"_csrf_token": token_or_none(page), "expires": "2099-01-01"},
    )
    assert response.status_code == 403
    # the requester cannot approve their own request either
    login(app, world["gov"])
    page = app.get(f"/access-request/{request_id}")
    assert 'action="/access-request/' + request_id + '/approve"' not in body(page)
    response = app.post(
        f"/access-request/{request_id}/approve",
        data={"_csrf_token": token(page), "expires": "2099-01-01"},
    )
    assert response.status_code == 403
    assert core_model.Session.get(AccessRequest, request_id).status == "pending"


def token_or_none(page) -> str:
    found = TOKEN.search(page.get_data(as_text=True))
    return found.group(1) if found else ""


def test_more_information_then_completion_and_notifications(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    login(app, world["admin"])
    page = app.get(f"/access-request/{request_id}")
    app.post(
        f"/access-request/{request_id}/ask_info",
        data={"_csrf_token": token(page), "missing": "加盖公章的申请函"},
    )
    login(app, world["gov"])
    notices = app.get("/dashboard/notifications")
    assert notices.status_code == 200 and "加盖公章的申请函" in body(notices)
    page = app.get(f"/access-request/{request_id}")
    html = body(page)
    assert "加盖公章的申请函" in html and 'id="step-update"' in html
    fields = form_fields(world["conditional"])
    fields["usage_scenario"] = "窗口核验, 已附申请函"
    response = app.post(
        f"/access-request/{request_id}/update",
        data={"_csrf_token": token(page), "response": "已补充", **fields},
        follow_redirects=False,
    )
    assert response.status_code == 302, body(response)
    core_model.Session.expire_all()
    req = core_model.Session.get(AccessRequest, request_id)
    assert (req.status, req.usage_scenario) == ("pending", "窗口核验, 已附申请函")
    assert req.due_date == workdays.due_date(workdays.today())
    # mark the notices read
    page = app.get("/dashboard/notifications")
    app.post("/dashboard/notifications", data={"_csrf_token": token(page)})
    unread = (
        core_model.Session.query(Notification)
        .filter_by(user_id=world["gov"]["id"], read=False)
        .count()
    )
    assert unread == 0


def test_withdraw_through_the_form(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    page = app.get(f"/access-request/{request_id}")
    response = app.post(
        f"/access-request/{request_id}/withdraw",
        data={"_csrf_token": token(page)},
        follow_redirects=False,
    )
    assert response.status_code == 302
    core_model.Session.expire_all()
    assert core_model.Session.get(AccessRequest, request_id).status == "withdrawn"


def test_dashboard_tabs_and_login_required(app, world):
    assert app.get("/dashboard/access-requests").status_code == 403
    login(app, world["admin"])
    html = body(app.get("/dashboard/access-requests"))
    assert 'href="/dashboard/access-requests/decide"' in html
    assert 'href="/dashboard/notifications"' in html
    login(app, world["gov"])
    html = body(app.get("/dashboard/access-requests"))
    assert 'href="/dashboard/access-requests/decide"' not in html  # nothing to decide
