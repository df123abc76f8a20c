"""The soak's configuration and result: every fault's record, the order accounting, the table."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability_results import stamp, table

from .orders import Intent

__all__ = ["FAULT_KINDS", "SoakConfig", "FaultRecord", "SoakResult"]

# kind -> weight in the random schedule (every kind appears at least once in any run)
FAULT_KINDS: dict[str, int] = {
    "drop": 3,
    "silence": 2,
    "gap": 2,
    "duplicate": 1,
    "reorder": 2,
    "reset": 1,
    "http_error": 3,
    "timeout": 2,
    "rate_limit": 2,
    "clock_skew": 1,
}


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
            out.append(
                f"{o['intended']} orders intended but {o['placed']} exist exactly once "
                f"({o['unverified']} never checked): {bad[:10]}"
            )
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
        rows = []
        for kind, recs in self.by_kind().items():
            times = [r.recovery_s for r in recs if r.recovery_s is not None]
            med = f"{statistics.median(times):.2f}" if times else "-"
            mx = f"{max(times):.2f}" if times else "-"
            rows.append(
                [
                    kind,
                    len(recs),
                    len(times),
                    f"{med} / {mx}",
                    sum(sum(r.feed_errors.values()) for r in recs),
                    f"{sum(r.book_ok for r in recs)}/{len(recs)}",
                ]
            )
        total = len(self.records)
        rows.append(
            [
                "**all**",
                total,
                sum(r.recovery_s is not None for r in self.records),
                "",
                sum(sum(r.feed_errors.values()) for r in self.records),
                f"{sum(r.book_ok for r in self.records)}/{total}",
            ]
        )
        faults = table(
            ["fault", "injected", "recovered", "recovery s (median / max)", "feed errors", "book == truth after"], rows
        )
        o = self.orders()
        orders = table(
            ["intended", "acked", "placed once", "duplicated", "lost", "refused", "uncertain", "never intended"],
            [
                [
                    o["intended"],
                    o["acked"],
                    o["placed"],
                    o["duplicated"],
                    o["lost"],
                    o["refused"],
                    o["uncertain"],
                    o["stray"],
                ]
            ],
        )
        feed_rows = []
        for topic, s in self.feed_stats.items():
            feed_rows.append(
                [
                    f"`{topic}`",
                    s.messages,
                    s.reconnects,
                    s.gaps,
                    s.resyncs,
                    s.duplicates,
                    s.resets,
                    s.errors,
                    self.feed_states.get(topic, ""),
                ]
            )
        feeds = table(
            ["feed", "messages", "reconnects", "gaps", "resyncs", "duplicates", "resets", "errors", "state at end"],
            feed_rows,
        )
        mb = 2**20
        memory = table(
            ["RSS start", "RSS middle", "RSS end", "RSS max", "growth", "exchange process RSS start / end"],
            [
                [
                    f"{self.rss_start / mb:.1f} MB",
                    f"{self.rss_mid / mb:.1f} MB",
                    f"{self.rss_end / mb:.1f} MB",
                    f"{self.rss_max / mb:.1f} MB",
                    f"{(self.rss_end - self.rss_start) / mb:+.1f} MB",
                    f"{self.exchange_rss[0] / mb:.1f} / {self.exchange_rss[1] / mb:.1f} MB",
                ]
            ],
        )
        slow = max(self.slow_callbacks, default=0.0)
        problems = self.problems()
        verdict = (
            "**clean**: no violation" if not problems else "**violations**:\n" + "\n".join(f"- {p}" for p in problems)
        )
        calls = ", ".join(f"{k} {v}" for k, v in sorted(self.calls.items()))
        return "\n\n".join(
            [
                f"## {title}",
                f"Measured {stamp()}. Command: `{command}`. Seed {self.config.seed}; {total} faults in "
                f"{self.seconds:.0f} s; the exchange ran in its own process; "
                "the client loop ran in asyncio debug mode.",
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
            ]
        )
