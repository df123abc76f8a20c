"""The sans-I/O order book: Bybit v5 ``orderbook.{depth}.{symbol}`` snapshots and deltas.

Why this exists: the popular clients keep book sides as unsorted lists of
strings, never check the update id ``u`` and so drift silently after one lost
message. This book is always sorted, checks ``u`` continuity on every delta and
refuses anything that would make it wrong: a gap or a stale update id is
caught before the book is touched, and a message that turns out malformed or
crossed marks the book unsynced so that nobody reads it until a snapshot
replaces it. (A full undo log would cost about 20% of the throughput for an
event that a correct stream never produces; callers that must show something
meanwhile keep the last view they read, as :class:`bybit_widgets.stream.Feed` does.)

Layout, chosen for speed on a 200-level stream (see benchmarks/bench_orderbook.py):
per side a dict ``price string -> size string`` plus an ascending list of
float prices kept sorted with :mod:`bisect` and a ``float -> price string``
map. A size change at a known price, the bulk of a real stream, is one dict
store with no float conversion at all; only inserts and deletes parse the
price and touch the sorted list. Sizes are converted to floats when levels
are read (a view of the top N), not on every update. The best bid is the last
bid price, the best ask the first ask price, so the crossed-book guard costs
two index operations per message.

Rules implemented (reference section 6.3):

- a ``snapshot`` replaces the book (``u == 1`` is a snapshot after a service
  restart: same thing, tracking restarts);
- a ``delta`` must carry ``u == previous u + 1``; ``u <= previous`` is a stale
  or duplicate message and is ignored (``apply`` returns ``False``); a larger
  ``u`` raises :class:`SequenceGap` and the book waits for a snapshot;
- per level, size ``0`` deletes, an unknown price inserts, a known price
  replaces its size;
- a result with best bid >= best ask raises :class:`CrossedBook`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any

__all__ = [
    "OrderBook",
    "OrderBookError",
    "SequenceGap",
    "CrossedBook",
    "NotSynced",
    "MalformedBookMessage",
]

_INF = float("inf")


class OrderBookError(ValueError):
    """A book message that cannot be applied."""


class SequenceGap(OrderBookError):
    """A delta skipped update ids: at least one message was lost or reordered.

    Raised before anything is changed; the book then waits for a snapshot.
    """

    def __init__(self, expected: int, got: int) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"sequence gap: expected u={expected}, got u={got}")


class CrossedBook(OrderBookError):
    """The message left best bid >= best ask; the book waits for a snapshot."""

    def __init__(self, best_bid: float, best_ask: float, u: Any) -> None:
        self.best_bid = best_bid
        self.best_ask = best_ask
        self.u = u
        super().__init__(f"crossed book at u={u}: best bid {best_bid:g} >= best ask {best_ask:g}")


class NotSynced(OrderBookError):
    """A delta arrived while the book waits for a snapshot (at start, or after an error)."""


class MalformedBookMessage(OrderBookError):
    """Not a Bybit order-book message (missing fields, bad levels)."""


class OrderBook:
    """One symbol's order book, fed with decoded wire messages.

    >>> book = OrderBook()
    >>> book.apply({"type": "snapshot", "data": {"s": "X", "b": [["10", "1"]], "a": [["11", "2"]], "u": 7}})
    True
    >>> book.best_bid, book.best_ask, book.u, book.bids(1)
    (10.0, 11.0, 7, [(10.0, 1.0)])

    ``apply`` returns ``True`` when the book changed and ``False`` for an
    ignored stale or duplicate delta (``u`` not above the current one). It
    raises :class:`SequenceGap` (book unchanged), :class:`NotSynced`,
    :class:`CrossedBook` or :class:`MalformedBookMessage`; after any of them
    ``synced`` is ``False`` and only a snapshot is accepted. ``version`` counts
    applied messages so readers can cache views.
    """

    __slots__ = (
        "symbol",
        "u",
        "seq",
        "ts",
        "cts",
        "synced",
        "version",
        "_bids",
        "_bid_px",
        "_bid_keys",
        "_asks",
        "_ask_px",
        "_ask_keys",
    )

    def __init__(self, symbol: str | None = None) -> None:
        self.symbol = symbol
        self.u: int | None = None
        self.seq: int | None = None
        self.ts: int | None = None
        self.cts: int | None = None
        self.synced = False
        self.version = 0
        self._clear()

    def _clear(self) -> None:
        self._bids: dict[str, str] = {}  # price string -> size string
        self._bid_px: list[float] = []  # ascending; best bid last
        self._bid_keys: dict[float, str] = {}  # float price -> price string
        self._asks: dict[str, str] = {}
        self._ask_px: list[float] = []  # ascending; best ask first
        self._ask_keys: dict[float, str] = {}

    # -- reading ---------------------------------------------------------

    def bids(self, n: int | None = None) -> list[tuple[float, float]]:
        """Up to ``n`` bid levels ``(price, size)``, best (highest) first; all when ``n`` is None."""
        px = self._bid_px
        chosen = px[::-1] if n is None else px[: -n - 1 : -1] if n > 0 else []
        return _levels(chosen, self._bid_keys, self._bids)

    def asks(self, n: int | None = None) -> list[tuple[float, float]]:
        """Up to ``n`` ask levels ``(price, size)``, best (lowest) first; all when ``n`` is None."""
        px = self._ask_px
        chosen = px[:] if n is None else px[:n] if n > 0 else []
        return _levels(chosen, self._ask_keys, self._asks)

    def wire_bids(self, n: int | None = None) -> list[list[str]]:
        """Bid levels as the exchange spelled them (``[[price, size], ...]``), best first."""
        px = self._bid_px
        chosen = px[::-1] if n is None else px[: -n - 1 : -1] if n > 0 else []
        keys, sizes = self._bid_keys, self._bids
        return [[keys[p], sizes[keys[p]]] for p in chosen]

    def wire_asks(self, n: int | None = None) -> list[list[str]]:
        """Ask levels as the exchange spelled them, best first."""
        px = self._ask_px
        chosen = px[:] if n is None else px[:n] if n > 0 else []
        keys, sizes = self._ask_keys, self._asks
        return [[keys[p], sizes[keys[p]]] for p in chosen]

    @property
    def best_bid(self) -> float | None:
        return self._bid_px[-1] if self._bid_px else None

    @property
    def best_ask(self) -> float | None:
        return self._ask_px[0] if self._ask_px else None

    def __len__(self) -> int:
        return len(self._bid_px) + len(self._ask_px)

    def __repr__(self) -> str:
        return (
            f"OrderBook(symbol={self.symbol!r}, u={self.u}, bids={len(self._bid_px)}, asks={len(self._ask_px)}, "
            f"best_bid={self.best_bid}, best_ask={self.best_ask}, synced={self.synced})"
        )

    # -- writing ---------------------------------------------------------

    def apply(self, message: dict) -> bool:
        """Apply one decoded ``orderbook.*`` message (the whole envelope: ``type``, ``data``, ``ts``, ``cts``)."""
        try:
            kind = message["type"]
            data = message["data"]
        except (KeyError, TypeError):
            raise MalformedBookMessage(f"not an order-book message: {_preview(message)}") from None
        if kind != "delta":
            if kind == "snapshot":
                self.apply_snapshot(data, message.get("ts"), message.get("cts"))
                return True
            raise MalformedBookMessage(f"unknown order-book message type {kind!r}")
        # The delta path is inline: it runs for nearly every message of a stream.
        try:
            u = data["u"]
        except (KeyError, TypeError):
            self.synced = False
            raise MalformedBookMessage(f"delta without update id u: {_preview(data)}") from None
        if not self.synced:
            raise NotSynced(f"delta u={u} arrived while the book waits for a snapshot")
        last: int = self.u  # type: ignore[assignment]
        if u != last + 1:
            if type(u) is not int:
                self.synced = False
                raise MalformedBookMessage(f"delta update id u must be an integer, got {u!r}")
            if u <= last:
                return False  # duplicate or stale: already applied
            self.synced = False
            raise SequenceGap(last + 1, u)
        try:
            rows = data.get("b")
            if rows:
                _apply_rows(rows, self._bids, self._bid_px, self._bid_keys)
            rows = data.get("a")
            if rows:
                _apply_rows(rows, self._asks, self._ask_px, self._ask_keys)
        except (TypeError, ValueError) as exc:
            self.synced = False
            raise MalformedBookMessage(f"bad delta level at u={u} ({exc!s}): {_preview(data)}") from None
        bid_px = self._bid_px
        ask_px = self._ask_px
        if bid_px and ask_px and bid_px[-1] >= ask_px[0]:
            self.synced = False
            raise CrossedBook(bid_px[-1], ask_px[0], u)
        self.u = u
        self.seq = data.get("seq")
        self.ts = message.get("ts")
        self.cts = message.get("cts")
        self.version += 1
        return True

    def apply_delta(self, data: dict, ts: int | None = None, cts: int | None = None) -> bool:
        """Apply a delta given its ``data`` part; same outcomes as :meth:`apply`."""
        return self.apply({"type": "delta", "data": data, "ts": ts, "cts": cts})

    def apply_snapshot(self, data: dict, ts: int | None = None, cts: int | None = None) -> None:
        """Replace the book: a WebSocket snapshot's ``data`` or a REST orderbook ``result``.

        A bad or crossed snapshot raises and leaves the book unsynced.
        """
        try:
            u = data["u"]
            bids, bid_keys = _parse_side(data.get("b") or ())
            asks, ask_keys = _parse_side(data.get("a") or ())
        except MalformedBookMessage:
            self.synced = False
            raise
        except (KeyError, TypeError, ValueError) as exc:
            self.synced = False
            raise MalformedBookMessage(f"bad snapshot ({exc!s}): {_preview(data)}") from None
        if type(u) is not int:
            self.synced = False
            raise MalformedBookMessage(f"snapshot update id u must be an integer, got {u!r}")
        bid_px = sorted(bid_keys)
        ask_px = sorted(ask_keys)
        if bid_px and ask_px and bid_px[-1] >= ask_px[0]:
            self.synced = False
            raise CrossedBook(bid_px[-1], ask_px[0], u)
        self._bids, self._bid_px, self._bid_keys = bids, bid_px, bid_keys
        self._asks, self._ask_px, self._ask_keys = asks, ask_px, ask_keys
        self.u = u
        self.seq = data.get("seq")
        self.ts = ts if ts is not None else data.get("ts")
        self.cts = cts if cts is not None else data.get("cts")
        if self.symbol is None:
            self.symbol = data.get("s")
        self.synced = True
        self.version += 1

    def reset(self) -> None:
        """Forget everything; the next message must be a snapshot."""
        self._clear()
        self.u = self.seq = self.ts = self.cts = None
        self.synced = False
        self.version += 1


def _apply_rows(rows: Any, sizes: dict[str, str], px_list: list[float], keys: dict[float, str]) -> None:
    """Apply one side's delta rows. The hot loop: a size change at a known price is one store.

    Sizes at known prices are stored unparsed; :func:`_levels` checks them when read.
    """
    for p, q in rows:
        if q == "0":
            if p in sizes:
                del sizes[p]
                fp = float(p)
                del px_list[bisect_left(px_list, fp)]
                del keys[fp]
            else:  # an unknown level, or a known price spelled differently ("100.50" vs "100.5")
                fp = float(p)
                alias = keys.pop(fp, None)
                if alias is not None:
                    del sizes[alias]
                    del px_list[bisect_left(px_list, fp)]
            continue
        if p not in sizes:
            fp = float(p)
            alias = keys.get(fp)
            if alias is not None:
                p = alias
            else:
                sz = float(q)
                if not 0.0 < fp < _INF or not 0.0 <= sz < _INF:
                    raise ValueError(f"bad level [{p!r}, {q!r}]")
                if sz == 0.0:  # "0.000": deleting a level we do not have
                    continue
                insort(px_list, fp)
                keys[fp] = p
        sizes[p] = q


def _parse_side(rows: Any) -> tuple[dict[str, str], dict[float, str]]:
    sizes: dict[str, str] = {}
    keys: dict[float, str] = {}
    for p, q in rows:
        fp = float(p)
        sz = float(q)
        if type(p) is not str or type(q) is not str or not 0.0 < fp < _INF or not 0.0 <= sz < _INF:
            raise MalformedBookMessage(f"bad level [{p!r}, {q!r}]")
        if sz == 0.0:
            continue
        if fp in keys:
            del sizes[keys[fp]]
        sizes[p] = q
        keys[fp] = p
    return sizes, keys


def _levels(prices: list[float], keys: dict[float, str], sizes: dict[str, str]) -> list[tuple[float, float]]:
    # Sizes at known prices are stored unparsed (the hot path); a bad one surfaces here.
    try:
        levels = [(p, float(sizes[keys[p]])) for p in prices]
    except (TypeError, ValueError):
        levels = [(p, _size(sizes[keys[p]])) for p in prices]
    for _, size in levels:
        if not 0.0 < size < _INF:
            raise MalformedBookMessage(f'bad size {size!r} in the book (only "0" deletes a level); resync it')
    return levels


def _size(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def _preview(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 160 else text[:157] + "..."
