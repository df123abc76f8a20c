"""The chaos soak: the Dashboard's feeds and an order loop against the exchange while faults fire.

What runs, on one asyncio loop in debug mode (as in a kernel, all on one loop):

- a ``StreamManager`` with the feeds a ``bw.Dashboard("BTCUSDT")`` opens
  (order book depth 50, ticker, trades, 1-minute klines, orders, executions,
  positions, wallet) plus the tickers of ETHUSDT and SOLUSDT, as a watchlist;
- an order loop on ``bw.AsyncClient``: limit orders far from the market that
  are cancelled again, small market orders, open-order reads; every create
  carries its own orderLinkId, recorded as *intended* before the call;
- a fault schedule: one fault at a time, of a random kind (drop, silence,
  gap, duplicate, reorder, reset, HTTP 5xx on order endpoints, a create that
  is executed but never answered, 10006, a +-30 s clock jump), each followed
  by a wait for its specific recovery and a check of the book against the
  exchange's ground truth at the same update id ``u``.

What is checked (``SoakResult.problems()`` lists every violation):

- every fault is recovered from within a deadline and every feed is live again;
- after every recovery the book equals the truth at the same ``u``, and no
  consumer ever saw a crossed or unsorted book;
- every intended order exists exactly once on the exchange (orderLinkId
  accounting, checked while the exchange still keeps the order), no order the
  loop did not intend exists, no resting order is left open;
- no unhandled exception reached the loop's exception handler, nothing was
  logged at ERROR by the package, every feed error is accounted for by a fault
  (there are none to expect: faults show as gaps, resyncs, reconnects);
- the RSS of this process grew by less than a bound.

The exchange runs in its own process (:mod:`.exchange`), so the memory
measured is the client's.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import random
import statistics
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Awaitable, Callable

import psutil

import bybit_widgets as bw
from bybit_widgets.protocol.errors import BybitError, OrderNotFoundError, TransportError
from bybit_widgets.rest import RetryPolicy
from bybit_widgets.stream import Backoff, Feed, StreamManager
from tests.integration.stream.support import BookChecker, wait_for

from .exchange import ExchangeProcess

__all__ = ["SoakConfig", "SoakResult", "run_soak", "FAULT_KINDS"]

SYMBOL = "BTCUSDT"
DEPTH = 50
BOOK_TOPIC = f"orderbook.{DEPTH}.{SYMBOL}"
QTY = "0.001"

# kind -> weight in the random schedule (every kind appears at least once in any run)
FAULT_KINDS: dict[str, int] = {
    "drop": 3, "silence": 2, "gap": 2, "duplicate": 1, "reorder": 2, "reset": 1,
    "http_error": 3, "timeout": 2, "rate_limit": 2, "clock_skew": 1,
}  # fmt: skip
ORDER_PATHS = ("/v5/order/create", "/v5/order/cancel", "/v5/order/realtime")
SKEW_MS = 30_000


@dataclass
class SoakConfig:
    """``faults``: stop after this many (short mode); ``minutes``: stop after this long (long mode)."""

    seed: int = 6
    faults: int | None = 60
    minutes: float | None = None
    calm_s: tuple[float, float] = (0.2, 1.2)  # random pause between two faults
    recovery_timeout_s: float = 30.0
    rss_growth_limit_mb: float = 40.0
    log_dir: Path = Path("/tmp")
    progress: Callable[[str], None] | None = None  # long mode prints a line per fault


@dataclass
class FaultRecord:
    kind: str
    spec: dict[str, Any]
    recovery_s: float | None = None  # None: not recovered within the deadline
    book_ok: bool = False
    problem: str = ""
    feed_errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Intent:
    """One order the loop meant to place, and what became of it."""

    link_id: str
    kind: str  # "market" | "limit"
    outcome: str = "pending"  # acked | refused | uncertain
    error: str = ""
    seen: int | None = None  # how many orders with this orderLinkId the exchange holds (None: not checked yet)
    cancelled: bool = False


# -- feeds and the book recorder ----------------------------------------------------------------------


class BookRecorder:
    """A feed callback keeping the last views by ``u``, so a view can be compared with the truth at its ``u``."""

    def __init__(self, keep: int = 200) -> None:
        self.views: deque[tuple[int, list, list]] = deque(maxlen=keep)
        self.checker = BookChecker()

    def __call__(self, feed: Feed) -> None:
        view = feed.latest
        if view is None or view.u is None:
            return
        if self.views and view.u < self.views[-1][0]:
            self.views.clear()  # a reset restarts the numbering
        self.views.append((view.u, view.bids, view.asks))
        self.checker(feed)

    @property
    def last_u(self) -> int | None:
        return self.views[-1][0] if self.views else None

    def at(self, u: int) -> tuple[list, list] | None:
        for seen_u, bids, asks in reversed(self.views):
            if seen_u == u:
                return bids, asks
            if seen_u < u:
                return None
        return None


class Feeds:
    """The feeds under test, by topic; ``public`` and ``private`` name the two connections' feeds."""

    def __init__(self, streams: StreamManager) -> None:
        feeds = [
            streams.order_book(SYMBOL, depth=DEPTH), streams.ticker(SYMBOL), streams.trades(SYMBOL),
            streams.kline(SYMBOL, interval="1"), streams.ticker("ETHUSDT"), streams.ticker("SOLUSDT"),
            streams.orders(), streams.executions(), streams.positions(), streams.wallet(),
        ]  # fmt: skip
        self.by_topic: dict[str, Feed] = {f.topic: f for f in feeds}
        self.book = self.by_topic[BOOK_TOPIC]
        self.public = [t for t, f in self.by_topic.items() if f.category is not None]
        self.private = [t for t, f in self.by_topic.items() if f.category is None]
        self.recorder = BookRecorder()
        self.book.on(self.recorder)

    def group(self, target: str) -> list[str]:
        return {"public": self.public, "private": self.private, "all": list(self.by_topic)}[target]

    def stats(self) -> dict[str, Any]:
        return {t: f.stats for t, f in self.by_topic.items()}

    def live(self, topics: list[str] | None = None) -> bool:
        return all(self.by_topic[t].state == "live" for t in (topics or self.by_topic))

    def not_live(self) -> str:
        return ", ".join(f"{t}: {f.state} ({f.state_reason})" for t, f in self.by_topic.items() if f.state != "live")

    async def ready(self, timeout: float) -> None:
        await asyncio.gather(*(f.ready(timeout) for f in self.by_topic.values()))

    def close(self) -> None:
        for feed in self.by_topic.values():
            feed.close()


