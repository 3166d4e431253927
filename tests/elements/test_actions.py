"""The register's actions: who may edit (sysadmins and the data bureau's admins and editors),
what others see (published elements only), and refusals that name the element."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from tests.elements.conftest import BUREAU, element_data

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("govcatalog.elements.bureau_org", BUREAU),
]


def act(action: str, user: dict | None, **data):
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return call_action(action, context=context, **data)


def test_the_data_bureau_editor_and_sysadmins_edit_others_may_not(bureau):
    created = act("data_element_create", bureau["editor"], **element_data(status="已发布"))
    assert created["id"] == "DE00001" and created["version"] == 1
    changed = act("data_element_update", bureau["sysadmin"], id="de00001", definition="测试")
    assert changed["version"] == 2 and changed["name"] == "测试证照号码"
    for user in (bureau["member"], bureau["outsider"], None):
        with pytest.raises(tk.NotAuthorized):
            act("data_element_create", user, **element_data(name="别的号码", synonyms=[]))
        with pytest.raises(tk.NotAuthorized):
            act("data_element_update", user, id="DE00001", definition="x")
        with pytest.raises(tk.NotAuthorized):
            act("data_element_delete", user, id="DE00001")


def test_without_a_data_bureau_only_sysadmins_edit(bureau, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "govcatalog.elements.bureau_org", "")
    with pytest.raises(tk.NotAuthorized):
        act("data_element_create", bureau["editor"], **element_data())
    assert act("data_element_create", bureau["sysadmin"], **element_data())["id"] == "DE00001"


def test_readers_see_published_elements_editors_see_every_status(bureau):
    editor = bureau["editor"]
    act(
        "data_element_create",
        editor,
        **element_data(name="已发布号码", synonyms=[], status="已发布"),
    )
    act("data_element_create", editor, **element_data(name="草稿号码", synonyms=[]))
    act(
        "data_element_create", editor, **element_data(name="废止号码", synonyms=[], status="已废止")
    )
    for reader in (None, bureau["outsider"], bureau["member"]):
        listed = act("data_element_list", reader)
        assert [e["name"] for e in listed["results"]] == ["已发布号码"] and listed["count"] == 1
        with pytest.raises(tk.ObjectNotFound):
            act("data_element_show", reader, id="DE00002")
        assert act("data_element_search", reader, q="号码", status="草稿")["count"] == 0
    assert act("data_element_list", editor)["count"] == 3
    assert act("data_element_search", editor, q="草稿", status="草稿")["count"] == 1
    shown = act("data_element_show", None, id="DE00001", include_versions=True)
    assert [v["version"] for v in shown["versions"]] == [1]


def test_search_finds_an_element_by_synonym_identifier_or_id(bureau):
    act("data_element_create", bureau["editor"], **element_data(status="已发布"))
    for q in ("测试证号", "cszzhm", "DE00001", "证照"):
        assert act("data_element_search", None, q=q)["count"] == 1, q
    assert act("data_element_search", None, q="没有这个")["count"] == 0


def test_refusals_name_the_element_and_change_nothing(bureau):
    editor = bureau["editor"]
    act("data_element_create", editor, **element_data(status="已发布"))
    with pytest.raises(tk.ValidationError) as clash:
        act("data_element_create", editor, **element_data(name="另一号码", synonyms=["测试证号"]))
    assert "DE00001 测试证照号码" in str(clash.value.error_dict)
    with pytest.raises(tk.ObjectNotFound) as unknown:
        act("data_element_update", editor, id="DE00042", definition="x")
    assert "DE00042" in str(unknown.value)
    with pytest.raises(tk.ValidationError):
        act("data_element_create", editor, id="DE00500", **element_data(name="自选编号"))
    assert act("data_element_list", editor)["count"] == 1
    deleted = act("data_element_delete", editor, id="DE00001")
    assert deleted["deleted"] and deleted["version"] == 2
    with pytest.raises(tk.ObjectNotFound):
        act("data_element_show", editor, id="DE00001")
