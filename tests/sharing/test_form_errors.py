"""The error summary above the request forms names each field as the form labels it: it showed
the fields' keys (legal_basis: 缺少值), which a department user cannot match to the form."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.sharing.test_views import body, form_fields, login, submit_request, token


@pytest.fixture
def app(shared_app):
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


def summary(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(li.get_text().split()) for li in soup.select(".error-explanation li")]


def test_an_incomplete_request_names_its_fields_by_their_labels(app, world):
    login(app, world["gov"])
    url = f"/dataset/{world['conditional']['name']}/access-request"
    page = app.get(url)
    fields = form_fields(world["conditional"])
    fields["legal_basis"] = ""
    fields["usage_scope"] = ""
    response = app.post(url, data={"_csrf_token": token(page), **fields})
    assert response.status_code == 409
    listed = summary(body(response))
    assert "Legal basis: Missing value" in listed and "Usage scope: Missing value" in listed
    assert not [line for line in listed if re.match(r"[a-z]+_[a-z_]+:", line)], listed


def test_a_decision_without_its_date_names_the_field_by_its_label(app, world):
    request_id = submit_request(app, world["gov"], world["conditional"])
    login(app, world["admin"])
    page = app.get(f"/access-request/{request_id}")
    response = app.post(
        f"/access-request/{request_id}/approve", data={"_csrf_token": token(page), "expires": ""}
    )
    assert response.status_code == 409
    listed = summary(body(response))
    assert listed and all(line.startswith("Access until: ") for line in listed), listed