# -- the order loop ---------------------------------------------------------------------------------------


class OrderFlow:
    """Places, cancels and reads orders until told to stop; accounts for every intended create."""

    def __init__(self, client: bw.AsyncClient, book: Feed, rng: random.Random, tag: str) -> None:
        self.client = client
        self.book = book
        self.rng = rng
        self.tag = tag
        self.unverified: dict[str, Intent] = {}  # intents not yet counted on the exchange
        self.tally: Counter[str] = Counter()  # intended / acked / refused / uncertain / placed / duplicated / lost
        self.anomalies: list[Intent] = []  # intents the exchange does not hold exactly once
        self.resting: list[Intent] = []  # limit orders still to cancel
        self.acked = 0  # creates that returned an acknowledgement
        self.calls: Counter[str] = Counter()  # "op: outcome" -> count
        self.net = Decimal(0)  # position the loop's acked market orders add up to
        self._next = 0

    def _link(self, kind: str) -> str:
        self._next += 1
        return f"{self.tag}-{kind[0]}{self._next:06d}"

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            op = self.rng.choices(("market", "limit", "read"), weights=(3, 4, 1))[0]
            if op == "read":
                await self._read()
            else:
                await self.place(op)
            await self._cancel_resting(keep=1)
            await asyncio.sleep(self.rng.uniform(0.05, 0.25))  # pacing, like a person or a strategy

    async def place(self, kind: str) -> Intent:
        intent = Intent(self._link(kind), kind)
        self.unverified[intent.link_id] = intent
        self.tally["intended"] += 1
        params: dict[str, Any] = dict(category="linear", symbol=SYMBOL, qty=QTY, order_link_id=intent.link_id)
        view = self.book.latest
        if kind == "market":
            side = "Sell" if self.net > 0 else "Buy"
            params.update(side=side, order_type="Market")
        else:
            side = self.rng.choice(("Buy", "Sell"))
            price = view.best_bid * 0.95 if side == "Buy" else view.best_ask * 1.05
            params.update(side=side, order_type="Limit", price=f"{price:.1f}",
                          time_in_force=self.rng.choice(("GTC", "PostOnly")))  # fmt: skip
        try:
            await self.client.place_order(**params)
        except TransportError as exc:  # no definite answer even after the lookups
            intent.outcome, intent.error = "uncertain", exc.ret_msg
        except BybitError as exc:
            intent.outcome, intent.error = "refused", f"{type(exc).__name__} {exc.ret_code}: {exc.ret_msg}"
        else:
            intent.outcome = "acked"
            self.acked += 1
            if kind == "market":
                self.net += Decimal(QTY) if side == "Buy" else -Decimal(QTY)
        self.calls[f"create {kind}: {intent.outcome}"] += 1
        self.tally[intent.outcome] += 1
        if kind == "limit" and intent.outcome != "refused":
            self.resting.append(intent)
        return intent

    async def _cancel_resting(self, keep: int) -> None:
        while len(self.resting) > keep:
            intent = self.resting[0]
            try:
                await self.client.cancel_order(category="linear", symbol=SYMBOL, order_link_id=intent.link_id)
            except OrderNotFoundError:  # never created (an uncertain create that did not happen)
                self.calls["cancel: not found"] += 1
            except BybitError as exc:  # 5xx or no answer: the order may still rest; try again next turn
                self.calls[f"cancel: {type(exc).__name__}"] += 1
                return
            else:
                intent.cancelled = True
                self.calls["cancel: ok"] += 1
            self.resting.pop(0)

    async def _read(self) -> None:
        try:
            await self.client.get_open_orders(category="linear", symbol=SYMBOL)
        except BybitError as exc:  # reads are retried inside the client; this is after the last retry
            self.calls[f"read: {type(exc).__name__}"] += 1
        else:
            self.calls["read: ok"] += 1

    def issued(self, link_id: str) -> bool:
        """Whether this loop ever made up ``link_id`` (the account is fresh: anything else is a stray)."""
        head, _, number = link_id.rpartition("-")
        return head == self.tag and number[1:].isdigit() and int(number[1:]) <= self._next

    def verify(self, links: Counter[str]) -> None:
        """Count every decided intent among the exchange's orders (``links``: orderLinkId -> orders)."""
        for link_id, intent in list(self.unverified.items()):
            if intent.outcome == "pending":
                continue  # still in flight
            intent.seen = links.get(link_id, 0)
            del self.unverified[link_id]
            if intent.seen == 1:
                self.tally["placed"] += 1
                continue
            self.tally["duplicated" if intent.seen > 1 else "lost" if intent.outcome == "acked" else "absent"] += 1
            self.anomalies.append(intent)

    async def finish(self) -> None:
        """Cancel what still rests (faults are over: every cancel must get through)."""
        await self._cancel_resting(keep=0)


