"""Bad arguments are refused in Python, before the native module: TypeError or ValueError
naming the argument and what it accepts; failed calls print nothing unless debug is on."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
from typing import Any, Dict, Tuple

import pytest

import upbond
from conftest import Emulator

ISSUER = "http://127.0.0.1:9"

CONSTRUCTOR_CASES: Dict[str, Tuple[Dict[str, Any], type, Tuple[str, ...]]] = {
    "timeout inf": ({"request_timeout": float("inf")}, ValueError, ("request_timeout", "86400")),
    "timeout nan": ({"request_timeout": float("nan")}, ValueError, ("request_timeout", "0.001")),
    "timeout negative": ({"request_timeout": -1}, ValueError, ("request_timeout", "between")),
    "timeout 1e30": ({"connect_timeout": 1e30}, ValueError, ("connect_timeout", "86400")),
    "timeout 10**400": ({"request_timeout": 10**400}, ValueError, ("request_timeout", "86400")),
    "timeout tiny": ({"connect_timeout": 1e-9}, ValueError, ("connect_timeout", "0.001")),
    "timeout str": ({"connect_timeout": "5"}, TypeError, ("connect_timeout", "str")),
    "timeout bool": ({"request_timeout": True}, TypeError, ("request_timeout", "bool")),
    "leeway negative": ({"clock_leeway": -1}, ValueError, ("clock_leeway", "0 and 86400")),
    "leeway 2**64": ({"clock_leeway": 2**64}, ValueError, ("clock_leeway", "0 and 86400")),
    "leeway float": ({"clock_leeway": 1.5}, TypeError, ("clock_leeway", "int")),
    "attempts -1": ({"max_attempts": -1}, ValueError, ("max_attempts", "1 and 100")),
    "attempts 0": ({"max_attempts": 0}, ValueError, ("max_attempts", "1 and 100")),
    "attempts 2**40": ({"max_attempts": 2**40}, ValueError, ("max_attempts", "1 and 100")),
    "attempts 10**5000": ({"max_attempts": 10**5000}, ValueError, ("max_attempts", "1 and 100")),
    "attempts str": ({"max_attempts": "5"}, TypeError, ("max_attempts", "str")),
    "budgets str": ({"rate_budgets": "no"}, TypeError, ("rate_budgets", "True, False or None")),
    "budgets int": ({"rate_budgets": 0}, TypeError, ("rate_budgets", "int")),
    "scopes int": ({"scopes": 5}, TypeError, ("scopes", "sequence of str")),
    "scopes of int": ({"scopes": [1, 2]}, TypeError, ("scopes", "int")),
    "scopes bytes": ({"scopes": b"openid"}, TypeError, ("scopes", "bytes")),
    "redirect int": ({"redirect_uri": 7}, TypeError, ("redirect_uri", "int")),
    "redirect NUL": ({"redirect_uri": "com.x.y:/cb\0"}, ValueError, ("redirect_uri", "NUL")),
}


@pytest.mark.parametrize("case", sorted(CONSTRUCTOR_CASES))
def test_a_bad_constructor_argument_is_named_with_its_range(case: str) -> None:
    kwargs, error, fragments = CONSTRUCTOR_CASES[case]
    with pytest.raises(error) as caught:
        upbond.Client(ISSUER, "demo-app", **kwargs)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "u64" not in message and "u32" not in message, message


def test_the_edges_of_each_range_are_accepted() -> None:
    client = upbond.Client(
        ISSUER, "demo-app", connect_timeout=0.001, request_timeout=86400, clock_leeway=0,
        max_attempts=100, rate_budgets=False, scopes=("openid", "email"),
    )
    assert client.client_id == "demo-app"
    upbond.Client(ISSUER, "demo-app", clock_leeway=86400, max_attempts=1, request_timeout=2.5)


@pytest.mark.parametrize("field", ["issuer", "client_id", "client_secret"])
def test_strings_are_checked_without_echoing_them(field: str) -> None:
    secret = "se\0cr3t-value"
    values = {"issuer": ISSUER, "client_id": "demo-service", "client_secret": "demo-secret"}
    with pytest.raises(ValueError) as caught:
        upbond.Client(**{**values, field: secret})
    assert field in str(caught.value) and "NUL" in str(caught.value)
    assert "cr3t" not in str(caught.value)
    with pytest.raises(TypeError, match=f"{field} must be a str, not int"):
        upbond.Client(**{**values, field: 5})
    with pytest.raises(ValueError, match="lone surrogate"):
        upbond.Client(**{**values, field: "x\ud800"})


def test_call_arguments_are_checked_before_any_request(service: upbond.Client) -> None:
    with pytest.raises(ValueError, match="refresh_token must not contain a NUL"):
        service.refresh("rt\0x")
    with pytest.raises(TypeError, match="refresh_token must be a str, not NoneType"):
        service.refresh(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="access_token"):
        service.userinfo("tok\0en")
    with pytest.raises(ValueError, match="user_id"):
        service.user_profile("token", "a\0b")
    with pytest.raises(TypeError, match="extra_params\\['a'\\]"):
        service.begin_authorization(extra_params={"a": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="code must be a str"):
        upbond.explain(None)  # type: ignore[arg-type]
    assert service.metrics().requests == 0, "nothing was sent"


MIN_TTL_CASES: Dict[str, Tuple[Any, type, str]] = {
    "negative": (-1, ValueError, "0 and 86400"),
    "over a day": (86401, ValueError, "0 and 86400"),
    "2**70": (2**70, ValueError, "0 and 86400"),
    "str": ("60", TypeError, "int, not str"),
    "bool": (True, TypeError, "int, not bool"),
    "float": (1.5, TypeError, "int, not float"),
    "None": (None, TypeError, "int, not NoneType"),
}


@pytest.mark.parametrize("case", sorted(MIN_TTL_CASES))
def test_a_bad_min_ttl_is_named_with_its_range(case: str) -> None:
    value, error, accepted = MIN_TTL_CASES[case]
    client = upbond.Client(ISSUER, "demo-app")
    session = client.session()
    for attempt in (lambda: session.access_token(value),
                    lambda: asyncio.run(session.aio.access_token(min_ttl=value))):
        with pytest.raises(error) as caught:
            attempt()
        assert str(caught.value).startswith("min_ttl must be ") and accepted in str(caught.value)
    for edge in (0, 86400):  # accepted: the session then finds nobody signed in
        with pytest.raises(upbond.NotSignedInError):
            session.access_token(edge)
    assert client.metrics().requests == 0


def test_package_classes_are_required_where_they_are_expected() -> None:
    client = upbond.Client(ISSUER, "demo-app", redirect_uri="http://127.0.0.1/callback")
    callback = "http://127.0.0.1/callback?code=c&state=s"
    with pytest.raises(TypeError, match="^pending must be a PendingAuthorization, not str$"):
        client.complete_authorization("x", callback)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^device must be a DeviceAuthorization, not str$"):
        client.poll_device_authorization("x")  # type: ignore[arg-type]
    device = upbond.DeviceAuthorization("code", "ABCD-EFGH", "https://x.example/device")
    with pytest.raises(TypeError, match="^cancel must be a CancelToken, not str$"):
        client.poll_device_authorization(device, cancel="x")  # type: ignore[arg-type]
    session = client.session()
    with pytest.raises(TypeError, match="^tokens must be a TokenSet, not str$"):
        session.sign_in("tokens")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^tokens must be a TokenSet, not dict$"):
        asyncio.run(session.aio.sign_in({"access_token": "a"}))  # type: ignore[arg-type]
    claims: Any = {"sub": "x"}
    with pytest.raises(TypeError, match="^TokenSet.id_token_claims must be an IdTokenClaims, not"):
        session.sign_in(upbond.TokenSet("a", id_token_claims=claims))
    with pytest.raises(TypeError, match="^store must be None, a MemoryStore, FileStore or "):
        client.session("memory")
    assert client.metrics().requests == 0


def _claims(**fields: Any) -> upbond.IdTokenClaims:
    values: Dict[str, Any] = dict(
        issuer=ISSUER, subject="user", audience=["demo-app"], expires_at=2, issued_at=1,
        auth_time=None, nonce=None, claims={},
    )
    return upbond.IdTokenClaims(**{**values, **fields})


FIELD_CASES: Dict[str, Tuple[Any, type, str]] = {
    "device expires_at -1": (
        upbond.DeviceAuthorization("d", expires_at=-1), ValueError,
        "DeviceAuthorization.expires_at must be between 0 and 18446744073709551615",
    ),
    "device interval 2**64": (
        upbond.DeviceAuthorization("d", interval=2**64), ValueError,
        "DeviceAuthorization.interval must be between 0 and 18446744073709551615",
    ),
    "device interval float": (
        upbond.DeviceAuthorization("d", interval=1.5), TypeError,  # type: ignore[arg-type]
        "DeviceAuthorization.interval must be an int, not float",
    ),
    "device code None": (
        upbond.DeviceAuthorization(None), TypeError,  # type: ignore[arg-type]
        "DeviceAuthorization.device_code must be a str, not NoneType",
    ),
    "device uri NUL": (
        upbond.DeviceAuthorization("d", verification_uri_complete="x\0"), ValueError,
        "DeviceAuthorization.verification_uri_complete must not contain a NUL character",
    ),
    "tokens expires_at -5": (
        upbond.TokenSet("a", expires_at=-5), ValueError,
        "TokenSet.expires_at must be between 0 and 18446744073709551615",
    ),
    "tokens expires_at bool": (
        upbond.TokenSet("a", expires_at=True), TypeError, "TokenSet.expires_at must be an int",
    ),
    "tokens access_token int": (
        upbond.TokenSet(5), TypeError,  # type: ignore[arg-type]
        "TokenSet.access_token must be a str, not int",
    ),
    "tokens scopes str": (
        upbond.TokenSet("a", scopes="openid"), TypeError,  # type: ignore[arg-type]
        "TokenSet.scopes must be a sequence of str, not str",
    ),
    "claims issued_at 2**64": (
        upbond.TokenSet("a", id_token_claims=_claims(issued_at=2**64)), ValueError,
        "IdTokenClaims.issued_at must be between 0 and 18446744073709551615",
    ),
    "claims audience of int": (
        upbond.TokenSet("a", id_token_claims=_claims(audience=[1])), TypeError,
        "each item of IdTokenClaims.audience must be a str, not int",
    ),
    "claims NaN": (
        upbond.TokenSet("a", id_token_claims=_claims(claims={"x": float("nan")})), ValueError,
        "IdTokenClaims.claims must hold only JSON values",
    ),
    "claims object": (
        upbond.TokenSet("a", id_token_claims=_claims(claims={"x": object()})), TypeError,
        "IdTokenClaims.claims must hold only JSON values",
    ),
    "claims list": (
        upbond.TokenSet("a", id_token_claims=_claims(claims=[])), TypeError,
        "IdTokenClaims.claims must be a dict, not list",
    ),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_a_bad_field_of_a_dataclass_built_by_the_app_is_named(case: str) -> None:
    value, error, message = FIELD_CASES[case]
    client = upbond.Client(ISSUER, "demo-app")
    with pytest.raises(error) as caught:
        if isinstance(value, upbond.DeviceAuthorization):
            client.poll_device_authorization(value)
        else:
            client.session().sign_in(value)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "u64" not in str(caught.value)
    assert client.metrics().requests == 0


def test_a_bad_field_of_a_pending_authorization_is_named() -> None:
    client_id: Any = 7
    pending = upbond.PendingAuthorization("s", "n", "v", "http://127.0.0.1/cb", ISSUER, client_id)
    with pytest.raises(TypeError, match="^PendingAuthorization.client_id must be a str, not int$"):
        pending.to_json()
    client = upbond.Client(ISSUER, "demo-app", redirect_uri="http://127.0.0.1/cb")
    with pytest.raises(TypeError, match="PendingAuthorization.client_id"):
        client.complete_authorization(pending, "http://127.0.0.1/cb?code=c&state=s")


def test_debug_is_switched_by_a_bool_only() -> None:
    try:
        for bad in ("yes", 1, None):
            with pytest.raises(TypeError, match="^enabled must be True or False, not "):
                upbond.set_debug(bad)  # type: ignore[arg-type]
            with pytest.raises(TypeError, match="^upbond.debug must be True or False, not "):
                upbond.debug = bad  # type: ignore[assignment]
            assert upbond.debug is False
        upbond.debug = True
        assert upbond.debug is True
    finally:
        upbond.set_debug(False)
    assert upbond.debug is False


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=60,
    )


def test_a_failed_call_prints_nothing_unless_debug_is_on() -> None:
    script = """
        import socket, upbond
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        upbond.set_debug({debug})
        client = upbond.Client(f"http://127.0.0.1:{{port}}", "demo-app", max_attempts=2)
        try:
            client.discover()
        except upbond.NetworkConnectError:
            print("raised")
    """
    quiet = _run(script.format(debug=False))
    assert quiet.stdout == "raised\n" and quiet.stderr == "", quiet.stderr
    loud = _run(script.format(debug=True))
    assert loud.stdout == "raised\n", loud.stderr
    assert "retrying in" in loud.stderr and "ERROR" in loud.stderr, loud.stderr


def test_failures_and_retries_are_debug_records_but_warnings_stay(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    client = upbond.Client(
        emulator.issuer, "demo-service", client_secret="demo-service-secret", max_attempts=2
    )
    emulator.fault(status=503, times=2, body='{"error":"temporarily_unavailable"}')
    with caplog.at_level(logging.DEBUG, logger="upbond"):
        with pytest.raises(upbond.ServerError):
            client.client_credentials()
    records = [r for r in caplog.records if r.name.startswith("upbond")]
    assert any("retrying in" in r.getMessage() for r in records), records
    assert any("failed" in r.getMessage() for r in records), records
    assert all(r.levelno < logging.WARNING for r in records), [
        (r.levelname, r.getMessage()) for r in records
    ]
    caplog.clear()
    emulator.hook("POST", "clock", {"offset_secs": 3600})
    with caplog.at_level(logging.DEBUG, logger="upbond"):
        client.client_credentials()
    skew = [r for r in caplog.records if "clock differs" in r.getMessage()]
    assert skew and skew[0].levelno == logging.WARNING, caplog.records
