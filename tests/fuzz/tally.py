"""Counts of what the fuzz tests fed in and what became of it, for the results table.

``rejected``: the input was refused the documented way (a named error, a
counted bad frame, an error reply); ``accepted``: it was valid and applied or
answered; ``crashed``: anything else (an unexpected exception, a safety net
catching an internal error, an HTTP 500). The tests assert zero crashes; the
table shows how much was tried.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Tally", "TALLIES", "tally"]


@dataclass
class Tally:
    target: str
    what: str  # how inputs were made
    counts: Counter[str] = field(default_factory=Counter)

    def __call__(self, outcome: str, n: int = 1) -> None:
        assert outcome in ("rejected", "accepted", "crashed"), outcome
        self.counts["tried"] += n
        self.counts[outcome] += n

    def row(self) -> list[object]:
        c = self.counts
        return [self.target, self.what, c["tried"], c["rejected"], c["accepted"], c["crashed"]]


TALLIES: dict[str, Tally] = {}


def tally(target: str, what: str) -> Tally:
    """The tally of ``target`` (one per fuzzed surface), created on first use."""
    if target not in TALLIES:
        TALLIES[target] = Tally(target, what)
    return TALLIES[target]