# -- watching the loop and the memory ---------------------------------------------------------------------


class LoopWatch(logging.Handler):
    """Collects what must never happen silently: loop-level exceptions and package errors in the log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.unhandled: list[str] = []
        self.errors: list[str] = []  # package records at ERROR or above (tracebacks of internal failures)
        self.warnings: Counter[str] = Counter()  # logger -> WARNING records (expected during faults)
        self.slow_callbacks: list[float] = []

    def exception_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.unhandled.append(f"{context.get('message')}: {context.get('exception')!r}")
        loop.default_exception_handler(context)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "asyncio" and record.getMessage().startswith("Executing "):
            self.slow_callbacks.append(float(record.args[-1]) if record.args else 0.0)  # type: ignore[index]
            return
        if record.levelno >= logging.ERROR:
            self.errors.append(f"{record.name}: {record.getMessage()[:300]}")
        elif record.levelno >= logging.WARNING:
            self.warnings[record.name] += 1

    def install(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        loop.set_exception_handler(self.exception_handler)
        loggers = [logging.getLogger(n) for n in ("bybit_widgets", "asyncio")]
        saved = [(lg, lg.level) for lg in loggers]
        for lg in loggers:
            lg.addHandler(self)
            lg.setLevel(logging.DEBUG if lg.name == "asyncio" else logging.INFO)

        def uninstall() -> None:
            for lg, level in saved:
                lg.removeHandler(self)
                lg.setLevel(level)

        return uninstall


class MemoryWatch:
    """RSS of this process, sampled once a second."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.samples: list[tuple[float, int]] = []

    def sample(self) -> int:
        rss = self.process.memory_info().rss
        self.samples.append((time.monotonic(), rss))
        return rss

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass


# -- the result ---------------------------------------------------------------------------------------------


