"""The one exception the engine raises for a refused request.

The server turns a :class:`SimError` into the v5 envelope verbatim, so
``ret_code`` and ``ret_msg`` are exactly what a Bybit client would read.
"""

from __future__ import annotations

__all__ = ["SimError", "param_error"]


class SimError(Exception):
    """A business refusal with Bybit's ``retCode`` and a Bybit-like ``retMsg``."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        super().__init__(ret_code, ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg

    def __str__(self) -> str:
        return f"{self.ret_code}: {self.ret_msg}"


def param_error(message: str) -> SimError:
    """10001: what a missing, mistyped or out-of-range parameter gets on Bybit."""
    return SimError(10001, message)
