"""One order per intent: the guard every order gesture passes (a submit, a confirm, and later a
ladder shift-click or a dragged order line).

A gesture may start an order only when no order of that widget is in flight and the last one's
outcome is at least ``hold`` seconds old. Refusing only while in flight is not enough: the
embedded exchange answers a market order in well under 100 ms, and a person's double click is
two clicks about 150 ms apart, so the second click used to arrive after the first order had
filled and placed a second one. One second after the outcome covers a double click and a
nervous second press, and is short enough not to stand in the way of the next deliberate order.

Sans-I/O: every call takes ``now`` (any monotonic clock, in seconds), so the rule is tested with
plain numbers; the widget owns the clock and the timer that ends the hold.
"""

from __future__ import annotations

HOLD_SECONDS = 1.0

__all__ = ["HOLD_SECONDS", "IntentGuard"]


class IntentGuard:
    """Admits one order gesture at a time, and none for ``hold`` seconds after each outcome."""

    def __init__(self, hold: float = HOLD_SECONDS) -> None:
        if hold < 0:
            raise ValueError(f"hold must be >= 0 seconds, got {hold}")
        self.hold = hold
        self.in_flight = False
        self.refused = 0  # gestures that placed nothing because of this guard
        self._done_at: float | None = None

    def allows(self, now: float) -> bool:
        """Whether a gesture may go on towards an order now; a refusal is counted."""
        if self.holding(now):
            self.refused += 1
            return False
        return True

    def begin(self, now: float) -> bool:
        """A gesture places its order: True (it is now in flight) or False (refused, counted)."""
        if not self.allows(now):
            return False
        self.in_flight = True
        return True

    def finish(self, now: float) -> None:
        """The order's outcome arrived (accepted, rejected or failed): hold for ``hold`` seconds from ``now``."""
        self.in_flight = False
        self._done_at = now

    def holding(self, now: float) -> bool:
        """True while a gesture would be refused: in flight, or within ``hold`` of the last outcome."""
        return self.in_flight or (self._done_at is not None and now < self._done_at + self.hold)

    def release_at(self) -> float | None:
        """When the hold after the last outcome ends; None while in flight or before any order."""
        if self.in_flight or self._done_at is None:
            return None
        return self._done_at + self.hold
