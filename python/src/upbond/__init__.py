"""upbond: UPBOND Login 3.0 for Python, on the upbond-login Rust core.

>>> import upbond
>>> client = upbond.Client("https://login.example.com", "my-service",
...                        client_secret="...")
>>> tokens = client.client_credentials(["api:read"])

``upbond.Client`` blocks; ``upbond.AsyncClient`` (or ``client.aio``) is its asyncio twin.
Every failure raises a subclass of :class:`upbond.UpbondError`. ``upbond.set_debug(True)``
(or ``upbond.debug = True``) logs each request and response, redacted, to ``logging``.
"""

from __future__ import annotations

import sys
import types

from . import _handles, _logging  # noqa: F401  (_handles guards native objects)
from ._call import switch as _switch
from ._client import AsyncClient, CancelToken, Client
from ._errors import *  # noqa: F401,F403  (one class per catalog code)
from ._errors import UpbondError, error_class
from ._logging import is_debug, set_debug
from ._session import AsyncSession, Session, SignOut
from ._stores import FileStore, KeyringStore, MemoryStore, TokenStore
from ._types import (
    AuthorizationRequest,
    CatalogEntry,
    DeviceAuthorization,
    DoctorCheck,
    DoctorReport,
    EndpointStats,
    IdTokenClaims,
    MetricsSnapshot,
    PendingAuthorization,
    SessionRecord,
    TokenSet,
    UserInfo,
    UserProfile,
    catalog,
    explain,
    normalize_user_code,
)

__version__ = "0.1.0"

_logging.install()


class _Module(types.ModuleType):
    """Makes ``upbond.debug`` a switch, as UPBOND's documentation shows."""

    @property
    def debug(self) -> bool:
        """Whether debug logging is on; assign to switch it."""
        return is_debug()

    @debug.setter
    def debug(self, enabled: bool) -> None:
        set_debug(_switch(enabled, "upbond.debug"))


sys.modules[__name__].__class__ = _Module
debug: bool
