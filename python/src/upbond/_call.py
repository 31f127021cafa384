"""Awaits a native call and turns native errors into the :mod:`upbond` exceptions; checks
arguments before they reach the native module.

A bad argument raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value) naming the
argument and what it accepts, never its value (it may be a secret).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Awaitable, Callable, List, Optional, Sequence, Type, TypeVar, Union

from ._errors import from_native
from ._native import upbond_ffi as _native

T = TypeVar("T")

#: Longest timeout accepted, in seconds (one day).
MAX_TIMEOUT_SECS = 86_400
#: Largest clock leeway accepted, in seconds (one day).
MAX_LEEWAY_SECS = 86_400
#: Most attempts per request accepted.
MAX_ATTEMPTS = 100
#: Longest ``min_ttl`` of a session's access token, in seconds (one day).
MAX_MIN_TTL_SECS = 86_400
#: Largest whole number the native side carries (Unix times, intervals).
U64_MAX = 2**64 - 1


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


def _type_name(value: object) -> str:
    return type(value).__name__


def text(value: object, name: str) -> str:
    """``value`` if it is a ``str`` the native side can carry: no NUL character (C strings,
    headers and files end there) and no lone surrogate (not encodable as UTF-8)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_type_name(value)}")
    if "\0" in value:
        raise ValueError(f"{name} must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} must be valid Unicode text (it has a lone surrogate)") from None
    return value


def optional_text(value: object, name: str) -> Optional[str]:
    """``None``, or ``value`` checked by :func:`text`."""
    return None if value is None else text(value, name)


def texts(value: object, name: str, accepts: str = "a sequence of str") -> List[str]:
    """``value``, an iterable of ``str`` each checked by :func:`text`, as a list."""
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be {accepts}, not {_type_name(value)}")
    return [text(item, f"each item of {name}") for item in value]


def scopes(value: Union[str, Sequence[str], None], name: str = "scopes") -> List[str]:
    """Scopes as a list: a space-separated ``str`` or an iterable of ``str`` (``None``: none)."""
    if value is None:
        return []
    if isinstance(value, str):
        return text(value, name).split()
    return texts(value, name, "a str or a sequence of str")


def millis(value: object, name: str) -> Optional[int]:
    """A duration in seconds (``int`` or ``float``) as whole milliseconds; ``None`` stays
    ``None``. Accepted: from 0.001 to one day (NaN and infinities are out of range)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {_type_name(value)}")
    if not 0.001 <= value <= MAX_TIMEOUT_SECS:  # exact for any int; False for NaN
        raise ValueError(f"{name} must be between 0.001 and {MAX_TIMEOUT_SECS} seconds")
    return max(1, round(value * 1000))


def whole(value: object, name: str, low: int = 0, high: int = U64_MAX) -> int:
    """An ``int`` (not a ``bool``) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {_type_name(value)}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


def optional_whole(value: object, name: str, low: int = 0, high: int = U64_MAX) -> Optional[int]:
    """``None``, or ``value`` checked by :func:`whole`."""
    return None if value is None else whole(value, name, low, high)


def switch(value: object, name: str) -> bool:
    """``True`` or ``False``, nothing else (not ``0``, ``1`` or ``"yes"``)."""
    if isinstance(value, bool):
        return value
    raise TypeError(f"{name} must be True or False, not {_type_name(value)}")


def flag(value: object, name: str) -> Optional[bool]:
    """``True``, ``False`` or ``None``."""
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(f"{name} must be True, False or None, not {_type_name(value)}")


def instance(value: object, cls: Type[T], name: str) -> T:
    """``value`` if it is a ``cls`` (one of the package's classes, e.g. ``TokenSet``)."""
    if not isinstance(value, cls):
        article = "an" if cls.__name__[0] in "AEIOU" else "a"
        raise TypeError(f"{name} must be {article} {cls.__name__}, not {_type_name(value)}")
    return value
