"""`ckanapi dump datasets` works against the site.

The real ckanapi CLI runs in a subprocess on the test configuration (LocalCKAN, its worker
processes included), once as an anonymous caller (``-u ""``), once as a government user and once
as the site user; the entries come back with the catalog's fields, and what each caller gets is
what catalog-spec §4 lets them see (closed entries: not for the public).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

FIELDS = (
    "title",
    "notes",
    "resource_code",
    "catalog_class",
    "owner_org",
    "format_category",
    "data_items",
    "share_type",
    "open_type",
    "update_cycle",
    "publish_date",
    "data_grade",
    "steward",
)


def ckanapi_dump(ckan_ini: str, tmp_path, user: str | None) -> dict[str, dict]:
    out = tmp_path / f"dump-{user or 'site'}.jsonl"
    bindir = os.path.dirname(sys.executable)
    cmd = [os.path.join(bindir, "ckanapi"), "dump", "datasets", "--all", "-c", ckan_ini]
    cmd += ["-p", "1", "-q", "-O", str(out)]
    if user is not None:
        cmd += ["-u", user]
    # ckanapi runs local commands through `ckan api`, found on PATH
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {r["name"]: r for r in records}


@pytest.fixture
def catalog(county_and_department):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    made = {
        kind: factories.Entry(
            user=admin,
            owner_org=dept["id"],
            title=f"{kind} 目录",
            open_type=kind,
            open_condition="须申请。",
        )
        for kind in ("open", "conditional", "closed")
    }
    other = factories.Organization(name="dept-other", title="石泉县人社局")
    gov = factories.Member(organization=other)
    return {**made, "gov": gov}


def test_ckanapi_dump_datasets(catalog, ckan_config, tmp_path, request):
    ckan_ini = request.config.getoption("--ckan-ini")
    names = {kind: catalog[kind]["name"] for kind in ("open", "conditional", "closed")}

    anonymous = ckanapi_dump(ckan_ini, tmp_path, "")
    assert set(anonymous) == {names["open"], names["conditional"]}
    for record in anonymous.values():
        missing = [f for f in FIELDS if record.get(f) in (None, "", [])]
        assert not missing, (record["name"], missing)
        assert record["resource_code"] == catalog[record["open_type"]]["resource_code"]
        assert [i["name"] for i in record["data_items"]] == ["姓名", "公民身份号码"]

    government = ckanapi_dump(ckan_ini, tmp_path, catalog["gov"]["name"])
    assert set(government) == set(names.values())

    site = ckanapi_dump(ckan_ini, tmp_path, None)
    assert set(names.values()) <= set(site)
    assert site[names["closed"]]["open_type"] == "closed"