@dataclass
class SoakResult:
    config: SoakConfig
    seconds: float = 0.0
    records: list[FaultRecord] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)
    anomalies: list[Intent] = field(default_factory=list)
    unverified: int = 0
    stray_orders: list[str] = field(default_factory=list)  # orders on the exchange the loop never intended
    left_open: list[str] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    feed_stats: dict[str, Any] = field(default_factory=dict)
    feed_states: dict[str, str] = field(default_factory=dict)
    book_violations: list[str] = field(default_factory=list)
    book_views_checked: int = 0
    unhandled: list[str] = field(default_factory=list)
    logged_errors: list[str] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    slow_callbacks: list[float] = field(default_factory=list)
    rss_start: int = 0
    rss_end: int = 0
    rss_max: int = 0
    rss_mid: int = 0
    exchange_rss: tuple[int, int] = (0, 0)
    exchange_problems: list[str] = field(default_factory=list)
    final_check: str = ""  # the private feeds after the chaos, against the truth
    leftover_tasks: list[str] = field(default_factory=list)

    # -- order accounting ---
    def orders(self) -> dict[str, int]:
        names = ("intended", "acked", "placed", "duplicated", "lost", "refused", "uncertain")
        return {**{n: self.tally[n] for n in names}, "unverified": self.unverified, "stray": len(self.stray_orders)}

    def by_kind(self) -> dict[str, list[FaultRecord]]:
        out: dict[str, list[FaultRecord]] = {k: [] for k in FAULT_KINDS}
        for rec in self.records:
            out[rec.kind].append(rec)
        return out

    def problems(self) -> list[str]:
        """Every violation of the soak's promises, in words; empty when the run was clean."""
        out = [f"fault {i} {r.kind} {r.spec}: {r.problem}" for i, r in enumerate(self.records) if r.problem]
        missing = [k for k, recs in self.by_kind().items() if not recs]
        if missing:
            out.append(f"fault kinds never injected: {missing}")
        o = self.orders()
        if o["placed"] != o["intended"]:
            bad = [f"{i.link_id}: {i.outcome} {i.error} seen={i.seen}" for i in self.anomalies]
            out.append(f"{o['intended']} orders intended but {o['placed']} exist exactly once "
                       f"({o['unverified']} never checked): {bad[:10]}")
        if self.stray_orders:
            out.append(f"orders nobody intended: {self.stray_orders[:10]}")
        if self.left_open:
            out.append(f"resting orders left open: {self.left_open[:10]}")
        out += [f"book consumer saw: {v}" for v in self.book_violations[:10]]
        out += [f"feed not live at the end: {t}: {s}" for t, s in self.feed_states.items() if s != "live"]
        errors = {t: s.errors + s.callback_errors for t, s in self.feed_stats.items() if s.errors + s.callback_errors}
        if errors:
            out.append(f"feed errors not accounted for by any fault: {errors}")
        out += [f"unhandled in the loop: {u}" for u in self.unhandled[:10]]
        out += [f"logged at ERROR: {e}" for e in self.logged_errors[:10]]
        out += [f"exchange: {p}" for p in self.exchange_problems]
        if self.final_check:
            out.append(self.final_check)
        if self.leftover_tasks:
            out.append(f"tasks left running after close: {self.leftover_tasks}")
        growth = (self.rss_end - self.rss_start) / 2**20
        if growth > self.config.rss_growth_limit_mb:
            out.append(f"RSS grew {growth:.1f} MB (limit {self.config.rss_growth_limit_mb} MB)")
        return out

    # -- the table ---
    def markdown(self, title: str, command: str) -> str:
        from tests.reliability_results import stamp, table

        rows = []
        for kind, recs in self.by_kind().items():
            times = [r.recovery_s for r in recs if r.recovery_s is not None]
            med = f"{statistics.median(times):.2f}" if times else "-"
            mx = f"{max(times):.2f}" if times else "-"
            rows.append([kind, len(recs), len(times), f"{med} / {mx}", sum(sum(r.feed_errors.values()) for r in recs),
                         f"{sum(r.book_ok for r in recs)}/{len(recs)}"])  # fmt: skip
        total = len(self.records)
        rows.append(["**all**", total, sum(r.recovery_s is not None for r in self.records), "",
                     sum(sum(r.feed_errors.values()) for r in self.records),
                     f"{sum(r.book_ok for r in self.records)}/{total}"])  # fmt: skip
        faults = table(["fault", "injected", "recovered", "recovery s (median / max)", "feed errors",
                        "book == truth after"], rows)  # fmt: skip
        o = self.orders()
        orders = table(["intended", "acked", "placed once", "duplicated", "lost", "refused", "uncertain",
                        "never intended"],
                       [[o["intended"], o["acked"], o["placed"], o["duplicated"], o["lost"], o["refused"],
                         o["uncertain"], o["stray"]]])  # fmt: skip
        feed_rows = []
        for topic, s in self.feed_stats.items():
            feed_rows.append([f"`{topic}`", s.messages, s.reconnects, s.gaps, s.resyncs, s.duplicates, s.resets,
                              s.errors, self.feed_states.get(topic, "")])  # fmt: skip
        feeds = table(["feed", "messages", "reconnects", "gaps", "resyncs", "duplicates", "resets", "errors",
                       "state at end"], feed_rows)  # fmt: skip
        mb = 2**20
        memory = table(["RSS start", "RSS middle", "RSS end", "RSS max", "growth", "exchange process RSS start / end"],
                       [[f"{self.rss_start / mb:.1f} MB", f"{self.rss_mid / mb:.1f} MB", f"{self.rss_end / mb:.1f} MB",
                         f"{self.rss_max / mb:.1f} MB", f"{(self.rss_end - self.rss_start) / mb:+.1f} MB",
                         f"{self.exchange_rss[0] / mb:.1f} / {self.exchange_rss[1] / mb:.1f} MB"]])  # fmt: skip
        slow = max(self.slow_callbacks, default=0.0)
        problems = self.problems()
        verdict = "**clean**: no violation" if not problems else "**violations**:\n" + "\n".join(
            f"- {p}" for p in problems)  # fmt: skip
        calls = ", ".join(f"{k} {v}" for k, v in sorted(self.calls.items()))
        return "\n\n".join([
            f"## {title}",
            f"Measured {stamp()}. Command: `{command}`. Seed {self.config.seed}; {total} faults in "
            f"{self.seconds:.0f} s; the exchange ran in its own process; the client loop ran in asyncio debug mode.",
            f"Verdict: {verdict}",
            "### Faults injected and recovered, by kind\n\n" + faults,
            "Recovery: the fault's own effect seen (a reconnect, a resync, a duplicate ignored, the fault "
            "consumed by a request...) and every feed live again; then the book is compared level by level with "
            "the exchange's truth at the same `u`.",
            "### Orders\n\n" + orders,
            f"Placed once: the exchange holds exactly one order with the intended orderLinkId. Calls: {calls}.",
            "### Feeds\n\n" + feeds,
            f"Book views checked by the consumer (sorted, uncrossed): {self.book_views_checked}.",
            "### Memory and the loop\n\n" + memory,
            f"Unhandled exceptions reaching the loop: {len(self.unhandled)}; package log records at ERROR: "
            f"{len(self.logged_errors)}; WARNING records (expected during faults): "
            f"{dict(self.warnings) or 0}; callbacks over 100 ms (asyncio debug): {len(self.slow_callbacks)}"
            f"{f' (max {slow * 1000:.0f} ms)' if self.slow_callbacks else ''}.",
        ])  # fmt: skip


