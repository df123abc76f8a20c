"""What must never happen silently (loop-level exceptions, package errors) and the memory, watched."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import psutil

__all__ = ["LoopWatch", "MemoryWatch"]


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
