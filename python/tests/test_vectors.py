"""The shared conformance vectors (tests/vectors/*.json), as bindings/tests/vectors.rs runs
them: each answer is served once at the token endpoint during a client-credentials call."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

import upbond
from conftest import VECTORS, Emulator


def load(name: str) -> list:
    return json.loads((VECTORS / name).read_text())["vectors"]


def serve(emulator: Emulator, client: upbond.Client, response: Dict[str, Any]) -> upbond.TokenSet:
    emulator.fault(**response)
    return client.client_credentials()


@pytest.fixture
def client(service: upbond.Client) -> upbond.Client:
    service.discover()  # so that the fault hits the token request
    return service


@pytest.mark.parametrize("vector", load("errors.json"), ids=lambda v: v["name"])
def test_error_vector(emulator: Emulator, client: upbond.Client, vector: Dict[str, Any]) -> None:
    with pytest.raises(upbond.UpbondError) as caught:
        serve(emulator, client, vector["response"])
    e, want = caught.value, vector["expect"]
    assert type(e) is upbond.error_class(want["code"])
    retry_after_ms = None if e.retry_after is None else round(e.retry_after * 1000)
    got = {"code": e.code, "retryable": e.retryable,
           "reauthentication_required": e.reauthentication_required,
           "retry_after_ms": retry_after_ms, "status": e.status}
    assert got == {k: want[k] for k in got}
    if "detail_contains" in want:
        assert want["detail_contains"] in e.message


@pytest.mark.parametrize("vector", load("tokens.json"), ids=lambda v: v["name"])
def test_token_vector(emulator: Emulator, client: upbond.Client, vector: Dict[str, Any]) -> None:
    tokens = serve(emulator, client, vector["response"])
    want = vector["expect"]
    assert tokens.access_token == want["access_token"]
    assert tokens.refresh_token == want["refresh_token"]
    assert tokens.scopes == want["scopes"]
    if want["expires_in"] is None:
        assert tokens.expires_in is None
    else:
        assert tokens.expires_in is not None
        assert abs(tokens.expires_in - want["expires_in"]) <= 5
