"""A form posted after the session expired: a clear message and the way back, not a bare 400
or 403 page."""

import pytest

from tests import factories

FORM = "http://test.ckan.net/dataset/new"


@pytest.mark.usefixtures("with_plugins")
def test_form_posted_after_the_session_ended_leads_to_login_and_back(app):
    # No session cookie: the user is anonymous now, and the form needs a login.
    response = app.post(
        "/dataset/new",
        data={"title": "x", "save": "continue"},
        headers={"Referer": FORM},
        follow_redirects=False,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/user/login" in location
    assert "came_from=/dataset/new" in location
    assert "Your session has expired" in app.get(location).body


@pytest.mark.usefixtures("with_plugins")
def test_never_sends_anyone_to_another_site(app):
    response = app.post(
        "/dataset/new",
        data={"title": "x"},
        headers={"Referer": "https://evil.example/phish"},
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "came_from=/dataset/new" in response.headers["Location"]


@pytest.mark.usefixtures("with_plugins")
def test_other_refusals_are_left_alone(app):
    # a page (not a form post) that needs a login keeps CKAN's own answer
    assert app.get("/dataset/new", follow_redirects=False).status_code in (302, 401, 403)
    # and the API answers JSON, never a redirect
    response = app.post("/api/3/action/package_create", json={"name": "x"})
    assert response.status_code == 403
    assert response.json["success"] is False


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_stale_form_token_of_a_logged_in_user_goes_back_to_the_form(app):
    # Called directly: CKAN exempts a view from the CSRF check for good once an anonymous user
    # posted to it, so which view still raises CSRFError depends on what ran before.
    from ckan import model
    from flask_login import login_user
    from flask_wtf.csrf import CSRFError

    from ckanext.govcatalog.web.session import form_expired

    user = factories.User()
    with app.flask_app.test_request_context(
        "/dataset/new", method="POST", headers={"Referer": FORM}
    ):
        login_user(model.User.get(user["name"]))
        response = form_expired(CSRFError("The CSRF token has expired."))
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dataset/new")
        from flask import session

        assert any("submit the form once more" in m for _, m in session["_flashes"])
