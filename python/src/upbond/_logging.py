"""Routes the SDK's (redacted) log messages to the standard :mod:`logging` module."""

from __future__ import annotations

import logging

from ._call import switch
from ._native import upbond_ffi as _native

#: Level of the core's most verbose messages (redacted bodies).
TRACE = 5

_LEVELS = {
    _native.LogLevel.ERROR: logging.ERROR,
    _native.LogLevel.WARN: logging.WARNING,
    _native.LogLevel.INFO: logging.INFO,
    _native.LogLevel.DEBUG: logging.DEBUG,
    _native.LogLevel.TRACE: TRACE,
}

logger = logging.getLogger("upbond")


def _level(level: "_native.LogLevel", message: str) -> int:
    """The :mod:`logging` level of a core message. Unless debug logging is on, the core's
    reports of failed calls (ERROR: the same failure is raised to the caller) and of retried
    attempts (WARN: the call goes on, and raises if it fails in the end) are DEBUG records:
    a library must not print warnings about errors the app handles. Other warnings (a
    skewed clock, a session file others could read) keep their level."""
    if not _native.is_debug():
        if level == _native.LogLevel.ERROR:
            return logging.DEBUG
        if level == _native.LogLevel.WARN and "; retrying in " in message:
            return logging.DEBUG
    return _LEVELS.get(level, logging.INFO)


class _LoggingBridge(_native.Logger):
    def log(self, level: "_native.LogLevel", target: str, message: str) -> None:
        name = target.replace("upbond_core", "upbond").replace("::", ".")
        logging.getLogger(name).log(_level(level, message), "%s", message)


def install() -> None:
    """Sends every native log message to ``logging`` (logger ``upbond`` and children)."""
    _native.set_logger(_LoggingBridge())


def set_debug(enabled: bool) -> None:
    """Turns debug logging on or off: each request and response (redacted) is logged at
    DEBUG on the ``upbond`` logger. With no logging configured, a stderr handler is added.
    ``enabled`` is ``True`` or ``False`` (anything else is a ``TypeError``)."""
    _native.set_debug(switch(enabled, "enabled"))
    logger.setLevel(logging.DEBUG if enabled else logging.NOTSET)
    if enabled and not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def is_debug() -> bool:
    """Whether debug logging is on."""
    return _native.is_debug()
