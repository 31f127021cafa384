"""Native objects (client, session, cancel token) hold a handle to Rust memory.

A copy shares that handle (the Rust side is reference-counted and thread-safe), and pickling is
refused: a handle means nothing in another process. Without this, ``copy.deepcopy`` or
``pickle`` duplicated the raw handle and the process crashed when both copies were freed.
"""

from __future__ import annotations

import inspect
from typing import Any, NoReturn, Optional

from ._native import upbond_ffi as _native


def _share(self: Any, memo: Optional[dict] = None) -> Any:
    return self


def _refuse(self: Any) -> NoReturn:
    raise TypeError(
        f"{type(self).__name__} holds a native handle and cannot be pickled; "
        "create a new one in the other process"
    )


for _cls in vars(_native).values():
    if inspect.isclass(_cls) and hasattr(_cls, "_uniffi_clone_handle"):
        _cls.__copy__ = _share
        _cls.__deepcopy__ = _share
        _cls.__reduce__ = _refuse
