"""The request form of a conditionally shared entry tells the requester which of the data items
they may ask for are sensitive personal information (issue 15 §6): each such item is marked in
the list of items to ask for and named, with its row and data element, above the form."""

from __future__ import annotations

import re

import pytest

from ckanext.govcatalog.elements import seedfile, transfer
from tests import factories
from tests.sharing.test_views import body, login

pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

ID_NUMBER = "DE00001"  # 公民身份号码: sensitive personal information
PERSON_NAME = "DE00002"  # 姓名: personal, not sensitive


@pytest.fixture
def app(shared_app):
    return shared_app


@pytest.fixture
def entry(app, world):
    """A conditionally shared entry of the owner department with a sensitive bound item, a
    personal one and an unbound one."""
    with app.flask_app.test_request_context():
        records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
        wanted = {ID_NUMBER, PERSON_NAME}
        transfer.import_records([r for r in records if r["id"] in wanted], actor=None)
        return factories.Entry(
            owner_org=world["owner"]["id"],
            title="持证人员名册",
            share_type="conditional",
            open_type="closed",
            data_items=[
                {"name": "姓名", "data_type": "C", "length": 50, "element_id": PERSON_NAME},
                {"name": "身份证号", "data_type": "C", "length": 18, "element_id": ID_NUMBER},
                {"name": "备注", "data_type": "C", "length": 200},
            ],
        )


def _choice_labels(page: str) -> dict[str, str]:
    """Data item -> the label of its checkbox on the request form (with any badge)."""
    labels = re.findall(
        r'<label class="form-check-label" for="[^"]*data_items-\d+">(.*?)</label>', page, re.S
    )
    return {label.split("<", 1)[0].strip(): label for label in labels}


def test_the_request_form_marks_and_names_the_sensitive_items_asked_for(app, world, entry):
    login(app, world["gov"])
    page = body(app.get(f"/dataset/{entry['name']}/access-request"))
    assert 'id="access-request-form"' in page

    labels = _choice_labels(page)
    assert set(labels) == {"姓名", "身份证号", "备注"}
    assert "govcatalog-sensitive" in labels["身份证号"]
    assert "govcatalog-sensitive" not in labels["姓名"]
    assert "govcatalog-sensitive" not in labels["备注"]

    # above the form: how many items are sensitive, each with its row and data element
    listed = page[page.index('class="govcatalog-sensitive-items"') :]
    listed = listed[: listed.index("</ul>")]
    assert "This entry holds sensitive personal information in 1 data items" in page
    assert "Row 2" in listed and "身份证号" in listed
    assert f'href="/data-element/{ID_NUMBER}"' in listed and "公民身份号码" in listed
    assert "姓名" not in listed and "备注" not in listed
