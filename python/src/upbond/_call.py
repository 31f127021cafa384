"""Awaits a native call and turns native errors into the :mod:`upbond` exceptions."""

from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

from ._errors import from_native
from ._native import upbond_ffi as _native

T = TypeVar("T")


async def call(awaitable: Awaitable[T]) -> T:
    """The result of a native coroutine, with native errors converted."""
    try:
        return await awaitable
    except (_native.UpbondError, _native.InternalError) as e:
        raise from_native(e) from None


def call_sync(function: Callable[[], T]) -> T:
    """The result of a blocking native call, with native errors converted."""
    try:
        return function()
    except (_native.UpbondError, _native.InternalError) as e:
        raise from_native(e) from None
