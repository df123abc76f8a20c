"""The simulator's server clock: wall time plus an injectable skew.

Every timestamp the simulator shows or checks (the envelope ``time``, the
recv-window rule, ``ts``/``creationTime`` on streams, the engine's order
times) reads this one clock, so a ``clock_skew`` fault moves all of them
together, as a badly synchronised exchange host would.
"""

from __future__ import annotations

import time

__all__ = ["SimClock"]


class SimClock:
    """Milliseconds since the epoch as the simulated exchange sees them."""

    __slots__ = ("skew_ms",)

    def __init__(self, skew_ms: int = 0) -> None:
        self.skew_ms = skew_ms

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.skew_ms

    def __call__(self) -> int:
        return self.now_ms()
