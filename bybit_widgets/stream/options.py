"""The stream layer's knobs and per-connection counters: plain values, shared by the session and its socket."""

from __future__ import annotations

from dataclasses import dataclass, field

from .backoff import Backoff

__all__ = ["StreamOptions", "ConnectionStats"]


@dataclass(frozen=True)
class StreamOptions:
    """Timing and size knobs. Defaults follow Bybit's guidance; tests shrink them to run fast."""

    ping_interval: float = 20.0  # Bybit: send a JSON ping every 20 s
    pong_timeout: float = 10.0  # no pong within this -> the socket is dead, reconnect
    watchdog: float | None = 30.0  # a live book/ticker silent this long is probed (None: off)
    backoff: Backoff = field(default_factory=Backoff)
    open_timeout: float = 10.0  # TCP + TLS + WebSocket handshake
    auth_timeout: float = 10.0  # wait for the auth reply
    auth_window_ms: int = 10_000  # private auth: expires = server now + this
    subscribe_timeout: float = 10.0  # a subscribe must be answered (a book: with its snapshot) within this
    max_message_bytes: int = 8 * 1024 * 1024  # larger frames are skipped (and counted)
    linger: float = 5.0  # keep an unused connection this long before closing it
    close_timeout: float = 2.0

    def __post_init__(self) -> None:
        for name in ("ping_interval", "pong_timeout", "open_timeout", "auth_timeout", "subscribe_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.watchdog is not None and not self.watchdog > 0:
            raise ValueError(f"watchdog must be > 0 seconds or None, got {self.watchdog!r}")
        if not self.linger >= 0 or not self.max_message_bytes > 0 or not self.auth_window_ms > 0:
            raise ValueError("linger must be >= 0, max_message_bytes and auth_window_ms > 0")

    @property
    def tick(self) -> float:
        """The longest the heartbeat sleeps between two looks at the session: a quarter of the tightest deadline."""
        tightest = min(self.ping_interval, self.pong_timeout, self.watchdog or self.ping_interval)
        return max(0.005, min(1.0, tightest / 4))


@dataclass
class ConnectionStats:
    frames: int = 0
    bad_frames: int = 0  # malformed, oversized, or unusable frames
    unrouted: int = 0  # data for topics nobody subscribes (late data after an unsubscribe, unknown topics)
    error_replies: int = 0  # success:false replies other than subscription refusals
    connects: int = 0
    reconnects: int = 0
    pings: int = 0
    pongs: int = 0
    last_error: str | None = None
