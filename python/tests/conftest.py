"""Starts the upbond-emulator binary for each test and offers its test hooks."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import upbond

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


def emulator_binary() -> str:
    """UPBOND_EMULATOR_BIN, else the debug build in CARGO_TARGET_DIR or target/."""
    explicit = os.environ.get("UPBOND_EMULATOR_BIN")
    if explicit:
        return explicit
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        candidate = target / profile / "upbond-emulator"
        if candidate.exists():
            return str(candidate)
    pytest.fail("build the emulator first (cargo build -p upbond-emulator) or set UPBOND_EMULATOR_BIN")


class Emulator:
    """A running emulator: ``issuer`` and ``hook(...)`` for /_emulator/ calls."""

    def __init__(self, issuer: str, process: subprocess.Popen) -> None:
        self.issuer = issuer
        self.process = process

    def hook(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.issuer}/_emulator/{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                text = answer.read()
        except urllib.error.HTTPError as e:
            text = e.read()
        return json.loads(text) if text else None

    def fault(self, **fault: Any) -> None:
        fault.setdefault("path", "/oauth/token")
        fault.setdefault("times", 1)
        self.hook("POST", "faults", fault)

    def settings(self, **settings: Any) -> Any:
        return self.hook("POST", "settings", settings)

    def stats(self) -> Any:
        return self.hook("GET", "stats")

    def authorize(self, url: str, **options: Any) -> str:
        """Approves (or denies) an authorization URL; the redirect URL with code or error."""
        answer = self.hook("POST", "authorize", {"url": url, **options})
        return answer["redirect_url"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    process = subprocess.Popen(
        [emulator_binary(), "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("issuer: "), f"unexpected emulator output {line!r}"
        emu = Emulator(line[len("issuer: "):], process)
        emu.settings(rate_limits=False, device_interval_secs=1)
        yield emu
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def service(emulator: Emulator) -> upbond.Client:
    """The seeded confidential client, retries off so that a fault is seen once."""
    return upbond.Client(
        emulator.issuer, "demo-service", client_secret="demo-service-secret", max_attempts=1
    )


@pytest.fixture
def app(emulator: Emulator) -> upbond.Client:
    """The seeded public native app with a loopback redirect."""
    return upbond.Client(
        emulator.issuer, "demo-app", redirect_uri="http://127.0.0.1:53682/callback",
        post_logout_redirect_uri="http://127.0.0.1/signed-out",
    )


def sign_in(emulator: Emulator, client: upbond.Client, **options: Any) -> upbond.TokenSet:
    """A full authorization code sign-in of the demo user through the loopback redirect."""
    request = client.begin_authorization(**options)
    callback = emulator.authorize(request.url, email="demo-user@example.com")
    return client.complete_authorization(request.pending, callback)
