"""The repeated-collection map's tables, chart numbers and command-line summary
(elements/collection_map.py), from a map built by hand. Building the map from the catalog, for
each role, is pinned by tests/access/test_read_paths_elements.py; the report command by
tests/elements/test_provenance.py."""

from __future__ import annotations

import pytest

from ckanext.govcatalog import vocab
from ckanext.govcatalog.elements import collection_map as cm

LEVELS = [("national", "国家级"), ("provincial", "省级"), ("city", "市级"), ("county", "县级")]
HEADERS = {
    "elements": ["id", "element", "source", "department", "n", "all"],
    "places": ["place", "level", *(label for _v, label in LEVELS), "all", "shared"],
    "repeated": ["code", "entry", "department", "element", "source"],
}


@pytest.fixture
def found() -> cm.CollectionMap:
    return cm.CollectionMap(
        elements=[
            cm.ElementRow(
                "DE00001",
                "公民身份号码",
                "石泉县公安局",
                [("gaj", "石泉县公安局", 2), ("mzj", "石泉县民政局", 1)],
                3,
            ),
            cm.ElementRow("DE00002", "姓名", "", [("mzj", "石泉县民政局", 1)], 1),
        ],
        places=[
            cm.PlaceRow(
                "chengguan",
                "城关镇",
                "town",
                {"county": [("a", "A")], "national": [("b", "B"), ("c", "C")]},
                [("DE00001", "公民身份号码", ["A", "B", "C"]), ("DE00002", "姓名", ["A", "B"])],
            )
        ],
        repeated=[
            cm.RepeatedRow(
                "pv-rep",
                "低保名册",
                "0001",
                "石泉县民政局",
                "DE00001",
                "公民身份号码",
                "石泉县公安局",
            )
        ],
        levels=LEVELS,
    )


def test_the_elements_table_has_one_row_per_element_and_department(found):
    rows = cm.table(found, "elements", HEADERS)
    assert rows == [
        HEADERS["elements"],
        ["DE00001", "公民身份号码", "石泉县公安局", "石泉县公安局", 2, 3],
        ["DE00001", "公民身份号码", "石泉县公安局", "石泉县民政局", 1, 3],
        ["DE00002", "姓名", "", "石泉县民政局", 1, 1],
    ]


def test_the_places_table_counts_systems_by_build_level(found):
    [header, row] = cm.table(found, "places", HEADERS)
    assert header == HEADERS["places"]
    # national 2, provincial 0, city 0, county 1, 3 in all; the elements most asked for first
    town = vocab.label("org_level", "town")
    assert row == ["城关镇", town, 2, 0, 0, 1, 3, "公民身份号码（3）；姓名（2）"]


def test_the_repeated_table_and_an_unknown_table(found):
    assert cm.table(found, "repeated", HEADERS)[1] == [
        "0001",
        "低保名册",
        "石泉县民政局",
        "DE00001 公民身份号码",
        "石泉县公安局",
    ]
    with pytest.raises(ValueError):
        cm.table(found, "systems", HEADERS)


def test_the_chart_numbers_follow_the_tables(found):
    charts = cm.chart_data(found, top=1)
    assert charts["elements"] == {
        "labels": ["公民身份号码"],
        "departments": [2],
        "collections": [3],
    }
    assert charts["places"]["labels"] == ["城关镇"]
    assert [(lvl["label"], lvl["counts"]) for lvl in charts["places"]["levels"]] == [
        ("国家级", [2]),
        ("省级", [0]),
        ("市级", [0]),
        ("县级", [1]),
    ]


def test_the_summary_lists_every_part_of_the_map(with_request_context, found):
    text = cm.summary_text(found)
    assert "DE00001 公民身份号码\t2\t3\t石泉县公安局（2）、石泉县民政局（1）" in text
    assert "城关镇\t3\t" in text and "公民身份号码（3）、姓名（2）" in text
    assert "0001\t低保名册\t石泉县民政局\tDE00001 公民身份号码\t石泉县公安局" in text
