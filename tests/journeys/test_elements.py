"""The data-element journey in a real browser: an officer typing 身份证号 is offered 公民身份号码,
told that 公安局 is its source department and holds it in an entry it shares (and how: the
request form of a conditionally shared entry), and sees the binding on the saved entry's page."""

from __future__ import annotations

import requests

from tests.journeys.conftest import _ckan, assert_journey_passed, run_journey

SOURCE_ORG = "shiquan-gaj"  # 石泉县公安局 in the demo
# its shared population entry holding 公民身份号码 (schemas/demo/src/extra_entries.yaml)
SOURCE_ENTRY = "sq-gaj-hjrkjbxx"


def test_officer_binds_an_id_number_and_is_told_its_source(journey_site):
    facts = journey_site["facts"]
    # a data officer of a department other than the source (the demo's officer may be its own)
    officer = next(
        (
            facts[who]
            for who in ("officer", "requester", "owner_admin")
            if facts.get(who) and facts[who]["org"] != SOURCE_ORG
        ),
        None,
    )
    assert officer, "the demo has a data officer outside the source department"
    base, token = journey_site["base_url"], journey_site["tokens"]["sysadmin"]

    def act(action: str, data: dict) -> dict:
        response = requests.post(
            f"{base}/api/3/action/{action}",
            json=data,
            headers={"Authorization": token},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()["result"]

    # the register may be seeded already: the element gets its source department either way
    found = act("data_element_search", {"q": "公民身份号码"})["results"]
    existing = next((e for e in found if e["name"] == "公民身份号码"), None)
    if existing:
        created = act("data_element_update", {"id": existing["id"], "source_org": SOURCE_ORG})
    else:
        created = act(
            "data_element_create",
            {
                "name": "公民身份号码",
                "identifier": "GMSFHM",
                "synonyms": ["身份证号", "身份证号码", "居民身份证号"],
                "data_type": "C",
                "format": "c18",
                "value_rule": "gb11643",
                "source_org": SOURCE_ORG,
                "personal_info": True,
                "sensitive_personal_info": True,
                "status": "已发布",
            },
        )
    # the demo's items are bound as scripts/site.sh binds them (the journeys' demo load does not)
    log = journey_site["log"]
    bind = ("govcatalog", "elements", "bind", "--org", SOURCE_ORG, "--apply")
    _ckan(log.parent / "journeys.ini", *bind, log=log)
    source = act("package_show", {"id": SOURCE_ENTRY})
    bound = [i["name"] for i in source["data_items"] if i.get("element_id") == created["id"]]
    assert bound, f"{SOURCE_ENTRY} holds {created['name']}: {source['data_items']}"
    assert source["share_type"] in ("unconditional", "conditional"), source["share_type"]
    site = dict(
        journey_site,
        person=officer,
        source_entry={
            "name": source["name"],
            "title": source["title"],
            "share_type": source["share_type"],
        },
        element={
            "id": created["id"],
            "name": created["name"],
            "identifier": created["identifier"],
            "source_title": created["source_org_title"],
        },
    )
    records = run_journey(site, "elements.mjs")
    assert_journey_passed(records, "elements", journey_site)
