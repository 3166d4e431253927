"""`ckan govcatalog reindex` gives exactly the documents of `ckan search-index rebuild`.

A small catalog made every way entries are made (package_create through the factories, the
import fast path, an entry with resources, a private one, a deleted one, an information system)
is indexed by CKAN's own rebuild (what `ckan search-index rebuild` runs) and by the fast reindex
(run as an operator runs it, with two worker processes), and the Solr documents are compared
field by field (index_id, _version_ and indexed_ts, which Solr or the indexer set anew each time,
excepted). The documents written when the entries were made are compared with the rebuild's too:
recovering changes no search result.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
import pytest
from ckan import model
from ckan.lib import search
from ckan.tests.helpers import call_action
from click.testing import CliRunner

from ckanext.govcatalog.bulk import importer, layout
from ckanext.govcatalog.ops import reindex
from ckanext.govcatalog.ops.cli import reindex_command
from tests import factories
from tests.ops.proxy import Proxy
from tests.ops.test_faults import LEAKS, ckan_command

VOLATILE = {"index_id", "_version_", "indexed_ts"}


def solr() -> pysolr.Solr:
    return pysolr.Solr(tk.config["solr_url"], timeout=60)


def indexed() -> dict[str, dict[str, Any]]:
    """Every document of this site in the core, by package id, volatile fields left out."""
    conn = solr()
    conn.commit()
    found = conn.search(
        "*:*",
        fq=f'+site_id:"{tk.config["ckan.site_id"]}"',
        fl="*",
        rows=10000,
        sort="id asc",
    )
    return {d["id"]: {k: v for k, v in d.items() if k not in VOLATILE} for d in found}


def _fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's fields, the stored package dicts (JSON) opened one key deep, so that a
    difference names the key inside them."""
    out = {}
    for key, value in doc.items():
        if key in ("data_dict", "validated_data_dict"):
            out.update({f"{key}.{k}": v for k, v in json.loads(value).items()})
        else:
            out[key] = value
    return out


def differences(got: dict[str, Any], want: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """(package id, field) -> (got, want) for every field that differs."""
    missing = "<missing>"
    out = {}
    for pid in got.keys() | want.keys():
        a, b = _fields(got.get(pid, {})), _fields(want.get(pid, {}))
        for key in a.keys() | b.keys():
            if a.get(key, missing) != b.get(key, missing):
                out[(pid, key)] = (a.get(key, missing), b.get(key, missing))
    return out


def extras_sorted(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for pid, doc in docs.items():
        data = json.loads(doc["data_dict"])
        data["extras"] = sorted(data["extras"], key=lambda e: e["key"])
        out[pid] = dict(doc, data_dict=json.dumps(data))
    return out


def clear_site() -> None:
    solr().delete(q=f'+site_id:"{tk.config["ckan.site_id"]}"', commit=True)


@pytest.fixture
def catalog(clean_db, clean_index) -> dict[str, Any]:
    admin = factories.Sysadmin()
    org = factories.Organization(user=admin)
    made = [
        factories.Entry(
            user=admin, owner_org=org["id"], title=" 户籍人口基本信息", open_to_all=True
        ),
        factories.Entry(user=admin, owner_org=org["id"], tags=[{"name": "人口"}, {"name": "户籍"}]),
        factories.Entry(user=admin, owner_org=org["id"], private=True, title="内部名册"),
        factories.InfoSystem(user=admin, owner_org=org["id"]),
    ]
    with_resources = factories.Entry(user=admin, owner_org=org["id"], title="公共厕所分布")
    for n in (1, 2):
        call_action(
            "resource_create",
            context={"user": admin["name"]},
            package_id=with_resources["id"],
            name=f"厕所分布表{n}",
            url=f"example.invalid/toilets-{n}.csv",
            format="CSV",
        )
    gone = factories.Entry(user=admin, owner_org=org["id"], title="已删除的资源")
    call_action("package_delete", context={"user": admin["name"]}, id=gone["id"])
    # two entries through the import fast path (bulk/fastpath), with the catalog's own schema
    rows = []
    for n in (1, 2):
        values = factories.Entry.data(owner_org=org["id"], title=f"导入的信息资源{n}")
        values.pop("name")
        rows.append(importer.Row(n + 1, str(n), values, {}))
    imported = importer.import_rows(rows, admin["name"], lay=layout.layout())
    assert not imported.problems, imported.problems
    return {"admin": admin, "org": org, "made": made, "gone": gone}


@pytest.mark.usefixtures("with_plugins", "with_request_context")
def test_reindex_gives_the_documents_of_ckans_rebuild(catalog):
    as_made = indexed()
    assert len(as_made) == 7 and catalog["gone"]["id"] not in as_made

    clear_site()
    # what `ckan search-index rebuild` runs (ckan/cli/search_index.py), in this process
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    rebuilt = indexed()
    assert set(rebuilt) == set(as_made)
    # what was indexed as the entries were made (package_create, the import fast path) is what
    # CKAN's rebuild makes of them (but for the order of data_dict's extras: package_create, and
    # the fast path after it, index them in the order they were given, a rebuild in the order
    # PostgreSQL's jsonb column keeps them; the search results, validated_data_dict, have none)
    assert not differences(extras_sorted(as_made), extras_sorted(rebuilt))

    clear_site()
    ours = ckan_command("govcatalog", "reindex", "--workers", "2", "--quiet")
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert "7 entries indexed" in ours.stdout, ours.stdout
    assert not differences(indexed(), rebuilt)

    # then the database changes behind the index's back (as a restore, or a lost Solr, leaves
    # it), and the index holds a document of a package that is gone, and one of another site
    entry = catalog["made"][0]
    model.Session.execute(
        model.package_table.update()
        .where(model.package_table.c.id == entry["id"])
        .values(title="改名后的资源")
    )
    model.Session.commit()
    some = next(iter(rebuilt.values()))
    orphan = dict(some, id="no-such-package", name="no-such-package", index_id="orphan")
    other_site = dict(orphan, id="other-site-package", site_id="another_site", index_id="other")
    solr().add([orphan, other_site], commit=True)

    result = reindex.reindex(processes=1)

    assert (result.indexed, result.removed) == (7, 1)
    after = indexed()
    assert "no-such-package" not in after and len(after) == 7
    assert after[entry["id"]]["title"] == "改名后的资源"
    # another site's documents in the same core are left alone
    assert solr().search("id:other-site-package").hits == 1
    solr().delete(id="other", commit=True)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_reindex_with_solr_gone_says_so(monkeypatch):
    factories.Entry()
    real = tk.config["solr_url"]
    host_port = real.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    proxy = Proxy(host, int(port))
    try:
        proxy.cut_on(b"/update", 1)  # Solr goes when the documents are sent
        monkeypatch.setitem(tk.config, "solr_url", real.replace(host_port, proxy.address, 1))
        result = CliRunner().invoke(reindex_command, ["--workers", "1", "--quiet"])
    finally:
        proxy.close()
    assert proxy.cut_happened.is_set()
    assert result.exit_code == 1, result.output
    assert "The search index (Solr) did not take the documents" in result.output
    assert "the catalog's database was not changed" in result.output
    for leak in LEAKS:
        assert leak not in result.output, result.output
