"""Tag and format names (tag_list, tag_autocomplete, format_autocomplete) come only from entries
the caller may see: CKAN answers these from SQL over every dataset."""

import pytest
from ckan.tests.helpers import call_action

from tests import factories


@pytest.fixture
def catalog(county_and_department):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    factories.Entry(
        user=admin,
        owner_org=dept["id"],
        open_type="closed",
        tags=[{"name": "closedtag"}],
        resources=[{"url": "http://example.invalid/a.secretfmt", "format": "SECRETFMT"}],
    )
    factories.Entry(
        user=admin,
        owner_org=dept["id"],
        open_to_all=True,
        tags=[{"name": "opentag"}],
        resources=[{"url": "http://example.invalid/b.csv", "format": "CSV"}],
    )


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "catalog")
def test_public_sees_only_names_of_public_entries():
    anon = {"user": "", "ignore_auth": False}
    assert call_action("tag_autocomplete", context=dict(anon), q="tag") == ["opentag"]
    assert call_action("tag_list", context=dict(anon)) == ["opentag"]
    assert call_action("format_autocomplete", context=dict(anon), q="") == ["csv"]

    # a government user sees every entry's metadata, so both tags and formats
    gov = factories.Member()
    names = call_action("tag_autocomplete", context={"user": gov["name"]}, q="tag")
    assert sorted(names) == ["closedtag", "opentag"]
    formats = call_action("format_autocomplete", context={"user": gov["name"]}, q="")
    assert sorted(formats) == ["csv", "secretfmt"]
