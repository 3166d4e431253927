"""access/policy.py: the rule of spec §4 on plain Entry/Viewer values (no database needed)."""

from __future__ import annotations

import json

import pytest

from ckanext.govcatalog.access import policy

OWNER = "org-owner"


def entry(share: str | None, open_: str | None, **over) -> policy.Entry:
    fields = {
        "id": "pkg-1",
        "type": "dataset",
        "owner_org": OWNER,
        "private": False,
        "state": "active",
        "share_type": share or "",
        "open_type": open_ or "",
    }
    fields.update(over)
    # unknown levels are normalised the way Entry.from_dict / from_package do it
    return policy.Entry.from_dict({**fields, "private": fields["private"]})


ANON = policy.ANONYMOUS
PUBLIC = policy.Viewer(user_id="u-public", name="public")
GOV = policy.Viewer(user_id="u-gov", name="gov", org_ids=frozenset({"org-other"}))
OWNER_USER = policy.Viewer(user_id="u-owner", name="owner", org_ids=frozenset({OWNER}))
SYSADMIN = policy.Viewer(user_id="u-sys", name="sys", sysadmin=True)


def granted(viewer: policy.Viewer) -> policy.Viewer:
    return policy.Viewer(
        user_id=viewer.user_id, name=viewer.name, org_ids=viewer.org_ids, granted={"pkg-1"}
    )


# (share, open) -> (gov data, gov data with grant, public sees, public data, public data w/ grant)
CASES = {
    ("unconditional", "open"): (True, True, True, True, True),
    ("unconditional", "conditional"): (True, True, True, False, True),
    ("unconditional", "closed"): (True, True, False, False, False),
    ("conditional", "open"): (True, True, True, True, True),
    ("conditional", "conditional"): (False, True, True, False, True),
    ("conditional", "closed"): (False, True, False, False, False),
    ("none", "closed"): (False, False, False, False, False),
}


@pytest.mark.parametrize(("levels", "expected"), CASES.items())
def test_spec_table(levels, expected):
    e = entry(*levels)
    gov, gov_grant, pub_sees, pub_data, pub_grant = expected
    for who in (SYSADMIN, OWNER_USER):
        assert policy.can_see_entry(who, e) and policy.can_access_data(who, e)
    assert policy.can_see_entry(GOV, e)  # the catalog is the map of everything
    assert policy.can_access_data(GOV, e) is gov
    assert policy.can_access_data(granted(GOV), e) is gov_grant
    for who in (ANON, PUBLIC):
        assert policy.can_see_entry(who, e) is pub_sees
        assert policy.can_access_data(who, e) is pub_data
    assert policy.can_access_data(granted(PUBLIC), e) is pub_grant


@pytest.mark.parametrize("levels", CASES)
def test_government_user_never_sees_less_than_the_public(levels):
    e = entry(*levels)
    for gov, pub in ((GOV, PUBLIC), (granted(GOV), granted(PUBLIC))):
        assert policy.can_access_data(gov, e) >= policy.can_access_data(pub, e)


def test_missing_or_unknown_levels_are_the_most_restrictive():
    for e in (entry(None, None), entry("everyone", "yes")):
        assert e.share_type == "none" and e.open_type == "closed"
        assert not policy.can_see_entry(PUBLIC, e)
        assert policy.can_see_entry(GOV, e) and not policy.can_access_data(GOV, e)
        assert not policy.can_access_data(granted(GOV), e)


def test_information_systems_are_never_public():
    e = entry("unconditional", "open", type="info_system")
    assert not policy.can_see_entry(ANON, e)
    assert not policy.can_access_data(granted(PUBLIC), e)
    assert policy.can_see_entry(GOV, e)
    assert policy.LABEL_PUBLIC not in policy.entry_labels(e)


@pytest.mark.parametrize("over", [{"private": True}, {"state": "draft"}, {"state": "deleted"}])
def test_unpublished_entries_stay_with_their_owner(over):
    e = entry("unconditional", "open", **over)
    assert policy.can_see_entry(OWNER_USER, e) and policy.can_access_data(OWNER_USER, e)
    for who in (GOV, granted(GOV), ANON, granted(PUBLIC)):
        assert not policy.can_see_entry(who, e)
        assert not policy.can_access_data(who, e)


def test_labels_match_can_see_entry():
    for levels in CASES:
        e = entry(*levels)
        labels = set(policy.entry_labels(e))
        assert (policy.LABEL_PUBLIC in labels) is policy.can_see_entry(ANON, e)
        assert policy.LABEL_GOVERNMENT in labels
        assert f"member-{OWNER}" in labels
    assert policy.viewer_labels(GOV) == [policy.LABEL_GOVERNMENT]
    assert policy.viewer_labels(PUBLIC) == []


def test_strip_package_blanks_every_data_location():
    pkg = {
        "id": "pkg-1",
        "url": "http://source.example/landing",  # the entry's own link is metadata
        "resources": [
            {"url": "http://x/secret.csv", "cache_url": "http://x/c", "name": "r", "format": "CSV"},
            {"url": "http://site/dataset/1/resource/2/download/f.csv", "url_type": "upload"},
        ],
    }
    policy.strip_package(pkg)
    assert "secret" not in json.dumps(pkg) and "download" not in json.dumps(pkg)
    assert pkg["url"] == "http://source.example/landing"
    assert pkg["resources"][0]["name"] == "r" and pkg["resources"][0]["format"] == "CSV"


