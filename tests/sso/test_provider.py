"""The relying party's checks of the callback, end to end through /user/sso/callback, against a
provider the test controls: discovery, JWKS and token endpoint served from here, the ID token
forged with our own key and claims. A correct token logs in (so the refusals below are the
checks' doing); a wrong issuer, an expired token, a tampered signature, a key the JWKS does not
hold, another audience, another nonce and a replayed state are each refused with a message in
Chinese, and no account, membership or audit record is created."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ckan import model
from joserfc import jwt
from joserfc.jwk import RSAKey

from ckanext.govcatalog.model import AuditRecord
from ckanext.govcatalog.sso import provider
from tests import factories
from tests.sso.conftest import path_of

CLIENT_ID = "govcatalog-catalog"
KID = "impostor-test-key"


class Impostor:
    """An OpenID provider in a thread: it answers the token endpoint with ``next_id_token``."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig"})
        # a key of the same id the JWKS does not hold: a token signed by someone else
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.next_id_token = ""
        impostor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.endswith("/.well-known/openid-configuration"):
                    self._json(impostor.discovery())
                elif self.path.endswith("/jwks"):
                    self._json({"keys": [impostor.key.as_dict(private=False)]})
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                token = impostor.next_id_token
                self._json({"access_token": "x", "token_type": "Bearer", "id_token": token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realms/govcatalog"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
        }

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "impostor-subject-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "preferred_username": "forged-officer",
            "email": "forged-officer@example.invalid",
            "email_verified": True,
            "groups": ["/石泉县/石泉县公安局"],
            "roles": ["editor"],
        }
        claims.update(changes)
        return claims

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key or self.key)


@pytest.fixture(scope="module")
def impostor() -> Impostor:
    server = Impostor()
    yield server
    server.server.shutdown()


@pytest.fixture
def sso_world(clean_db, impostor: Impostor) -> dict[str, Any]:
    provider.forget_metadata()
    admin = factories.Sysadmin()
    county = factories.County(user=admin, name="county")
    dept = factories.Department(user=admin, name="dept-police", parent_org=county["name"])
    return {"admin": admin, "dept": dept}


def _start(app: Any) -> dict[str, str]:
    response = app.get("/zh_Hans_CN/user/sso/login", follow_redirects=False)
    assert response.status_code == 302, response.body[:500]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    return {"state": query["state"][0], "nonce": query["nonce"][0]}


def _callback(app: Any, state: str) -> Any:
    return app.get(
        f"/zh_Hans_CN/user/sso/callback?state={state}&code=forged-code", follow_redirects=False
    )


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin"]  # promote oneself, keeping the provider's signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _counts() -> tuple[int, int, int]:
    users = model.Session.query(model.User).filter(model.User.name == "forged-officer").count()
    members = (
        model.Session.query(model.Member)
        .filter(model.Member.table_name == "user", model.Member.state == "active")
        .count()
    )
    records = model.Session.query(AuditRecord).count()
    return users, members, records


IMPOSTOR_CONFIG = [
    pytest.mark.usefixtures("with_plugins"),
    pytest.mark.ckan_config("govcatalog.sso.client_id", CLIENT_ID),
    pytest.mark.ckan_config("govcatalog.sso.client_secret_file", ""),
    pytest.mark.ckan_config("govcatalog.sso.client_secret", "impostor-secret"),
    pytest.mark.ckan_config("govcatalog.sso.group_map", "/石泉县/石泉县公安局 = dept-police"),
]


def _configured(test: Any) -> Any:
    for mark in reversed(IMPOSTOR_CONFIG):
        test = mark(test)
    return test


@pytest.fixture
def impostor_issuer(impostor: Impostor, ckan_config: Any, monkeypatch: Any) -> Impostor:
    monkeypatch.setitem(ckan_config, "govcatalog.sso.issuer", impostor.issuer)
    return impostor


REFUSALS = {
    "wrong issuer": (
        lambda imp, nonce: imp.sign(imp.claims(nonce, iss="http://idp.example/realms/govcatalog")),
        "身份令牌的签发方不是本目录配置的统一身份认证平台",
    ),
    "expired token": (
        lambda imp, nonce: imp.sign(
            imp.claims(nonce, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        ),
        "身份令牌已过期",
    ),
    "tampered signature": (
        lambda imp, nonce: _tamper(imp.sign(imp.claims(nonce))),
        "身份令牌的签名无效",
    ),
    "key not in the provider's JWKS": (
        lambda imp, nonce: imp.sign(imp.claims(nonce), imp.other_key),
        "身份令牌的签名无效",
    ),
    "another audience": (
        lambda imp, nonce: imp.sign(imp.claims(nonce, aud="another-system")),
        "身份令牌不是签发给本目录的",
    ),
    "another login's nonce": (
        lambda imp, nonce: imp.sign(imp.claims("nonce-of-another-login")),
        "身份令牌与本次登录请求不符",
    ),
}


@_configured
def test_forged_tokens_are_refused_in_chinese_and_create_nothing(app, sso_world, impostor_issuer):
    # one catalog for all the cases (nothing they do may change it, which is the point)
    before = _counts()
    for case, (forge, message) in REFUSALS.items():
        flow = _start(app)
        impostor_issuer.next_id_token = forge(impostor_issuer, flow["nonce"])
        response = _callback(app, flow["state"])
        assert response.status_code == 302, case
        assert "/user/login" in response.headers["Location"], case
        page = app.get(path_of(response.headers["Location"]))
        assert message in page.body, case
        assert _counts() == before, case
        anonymous = app.get("/zh_Hans_CN/dashboard/datasets", follow_redirects=False)
        assert anonymous.status_code == 302, case  # still nobody logged in


@_configured
def test_a_correct_token_logs_in_and_its_replayed_state_is_refused(app, sso_world, impostor_issuer):
    flow = _start(app)
    impostor_issuer.next_id_token = impostor_issuer.sign(impostor_issuer.claims(flow["nonce"]))
    response = _callback(app, flow["state"])
    assert response.status_code == 302
    assert "/user/login" not in response.headers["Location"]
    user = model.User.by_name("forged-officer")
    assert user is not None
    assert user.plugin_extras["govcatalog_sso"] == {
        "iss": impostor_issuer.issuer,
        "sub": "impostor-subject-1",
    }
    member = (
        model.Session.query(model.Member)
        .filter_by(table_id=user.id, group_id=sso_world["dept"]["id"], state="active")
        .one()
    )
    assert member.capacity == "editor"

    # logout ends the session and sends the browser to the provider's end-session endpoint
    logout = app.get("/user/_logout", follow_redirects=False)
    assert logout.headers["Location"].startswith(f"{impostor_issuer.issuer}/logout?")
    assert "id_token_hint=" in logout.headers["Location"]
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code == 302

    before = _counts()
    replay = _callback(app, flow["state"])
    assert "/user/login" in replay.headers["Location"]
    assert "本次登录请求已过期或已被使用" in app.get(path_of(replay.headers["Location"])).body
    assert _counts() == before
    # and a state never issued to this browser
    forged = _callback(app, "state-never-issued")
    assert "本次登录请求已过期或已被使用" in app.get(path_of(forged.headers["Location"])).body
