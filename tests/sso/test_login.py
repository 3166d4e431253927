"""Single sign-on against the real Keycloak of the test session: the first login creates the
account with the department and role the claims map to; a transfer in Keycloak moves the
membership at the next login (the old department's editor rights are gone), each change an
audit-chain record; a user disabled in Keycloak cannot log in; an e-mail address of an account
linked to another subject is refused, not merged; a department the map does not know is skipped
and the sysadmins are told; an unreachable provider leaves the break-glass password login to
sysadmins only."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model

from ckanext.govcatalog.model import AuditRecord, Notification
from ckanext.govcatalog.sso import mapping, provider
from tests import factories
from tests.sso.conftest import GROUP_MAP, HR, POLICE, UNKNOWN, location, path_of, sso_login


@pytest.fixture
def departments(clean_db) -> dict[str, Any]:
    provider.forget_metadata()
    admin = factories.Sysadmin()
    county = factories.County(user=admin, name="county")
    police = factories.Department(user=admin, name="dept-police", parent_org=county["name"])
    hr = factories.Department(
        user=admin, name="dept-hr", title="石泉县人力资源和社会保障局", parent_org=county["name"]
    )
    return {"admin": admin, "police": police, "hr": hr}


def _memberships(user_name: str) -> dict[str, str]:
    return mapping.current_memberships(model.User.by_name(user_name))


def _ckan_user(idp_user: dict[str, Any]) -> model.User | None:
    return model.User.by_email(idp_user["email"])


SSO = [
    pytest.mark.usefixtures("with_plugins"),
    pytest.mark.ckan_config("govcatalog.sso.group_map", GROUP_MAP),
    pytest.mark.ckan_config("govcatalog.sso.sysadmin_role", "data-admin"),
]


def _sso(test: Any) -> Any:
    for mark in reversed(SSO):
        test = mark(test)
    return test


@_sso
def test_login_creates_the_user_and_a_transfer_moves_the_membership(app, departments, idp):
    officer = idp.create_user([POLICE], ["editor"])
    response, _ = sso_login(app, officer)
    assert response.status_code == 302 and "/user/login" not in location(response)
    user = _ckan_user(officer)
    assert user is not None and user.name == officer["username"]
    assert user.fullname == "张测试"  # family name first, as Chinese names are written
    assert user.plugin_extras["govcatalog_sso"]["sub"] == officer["id"]
    user_id, user_name = user.id, user.name
    assert _memberships(user_name) == {"dept-police": "editor"}
    assert officer["username"] in app.get("/dashboard/datasets").body  # logged in

    # a transfer in the identity platform: from the police department to human resources
    idp.leave(officer["id"], POLICE)
    idp.join(officer["id"], HR)
    logout = app.get("/user/_logout", follow_redirects=False)
    assert location(logout).startswith(f"{idp.issuer}/protocol/openid-connect/logout?")
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 302
    response, _ = sso_login(app, officer)
    assert "/user/login" not in location(response)
    assert _memberships(user_name) == {"dept-hr": "editor"}  # no editor rights left at police
    assert model.User.by_email(officer["email"]).id == user_id  # the same account

    records = (
        model.Session.query(AuditRecord)
        .filter(AuditRecord.action.in_(["member_create", "member_delete", mapping.SYNC_ACTION]))
        .order_by(AuditRecord.seq)
        .all()
    )
    ours = [r for r in records if user_id in (r.object_id, r.payload.get("member_id"))]
    assert [r.action for r in ours] == [
        "member_create",
        mapping.SYNC_ACTION,
        "member_create",
        "member_delete",
        mapping.SYNC_ACTION,
    ]
    assert ours[-1].payload["joined"] == {"dept-hr": "editor"}
    assert ours[-1].payload["removed"] == {"dept-police": "editor"}

    # a role taken away in Keycloak lowers the capacity at the next login
    idp.set_roles(officer["id"], remove=["editor"], add=["member"])
    app.get("/user/_logout", follow_redirects=False)
    sso_login(app, officer)
    assert _memberships(user_name) == {"dept-hr": "member"}


@_sso
def test_refused_and_partly_mapped_logins(app, departments, idp):
    # disabled in Keycloak: its own login page refuses, the catalog never hears of the user
    gone = idp.create_user([POLICE], ["editor"])
    idp.disable(gone["id"])
    start = app.get("/user/sso/login", follow_redirects=False)
    from tests.sso.conftest import sign_in_at_keycloak

    answer = sign_in_at_keycloak(location(start), gone["username"], gone["password"])
    assert answer.status_code != 302
    assert _ckan_user(gone) is None

    # the address of a catalog account linked to another subject: refused, not merged
    linked = factories.User(email="shared-address@example.invalid")
    account = model.User.get(linked["id"])
    account.plugin_extras = {"govcatalog_sso": {"iss": idp.issuer, "sub": "another-subject"}}
    model.Session.commit()
    users_before = model.Session.query(model.User).count()
    intruder = idp.create_user([POLICE], ["admin"], email="shared-address@example.invalid")
    response, _ = sso_login(app, intruder, prefix="/zh_Hans_CN")
    assert "/user/login" in location(response)
    page = app.get(path_of(location(response)))
    assert "已被本目录的另一个账号使用，系统未自动合并" in page.body
    assert model.Session.query(model.User).count() == users_before
    assert model.User.by_name(intruder["username"]) is None
    assert _memberships(linked["name"]) == {}

    # a local account with the address and no link yet: matched by the verified address
    local = factories.User(email="local-officer@example.invalid")
    newcomer = idp.create_user([HR], ["editor"], email="local-officer@example.invalid")
    app.get("/user/_logout", follow_redirects=False)
    response, _ = sso_login(app, newcomer)
    assert "/user/login" not in location(response)
    assert model.User.get(local["id"]).plugin_extras["govcatalog_sso"]["sub"] == newcomer["id"]
    assert _memberships(local["name"]) == {"dept-hr": "editor"}
    app.get("/user/_logout", follow_redirects=False)

    # a department the map does not know: skipped, the login goes on, the sysadmins are told
    officer = idp.create_user([POLICE, UNKNOWN], ["editor", "data-admin"])
    response, _ = sso_login(app, officer, prefix="/zh_Hans_CN")
    assert "/user/login" not in location(response)
    user = _ckan_user(officer)
    user_id = user.id
    assert _memberships(user.name) == {"dept-police": "editor"}
    assert user.sysadmin  # data-admin is the data administration
    notices = model.Session.query(Notification).filter_by(kind="sso_unknown_department").all()
    assert departments["admin"]["id"] in {n.user_id for n in notices}
    assert all(UNKNOWN in n.message for n in notices)
    sync = (
        model.Session.query(AuditRecord)
        .filter_by(action=mapping.SYNC_ACTION, object_id=user_id)
        .one()
    )
    assert sync.payload["unknown_groups"] == [UNKNOWN]
    assert sync.payload["sysadmin"] == [False, True]
    page = app.get(path_of(location(response)))
    assert "尚未在本目录登记" in page.body

    # data-admin taken away: the sysadmin flag single sign-on gave goes too
    idp.set_roles(officer["id"], remove=["data-admin"])
    app.get("/user/_logout", follow_redirects=False)
    sso_login(app, officer)
    assert not model.User.get(user_id).sysadmin


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("govcatalog.sso.issuer", "http://127.0.0.1:9/realms/govcatalog")
@pytest.mark.ckan_config("govcatalog.sso.local_login", "sysadmins")
@pytest.mark.ckan_config("govcatalog.sso.timeout", "2")
def test_unreachable_provider_leaves_the_password_login_to_sysadmins(app, departments, ckan_config):
    response = app.get("/zh_Hans_CN/user/sso/login", follow_redirects=False)
    assert "sso=unreachable" in location(response)
    page = app.get(path_of(location(response)))
    assert "统一身份认证平台暂时无法访问" in page.body
    assert "应急密码登录（仅限系统管理员）" in page.body
    assert 'name="password"' in page.body

    officer = factories.User()
    refused = app.post(
        "/zh_Hans_CN/user/login",
        data={"login": officer["name"], "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert refused.status_code == 200  # the form again, nobody logged in
    assert "密码登录仅供系统管理员应急使用" in refused.body
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 302
    admin = departments["admin"]
    allowed = app.post(
        "/user/login",
        data={"login": admin["name"], "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert allowed.status_code == 302

    # turned off altogether: no password form, even for a sysadmin
    ckan_config["govcatalog.sso.local_login"] = "off"
    app.get("/user/_logout", follow_redirects=False)
    page = app.get("/zh_Hans_CN/user/login")
    assert "统一身份认证登录" in page.body
    assert 'name="password"' not in page.body
    refused = app.post(
        "/zh_Hans_CN/user/login",
        data={"login": admin["name"], "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert refused.status_code == 200
    assert "密码登录已关闭" in refused.body
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 302
