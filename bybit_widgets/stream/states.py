"""What a feed reports, sans-I/O: the one enum of connection states (feeds, subscriptions, connections
and widgets) and the counters of :class:`FeedStats`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ConnState", "FeedStats", "STATES"]


class ConnState(StrEnum):
    """The one vocabulary of connection states: feeds, subscriptions, connections and widgets use it, and
    the front end's labels are checked equal to it (tests/widgets/test_states.py); widgets add one view
    state of their own, ``lagging`` (widgets/flow.py). A member equals its string, so ``state == "live"``
    and the JSON sent to the browser are unchanged."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    RECONNECTING = "reconnecting"
    RESYNCING = "resyncing"
    CLOSED = "closed"


STATES = tuple(ConnState)


@dataclass(frozen=True)
class FeedStats:
    """Counters of one subscription (shared by its feeds) plus this feed's callback errors.

    - ``messages``: data messages routed to the topic
    - ``gaps``: sequence gaps detected (order books)
    - ``resyncs``: resubscriptions made to get a fresh snapshot
    - ``reconnects``: times the connection was re-established after a loss
    - ``errors``: bad frames or messages attributed to the topic, refusals, auth failures
    - ``callback_errors``: exceptions raised by this feed's callbacks
    - ``duplicates``: stale or duplicate messages ignored (``u`` not above the book's)
    - ``dropped``: messages discarded while waiting for a snapshot
    - ``resets``: snapshots that took a live book's ``u`` backwards (``u=1``: the service restarted)
    - ``last_message_age``: seconds since the last message of the topic, ``None`` before the first
    """

    messages: int = 0
    gaps: int = 0
    resyncs: int = 0
    reconnects: int = 0
    errors: int = 0
    callback_errors: int = 0
    duplicates: int = 0
    dropped: int = 0
    resets: int = 0
    last_message_age: float | None = None
