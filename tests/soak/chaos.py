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
measured is the client's. The feeds and the book recorder are in
:mod:`.feeds`, the order loop and its accounting in :mod:`.orders`, the
loop and memory watchers in :mod:`.watch`, the result and its table in
:mod:`.result`; this module injects the faults and waits for each recovery.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import bybit_widgets as bw
from bybit_widgets.rest import RetryPolicy
from bybit_widgets.stream import Backoff, StreamManager
from tests.integration.stream.support import wait_for

from .exchange import ExchangeProcess
from .feeds import BOOK_TOPIC, DEPTH, SYMBOL, Feeds
from .orders import OrderFlow
from .result import FAULT_KINDS, FaultRecord, SoakConfig, SoakResult
from .watch import LoopWatch, MemoryWatch

__all__ = ["SoakConfig", "SoakResult", "run_soak", "FAULT_KINDS"]

ORDER_PATHS = ("/v5/order/create", "/v5/order/cancel", "/v5/order/realtime")
SKEW_MS = 30_000


class Soak:
    def __init__(
        self, config: SoakConfig, exchange: ExchangeProcess, streams: StreamManager, client: bw.AsyncClient
    ) -> None:
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
            effect = lambda: all(feeds.by_topic[t].stats.reconnects > base[t].reconnects for t in topics)
        elif kind == "silence":
            target = rng.choice(("public", "private"))
            seconds = round(rng.uniform(1.8, 3.0), 2)
            rec.spec = {"kind": kind, "target": target, "seconds": seconds}
            topics = feeds.group(target)
            end = loop.time() + seconds
            marks: dict[str, int] = {}

            def effect() -> bool:  # noticed (a reconnect), over, and data flowing again after it
                if loop.time() < end or not all(
                    feeds.by_topic[t].stats.reconnects > base[t].reconnects for t in topics
                ):
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
            effect = lambda: getattr(feeds.book.stats, field_name) > b
        elif kind in ("http_error", "timeout", "rate_limit"):
            if kind == "http_error":
                rec.spec = {
                    "kind": kind,
                    "path": rng.choice(ORDER_PATHS),
                    "status": rng.choice((500, 502, 503, 504)),
                    "count": rng.randint(1, 2),
                }
            elif kind == "timeout":
                rec.spec = {
                    "kind": kind,
                    "path": "/v5/order/create",
                    "count": 1,
                    "after_processing": rng.random() < 0.75,
                }
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
            effect = lambda: self.flow.acked > mark["acked"]  # an order got through after it
        elif kind == "clock_skew":
            ms = 0 if self.skew_ms else rng.choice((SKEW_MS, -SKEW_MS))
            rec.spec = {"kind": kind, "ms": ms}
            effect = lambda: abs(self.client.clock.offset_ms - ms) < 2_000 and self.flow.acked > acked
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
            await self.until(lambda u=u: rec.last_u is not None and rec.last_u >= u, 5.0, f"book at u={u}")
            seen = rec.at(u)
            if seen is None:
                why = f"never saw u={u} (last {rec.last_u})"
                continue  # a snapshot jumped past it: ask again
            bids = [(float(p), float(q)) for p, q in truth["b"]]
            asks = [(float(p), float(q)) for p, q in truth["a"]]
            if seen == (bids, asks):
                return True, ""
            diff = next(
                (
                    f"{side} level {i}: {a} != {b}"
                    for side, mine, theirs in (("bid", seen[0], bids), ("ask", seen[1], asks))
                    for i, (a, b) in enumerate(zip(mine, theirs, strict=False))
                    if a != b
                ),
                f"lengths {len(seen[0])}/{len(seen[1])} vs {len(bids)}/{len(asks)}",
            )
            return False, f"book differs from the truth at u={u}: {diff}"
        return False, f"book never compared with the truth: {why}"

    async def reconcile(self) -> None:
        """Count each decided intent on the exchange while it still keeps the order (500 closed per account)."""
        decided = self.flow.decided()
        links = Counter(o.get("orderLinkId", "") for o in await self.ex.truth_orders())
        self.stray.update(link for link in links if not self.flow.issued(link))
        self.flow.verify(links, decided)

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
                self._say(
                    f"{len(self.records):5d} {time.monotonic() - started:7.1f} s  {kind:<11} {detail}  "
                    f"recovered in {took}  {rec.problem[:200] or 'ok'}  "
                    f"rss {memory.samples[-1][1] / 2**20:.1f} MB"
                )
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
        result.left_open = [
            o["orderLinkId"] for o in truth if o.get("orderStatus") in ("New", "PartiallyFilled", "Untriggered")
        ]
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
        # A clock_skew fault moves the exchange's own timestamps: after a jump back, position events stamped
        # before the newest the feed holds are (rightly) ignored as out of order, until the clock passes it.
        last = (positions.latest or {}).get(SYMBOL)
        if last is not None and last.updated_time and not await self._exchange_clock_past(last.updated_time, 45):
            return f"the exchange's clock never passed the position feed's last update {last.updated_time}"
        intent = await self.flow.place("market")
        if intent.outcome != "acked":
            return f"the final order was not placed: {intent.outcome} {intent.error}"
        if not await self.until(
            lambda: any(
                o.order_link_id == intent.link_id and o.order_status == "Filled" for o in (orders.latest or {}).values()
            ),
            10,
            "the final fill",
        ):
            return "the final order never showed as Filled on the order feed"
        truth = await self.ex.truth_positions()
        size = next((Decimal(p["size"]) for p in truth if p["symbol"] == SYMBOL), Decimal(0))
        if not await self.until(
            lambda: SYMBOL in (positions.latest or {}) and positions.latest[SYMBOL].size == size,
            10,
            "the position feed at the truth",
        ):
            shown = (positions.latest or {}).get(SYMBOL)
            return f"position feed shows {shown and shown.size}, the exchange {size}"
        return ""

    async def _exchange_clock_past(self, ms: int, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (await self.client.get_server_time()).ms <= ms:
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.5)  # polling the exchange's clock, with a deadline
        return True


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
    streams = StreamManager(
        base_ws_url=exchange.ws_url,
        api_key=api_key,
        api_secret=api_secret,
        time_source=client.clock.now_ms,
        ping_interval=0.5,
        pong_timeout=1.0,
        watchdog=3.0,
        backoff=Backoff(initial=0.02, maximum=0.5),
        open_timeout=5.0,
        auth_timeout=2.0,
        subscribe_timeout=2.0,
        linger=1.0,
        seed=config.seed,
    )
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
    result.leftover_tasks = [
        t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
    ]
    log = exchange.log_text()
    if "Traceback" in log:
        result.exchange_problems.append(f"the exchange logged a traceback: {log[log.index('Traceback') :][:500]}")
    result.unhandled = watch.unhandled
    result.logged_errors = watch.errors
    result.warnings = watch.warnings
    result.slow_callbacks = watch.slow_callbacks
    return result


def run_soak(config: SoakConfig) -> SoakResult:
    """Run the soak on a fresh event loop in asyncio debug mode; return the result (never raises on violations)."""
    return asyncio.run(_soak(config), debug=True)
