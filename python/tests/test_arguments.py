"""Bad arguments are refused in Python, before the native module: TypeError or ValueError
naming the argument and what it accepts; failed calls print nothing unless debug is on."""

from __future__ import annotations

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
    "timeout tiny": ({"connect_timeout": 1e-9}, ValueError, ("connect_timeout", "0.001")),
    "timeout str": ({"connect_timeout": "5"}, TypeError, ("connect_timeout", "str")),
    "timeout bool": ({"request_timeout": True}, TypeError, ("request_timeout", "bool")),
    "leeway negative": ({"clock_leeway": -1}, ValueError, ("clock_leeway", "0 and 86400")),
    "leeway 2**64": ({"clock_leeway": 2**64}, ValueError, ("clock_leeway", "0 and 86400")),
    "leeway float": ({"clock_leeway": 1.5}, TypeError, ("clock_leeway", "int")),
    "attempts -1": ({"max_attempts": -1}, ValueError, ("max_attempts", "1 and 100")),
    "attempts 0": ({"max_attempts": 0}, ValueError, ("max_attempts", "1 and 100")),
    "attempts 2**40": ({"max_attempts": 2**40}, ValueError, ("max_attempts", "1 and 100")),
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
