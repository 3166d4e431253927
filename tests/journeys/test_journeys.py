"""The three user journeys in a real browser (Debian's chromium, headless).

Each journey is a Node script (playwright-core) run against a real CKAN serving the test database
with the demo catalog (see conftest.py). Each step prints one JSON line and saves a screenshot
under screenshots/<journey>/; a failed step names itself and its screenshot.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.journeys.conftest import assert_journey_passed, run_journey


@pytest.mark.parametrize("journey", ["officer", "department", "visitor"])
def test_journey(journey_site, journey):
    records = run_journey(journey_site, f"{journey}.mjs")
    assert_journey_passed(records, journey, journey_site)


def _home_charts(html: str) -> dict[str, dict[str, int]]:
    data = re.search(r'id="gc-home-data">(.*?)</script>', html, re.S)
    assert data, "the home page carries its chart data"
    charts = json.loads(data.group(1))
    return {c["id"]: {i["value"]: i["count"] for i in c["items"]} for c in charts}


def _as(site: dict, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    return {"Authorization": site["tokens"][who]}


@pytest.mark.parametrize("who", [None, "requester", "sysadmin"])
def test_home_counts_are_what_the_user_may_see(journey_site, who):
    """Every number on the home page equals the facet count of a search made as that user (so
    counts respect visibility), and a visitor sees fewer entries than the platform admin."""
    base, headers = journey_site["base_url"], _as(journey_site, who)
    page = requests.get(base + "/", headers=headers, timeout=60)
    assert page.status_code == 200
    charts = _home_charts(page.text)
    search = requests.get(
        base + "/api/3/action/package_search",
        params={
            "q": "*:*",
            "fq": "+dataset_type:dataset",
            "include_private": "true",
            "rows": 0,
            "facet.field": json.dumps(["catalog_class", "share_type", "open_type", "organization"]),
            "facet.limit": -1,
        },
        headers=headers,
        timeout=60,
    ).json()["result"]
    total = int(re.search(r'id="gc-total">\s*\D*(\d+)', page.text).group(1))
    assert total == search["count"]
    pairs = (("class", "catalog_class"), ("share", "share_type"), ("open", "open_type"))
    for chart, field in pairs:
        expected = {k: v for k, v in search["facets"][field].items() if v}
        shown = {k: v for k, v in charts[chart].items() if v}
        assert shown == expected, chart
    for name, count in charts["department"].items():
        assert search["facets"]["organization"][name] == count
    assert sum(charts["class"].values()) == total


def test_home_hides_closed_entries_from_visitors(journey_site):
    base, admin = journey_site["base_url"], _as(journey_site, "sysadmin")

    def count(fq: str) -> int:
        params = {"fq": f"+dataset_type:dataset {fq}", "include_private": "true", "rows": 0}
        url = f"{base}/api/3/action/package_search"
        search = requests.get(url, params=params, headers=admin, timeout=60)
        return search.json()["result"]["count"]

    anonymous = requests.get(base + "/", timeout=60).text
    admin_home = requests.get(base + "/", headers=admin, timeout=60).text
    visitor_total = int(re.search(r'id="gc-total">\s*\D*(\d+)', anonymous).group(1))
    admin_total = int(re.search(r'id="gc-total">\s*\D*(\d+)', admin_home).group(1))
    closed = count("+open_type:closed")
    assert closed > 0
    assert admin_total == count("") >= journey_site["facts"]["counts"]["datasets"]
    assert visitor_total == admin_total - closed
    assert _home_charts(anonymous)["open"].get("closed", 0) == 0
