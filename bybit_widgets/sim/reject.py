"""A refusal decided by the server layer (auth, limits, parsing), before the engine.

The engine raises its own ``SimError`` for business rules; the transport
raises :class:`Reject` for what Bybit's gateway refuses. Both become the same
envelope, but a ``Reject`` can also carry a non-200 HTTP status (401, 403,
404), which business errors never do.
"""

from __future__ import annotations

__all__ = ["Reject"]


class Reject(Exception):
    """``ret_code``/``ret_msg`` as Bybit would answer; ``http_status`` 200 for business-style errors."""

    def __init__(self, ret_code: int, ret_msg: str, http_status: int = 200) -> None:
        super().__init__(f"{ret_code}: {ret_msg}")
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.http_status = http_status
