#!/usr/bin/env python3
"""Benchmark (not a test): upbond versus Authlib (httpx client) against one emulator.

Measures, per call: a client-credentials token, a userinfo call with a user's access token,
and a cached ``session.access_token()`` through the binding (blocking and asyncio). Prints
the medians and the ratios upbond / Authlib.

    python bench/compare_authlib.py [--issuer http://127.0.0.1:PORT] [--rounds 300]

Without --issuer it starts the emulator binary (UPBOND_EMULATOR_BIN or the cargo target dir).
Needs: pip install authlib httpx, and the upbond wheel (a release build for fair figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Callable, List, Optional

from authlib.integrations.httpx_client import OAuth2Client

import upbond

SERVICE, SECRET = "demo-service", "demo-service-secret"


def start_emulator() -> "tuple[str, subprocess.Popen]":
    repo = Path(__file__).resolve().parents[2]
    binary = os.environ.get("UPBOND_EMULATOR_BIN") or str(
        Path(os.environ.get("CARGO_TARGET_DIR", repo / "target")) / "debug" / "upbond-emulator"
    )
    process = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().split("issuer: ", 1)[1].strip(), process


def hook(issuer: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{issuer}/_emulator/{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"{}")


def median_us(call: Callable[[], object], rounds: int) -> float:
    return medians_us([call], rounds)[0]


def medians_us(calls: List[Callable[[], object]], rounds: int) -> List[float]:
    """Median time of each call in microseconds; the calls alternate round by round so that
    load changes on the machine affect them alike."""
    for _ in range(min(20, rounds)):  # warm up connections and caches
        for call in calls:
            call()
    samples: List[List[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, times in zip(calls, samples):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) * 1e6 for times in samples]


def user_access_token(issuer: str) -> str:
    app = upbond.Client(issuer, "demo-app", redirect_uri="http://127.0.0.1/callback")
    request = app.begin_authorization()
    callback = hook(issuer, "authorize", {"url": request.url})["redirect_url"]
    return app.complete_authorization(request.pending, callback).access_token


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuer")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)
    process = None
    issuer = args.issuer
    if issuer is None:
        issuer, process = start_emulator()
    try:
        run(issuer, args.rounds)
    finally:
        if process is not None:
            process.terminate()


def run(issuer: str, rounds: int) -> None:
    hook(issuer, "settings", {"rate_limits": False})
    upbond_client = upbond.Client(issuer, SERVICE, client_secret=SECRET, rate_budgets=False)
    discovery = upbond_client.discover()
    token_url, userinfo_url = discovery["token_endpoint"], discovery["userinfo_endpoint"]
    access_token = user_access_token(issuer)
    user_client = upbond.Client(issuer, "demo-app", rate_budgets=False)

    authlib_service = OAuth2Client(SERVICE, SECRET, token_endpoint_auth_method="client_secret_basic")
    authlib_user = OAuth2Client(token={"access_token": access_token, "token_type": "Bearer"})

    def authlib_userinfo() -> dict:
        answer = authlib_user.get(userinfo_url)
        answer.raise_for_status()
        return answer.json()

    figures = {
        "client credentials": medians_us([
            lambda: upbond_client.client_credentials(["api:read"]),
            lambda: authlib_service.fetch_token(
                token_url, grant_type="client_credentials", scope="api:read"),
        ], rounds),
        "userinfo": medians_us(
            [lambda: user_client.userinfo(access_token), authlib_userinfo], rounds
        ),
    }
    print(f"{'call':<22}{'upbond µs':>12}{'Authlib µs':>12}{'ratio':>8}")
    for name, (ours, theirs) in figures.items():
        print(f"{name:<22}{ours:>12.0f}{theirs:>12.0f}{ours / theirs:>8.2f}")

    session = upbond_client.session()
    session.sign_in(upbond_client.client_credentials())
    blocking = median_us(session.access_token, rounds * 10)

    async def cached_async() -> float:
        aio = session.aio
        for _ in range(20):
            await aio.access_token()
        samples = []
        for _ in range(rounds * 10):
            started = time.perf_counter()
            await aio.access_token()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1e6

    print(f"cached session.access_token(): blocking {blocking:.1f} µs, "
          f"asyncio {asyncio.run(cached_async()):.1f} µs per call")


if __name__ == "__main__":
    main()
