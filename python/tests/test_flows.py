"""Every flow through the blocking client against the emulator."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlparse

import pytest

import upbond
from conftest import Emulator, sign_in


def test_client_credentials(service: upbond.Client) -> None:
    tokens = service.client_credentials(["api:read"])
    assert tokens.access_token.count(".") == 2  # a JWT
    assert tokens.scopes == ["api:read"]
    assert tokens.refresh_token is None
    assert tokens.expires_in is not None and 3590 < tokens.expires_in <= 3600
    assert tokens.token_type == "Bearer"
    assert tokens.access_token not in repr(tokens)


def test_scopes_as_a_string(service: upbond.Client) -> None:
    assert service.client_credentials("api:read api:write").scopes == ["api:read", "api:write"]


def test_discovery(app: upbond.Client, emulator: Emulator) -> None:
    document = app.discover()
    assert document["issuer"] == emulator.issuer
    assert "S256" in document["code_challenge_methods_supported"]


def test_authorization_code_with_loopback_redirect(app: upbond.Client, emulator: Emulator) -> None:
    request = app.begin_authorization(login_hint="demo-user@example.com")
    query = parse_qs(urlparse(request.url).query)
    assert query["redirect_uri"] == ["http://127.0.0.1:53682/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert request.pending.code_verifier not in repr(request.pending)
    # The pending request survives process death as JSON.
    pending = upbond.PendingAuthorization.from_json(request.pending.to_json())
    assert pending == request.pending
    callback = emulator.authorize(request.url)
    tokens = app.complete_authorization(pending, callback)
    assert tokens.refresh_token and tokens.id_token
    assert tokens.id_token_claims is not None
    assert tokens.id_token_claims.claims["email"] == "demo-user@example.com"
    assert tokens.id_token_claims.nonce == pending.nonce


def test_device_flow(app: upbond.Client, emulator: Emulator) -> None:
    device = app.start_device_authorization()
    assert device.device_code not in repr(device)
    assert upbond.normalize_user_code(device.user_code.lower().replace("-", " ")) == device.user_code
    emulator.hook("POST", "device", {"user_code": device.user_code})
    tokens = app.poll_device_authorization(device)
    assert tokens.refresh_token and tokens.id_token_claims is not None


def test_refresh_rotates(app: upbond.Client, emulator: Emulator) -> None:
    first = sign_in(emulator, app)
    assert first.refresh_token is not None
    second = app.refresh(first.refresh_token)
    assert second.access_token != first.access_token
    assert second.refresh_token not in (None, first.refresh_token)
    # Reusing the rotated refresh token revokes the family.
    with pytest.raises(upbond.InvalidGrantError) as caught:
        app.refresh(first.refresh_token)
    assert caught.value.reauthentication_required


def test_revoke(app: upbond.Client, emulator: Emulator) -> None:
    tokens = sign_in(emulator, app)
    assert tokens.refresh_token is not None
    app.revoke(tokens.refresh_token, hint="refresh_token")
    with pytest.raises(upbond.InvalidGrantError):
        app.refresh(tokens.refresh_token)


def test_userinfo_json_and_jwt(app: upbond.Client, emulator: Emulator) -> None:
    tokens = sign_in(emulator, app)
    assert tokens.id_token_claims is not None
    subject = tokens.id_token_claims.subject
    info = app.userinfo(tokens.access_token, expected_subject=subject)
    assert info.email == "demo-user@example.com" and info.email_verified is True
    signed = app.userinfo(tokens.access_token, jwt=True)
    assert signed.subject == subject
    with pytest.raises(upbond.UserInfoSubjectMismatchError):
        app.userinfo(tokens.access_token, expected_subject="somebody-else")


def test_logout_url(app: upbond.Client, emulator: Emulator) -> None:
    tokens = sign_in(emulator, app)
    url = app.logout_url(id_token_hint=tokens.id_token, state="bye")
    query = parse_qs(urlparse(url).query)
    assert query["state"] == ["bye"]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1/signed-out"]


def test_doctor(app: upbond.Client) -> None:
    report = app.doctor()
    names = [check.name for check in report.checks]
    assert "discovery" in names and "jwks" in names
    assert report.status in ("pass", "warn")


def test_metrics_support_report_and_platform_info(service: upbond.Client) -> None:
    service.set_platform_info({"os": "linux", "app_version": "1.2.3"})
    tokens = service.client_credentials()
    seen = []
    service.set_metrics_observer(on_auth_outcome=seen.append)
    service.client_credentials()
    assert seen and seen[0].grant == "client_credentials" and seen[0].success
    metrics = service.metrics()
    assert metrics.sign_ins == 2 and metrics.sign_in_successes == 2
    assert metrics.requests >= 3
    report = service.support_report()
    assert report["platform"] == {"os": "linux", "app_version": "1.2.3"}
    assert tokens.access_token not in str(report)
    assert "demo-service-secret" not in str(report)


def test_debug_logging_goes_to_logging_without_secrets(
    service: upbond.Client, caplog: pytest.LogCaptureFixture
) -> None:
    upbond.debug = True
    try:
        assert upbond.debug and upbond.is_debug()
        with caplog.at_level(logging.DEBUG, logger="upbond"):
            tokens = service.client_credentials()
    finally:
        upbond.set_debug(False)
    assert not upbond.debug
    records = [r for r in caplog.records if r.name.startswith("upbond")]
    assert any(r.levelno == logging.DEBUG for r in records)
    text = "\n".join(r.getMessage() for r in records)
    assert "/oauth/token" in text
    assert tokens.access_token not in text and "demo-service-secret" not in text


def test_user_api_email_change(app: upbond.Client, emulator: Emulator) -> None:
    tokens = sign_in(emulator, app)
    assert tokens.id_token_claims is not None
    user = tokens.id_token_claims.subject
    profile = app.user_profile(tokens.access_token, user)
    assert profile.id == user and profile.email == "demo-user@example.com"
    with pytest.raises(upbond.EmailPasswordRejectedError) as caught:
        app.change_email(tokens.access_token, user, "new@example.com", "wrong-password")
    assert "wrong-password" not in str(caught.value)
    app.change_email(tokens.access_token, user, "new@example.com", "demo-password")
    mail = [m for m in emulator.hook("GET", "outbox") if m["to"] == "new@example.com"][-1]
    app.verify_email(tokens.access_token, user, mail["code"])
    assert app.user_profile(tokens.access_token, user).email == "new@example.com"
    app.resend_verification_email(tokens.access_token, user)
