"""Every error class: one per catalog code, raised by real failures with their fields."""

from __future__ import annotations

import socket
from urllib.parse import urlencode, urlparse, parse_qs, urlunparse

import pytest

import upbond
from conftest import Emulator, sign_in


def test_one_exported_class_per_catalog_code() -> None:
    classes = {}
    for entry in upbond.catalog():
        cls = upbond.error_class(entry.code)
        assert cls is not upbond.UpbondError, entry.code
        assert cls.code == entry.code
        assert getattr(upbond, cls.__name__) is cls
        assert issubclass(cls, upbond.UpbondError)
        classes[cls] = entry.code
    assert len(classes) == len(upbond.catalog())
    assert issubclass(upbond.KakaoLoginError, upbond.SocialProviderError)
    assert issubclass(upbond.NetworkTimeoutError, upbond.NetworkError)
    assert issubclass(upbond.IdTokenExpiredError, upbond.IdTokenError)
    assert issubclass(upbond.HttpServerError, upbond.HttpError)
    assert upbond.explain("koe101").code == "KOE101"  # type: ignore[union-attr]


def test_config_error_names_the_rule() -> None:
    with pytest.raises(upbond.ConfigError) as caught:
        upbond.Client("not a url", "demo-app")
    assert "issuer" in caught.value.message
    assert caught.value.resolution and not caught.value.retryable


def test_invalid_client(emulator: Emulator) -> None:
    client = upbond.Client(emulator.issuer, "demo-service", client_secret="wrong-secret")
    with pytest.raises(upbond.InvalidClientError) as caught:
        client.client_credentials()
    assert caught.value.code == "invalid_client"
    assert "wrong-secret" not in str(caught.value) and "wrong-secret" not in repr(caught.value)


def test_invalid_scope(service: upbond.Client) -> None:
    with pytest.raises(upbond.InvalidScopeError):
        service.client_credentials(["admin:everything"])


def test_rate_limited_carries_retry_after(service: upbond.Client, emulator: Emulator) -> None:
    emulator.fault(
        status=429, retry_after="7",
        body='{"error":"rate_limit_exceeded","error_description":"Too many requests. Please try again later."}',
    )
    with pytest.raises(upbond.RateLimitedError) as caught:
        service.client_credentials()
    e = caught.value
    assert (e.code, e.retry_after, e.retryable, e.reauthentication_required) == (
        "rate_limit_exceeded", 7.0, True, False)
    assert e.resolution


def test_http_server_error_has_status(service: upbond.Client, emulator: Emulator) -> None:
    emulator.fault(status=502, body="<html>bad gateway</html>", content_type="text/html")
    with pytest.raises(upbond.HttpError) as caught:
        service.client_credentials()
    assert isinstance(caught.value, upbond.HttpServerError) and caught.value.status == 502


def test_network_connect_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = upbond.Client(f"http://127.0.0.1:{port}", "demo-app", max_attempts=1)
    with pytest.raises(upbond.NetworkError) as caught:
        client.discover()
    assert isinstance(caught.value, upbond.NetworkConnectError) and caught.value.retryable


def test_invalid_token_at_userinfo(app: upbond.Client) -> None:
    with pytest.raises(upbond.InvalidTokenError):
        app.userinfo("not-a-valid-token")


@pytest.mark.parametrize(
    "provider,error",
    [("kakao", upbond.KakaoLoginError), ("whatsapp", upbond.WhatsappLoginError),
     ("wechat", upbond.WechatLoginError), ("telegram", upbond.TelegramLoginError)],
)
def test_social_provider_errors(app: upbond.Client, emulator: Emulator, provider: str, error: type) -> None:
    emulator.hook("POST", "social", {"provider": provider, "broken": True})
    request = app.begin_authorization(provider=provider)
    callback = emulator.authorize(request.url)
    with pytest.raises(error) as caught:
        app.complete_authorization(request.pending, callback)
    assert caught.value.provider == provider
    assert isinstance(caught.value, upbond.SocialProviderError)


def test_access_denied(app: upbond.Client, emulator: Emulator) -> None:
    request = app.begin_authorization()
    callback = emulator.authorize(request.url, deny=True)
    with pytest.raises(upbond.AccessDeniedError):
        app.complete_authorization(request.pending, callback)


def test_state_mismatch(app: upbond.Client, emulator: Emulator) -> None:
    request = app.begin_authorization()
    callback = urlparse(emulator.authorize(request.url))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    query["state"] = "forged"
    forged = urlunparse(callback._replace(query=urlencode(query)))
    with pytest.raises(upbond.StateMismatchError):
        app.complete_authorization(request.pending, forged)


def test_device_denied_and_expired(app: upbond.Client, emulator: Emulator) -> None:
    device = app.start_device_authorization()
    emulator.hook("POST", "device", {"user_code": device.user_code, "deny": True})
    with pytest.raises(upbond.AccessDeniedError):
        app.poll_device_authorization(device)
    device = app.start_device_authorization()
    emulator.hook("POST", "device/expire-all", {})
    with pytest.raises(upbond.DeviceCodeExpiredError):
        app.poll_device_authorization(device)