def test_serve_package_strips_only_without_data_access():
    def pkg(open_):
        return {
            "id": "pkg-1",
            "type": "dataset",
            "owner_org": OWNER,
            "private": False,
            "state": "active",
            "share_type": "conditional",
            "open_type": open_,
            "resources": [{"url": "http://x/data.csv"}],
        }

    assert policy.serve_package(GOV, pkg("closed"), entry("conditional", "closed"))[
        "resources"
    ] == [{"url": ""}]
    served = policy.serve_package(granted(GOV), pkg("closed"), entry("conditional", "closed"))
    assert served["resources"] == [{"url": "http://x/data.csv"}]


# --- who may request an entry's data -----------------------------------------------------------

R = policy.RequestRefusal
# (share, open) -> why a government user of another organization, and a logged-in public user,
# may not request the data (None: they may)
REQUESTS = {
    ("unconditional", "open"): (R.SHARED_UNCONDITIONALLY, R.OPEN_TO_ALL),
    ("unconditional", "conditional"): (R.SHARED_UNCONDITIONALLY, None),
    ("unconditional", "closed"): (R.SHARED_UNCONDITIONALLY, R.GOVERNMENT_ONLY),
    ("conditional", "open"): (R.OPEN_TO_ALL, R.OPEN_TO_ALL),
    ("conditional", "conditional"): (None, None),
    ("conditional", "closed"): (None, R.GOVERNMENT_ONLY),
    ("none", "closed"): (R.NOT_SHARED, R.NOT_SHARED),
}


@pytest.mark.parametrize(("levels", "expected"), REQUESTS.items())
def test_who_may_request_data(levels, expected):
    e = entry(*levels)
    gov, public = expected
    assert policy.request_refusal(GOV, e) is gov
    assert policy.request_refusal(PUBLIC, e) is public
    assert policy.request_refusal(SYSADMIN, e) is R.SYSADMIN
    owner = R.NOT_SHARED if levels[0] == "none" else R.OWN_ENTRY
    assert policy.request_refusal(OWNER_USER, e) is owner
    # a visitor is invited to log in exactly where a public user may request
    assert policy.request_refusal(ANON, e) is (R.LOG_IN if public is None else public)


@pytest.mark.parametrize("levels", CASES)
def test_a_request_is_possible_exactly_where_a_grant_would_open_the_data(levels):
    e = entry(*levels)
    for who in (GOV, PUBLIC, OWNER_USER):
        would_open = not policy.can_access_data(who, e) and policy.can_access_data(granted(who), e)
        assert policy.may_request_data(who, e) is would_open, who.name


def test_a_grant_holder_may_ask_again_before_it_runs_out():
    assert policy.may_request_data(granted(GOV), entry("conditional", "closed"))
    assert policy.may_request_data(granted(PUBLIC), entry("conditional", "conditional"))
    assert policy.request_refusal(granted(PUBLIC), entry("conditional", "closed")) is (
        R.GOVERNMENT_ONLY
    )


@pytest.mark.parametrize("over", [{"private": True}, {"state": "draft"}, {"state": "deleted"}])
def test_unpublished_entries_cannot_be_requested(over):
    e = entry("conditional", "conditional", **over)
    for who in (GOV, PUBLIC, granted(GOV)):
        assert policy.request_refusal(who, e) is R.NOT_PUBLISHED
    assert policy.request_refusal(OWNER_USER, e) is R.OWN_ENTRY


def test_entries_without_levels_and_information_systems_cannot_be_requested():
    assert policy.request_refusal(GOV, entry(None, None)) is R.NOT_SHARED
    system = entry("unconditional", "open", type="info_system")
    assert policy.request_refusal(PUBLIC, system) is R.GOVERNMENT_ONLY
    assert policy.request_refusal(ANON, system) is R.GOVERNMENT_ONLY


def test_links_to_entries_the_viewer_may_not_see_are_blanked():
    """source_system names an information system: kept for who may see the system (as a field
    or as a stored extra), blanked for the public, and blanked when the system is gone."""
    system = entry(None, None, id="sys-1", type="info_system")
    linked = {"sq-sys-hj": system}

    def served(viewer: policy.Viewer, name: str) -> tuple[str, str]:
        pkg = {"source_system": name, "extras": [{"key": "source_system", "value": name}]}
        policy.hide_links(viewer, pkg, linked)
        return pkg["source_system"], pkg["extras"][0]["value"]

    for viewer in (SYSADMIN, OWNER_USER, GOV):
        assert served(viewer, "sq-sys-hj") == ("sq-sys-hj", "sq-sys-hj")
        assert served(viewer, "sq-sys-gone") == ("", "")
    for viewer in (ANON, PUBLIC, granted(PUBLIC)):
        assert served(viewer, "sq-sys-hj") == ("", "")
    assert policy.linked_names({"extras": [{"key": "source_system", "value": "a"}]}) == {"a"}