# -- the soak --------------------------------------------------------------------------------------------------


class Soak:
    def __init__(self, config: SoakConfig, exchange: ExchangeProcess, streams: StreamManager,
                 client: bw.AsyncClient) -> None:  # fmt: skip
        self.config = config
        self.rng = random.Random(config.seed)
        self.ex = exchange
        self.streams = streams
        self.client = client
        self.feeds = Feeds(streams)
        self.flow = OrderFlow(client, self.feeds.book, random.Random(config.seed + 1), tag=f"soak{config.seed}")
        self.records: list[FaultRecord] = []
        self.skew_ms = 0
        self.skew_left = 0  # faults until a clock jump is undone
        self.stray: set[str] = set()

    def _say(self, text: str) -> None:
        if self.config.progress is not None:
            self.config.progress(text)

    # -- the schedule ---
    def schedule(self) -> list[str]:
        """Every kind once, then weighted random kinds; shuffled. Long mode draws more as it goes."""
        first = list(FAULT_KINDS)
        count = self.config.faults or len(first)
        rest = self.rng.choices(list(FAULT_KINDS), weights=list(FAULT_KINDS.values()), k=max(0, count - len(first)))
        kinds = first + rest
        self.rng.shuffle(kinds)
        return kinds

    def next_kind(self) -> str:
        return self.rng.choices(list(FAULT_KINDS), weights=list(FAULT_KINDS.values()))[0]

    # -- waiting ---
    async def until(self, predicate: Callable[[], Any], timeout: float, what: str) -> bool:
        try:
            await wait_for(predicate, timeout=timeout, what=what)
        except AssertionError:
            return False
        return True

    # -- one fault ---
    async def fire(self, kind: str) -> FaultRecord:
        rng, feeds = self.rng, self.feeds
        base = feeds.stats()
        timeout = self.config.recovery_timeout_s
        acked = self.flow.acked
        loop = asyncio.get_running_loop()
        started = loop.time()  # reset right after the injection
        rec = FaultRecord(kind, {})
        effect: Callable[[], bool]
        first: Callable[[], Awaitable[bool]] | None = None
        if kind == "drop":
            target = rng.choice(("public", "private", "all"))
            rec.spec = {"kind": kind, "target": target}
            topics = feeds.group(target)
            effect = lambda: all(feeds.by_topic[t].stats.reconnects > base[t].reconnects for t in topics)  # noqa: E731
        elif kind == "silence":
            target = rng.choice(("public", "private"))
            seconds = round(rng.uniform(1.8, 3.0), 2)
            rec.spec = {"kind": kind, "target": target, "seconds": seconds}
            topics = feeds.group(target)
            end = loop.time() + seconds
            marks: dict[str, int] = {}

            def effect() -> bool:  # noticed (a reconnect), over, and data flowing again after it
                if loop.time() < end or not all(feeds.by_topic[t].stats.reconnects > base[t].reconnects
                                                for t in topics):  # fmt: skip
                    return False
                if target == "private":
                    return True
                book = feeds.book.stats.messages
                marks.setdefault("book", book)
                return book > marks["book"]
        elif kind in ("gap", "duplicate", "reorder", "reset"):
            rec.spec = {"kind": kind, "topic": BOOK_TOPIC}
            field_name = {"gap": "gaps", "reorder": "gaps", "duplicate": "duplicates", "reset": "resets"}[kind]
            b = getattr(base[BOOK_TOPIC], field_name)
            effect = lambda: getattr(feeds.book.stats, field_name) > b  # noqa: E731
        elif kind in ("http_error", "timeout", "rate_limit"):
            if kind == "http_error":
                rec.spec = {"kind": kind, "path": rng.choice(ORDER_PATHS), "status": rng.choice((500, 502, 503, 504)),
                            "count": rng.randint(1, 2)}  # fmt: skip
            elif kind == "timeout":
                rec.spec = {"kind": kind, "path": "/v5/order/create", "count": 1,
                            "after_processing": rng.random() < 0.75}  # fmt: skip
            else:
                rec.spec = {"kind": kind, "path": "/v5/order/create", "count": rng.randint(1, 3)}
            mark: dict[str, int] = {}

            async def consumed() -> bool:  # every request the fault was for has hit it
                while any(f["kind"] == kind for f in await self.ex.pending_faults()):
                    if loop.time() > started + timeout:
                        return False
                    await asyncio.sleep(0.05)  # polling /sim/faults with a deadline
                mark["acked"] = self.flow.acked
                return True

            first = consumed
            effect = lambda: self.flow.acked > mark["acked"]  # noqa: E731 - an order got through after it
        elif kind == "clock_skew":
            ms = 0 if self.skew_ms else rng.choice((SKEW_MS, -SKEW_MS))
            rec.spec = {"kind": kind, "ms": ms}
            effect = lambda: abs(self.client.clock.offset_ms - ms) < 2_000 and self.flow.acked > acked  # noqa: E731
        else:
            raise ValueError(kind)
        await self.ex.fault(rec.spec)
        started = loop.time()
        if kind == "clock_skew":
            self.skew_ms = rec.spec["ms"]
            self.skew_left = rng.randint(2, 5)
        what = f"recovery from {rec.spec}"
        recovered = first is None or await first()
        remaining = max(0.0, started + timeout - loop.time())
        recovered = recovered and await self.until(lambda: effect() and feeds.live(), remaining, what)
        if recovered:
            rec.recovery_s = loop.time() - started
        else:
            rec.problem = f"not recovered within {timeout:g} s; not live: {feeds.not_live() or 'none'}"
        after = feeds.stats()
        rec.feed_errors = {t: after[t].errors - base[t].errors for t in after if after[t].errors > base[t].errors}
        if rec.feed_errors:
            errors = {t: str(feeds.by_topic[t].error)[:200] for t in rec.feed_errors}
            rec.problem = (rec.problem + "; " if rec.problem else "") + f"feed errors {errors}"
        ok, why = await self.check_book()
        rec.book_ok = ok
        if not ok:
            rec.problem = (rec.problem + "; " if rec.problem else "") + why
        return rec

    async def check_book(self, attempts: int = 5) -> tuple[bool, str]:
        """The book at the truth's ``u`` equals the truth, level by level (the market keeps moving)."""
        rec = self.feeds.recorder
        why = ""
        for _ in range(attempts):
            truth = await self.ex.truth_book(SYMBOL, DEPTH)
            u = truth["u"]
            await self.until(lambda: rec.last_u is not None and rec.last_u >= u, 5.0, f"book at u={u}")
            seen = rec.at(u)
            if seen is None:
                why = f"never saw u={u} (last {rec.last_u})"
                continue  # a snapshot jumped past it: ask again
            bids = [(float(p), float(q)) for p, q in truth["b"]]
            asks = [(float(p), float(q)) for p, q in truth["a"]]
            if seen == (bids, asks):
                return True, ""
            diff = next((f"{side} level {i}: {a} != {b}" for side, mine, theirs in (("bid", seen[0], bids),
                         ("ask", seen[1], asks)) for i, (a, b) in enumerate(zip(mine, theirs)) if a != b),
                        f"lengths {len(seen[0])}/{len(seen[1])} vs {len(bids)}/{len(asks)}")  # fmt: skip
            return False, f"book differs from the truth at u={u}: {diff}"
        return False, f"book never compared with the truth: {why}"

    async def reconcile(self) -> None:
        """Count each decided intent on the exchange while it still keeps the order (500 closed per account)."""
        links = Counter(o.get("orderLinkId", "") for o in await self.ex.truth_orders())
        self.stray.update(link for link in links if not self.flow.issued(link))
        self.flow.verify(links)

    # -- the whole run ---
    async def run(self, memory: MemoryWatch) -> SoakResult:
        config = self.config
        result = SoakResult(config)
        await self.feeds.ready(30)
        stop = asyncio.Event()
        flow_task = asyncio.create_task(self.flow.run(stop), name="soak order flow")
        memory_task = asyncio.create_task(memory.run(stop), name="soak memory")
        await wait_for(lambda: self.flow.acked >= 3, timeout=30, what="the first orders")
        gc.collect()
        result.rss_start = memory.sample()
        exchange_rss_start = self.ex.rss()
        started = time.monotonic()
        deadline = None if config.minutes is None else started + config.minutes * 60
        planned = self.schedule() if config.minutes is None else []
        try:
            while not flow_task.done():  # (if the order loop died, its exception is raised below)
                if self.skew_ms and self.skew_left <= 0:
                    kind = "clock_skew"  # undo the clock jump: a jump back by 30 s, itself a fault
                elif deadline is not None:
                    if time.monotonic() >= deadline:
                        break
                    kind = self.next_kind()
                elif planned:
                    kind = planned.pop(0)
                else:
                    break
                if self.skew_ms:
                    self.skew_left -= 1
                await asyncio.sleep(self.rng.uniform(*config.calm_s))  # calm between faults, as in real life
                rec = await self.fire(kind)
                self.records.append(rec)
                await self.reconcile()
                detail = {k: v for k, v in rec.spec.items() if k != "kind"}
                took = "-" if rec.recovery_s is None else f"{rec.recovery_s:.2f} s"
                self._say(f"{len(self.records):5d} {time.monotonic() - started:7.1f} s  {kind:<11} {detail}  "
                          f"recovered in {took}  {rec.problem[:200] or 'ok'}  "
                          f"rss {memory.samples[-1][1] / 2**20:.1f} MB")  # fmt: skip
            if self.skew_ms and not flow_task.done():
                self.records.append(await self.fire("clock_skew"))  # leave the exchange's clock true
        finally:
            stop.set()
            await self.ex.clear_faults()
            await asyncio.gather(flow_task, memory_task)  # re-raises anything the order loop died of
        result.seconds = time.monotonic() - started
        await self.flow.finish()
        result.final_check = await self.final_check()
        await self.reconcile()
        gc.collect()
        result.rss_end = memory.sample()
        during = [rss for at, rss in memory.samples if at >= started]
        result.rss_max = max(during)
        result.rss_mid = during[len(during) // 2]
        result.exchange_rss = (exchange_rss_start, self.ex.rss())
        truth = await self.ex.truth_orders()
        result.left_open = [o["orderLinkId"] for o in truth
                            if o.get("orderStatus") in ("New", "PartiallyFilled", "Untriggered")]  # fmt: skip
        status = await self.ex.status()
        if status.get("tick_errors"):
            result.exchange_problems.append(f"{status['tick_errors']} market ticks failed")
        result.records = self.records
        result.tally = self.flow.tally
        result.anomalies = self.flow.anomalies
        result.unverified = len(self.flow.unverified)
        result.stray_orders = sorted(self.stray)
        result.calls = self.flow.calls
        result.feed_stats = self.feeds.stats()
        result.feed_states = {t: f.state for t, f in self.feeds.by_topic.items()}
        result.book_violations = list(self.feeds.recorder.checker.violations)
        result.book_views_checked = self.feeds.recorder.checker.seen
        return result

    async def final_check(self) -> str:
        """After the chaos the private feeds still work: a market order shows up with the exchange's position."""
        feeds = self.feeds
        if not await self.until(feeds.live, 30, "every feed live after the chaos"):
            return f"feeds not live after the chaos: {feeds.not_live()}"
        orders = feeds.by_topic["order"]
        positions = feeds.by_topic["position"]
        intent = await self.flow.place("market")
        if intent.outcome != "acked":
            return f"the final order was not placed: {intent.outcome} {intent.error}"
        if not await self.until(lambda: any(o.order_link_id == intent.link_id and o.order_status == "Filled"
                                            for o in (orders.latest or {}).values()), 10, "the final fill"):  # fmt: skip
            return "the final order never showed as Filled on the order feed"
        truth = await self.ex.truth_positions()
        size = next((Decimal(p["size"]) for p in truth if p["symbol"] == SYMBOL), Decimal(0))
        if not await self.until(lambda: SYMBOL in (positions.latest or {}) and positions.latest[SYMBOL].size == size,
                                10, "the position feed at the truth"):  # fmt: skip
            shown = (positions.latest or {}).get(SYMBOL)
            return f"position feed shows {shown and shown.size}, the exchange {size}"
        return ""


# -- entry point ---------------------------------------------------------------------------------------------------


async def _soak(config: SoakConfig) -> SoakResult:
    loop = asyncio.get_running_loop()
    loop.slow_callback_duration = 0.1
    watch = LoopWatch()
    uninstall = watch.install(loop)
    api_key, api_secret = bw.sim.generate_keys()
    exchange = ExchangeProcess(config.seed, api_key, api_secret, config.log_dir / f"soak-exchange-{config.seed}.log")
    await loop.run_in_executor(None, exchange.start)
    retry = RetryPolicy(backoff_s=0.05, backoff_cap_s=0.5, rng=random.Random(config.seed + 2))
    client = bw.AsyncClient(api_key, api_secret, base_url=exchange.rest_url, timeout=1.5, retry=retry)
    streams = StreamManager(base_ws_url=exchange.ws_url, api_key=api_key, api_secret=api_secret,
                            time_source=client.clock.now_ms, ping_interval=0.5, pong_timeout=1.0, watchdog=3.0,
                            backoff=Backoff(initial=0.02, maximum=0.5), open_timeout=5.0, auth_timeout=2.0,
                            subscribe_timeout=2.0, linger=1.0, seed=config.seed)  # fmt: skip
    memory = MemoryWatch()
    soak = Soak(config, exchange, streams, client)
    try:
        result = await soak.run(memory)
    finally:
        soak.feeds.close()
        await streams.close()
        await client.aclose()
        await exchange.aclose()
        await loop.run_in_executor(None, exchange.stop)
        uninstall()
    result.leftover_tasks = [t.get_name() for t in asyncio.all_tasks()
                             if t is not asyncio.current_task() and not t.done()]  # fmt: skip
    log = exchange.log_text()
    if "Traceback" in log:
        result.exchange_problems.append(f"the exchange logged a traceback: {log[log.index('Traceback'):][:500]}")
    result.unhandled = watch.unhandled
    result.logged_errors = watch.errors
    result.warnings = watch.warnings
    result.slow_callbacks = watch.slow_callbacks
    return result


def run_soak(config: SoakConfig) -> SoakResult:
    """Run the soak on a fresh event loop in asyncio debug mode; return the result (never raises on violations)."""
    return asyncio.run(_soak(config), debug=True)
