"""Many callers asking for a token while it is refreshed: one refresh request reaches the
issuer (counted at /_emulator/stats), and everyone gets the new token."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import upbond
from conftest import Emulator, sign_in

CALLERS = 32


def expiring_session(emulator: Emulator, client: upbond.Client) -> upbond.Session:
    """A session whose access token has 30 s left; the next refresh gives an hour."""
    emulator.settings(access_token_ttl_secs=30)
    session = client.session()
    session.sign_in(sign_in(emulator, client))
    emulator.settings(access_token_ttl_secs=3600)
    emulator.hook("DELETE", "stats")
    return session


def test_threads_share_one_refresh(app: upbond.Client, emulator: Emulator) -> None:
    session = expiring_session(emulator, app)
    old = session.access_token(min_ttl=0)
    barrier = threading.Barrier(CALLERS)

    def ask(_: int) -> str:
        barrier.wait()
        return session.access_token(min_ttl=60)

    with ThreadPoolExecutor(CALLERS) as pool:
        tokens = set(pool.map(ask, range(CALLERS)))
    assert len(tokens) == 1 and old not in tokens
    assert emulator.stats()["grants"].get("refresh_token") == 1


async def test_tasks_share_one_refresh(app: upbond.Client, emulator: Emulator) -> None:
    session = expiring_session(emulator, app).aio
    tokens = await asyncio.gather(*(session.access_token(min_ttl=60) for _ in range(CALLERS)))
    assert len(set(tokens)) == 1
    assert emulator.stats()["grants"].get("refresh_token") == 1


def test_threads_asking_more_than_the_token_lifetime_share_one_refresh(
    app: upbond.Client, emulator: Emulator
) -> None:
    emulator.settings(access_token_ttl_secs=60)  # every token lives 60 s
    session = app.session()
    signed_in = sign_in(emulator, app)
    session.sign_in(signed_in)
    emulator.hook("DELETE", "stats")
    barrier = threading.Barrier(20)

    def ask(_: int) -> set:
        barrier.wait()
        return {session.access_token(min_ttl=120) for _ in range(5)}  # more than 60 s

    with ThreadPoolExecutor(20) as pool:
        tokens = set().union(*pool.map(ask, range(20)))
    assert emulator.stats()["grants"].get("refresh_token") == 1
    assert len(tokens) == 1 and signed_in.access_token not in tokens
