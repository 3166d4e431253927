"""The identity provider of the single sign-on tests: the embedded Keycloak, started once for the
test session by scripts/services/keycloak.sh (a no-op when it already runs), driven through its
admin REST API (throwaway users, group and role changes) and its real login page."""

from __future__ import annotations

import contextlib
import html
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
KEYCLOAK_SH = ROOT / "scripts" / "services" / "keycloak.sh"
REALM = "govcatalog"
POLICE = "/石泉县/石泉县公安局"
HR = "/石泉县/石泉县人力资源和社会保障局"
UNKNOWN = "/石泉县/石泉县不存在局"  # a group the tests create in Keycloak and no map names
# the demo realm's departments mapped to the organizations the tests make
GROUP_MAP = f"{POLICE} = dept-police\n{HR} = dept-hr\n"


class Keycloak:
    """The admin REST API of the realm, as the realm's administrator uses it."""

    def __init__(self, base: str, admin_password: str) -> None:
        self.base = base
        self.issuer = f"{base}/realms/{REALM}"
        self._admin_password = admin_password
        self.created: list[str] = []
        self._cached: tuple[float, str] | None = None

    def _token(self) -> str:
        # one password grant per half minute: each costs Keycloak a password hash
        if self._cached and time.monotonic() < self._cached[0]:
            return self._cached[1]
        response = requests.post(
            f"{self.base}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": "admin",
                "password": self._admin_password,
            },
            timeout=30,
        )
        response.raise_for_status()
        answer = response.json()
        lifetime = min(int(answer.get("expires_in", 60)), 60) / 2
        self._cached = (time.monotonic() + lifetime, answer["access_token"])
        return answer["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(
            method,
            f"{self.base}/admin/realms/{REALM}{path}",
            headers={"Authorization": f"Bearer {self._token()}"},
            timeout=30,
            **kwargs,
        )
        response.raise_for_status()
        return response

    def group_id(self, path: str) -> str:
        return self.call("GET", f"/group-by-path{path}").json()["id"]

    def ensure_group(self, path: str) -> str:
        parent, _, name = path.rpartition("/")
        try:
            return self.group_id(path)
        except requests.HTTPError:
            self.call("POST", f"/groups/{self.group_id(parent)}/children", json={"name": name})
            return self.group_id(path)

    def create_user(
        self, groups: list[str], roles: list[str], email: str | None = None
    ) -> dict[str, Any]:
        """A new user of the realm with a password, in ``groups`` with realm ``roles``."""
        stamp = uuid.uuid4().hex[:8]
        user = {
            "username": f"sso-test-{stamp}",
            "password": f"Pw-{stamp}-{uuid.uuid4().hex[:6]}",
            "email": email or f"sso-test-{stamp}@example.invalid",
        }
        response = self.call(
            "POST",
            "/users",
            json={
                "username": user["username"],
                "email": user["email"],
                "emailVerified": True,
                "enabled": True,
                "firstName": "测试",
                "lastName": "张",
                "credentials": [
                    {"type": "password", "value": user["password"], "temporary": False}
                ],
            },
        )
        user["id"] = response.headers["Location"].rsplit("/", 1)[1]
        self.created.append(user["id"])
        for path in groups:
            self.join(user["id"], path)
        self.set_roles(user["id"], add=roles)
        return user

    def join(self, user_id: str, path: str) -> None:
        self.call("PUT", f"/users/{user_id}/groups/{self.group_id(path)}")

    def leave(self, user_id: str, path: str) -> None:
        self.call("DELETE", f"/users/{user_id}/groups/{self.group_id(path)}")

    def set_roles(self, user_id: str, add: list[str] = (), remove: list[str] = ()) -> None:
        for method, names in (("POST", add), ("DELETE", remove)):
            if names:
                roles = [self.call("GET", f"/roles/{name}").json() for name in names]
                self.call(method, f"/users/{user_id}/role-mappings/realm", json=roles)

    def disable(self, user_id: str) -> None:
        self.call("PUT", f"/users/{user_id}", json={"enabled": False})

    def cleanup(self) -> None:
        for user_id in self.created:
            with contextlib.suppress(requests.HTTPError):
                self.call("DELETE", f"/users/{user_id}")
        self.created.clear()


@pytest.fixture(scope="session")
def keycloak() -> Keycloak:
    """The running Keycloak (started now when it is not), read from the ini's issuer."""
    proc = subprocess.run(
        ["bash", str(KEYCLOAK_SH), "start"], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/services/keycloak.sh start failed:\n{proc.stdout}\n{proc.stderr}")
    import ckan.plugins.toolkit as tk

    issuer = tk.config.get("govcatalog.sso.issuer")
    base = issuer.rsplit("/realms/", 1)[0]
    data = Path(tk.config["ckan.storage_path"]).parent  # .data, as the scripts know it
    password = (data / "keycloak" / "admin-password").read_text().strip()
    admin = Keycloak(base, password)
    admin.ensure_group(UNKNOWN)
    yield admin
    admin.cleanup()


@pytest.fixture
def idp(keycloak: Keycloak) -> Keycloak:
    """Keycloak, removing the users a test made when it ends."""
    yield keycloak
    keycloak.cleanup()


def location(response: Any) -> str:
    return response.headers["Location"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_at_keycloak(authorization_url: str, username: str, password: str) -> requests.Response:
    """What a browser does on Keycloak's login page: open it, post the form; returns Keycloak's
    answer (a redirect to the catalog's callback when the login succeeded)."""
    browser = requests.Session()
    page = browser.get(authorization_url, timeout=30)
    page.raise_for_status()
    # Keycloak marks its cookies Secure; a browser sends them to 127.0.0.1 (a secure context)
    # over plain HTTP, Python's cookie jar does not unless told
    for cookie in browser.cookies:
        cookie.secure = False
    form = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    if form is None:
        form = re.search(r'action="([^"]*login-actions/authenticate[^"]*)"', page.text)
    assert form, f"no login form on Keycloak's page:\n{page.text[:2000]}"
    return browser.post(
        html.unescape(form.group(1)),
        data={"username": username, "password": password, "credentialId": ""},
        allow_redirects=False,
        timeout=30,
    )


def sso_login(app: Any, user: dict[str, Any], prefix: str = "") -> tuple[Any, str]:
    """A whole login through the catalog: start, sign in at Keycloak, come back. Returns the
    catalog's answer to the callback and the callback address used."""
    start = app.get(f"{prefix}/user/sso/login", follow_redirects=False)
    assert start.status_code == 302, start.body[:500]
    answer = sign_in_at_keycloak(location(start), user["username"], user["password"])
    assert answer.status_code == 302, answer.text[:2000]
    callback = path_of(location(answer))
    return app.get(callback, follow_redirects=False), callback
