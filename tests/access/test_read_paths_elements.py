"""The read paths of 一数一源 and the repeated-collection map, per role: an element's page (who
holds it, the source entry, the systems), the map page, its three CSV tables and the API action
data_element_collection_map. The catalog is
tests/elements/provenance_world.py; the expectations are written out from its table (private
entries of others and closed entries for the public are neither listed nor counted; information
systems are never shown to the public), not derived from access/policy.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from ckan.tests.helpers import call_action

from tests.elements import provenance_world as pw
from tests.module_app import catalog_app
from tests.web.english import data_words, english_on_page

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"
ROLES = ["sysadmin", "police_editor", "civil_editor", "health_editor", "public_user", "anonymous"]
HOLDERS = ["src", "rep", "cite", "named", "priv", "open"]
# fmt: off
# entries of the element each role is told about (the element page and every count)
SEES = {
    "sysadmin":      {"src", "rep", "cite", "named", "priv", "open"},
    "police_editor": {"src", "rep", "cite", "named", "open"},
    "civil_editor":  {"src", "rep", "cite", "named", "open"},
    "health_editor": {"src", "rep", "cite", "named", "priv", "open"},
    "public_user":   {"open"},
    "anonymous":     {"open"},
}
# the information systems named on the element page (never to the public; 市级健康系统 only
# collects for the private entry)
SYSTEMS = {
    "sysadmin":      {"县级就业系统", "市级健康系统"},
    "police_editor": {"县级就业系统"},
    "civil_editor":  {"县级就业系统"},
    "health_editor": {"县级就业系统", "市级健康系统"},
    "public_user":   set(),
    "anonymous":     set(),
}
# who is offered the request button for the police's source entry (conditional sharing): other
# departments; not its owner, not a sysadmin, and the public does not see the entry at all
REQUEST_BUTTON = {"civil_editor", "health_editor"}
# map, elements table: (element, department) -> independent collections
ELEMENT_ROWS = {
    "sysadmin":      {("E", "测试县公安局"): 1, ("E", "测试县民政局"): 2, ("E", "测试县卫健局"): 1,
                      ("F", "测试县卫健局"): 1},
    "police_editor": {("E", "测试县公安局"): 1, ("E", "测试县民政局"): 2, ("F", "测试县卫健局"): 1},
    "civil_editor":  {("E", "测试县公安局"): 1, ("E", "测试县民政局"): 2, ("F", "测试县卫健局"): 1},
    "health_editor": {("E", "测试县公安局"): 1, ("E", "测试县民政局"): 2, ("E", "测试县卫健局"): 1,
                      ("F", "测试县卫健局"): 1},
    "public_user":   {("E", "测试县民政局"): 1},
    "anonymous":     {("E", "测试县民政局"): 1},
}
# map, places table: place -> (national-, provincial-, city-, county-built systems, in all,
# elements asked for by several of them)
VILLAGE = ("0", "0", "0", "1", "1", "")
TOWN_SHARED = {"测试镇": ("0", "0", "1", "1", "2", "E（2）"), "测试村": VILLAGE}
TOWN_ALONE = {"测试镇": ("0", "0", "1", "1", "2", ""), "测试村": VILLAGE}
PLACE_ROWS = {
    "sysadmin":      TOWN_SHARED,
    "police_editor": TOWN_ALONE,
    "civil_editor":  TOWN_ALONE,
    "health_editor": TOWN_SHARED,
    "public_user":   {},
    "anonymous":     {},
}
# map, repeated table: the entries flagged 重复采集
REPEATED = {
    "sysadmin":      {"rep", "priv", "open"},
    "police_editor": {"rep", "open"},
    "civil_editor":  {"rep", "open"},
    "health_editor": {"rep", "priv", "open"},
    "public_user":   {"open"},
    "anonymous":     {"open"},
}
# fmt: on


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module, one test app with our plugins loaded, and an API
    token per role (which signs in page requests too)."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        world = pw.build()
        tokens = {}
        for role, user in world.users.items():
            tokens[role] = (
                call_action(
                    "api_token_create", {"user": user["name"]}, user=user["name"], name="rp"
                )["token"]
                if user
                else None
            )
        yield web, world, tokens


def get(web_and_world, role: str, url: str) -> str:
    web, _world, tokens = web_and_world
    headers = {"Authorization": tokens[role]} if tokens[role] else {}
    response = web.get(url, headers=headers)
    assert response.status_code == 200, f"{role}: {url} answered {response.status_code}"
    return response.get_data(as_text=True)


def table(web_and_world, role: str, which: str) -> list[list[str]]:
    text = get(web_and_world, role, f"/data-element/map.csv?table={which}")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


@pytest.mark.parametrize("role", ROLES)
def test_the_element_page_lists_and_counts_what_the_reader_may_see(web_and_world, role):
    world = web_and_world[1]
    page = get(web_and_world, role, f"/data-element/{world.element_id}")
    sees = SEES[role]
    for key in HOLDERS:
        linked = f'href="/dataset/pv-{key}"' in page
        assert linked == (key in sees), f"{role}: entry {key} listed={linked}"
    repeated = len(sees & {"rep", "priv", "open"})
    summary = f"{len(sees)} catalog entries visible to you hold this data element; {repeated} of"
    assert summary in page, role
    for title in ("县级就业系统", "市级健康系统"):
        assert (title in page) == (title in SYSTEMS[role]), f"{role}: system {title}"
    has_button = "/dataset/pv-src/access-request" in page
    assert has_button == (role in REQUEST_BUTTON), f"{role}: request button {has_button}"
    # the source department is public knowledge (the register), its entry is not
    assert "测试县公安局" in page
    if "src" not in sees:
        assert "The source department has no catalog entry holding this element" in page


@pytest.mark.parametrize("role", ROLES)
def test_the_map_tables_count_what_the_reader_may_see(web_and_world, role):
    world = web_and_world[1]
    short = {world.element_id: "E", world.free_id: "F"}
    elements = {(short[r[0]], r[3]): int(r[4]) for r in table(web_and_world, role, "elements")}
    assert elements == ELEMENT_ROWS[role], role
    places = {
        r[0]: (*r[2:7], r[7].replace(pw.ELEMENT_NAME, "E"))
        for r in table(web_and_world, role, "places")
    }
    assert places == PLACE_ROWS[role], role
    repeated = {r[1].removeprefix("测试资源") for r in table(web_and_world, role, "repeated")}
    assert repeated == REPEATED[role], role


@pytest.mark.parametrize("role", ROLES)
def test_the_map_action_counts_what_the_reader_may_see(web_and_world, role):
    """data_element_collection_map over the API gives the page's figures, for the same reader."""
    web, world, tokens = web_and_world
    headers = {"Authorization": tokens[role]} if tokens[role] else {}
    response = web.get("/api/3/action/data_element_collection_map", headers=headers)
    assert response.status_code == 200, f"{role}: {response.status_code}"
    found = response.json["result"]
    short = {world.element_id: "E", world.free_id: "F"}
    elements = {
        (short[r["element_id"]], d["title"]): d["collections"]
        for r in found["elements"]
        for d in r["departments"]
    }
    assert elements == ELEMENT_ROWS[role], role
    levels = [level["value"] for level in found["levels"]]
    places = {
        p["title"]: (
            *(str(len(p["systems"][level])) for level in levels),
            str(p["system_count"]),
            "；".join(f"{e['name']}（{len(e['systems'])}）" for e in p["shared_elements"]).replace(
                pw.ELEMENT_NAME, "E"
            ),
        )
        for p in found["places"]
    }
    assert places == PLACE_ROWS[role], role
    repeated = {r["entry_title"].removeprefix("测试资源") for r in found["repeated"]}
    assert repeated == REPEATED[role], role
    one = web.get("/api/3/action/data_element_collection_map?table=repeated", headers=headers).json[
        "result"
    ]
    assert set(one) == {"levels", "repeated"} and one["repeated"] == found["repeated"]


