"""Repeated wrong passwords for one account pause logins to it: the next attempt, even with the
right password, is refused with a message in Chinese; other accounts log in as before; once the
lock time has passed, the account logs in again."""

from __future__ import annotations

import time

import pytest
from ckan.lib.redis import connect_to_redis

from ckanext.govcatalog.web import login_throttle
from tests import factories

PASSWORD = factories.PASSWORD
LOCKED_ZH = "该账号密码错误次数过多，已暂停登录"
LOGIN = "/zh_Hans_CN/user/login"


def _login(app, login: str, password: str):
    return app.post(LOGIN, data={"login": login, "password": password}, follow_redirects=False)


def _logged_in(response) -> bool:
    return response.status_code == 302  # CKAN sends a logged-in user on to the dashboard


@pytest.fixture
def accounts(clean_db):
    users = [factories.User(), factories.User()]
    yield users
    redis = connect_to_redis()
    for user in users:
        redis.delete(login_throttle.failures_key(user["name"]))


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("govcatalog.login.max_failures", "3")
@pytest.mark.ckan_config("govcatalog.login.lock_seconds", "3")
def test_wrong_passwords_lock_one_account_for_a_while(app, accounts):
    target, other = accounts
    for _ in range(3):
        response = _login(app, target["name"], "wrong-password")
        assert response.status_code == 200
        assert LOCKED_ZH not in response.body

    # The right password now, by name or by e-mail address: refused, in Chinese.
    for login in (target["name"], target["email"]):
        refused = _login(app, login, PASSWORD)
        assert refused.status_code == 429
        assert LOCKED_ZH in refused.body
        assert "1 分钟后再试" in refused.body

    assert _logged_in(_login(app, other["name"], PASSWORD))

    time.sleep(3.5)
    app.get("/user/_logout")
    assert _logged_in(_login(app, target["name"], PASSWORD))


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("govcatalog.login.max_failures", "3")
def test_a_successful_login_forgets_earlier_failures(app, accounts):
    target = accounts[0]
    for _ in range(2):
        _login(app, target["name"], "wrong-password")
    assert _logged_in(_login(app, target["name"], PASSWORD))
    app.get("/user/_logout")
    for _ in range(2):
        assert _login(app, target["name"], "wrong-password").status_code == 200
    assert _logged_in(_login(app, target["name"], PASSWORD))
