"""The OpenID Connect relying party: authorization code flow with PKCE, and the ID token checks.

Built on authlib (the OAuth 2 client: the authorization URL with an S256 code challenge, the code
exchange with the client secret) and joserfc (JWS/JWT: the signature against the provider's JWKS
and the claims). ckanext-oidc-pkce 0.4.1 was not used: it keeps no nonce, never reads the ID token
(it trusts the userinfo answer, so no signature, issuer, audience or expiry check) and has no
claim mapping.

Every refusal is a :class:`Refused` carrying a ``reason`` (one of ``REASONS``); the views turn it
into a message for the user. Nothing here touches the database.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet

from ckanext.govcatalog.sso.settings import Settings

# reasons a login is refused, in the order the checks run
UNREACHABLE = "unreachable"  # discovery, JWKS or token endpoint did not answer
PROVIDER_ERROR = "provider_error"  # the provider sent the user back with ?error=
STATE = "state"  # unknown, used or mismatched state (a replayed or forged callback)
TOKEN = "token"  # the code exchange failed or returned no ID token
SIGNATURE = "signature"  # not signed by a key of the provider's JWKS
ISSUER = "issuer"
AUDIENCE = "audience"
EXPIRED = "expired"
NONCE = "nonce"
CLAIMS = "claims"  # another claim is missing or malformed
REASONS = (
    UNREACHABLE,
    PROVIDER_ERROR,
    STATE,
    TOKEN,
    SIGNATURE,
    ISSUER,
    AUDIENCE,
    EXPIRED,
    NONCE,
    CLAIMS,
)
# asymmetric algorithms only: an HS256 token "signed" with a public key must never pass
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
METADATA_SECONDS = 300  # discovery document and JWKS are kept this long


class Refused(Exception):
    """A login the relying party refuses; ``reason`` is one of REASONS, ``detail`` for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclasses.dataclass(frozen=True)
class PendingLogin:
    """What the callback must find again: kept in the user's session, keyed by ``state``."""

    state: str
    nonce: str
    code_verifier: str
    came_from: str
    started: float


_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _fetch_json(url: str, timeout: float) -> Any:
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refused(UNREACHABLE, f"{url}: {error}") from error


def _cached(key: str, load: Any, fresh: bool = False) -> Any:
    with _cache_lock:
        hit = _cache.get(key)
        if hit and not fresh and time.monotonic() - hit[0] < METADATA_SECONDS:
            return hit[1]
    value = load()
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)
    return value


def forget_metadata() -> None:
    """Drop the cached discovery documents and key sets (a provider's keys were rotated)."""
    with _cache_lock:
        _cache.clear()


def metadata(settings: Settings) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one exactly."""
    url = f"{settings.issuer}/.well-known/openid-configuration"
    document = _cached(url, lambda: _fetch_json(url, settings.timeout))
    if document.get("issuer") != settings.issuer:
        raise Refused(ISSUER, f"discovery names issuer {document.get('issuer')!r}")
    return document


def _key_set(settings: Settings, fresh: bool = False) -> KeySet:
    uri = metadata(settings)["jwks_uri"]
    jwks = _cached(uri, lambda: _fetch_json(uri, settings.timeout), fresh=fresh)
    try:
        return KeySet.import_key_set(jwks)
    except (jose_errors.JoseError, ValueError, TypeError) as error:
        raise Refused(UNREACHABLE, f"JWKS at {uri} is unusable: {error}") from error


def _client(settings: Settings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=settings.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def start(settings: Settings, redirect_uri: str, came_from: str) -> tuple[str, PendingLogin]:
    """The provider's authorization URL to send the user to, and what the callback checks."""
    endpoint = metadata(settings)["authorization_endpoint"]
    pending = PendingLogin(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=secrets.token_urlsafe(48),
        came_from=came_from,
        started=time.time(),
    )
    url, _ = _client(settings, redirect_uri).create_authorization_url(
        endpoint, state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier
    )
    return url, pending


def exchange_code(
    settings: Settings, redirect_uri: str, code: str, pending: PendingLogin
) -> dict[str, Any]:
    """The token response for the authorization code (client secret and PKCE verifier sent)."""
    endpoint = metadata(settings)["token_endpoint"]
    try:
        token = _client(settings, redirect_uri).fetch_token(
            endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            timeout=settings.timeout,
        )
    except requests.RequestException as error:
        raise Refused(UNREACHABLE, f"token endpoint: {error}") from error
    except Exception as error:  # authlib raises OAuthError subclasses for error answers
        raise Refused(TOKEN, f"token endpoint refused the code: {error}") from error
    if not token.get("id_token"):
        raise Refused(TOKEN, "no id_token in the token response")
    return dict(token)


def verify_id_token(settings: Settings, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token signed by the provider, for this client, unexpired, with our
    nonce (OpenID Connect Core §3.1.3.7). Raises Refused naming the first check that failed."""
    try:
        decoded = _decode(settings, id_token)
    except jose_errors.BadSignatureError as error:
        raise Refused(SIGNATURE, str(error)) from error
    except (jose_errors.JoseError, ValueError) as error:
        raise Refused(SIGNATURE, f"not a signed JWT of the provider: {error}") from error
    claims = dict(decoded.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.leeway,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except jose_errors.ExpiredTokenError as error:
        raise Refused(EXPIRED, str(error)) from error
    except jose_errors.ClaimError as error:
        reason = {"iss": ISSUER, "aud": AUDIENCE, "exp": EXPIRED, "nonce": NONCE}.get(
            error.claim, CLAIMS
        )
        raise Refused(reason, str(error)) from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.client_id:
        raise Refused(AUDIENCE, f"azp {claims.get('azp')!r} is not this client")
    return claims


def _decode(settings: Settings, id_token: str) -> Any:
    try:
        return jwt.decode(id_token, _key_set(settings), algorithms=ALGORITHMS)
    except (jose_errors.MissingKeyError, jose_errors.InvalidKeyIdError, ValueError):
        # a key we have not seen: the provider may have rotated its keys; ask once more
        return jwt.decode(id_token, _key_set(settings, fresh=True), algorithms=ALGORITHMS)


def end_session_url(
    settings: Settings, id_token: str | None, post_logout_redirect_uri: str
) -> str | None:
    """The provider's RP-initiated logout address, or None when it offers none or is unreachable."""
    try:
        endpoint = metadata(settings).get("end_session_endpoint")
    except Refused:
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"
