"""The import fast path makes exactly what package_create makes (real schema).

The same rows go once through package_create and once through bulk/fastpath/; package_show
output, Solr documents, activities and audit records must be the same apart from what differs by
nature (ids, names, timestamps, the resource code's sequence number).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.search import query_for
from ckan.tests.helpers import call_action
from ckanext.activity.model import Activity

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.audit import records as audit_hooks
from ckanext.govcatalog.bulk import exporter, fastpath, importer, layout
from ckanext.govcatalog.bulk.fastpath import placeholders, writing
from tests import factories

pytestmark = pytest.mark.usefixtures("with_request_context")


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


# differ by nature between two creations of the same row
VOLATILE = {
    "id",
    "name",
    "name_ngram",
    "metadata_created",
    "metadata_modified",
    "index_id",
    "_version_",
    "indexed_ts",
    "resource_code",
    "data_dict",
    "validated_data_dict",
    "digest",
}


def _rows(org: str) -> list[dict[str, Any]]:
    basic = factories.Entry.data(
        owner_org=org, tag_string="人口,户籍", notes="<script>alert(1)</script> 摘要"
    )
    thematic = factories.Entry.data(
        owner_org=org,
        title="公共服务事项目录",
        catalog_class="thematic",
        catalog_item="公共服务",
        share_type="unconditional",
        share_condition=None,
        open_type="open",
        tag_string="服务",
    )
    departmental = factories.Entry.data(
        owner_org=org,
        title="部门内部台账",
        catalog_class="departmental",
        catalog_item=None,
        share_type="none",
        share_condition="依据《中华人民共和国个人信息保护法》不予共享。",
        open_type=None,
        format_category="电子文件",
        data_items=[],
        theme=None,
    )
    return [basic, thematic, departmental]


def _strip(value: Any) -> Any:
    if isinstance(value, dict) and value.get("key") in VOLATILE and "value" in value:
        return {"key": value["key"]}  # an extra such as resource_code
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _code_class(code: str) -> str:
    return code.rsplit("/", 1)[0]


def _solr_doc(pkg_id: str) -> dict[str, Any]:
    found = query_for(model.Package).run({"q": f'id:"{pkg_id}"', "fl": "*"}, permission_labels=None)
    assert found["count"] == 1
    return found["results"][0]


def _activities(pkg_id: str) -> list[Activity]:
    return model.Session.query(Activity).filter(Activity.object_id == pkg_id).all()


def _fast_create(rows: list[dict[str, Any]], user: str, processes: int = 1) -> list[str]:
    checked = fastpath.validate("dataset", user, rows, processes=processes)
    assert [errors for _data, errors in checked] == [{}] * len(rows)
    index = fastpath.Index()
    ids = fastpath.write([data for data, _errors in checked], user, index, processes=processes)
    model.repo.commit()
    index.commit()
    return ids


# 2: rows checked, and package_show dicts built, in forked worker processes
@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_fast_path_makes_what_package_create_makes(county_and_department, processes):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    user = admin["name"]
    rows = _rows(dept["id"])
    slow_ids = [
        call_action("package_create", context={"user": user}, **dict(r, name=f"slow-{n}"))["id"]
        for n, r in enumerate(rows)
    ]
    fast_ids = _fast_create(
        [dict(r, name=f"fast-{n}") for n, r in enumerate(rows)], user, processes
    )

    for slow_id, fast_id in zip(slow_ids, fast_ids, strict=True):
        slow = call_action("package_show", id=slow_id)
        fast = call_action("package_show", id=fast_id)
        assert _strip(fast) == _strip(slow)
        # a real code of the same class, the next number of its sequence
        assert _code_class(fast["resource_code"]) == _code_class(slow["resource_code"])
        assert fast["resource_code"] != slow["resource_code"]
        assert [t["id"] for t in fast["tags"]] == [t["id"] for t in slow["tags"]]

        slow_doc, fast_doc = _solr_doc(slow_id), _solr_doc(fast_id)
        assert _strip(fast_doc) == _strip(slow_doc)
        for key in ("data_dict", "validated_data_dict"):
            assert _strip(json.loads(fast_doc[key])) == _strip(json.loads(slow_doc[key]))

        (slow_act,) = _activities(slow_id)
        (fast_act,) = _activities(fast_id)
        assert fast_act.activity_type == slow_act.activity_type == "new package"
        assert fast_act.user_id == slow_act.user_id
        assert fast_act.permission_labels == slow_act.permission_labels
        assert _strip(fast_act.data) == _strip(slow_act.data)
        assert fast_act.data["package"]["id"] == fast_id

        (slow_rec,) = chain.records(object_id=slow_id)
        (fast_rec,) = chain.records(object_id=fast_id)
        assert (fast_rec.action, fast_rec.actor) == (slow_rec.action, slow_rec.actor)
        assert _strip(fast_rec.payload) == _strip(slow_rec.payload)
        # the digest binds the entry as stored
        stored = audit_hooks.package_state(model.Package.get(fast_id))
        assert fast_rec.payload["digest"] == audit_hooks.digest(stored)
    assert chain.verify().ok
    # codes follow row order within a class: the fast rows drew the next numbers
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 6


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_import_rows_against_the_real_schema(county_and_department):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    rows = [
        importer.Row(n + 2, str(n + 1), dict(r, title=f"{r['title']}{n}"), {})
        for n, r in enumerate(_rows(dept["id"]))
    ]
    for row in rows:
        row.values.pop("name")
    result = importer.import_rows(rows, admin["name"])
    assert result.problems == [] and result.written
    assert result.summary()["created"] == 3
    codes = [call_action("package_show", id=i)["resource_code"] for i in result.package_ids]
    assert all("/" in c and len(c.rsplit("/", 1)[1]) == 6 for c in codes)
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 3
    assert len(chain.records()) >= 3 and chain.verify().ok

    # the entries exported in the template's layout (the departmental one with its free-text
    # 项) re-import onto the same entries: upsert by resource code, nothing created or changed
    entries = [call_action("package_show", id=i) for i in result.package_ids]
    data = exporter.to_xlsx(entries, layout.layout())
    again = importer.import_file(data, "x.xlsx", admin["name"])
    assert again.problems == [] and again.summary()["unchanged"] == 3
    assert {p.package_id for p in again.planned} == set(result.package_ids)
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 3
    assert len(_activities(result.package_ids[2])) == 1


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_validation_split_between_processes_is_the_same(county_and_department):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    user = admin["name"]
    rows = [
        dict(r, name=f"row-{n}", title=f"{r['title']}{n}")
        for n, r in enumerate(_rows(dept["id"]) * 4)
    ]
    rows[7]["share_type"] = "sometimes"
    one = fastpath.validate("dataset", user, rows, processes=1)
    three = fastpath.validate("dataset", user, rows, processes=3)
    assert [errors for _data, errors in three] == [errors for _data, errors in one]
    assert [n for n, (_data, errors) in enumerate(three) if errors] == [7]
    assert "share_type" in three[7][1]
    assert [_strip(data) for data, _errors in three] == [_strip(data) for data, _errors in one]
    # the later thirds really were checked in other processes: their placeholders are theirs
    numbers = [int(d["resource_code"].rsplit("/", 1)[1]) for d, e in three if not e]
    assert max(numbers) > placeholders.BASE + 2 * placeholders.RANGE

    # rows checked in the workers are written like the others, with real codes in row order
    good = [data for n, (data, _errors) in enumerate(three) if n != 7]
    index = fastpath.Index()
    ids = fastpath.write(good, user, index)
    model.repo.commit()
    index.commit()
    shown = [call_action("package_show", id=i) for i in ids]
    codes = [p["resource_code"] for p in shown]
    assert len(set(codes)) == len(codes) == 11
    for prefix in {_code_class(c) for c in codes}:
        numbers = [int(c.rsplit("/", 1)[1]) for c in codes if _code_class(c) == prefix]
        assert numbers == sorted(numbers) and numbers[-1] < 10**6
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 11


@pytest.mark.parametrize("role", ["sysadmin", "editor"])
@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_the_user_and_the_organizations_are_read_once_per_run(county_and_department, role):
    """Checking and writing four times as many rows asks the database for the user and the
    organizations no more often, for a sysadmin and for a department's editor (whom CKAN also
    asks for the right to create in the department), and without replacing anything of CKAN's:
    its model's lookups stay as they are."""
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    user = (
        admin["name"]
        if role == "sysadmin"
        else factories.Member(organization=dept, capacity="editor")["name"]
    )
    lookups = (model.Group.__dict__["get"], model.User.__dict__["get"])
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r'\bFROM "(user|group)"', statement):
            reads.append(statement)

    def run(copies: int) -> tuple[int, int]:
        rows = [
            dict(r, name=f"row-{copies}-{n}", title=f"{r['title']}{n}")
            for n, r in enumerate(_rows(dept["id"]) * copies)
        ]
        reads.clear()
        checked = fastpath.validate("dataset", user, rows, processes=1)
        assert [errors for _data, errors in checked] == [{}] * len(rows)
        checking = len(reads)
        index = fastpath.Index()
        fastpath.write([data for data, _errors in checked], user, index)
        model.repo.commit()
        index.commit()
        return checking, len(reads) - checking

    sa.event.listen(model.meta.engine, "before_cursor_execute", count)
    try:
        few, many = run(1), run(4)
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", count)
    assert many == few and min(few) > 0
    assert (model.Group.__dict__["get"], model.User.__dict__["get"]) == lookups


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_ckans_checks_asked_once_give_what_they_give_each_row(county_and_department):
    """CKAN's checks of the user and the provider, asked once per check, do to every row what
    they do to it alone (package_create's validation, after its auth): an editor of another
    department is refused each entry of this one, a provider that does not exist is named on
    its row, and the fields only sysadmins may set are dropped from every row."""
    from ckan.lib import plugins as lib_plugins

    admin, county, dept = (county_and_department[k] for k in ("admin", "county", "dept"))
    other = factories.Department(user=admin, parent_org=county["name"])
    stranger = factories.Member(organization=other, capacity="editor")["name"]
    own_editor = factories.Member(organization=dept, capacity="editor")["name"]
    rows = [
        dict(r, name=f"row-{n}", title=f"{r['title']}{n}", state="draft")
        for n, r in enumerate(_rows(dept["id"]) * 2)
    ]
    rows[4]["owner_org"] = "no-such-department"
    plugin = lib_plugins.lookup_package_plugin("dataset")

    def alone(user: str, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        context = {"user": user, "model": model, "session": model.Session}
        schema = plugin.create_package_schema()
        data, errors = lib_plugins.plugin_validate(
            plugin, context, dict(row, type="dataset"), schema, "package_create"
        )
        model.Session.rollback()  # a resource code drawn by the check
        return data, errors

    for user in (stranger, own_editor, admin["name"]):
        checked = fastpath.validate("dataset", user, rows, processes=1)
        for n, (row, (data, errors)) in enumerate(zip(rows, checked, strict=True)):
            one_data, one_errors = alone(user, row)
            assert errors == one_errors, (user, n)
            assert _strip(data) == _strip(one_data), (user, n)
            if n == 4:
                assert errors["owner_org"] == ["Organization does not exist"]
            elif user == stranger:
                assert errors["owner_org"] == ["You cannot add a dataset to this organization"]
            else:
                assert not errors
                # state is kept for a sysadmin only (CKAN's ignore_not_package_admin)
                assert ("state" in data) == (user == admin["name"])


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_documents_are_built_without_being_sent(county_and_department):
    """solr_docs gives the documents CKAN's indexer makes (our index hook's fields included)
    without sending them, and leaves CKAN's indexer as it was."""
    from ckan import logic
    from ckan.lib.search import common
    from ckan.lib.search import index as search_index

    admin, dept = county_and_department["admin"], county_and_department["dept"]
    created = call_action("package_create", context={"user": admin["name"]}, **_rows(dept["id"])[0])
    context = {"user": "", "model": model, "session": model.Session}
    default, custom = logic.package_show_default_and_custom_schemas(context, created["id"])
    other_id = str(uuid.uuid4())  # as if another entry: not in Solr
    (doc,) = fastpath.solr_docs([(dict(default, id=other_id), dict(custom, id=other_id))])
    assert doc["id"] == other_id and doc["name"] == created["name"]
    assert doc["org_path"] == ["county", "dept-police"]
    assert json.loads(doc["validated_data_dict"])["resource_code"] == created["resource_code"]
    fastpath.Index().conn.commit()
    found = query_for(model.Package).run({"q": f'id:"{other_id}"'}, permission_labels=None)
    assert found["count"] == 0
    assert search_index.make_connection is common.make_connection


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
def test_a_failure_while_writing_leaves_nothing(county_and_department, monkeypatch, processes):
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    user = admin["name"]
    taken = call_action(
        "package_create", context={"user": user}, **dict(_rows(dept["id"])[0], name="taken")
    )
    before = (chain.count(), model.Session.query(Activity).count())
    # one entry per chunk: the first ones are written, and the first sent to Solr (from the
    # sending thread), before the third fails
    monkeypatch.setattr(writing, "CHUNK", 1)
    rows = [dict(r, name=f"new-{n}") for n, r in enumerate(_rows(dept["id"]))]
    rows[2]["name"] = "taken-too"
    checked = fastpath.validate("dataset", user, rows)
    datas = [data for data, _errors in checked]
    datas[2]["name"] = taken["name"]  # collides in the database, after validation
    planned = [
        importer.Planned(n, str(n), "create", {}, d["title"], validated=d)
        for n, d in enumerate(datas)
    ]
    with pytest.raises(Exception, match=r"duplicate key|unique"):
        importer.write(planned, user, processes=processes)
    assert [p.name for p in model.Session.query(model.Package)] == ["taken"]
    assert (chain.count(), model.Session.query(Activity).count()) == before
    # documents sent and not withdrawn would show once Solr commits
    fastpath.Index().conn.commit()
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 1
    assert chain.verify().ok
