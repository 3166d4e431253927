"""Accessibility in a real browser. axe-core (npm) runs on every page kind - home,
search, entry, resource, department list and page, information-system list and page, reuse,
request form, list and page, bulk import, user, data-element list and page, 403 and 404 - as an
anonymous visitor and as a department editor, and finds no violation of impact serious or
critical (GB/T 37668-2019, aligned with WCAG 2.0 AA); the entry form works with the keyboard
alone. See accessibility.mjs; the served site is the journeys' (conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from tests.journeys.conftest import journey_report, run_journey


def _action(site: dict[str, Any], who: str, action: str, **data: Any) -> dict[str, Any]:
    response = requests.post(
        f"{site['base_url']}/api/3/action/{action}",
        json=data,
        headers={"Authorization": site["tokens"][who]},
        timeout=60,
    )
    assert response.status_code == 200, f"{action}: {response.status_code} {response.text[:500]}"
    return response.json()["result"]


def _pages_to_visit(site: dict[str, Any]) -> dict[str, Any]:
    """What the demo lacks for some page kinds: a published data element and a request the
    editor made; and the name of an information system."""
    facts = site["facts"]
    element = _action(
        site,
        "sysadmin",
        "data_element_create",
        name="无障碍测试证件号码",
        synonyms=[],
        data_type="C",
        format="c..30",
        object_class="证件",
        property="无障碍测试证件",
        representation="号码",
        status="已发布",
    )
    entry = _action(site, "sysadmin", "package_show", id=facts["conditional_entry"]["name"])
    # the request form's fields (factories.access_request_data needs the plugins in this process)
    request = _action(
        site,
        "requester",
        "access_request_create",
        package_id=entry["id"],
        legal_basis="《政务数据共享条例》第二十条",
        usage_scenario="核验办事群众身份信息",
        usage_scope="本单位政务服务窗口",
        share_mode=entry["share_mode"],
        period_end=(dt.date.today() + dt.timedelta(days=365)).isoformat(),
        data_items=[item["name"] for item in entry.get("data_items") or []][:2],
    )
    systems = _action(
        site,
        "sysadmin",
        "package_search",
        fq="+dataset_type:info_system",
        rows=1,
        include_private=True,
    )["results"]
    return {
        "element_id": element["id"],
        "request_id": request["id"],
        "system_name": systems[0]["name"] if systems else None,
    }


def test_axe_finds_nothing_serious_and_the_form_works_by_keyboard(journey_site):
    site = {**journey_site, **_pages_to_visit(journey_site)}
    records = run_journey(site, "accessibility.mjs", timeout=900)
    counts = [r["axe_count"] for r in records if "axe_count" in r]
    steps = [r for r in records if "step" in r]
    failed = [r for r in steps if r.get("status") != "pass"]
    done = next((r for r in records if r.get("done")), None)
    report = journey_report(records)
    figures = "\n".join(f"{c['role']:9} {c['kind']:45} {c['count']}" for c in counts)
    print(f"{report}\n\nserious/critical axe violations by page kind:\n{figures}")
    assert steps and counts, f"the accessibility journey ran no check:\n{report}"
    assert not failed and done and not done["failed"], (
        f"accessibility: {len(failed)} step(s) failed\n{report}\nserver log: {journey_site['log']}"
    )
    kinds = {(c["role"], c["kind"]) for c in counts}
    assert len(kinds) >= 28, f"every page kind is checked for both roles: {sorted(kinds)}"
