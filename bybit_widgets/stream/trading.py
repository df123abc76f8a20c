"""Trade-stream (``/v5/trade``) requests without I/O: each ``reqId`` to its reply, its timeout or its loss.

Decision: a request is never resent. Without an answer (a timeout, a lost socket) the order
may exist anyway, so the outcome is a :class:`TransportError` that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..protocol.codec import encode
from ..protocol.errors import ErrorContext, TransportError, error_for

__all__ = ["TradeOutcome", "TradeRequests", "UNKNOWN_OUTCOME"]

UNKNOWN_OUTCOME = (
    "The request may or may not have been executed: look the order up by its orderLinkId before sending it again."
)


@dataclass(frozen=True)
class TradeOutcome:
    """The end of one trade request: the whole reply (``retExtInfo`` included), or the error to raise."""

    req_id: str
    reply: dict | None
    error: BaseException | None


class TradeRequests:
    """The trade requests sent on one socket and not yet answered; times are monotonic seconds."""

    def __init__(self, next_id: Callable[[], int]) -> None:
        self._next_id = next_id
        self._pending: dict[str, tuple[str, float, float]] = {}  # reqId -> (op, timeout, deadline)

    def __len__(self) -> int:
        return len(self._pending)

    def frame(
        self, op: str, params: dict, *, stamp_ms: int, recv_window: int, timeout: float, deadline: float
    ) -> tuple[str, str]:
        """Register one request; return its ``reqId`` and the frame to send."""
        req_id = f"t{self._next_id()}"
        self._pending[req_id] = (op, timeout, deadline)
        header = {"X-BAPI-TIMESTAMP": str(stamp_ms), "X-BAPI-RECV-WINDOW": str(recv_window)}
        return req_id, encode({"reqId": req_id, "header": header, "op": op, "args": [params]}).decode()

    def match(self, message: dict) -> TradeOutcome | None:
        """The outcome ``message`` brings, if it answers one of ours (a junk ``reqId``, e.g. a list, is none)."""
        req_id = message.get("reqId")
        if type(req_id) is not str or req_id not in self._pending:
            return None
        op, _, _ = self._pending.pop(req_id)
        code = message.get("retCode")
        if code:
            error = error_for(code, str(message.get("retMsg", "")), ErrorContext(endpoint=op))
            return TradeOutcome(req_id, None, error)
        return TradeOutcome(req_id, message, None)

    def expire(self, now: float) -> list[TradeOutcome]:
        """The requests whose deadline has come, each failed with a timeout."""
        out = []
        for req_id, (op, timeout, deadline) in tuple(self._pending.items()):
            if now >= deadline:
                del self._pending[req_id]
                error = TransportError(f"no reply to {op} within {timeout:g} s", hint=UNKNOWN_OUTCOME)
                out.append(TradeOutcome(req_id, None, error))
        return out

    def abandon(self, name: str) -> list[TradeOutcome]:
        """The socket is gone: every request still waiting fails."""
        error = TransportError(f"the {name} connection was lost before the reply", hint=UNKNOWN_OUTCOME)
        out = [TradeOutcome(req_id, None, error) for req_id in self._pending]
        self._pending.clear()
        return out

    def next_deadline(self) -> float | None:
        return min((deadline for _, _, deadline in self._pending.values()), default=None)

    def forget(self, req_id: str) -> None:
        """The caller stopped waiting (cancelled): the reply, if it comes, is nobody's."""
        self._pending.pop(req_id, None)
