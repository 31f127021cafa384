"""Runs the native coroutines for the blocking API.

Each calling thread drives its own private event loop, so a blocking call costs no thread
hop and many threads run their calls in parallel. A thread whose own event loop is already
running (blocking API called from async code) hands the call to one shared background loop.

After ``os.fork()`` the child starts with no loops: the inherited ones share their selector
and wake-up socket with the parent's (and the background loop's thread does not exist in the
child), so they are set aside unclosed, since closing them would unregister the parent's
sockets. The native library starts its own runtime and connection pool in the child.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, Awaitable, Callable, Coroutine, List, Optional, TypeVar

T = TypeVar("T")


class _OwnedLoop:
    """An event loop closed when its owner (one thread's local storage) lets it go; in a
    forked child, the parent's loop is set aside instead."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()

    def __del__(self) -> None:
        if self.pid == os.getpid():
            self.loop.close()
        else:
            _inherited.append(self.loop)


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
#: Loops inherited from the parent process, kept so that they are never closed here.
_inherited: List[Any] = []


def _after_fork_in_child() -> None:
    """Starts the child without loops (see the module doc) and with a new lock, which a
    parent thread may have held at the fork."""
    global _thread_loop, _lock, _background
    _inherited.append(_background)
    _thread_loop = _ThreadLoop()  # the old loops go through _OwnedLoop.__del__: set aside
    _lock = threading.Lock()
    _background = None


os.register_at_fork(after_in_child=_after_fork_in_child)


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
