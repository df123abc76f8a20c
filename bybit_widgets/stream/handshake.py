"""Private-stream authentication without I/O: the auth frame, its reply, and one clock correction.

Bybit refuses an auth frame whose ``expires`` is in its past, and a wrong local clock is the
usual cause of a refusal. Decision: on the first refusal, learn the server's time from a ping
(private and trade pongs carry it in ms), correct the clock and try once more; a second
refusal is final. The wall clock is read once per connection (``Link.wall_ms``); the stamps of
this exchange, a few seconds long, are extrapolated from it with the monotonic clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..protocol.codec import encode
from ..protocol.errors import AuthError, error_for
from ..protocol.signing import Credentials

__all__ = ["Handshake", "Step"]

log = logging.getLogger("bybit_widgets.stream")


@dataclass(frozen=True)
class Step:
    """What the handshake wants after an input: nothing, a frame sent, success, or failure."""

    send: str | None = None  # a frame to send
    done: bool = False  # authenticated
    error: AuthError | None = None  # refused for good
    dead: str | None = None  # no reply in time: give up on the socket with this reason
    clock_fix_ms: float | None = None  # a new clock correction, measured from the server's pong


class Handshake:
    """One authentication, ``auth`` -> (refused: ``clock`` -> ``retry``) -> ``done``; times are monotonic s."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        name: str,
        window_ms: int,
        timeout: float,
        id_key: str,
        next_id: Callable[[], int],
    ) -> None:
        self._credentials = credentials
        self._name = name
        self._window_ms = window_ms
        self._timeout = timeout
        self._id_key = id_key  # the trade stream calls it reqId, the private stream req_id
        self._next_id = next_id
        self.stage = "auth"
        self.deadline: float | None = None
        self._ping_wall_ms = 0.0

    def start(self, now: float, wall_ms: float, clock_fix_ms: float) -> Step:
        return self._auth(now, wall_ms, clock_fix_ms, "auth")

    def on_auth_reply(self, reply: dict, now: float, wall_ms: float) -> Step:
        if self.stage not in ("auth", "retry"):
            return Step()  # a stray auth reply
        if reply.get("success") is True or reply.get("retCode") == 0:
            self.stage, self.deadline = "done", None
            return Step(done=True)
        if self.stage == "auth":
            self.stage, self.deadline, self._ping_wall_ms = "clock", now + self._timeout, wall_ms
            request = {self._id_key: f"pong-{self._next_id()}", "op": "ping"}
            return Step(send=encode(request).decode())
        self.stage, self.deadline = "failed", None
        return Step(error=_auth_error(self._name, reply))

    def on_pong(self, reply: dict, now: float, wall_ms: float, clock_fix_ms: float) -> Step:
        if self.stage != "clock":
            return Step()
        stamp = (reply.get("args") or reply.get("data") or [None])[0]
        try:
            server_ms = float(stamp)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return self._auth(now, wall_ms, clock_fix_ms, "retry")  # no time in it: retry as we are
        fix = server_ms - (self._ping_wall_ms + wall_ms) / 2.0
        if abs(fix - clock_fix_ms) > 500:
            log.warning(
                "%s: the clock used for auth is %.0f ms %s the server's; correcting",
                self._name,
                abs(fix),
                "behind" if fix > 0 else "ahead of",
            )
        step = self._auth(now, wall_ms, fix, "retry")
        return Step(send=step.send, clock_fix_ms=fix)

    def expire(self, now: float, wall_ms: float, clock_fix_ms: float) -> Step:
        """Past the deadline: an unanswered ping retries as we are, an unanswered auth ends the socket."""
        if self.deadline is None or not now > self.deadline:
            return Step()
        if self.stage == "clock":
            return self._auth(now, wall_ms, clock_fix_ms, "retry")
        self.stage, self.deadline = "failed", None
        return Step(dead=f"no authentication reply within {self._timeout:g} s")

    def _auth(self, now: float, wall_ms: float, clock_fix_ms: float, stage: str) -> Step:
        self.stage, self.deadline = stage, now + self._timeout
        expires = int(wall_ms + clock_fix_ms) + self._window_ms
        signature = self._credentials.sign_ws_auth(expires)
        request = {
            self._id_key: f"auth-{self._next_id()}",
            "op": "auth",
            "args": [self._credentials.api_key, expires, signature],
        }
        return Step(send=encode(request).decode())


def _auth_error(name: str, reply: dict) -> AuthError:
    code = reply.get("retCode")
    code = code if isinstance(code, int) and code else None
    message = str(reply.get("ret_msg") or reply.get("retMsg") or "refused")
    if code is not None:
        error = error_for(code, message)
        if isinstance(error, AuthError):
            return error
    return AuthError(
        f"{name} stream authentication failed: {message}",
        code,
        hint="Check that the API key and secret belong to this environment (testnet, demo, mainnet) and that "
        "the key is enabled. The client already corrected its clock from the server's time and retried.",
    )
