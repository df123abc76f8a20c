"""Reconnect delays: exponential growth with jitter.

Why jitter: after an exchange-side outage every client reconnects at once;
randomising each delay spreads the herd (Bybit also limits new connections to
500 per 5 minutes per domain). Why a cap: a user watching a notebook wants the
feed back within seconds once the network returns, not after an hour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """Delay before reconnect attempt ``n`` (0-based): ``min(maximum, initial * factor**n)``,
    reduced by up to ``jitter`` of itself at random ("equal jitter": never zero, never above the cap).

    Tests pass tiny values (``Backoff(initial=0.01, maximum=0.05)``) so recovery is fast.
    """

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if not self.initial >= 0 or not self.maximum >= self.initial:
            raise ValueError(
                f"backoff needs 0 <= initial <= maximum, got initial={self.initial}, maximum={self.maximum}"
            )
        if not self.factor >= 1:
            raise ValueError(f"backoff factor must be >= 1, got {self.factor}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"backoff jitter must be within [0, 1], got {self.jitter}")

    def ceiling(self, attempt: int) -> float:
        """The delay of attempt ``attempt`` before jitter."""
        if attempt < 0:
            raise ValueError("attempt must be >= 0")
        # Cap the exponent so huge attempt counts never overflow a float.
        return min(self.maximum, self.initial * self.factor ** min(attempt, 64))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = self.ceiling(attempt)
        r = (rng or random).random()
        return ceiling * (1.0 - self.jitter * r)