def test_the_map_action_refuses_an_unknown_table(web_and_world):
    web = web_and_world[0]
    response = web.get("/api/3/action/data_element_collection_map?table=secrets")
    assert response.status_code == 409
    assert "secrets" in str(response.json["error"]["table"])


@pytest.mark.parametrize("role", ["sysadmin", "civil_editor", "anonymous"])
def test_the_map_page_shows_only_what_the_reader_may_see(web_and_world, role):
    page = get(web_and_world, role, "/data-element/map")
    assert 'data-gc-map-chart="elements"' in page
    assert ("测试资源priv" in page) == (role == "sysadmin")
    assert ("测试资源rep" in page) == (role != "anonymous")
    # the places chart needs information systems, which the public never sees; the page says so
    assert ('data-gc-map-chart="places"' in page) == (role != "anonymous")
    assert ("Information systems are shown to government staff only" in page) == (
        role == "anonymous"
    )


def test_the_pages_speak_chinese(web_and_world):
    """The element page's holders, the map and an entry's 重复采集 flag hold no English on the
    Chinese site (only the allowlist of tests/web/english.py and the data's own words)."""
    world = web_and_world[1]
    allowed = data_words(
        [world.element_id, world.free_id, world.entries, world.systems, world.orgs, world.users]
    )
    for url in (
        f"/zh_Hans_CN/data-element/{world.element_id}",
        "/zh_Hans_CN/data-element/map",
        "/zh_Hans_CN/dataset/pv-rep",
    ):
        page = get(web_and_world, "civil_editor", url)
        assert english_on_page(page, allowed) == [], url


