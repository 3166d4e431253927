"""Data in use, in a real browser: a visitor previews and downloads an open
entry's table; a department's approved request unlocks the preview and the row API of a
conditionally shared entry with only the requested columns (申请的信息项); once the grant is
revoked both are refused again.

The two entries get the demo's own sample files (tabular/demo_files.py), uploaded by the site's
administrator through the API as a department would through the resource form; a jobs worker run
once (`ckan jobs worker --burst`, as `make run`'s worker would) loads them into the DataStore.
The request is filed by the requester and approved through the API (the request form and the
approval pages are the department journey's); the browser checks what each person then sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path
from typing import Any

import requests

from tests.journeys.conftest import CKAN, assert_journey_passed, run_journey

REQUESTED = 2  # data items the department asks for; the table has more


def _demo_entries() -> dict[str, dict[str, Any]]:
    from ckanext.govcatalog.demo import loader

    return {entry["name"]: entry for entry in loader.read_data()["entries"]}


def _sample_table(entry: dict[str, Any]) -> Any:
    """The entry's sample file when it is a CSV table (the journey reads its first row)."""
    from ckanext.govcatalog.tabular import demo_files

    if not entry.get("data_items") or demo_files.file_format(entry) != "CSV":
        return None
    return demo_files.sample_file(entry)


def _pick_conditional(facts: dict[str, Any], demo: dict[str, dict[str, Any]]) -> str:
    """A conditionally shared entry of the owner department the journeys know (its admin and a
    requester of another department are in the facts) whose sample is a table with more
    columns than are requested."""
    owner = facts["conditional_entry"]["org"]
    names = [facts["conditional_entry"]["name"], *sorted(demo)]
    for name in names:
        entry = demo.get(name)
        if not entry or entry.get("share_type") != "conditional" or entry["owner_org"] != owner:
            continue
        sample = _sample_table(entry)
        if sample and len(sample.columns) > REQUESTED + 1:
            return name
    raise AssertionError(f"no conditionally shared demo entry of {owner} with a table")


def _pick_open(facts: dict[str, Any], demo: dict[str, dict[str, Any]]) -> str:
    names = [facts["open_entry"]["name"], *sorted(demo)]
    for name in names:
        entry = demo.get(name)
        if entry and entry.get("open_type") == "open" and _sample_table(entry):
            return name
    raise AssertionError("no open demo entry with a table")


def test_data_in_use(journey_site, pytestconfig):
    facts = journey_site["facts"]
    base = journey_site["base_url"]
    tokens = journey_site["tokens"]
    demo = _demo_entries()

    def act(action: str, token: str, **data: Any) -> Any:
        response = requests.post(
            f"{base}/api/3/action/{action}",
            json=data,
            headers={"Authorization": token},
            timeout=120,
        )
        assert response.ok, f"{action}: {response.status_code} {response.text[:500]}"
        return response.json()["result"]

    def upload(name: str) -> dict[str, Any]:
        entry = demo[name]
        sample = _sample_table(entry)
        response = requests.post(
            f"{base}/api/3/action/resource_create",
            data={
                "package_id": name,
                "name": f"{entry['title']}（示例数据）",
                "format": sample.format,
                "sample_data": "true",
            },
            files={"upload": (sample.filename, sample.content)},
            headers={"Authorization": tokens["sysadmin"]},
            timeout=120,
        )
        assert response.ok, f"upload to {name}: {response.status_code} {response.text[:500]}"
        return {
            "name": name,
            "title": entry["title"],
            "resource_id": response.json()["result"]["id"],
            "columns": list(sample.columns),
            "rows": sample.row_count,
            "first_row": _first_row(sample),
        }

    test_ini = str(Path(pytestconfig.getoption("ckan_ini")).resolve())

    def jobs(*args: str) -> None:
        done = subprocess.run(
            [str(CKAN), "-c", test_ini, "jobs", *args], capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]

    # the queue of this test database holds what earlier tests queued and no worker ran (their
    # entries are gone): emptied, so that the worker below runs this journey's two loads only
    jobs("clear")
    open_table = upload(_pick_open(facts, demo))
    cond_table = upload(_pick_conditional(facts, demo))
    jobs("worker", "--burst")  # takes the queued loads and stops, as make run's worker would

    requested = cond_table["columns"][1 : 1 + REQUESTED]
    request = act(
        "access_request_create",
        tokens["requester"],
        package_id=cond_table["name"],
        legal_basis="《政务数据共享条例》第二十条",
        usage_scenario="核对本部门办理事项的基础信息",
        usage_scope="本部门政务服务窗口",
        share_mode=demo[cond_table["name"]]["share_mode"],
        period_end=(dt.date.today() + dt.timedelta(days=180)).isoformat(),
        data_items=requested,
    )
    act(
        "access_request_approve",
        tokens["sysadmin"],
        id=request["id"],
        expires=(dt.date.today() + dt.timedelta(days=90)).isoformat(),
    )
    site = dict(
        journey_site,
        open_table=open_table,
        cond_table=dict(cond_table, requested=requested),
        request_id=request["id"],
        revoke_token=tokens["sysadmin"],
    )
    records = run_journey(site, "data_in_use.mjs")
    assert_journey_passed(records, "data-in-use", journey_site)


def _first_row(sample: Any) -> list[str]:
    """The first data row of a sample CSV (after its 示例数据 comment and the header)."""
    rows = [r for r in csv.reader(io.StringIO(sample.content.decode("utf-8-sig"))) if r]
    data = [r for r in rows if not r[0].startswith("#")]
    return data[1]
