"""Every error class: one per catalog code, raised by real failures with their fields."""

from __future__ import annotations

import socket
from urllib.parse import urlencode, urlparse, parse_qs, urlunparse

import pytest

import upbond
from conftest import Emulator


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


def test_unknown_code_falls_back_to_the_base_class() -> None:
    assert upbond.error_class("no_such_code") is upbond.UpbondError