def test_invalid_user_code() -> None:
    with pytest.raises(upbond.InvalidUserCodeError):
        upbond.normalize_user_code("??")


def test_malformed_pending_authorization() -> None:
    with pytest.raises(upbond.StorageError):
        upbond.PendingAuthorization.from_json("{not json")


def test_a_bad_pending_authorization_names_the_field_not_the_values() -> None:
    verifier = "pkce-verifier-9f3a0b7c"
    good = upbond.PendingAuthorization(
        "state-5e1d", "nonce-77aa", verifier, "http://127.0.0.1/callback",
        "https://login.example", "demo-app",
    ).to_json()
    for text, expected in [
        (good.replace('"nonce-77aa"', "42"), "`nonce` has the wrong type"),
        (good.replace('"nonce":"nonce-77aa",', ""), "missing field `nonce`"),
        (good[:-1] + f', "x": {verifier}}}', "not valid JSON"),
        (good[:-1], "ends early"),
    ]:
        with pytest.raises(upbond.StorageError) as caught:
            upbond.PendingAuthorization.from_json(text)
        shown = f"{caught.value} {caught.value!r}"
        assert expected in shown and "line 1, column" in shown, shown
        for value in (verifier, "state-5e1d", "nonce-77aa"):
            assert value not in shown, shown


def all_text(error: upbond.UpbondError) -> str:
    """str, repr and every attribute of an error."""
    return " ".join([str(error), repr(error)] + [repr(v) for v in vars(error).values()])


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize("answer", [
    {"status": 400, "body": '{"error":"invalid_request","error_description":"%s"}'},
    {"status": 401, "body": '{"error":"invalid_client","error_description":"%s"}'},
    {"status": 502, "body": "<p>%s</p>", "content_type": "text/html"},
    {"status": 429, "body": "%s", "content_type": "text/plain"},
    {"status": 200, "body": "%s", "content_type": "text/plain"},
])
def test_an_echoing_server_never_gets_secrets_into_errors(
    emulator: Emulator, answer: dict
) -> None:
    secret = "demo-service-secret"
    for auth_method in ("client_secret_basic", "client_secret_post"):
        client = upbond.Client(emulator.issuer, "demo-service", client_secret=secret,
                               auth_method=auth_method, max_attempts=1)
        echo = f"you sent client_secret={secret} and token {JWT}"
        emulator.fault(**dict(answer, body=answer["body"] % echo))
        with pytest.raises(upbond.UpbondError) as caught:
            client.client_credentials()
        shown = all_text(caught.value)
        assert secret not in shown and JWT not in shown, shown
        assert "[REDACTED]" in shown, shown


def test_an_echoed_refresh_token_never_reaches_an_error(
    app: upbond.Client, emulator: Emulator
) -> None:
    tokens = sign_in(emulator, app)
    refresh = tokens.refresh_token
    assert refresh is not None
    emulator.fault(status=400, body=(
        '{"error":"invalid_grant","error_description":"refresh_token=%s is revoked"}' % refresh))
    with pytest.raises(upbond.InvalidGrantError) as caught:
        app.refresh(refresh)
    shown = all_text(caught.value)
    assert refresh not in shown and "[REDACTED]" in shown, shown


@pytest.mark.parametrize("status,body,cls", [
    (429, '{"error":"rate_limit_exceeded"}', upbond.RateLimitedError),
    (429, "slow down", upbond.RateLimitedError),
    (400, '{"error":"invalid_scope"}', upbond.InvalidScopeError),
    (400, '{"error":"invalid_grant"}', upbond.InvalidGrantError),
    (401, '{"error":"invalid_client"}', upbond.InvalidClientError),
    (503, '{"error":"temporarily_unavailable"}', upbond.ServerError),
])
def test_every_error_from_an_http_answer_has_its_status(
    service: upbond.Client, emulator: Emulator, status: int, body: str, cls: type
) -> None:
    emulator.fault(status=status, body=body)
    with pytest.raises(cls) as caught:
        service.client_credentials()
    assert caught.value.status == status


def test_a_bad_choice_is_a_value_error_naming_the_choices(app: upbond.Client) -> None:
    for bad in ("myspace", "", 5):
        with pytest.raises(ValueError) as caught:
            app.begin_authorization(provider=bad)  # type: ignore[arg-type]
        assert "kakao" in str(caught.value) and "telegram" in str(caught.value)
    assert "provider=kakao" in app.begin_authorization(provider="Kakao").url
    with pytest.raises(ValueError, match="access_token"):
        app.revoke("token", hint="id_token")
    with pytest.raises(ValueError, match="confidential"):
        upbond.Client(app.issuer, "demo-app", kind="server")


def test_unknown_code_falls_back_to_the_base_class() -> None:
    assert upbond.error_class("no_such_code") is upbond.UpbondError