# the note the entry form's data-item grid shows for the element (elements/views.py source_note),
# per role recording for its own department: the source entry named only to who may see it, and
# the way offered to obtain it (the police's own department gets no note: it is the source)
# fmt: off
SOURCE_NOTE = {
    "sysadmin":      ("conditional", "/dataset/pv-src"),
    "police_editor": None,
    "civil_editor":  ("conditional", "/dataset/pv-src/access-request"),
    "health_editor": ("conditional", "/dataset/pv-src/access-request"),
    "public_user":   ("unseen", None),
    "anonymous":     ("unseen", None),
}
# fmt: on
RECORDS_FOR = {role: f"pv-{role.removesuffix('_editor')}" for role in ROLES if "_editor" in role}


@pytest.mark.parametrize("role", ROLES)
def test_the_form_source_note_names_only_a_source_entry_the_reader_may_see(web_and_world, role):
    web, world, tokens = web_and_world
    headers = {"Authorization": tokens[role]} if tokens[role] else {}
    owner = RECORDS_FOR.get(role)
    url = f"/data-element/{world.element_id}/source-note" + (f"?owner_org={owner}" if owner else "")
    response = web.get(url, headers=headers)
    assert response.status_code == 200, f"{role}: {response.status_code}"
    answer = response.json
    expected = SOURCE_NOTE[role]
    if expected is None:
        assert answer["note"] is None, f"{role}: {answer}"
        return
    share, href = expected
    assert "测试县公安局" in answer["note"] and pw.ELEMENT_NAME in answer["note"], answer
    if share == "unseen":
        assert answer["entry"] is None and answer["link"] is None, f"{role}: {answer}"
        assert "测试资源src" not in str(answer) and "pv-src" not in str(answer), role
        assert "no catalog entry holding it that you may see" in answer["note"], answer
    else:
        assert answer["share_type"] == share and answer["entry"]["name"] == "pv-src", answer
        assert answer["link"]["href"] == href, f"{role}: {answer['link']}"
        assert "request it by sharing" in answer["note"], answer
