"""Runs the native coroutines for the blocking API.

Each calling thread drives its own private event loop, so a blocking call costs no thread
hop and many threads run their calls in parallel. A thread whose own event loop is already
running (blocking API called from async code) hands the call to one shared background loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable, Coroutine, Optional, TypeVar

T = TypeVar("T")


class _OwnedLoop:
    """An event loop closed when its owner (one thread's local storage) lets it go."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


class _ThreadLoop(threading.local):
    """This thread's private loop; the thread's local storage dies with the thread."""

    owned: Optional[_OwnedLoop] = None

    def get(self) -> asyncio.AbstractEventLoop:
        if self.owned is None:
            self.owned = _OwnedLoop()
        return self.owned.loop


_thread_loop = _ThreadLoop()
_lock = threading.Lock()
_background: Optional[asyncio.AbstractEventLoop] = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _background
    with _lock:
        if _background is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="upbond-runner", daemon=True).start()
            _background = loop
        return _background


def run(make: Callable[[], Awaitable[T]]) -> T:
    """Runs the awaitable made by ``make`` to completion and returns its result. An
    interrupt (Ctrl-C) cancels the native call before it propagates."""

    async def call() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(call())
    future = asyncio.run_coroutine_threadsafe(call(), _background_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def _run_here(coroutine: Coroutine[Any, Any, T]) -> T:
    loop = _thread_loop.get()
    task = loop.create_task(coroutine)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        if not task.done():  # interrupted: cancel, and let the native future be freed
            task.cancel()
            loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        raise
