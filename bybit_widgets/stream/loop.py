"""Which event loop the streams live on, and how every thread reaches it.

In a notebook the kernel already runs an asyncio loop (ipykernel >= 6 runs
cells on it): the streams join that loop, so widgets, callbacks and
``await feed.next()`` all happen on one thread with no locks and no
``nest_asyncio``. In a plain script there is no running loop: the streams
then start their own loop on a daemon thread, and the sync API
(``feed.latest``, ``feed.wait_for_update()``) reaches across.

The decision is taken when the loop is first needed (the first
subscription), not at construction, so ``StreamManager()`` at module level
followed by ``asyncio.run(main())`` joins ``main``'s loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopHost", "spawn_on"]

T = TypeVar("T")


class LoopHost:
    """Owns or borrows the event loop of one :class:`~bybit_widgets.stream.StreamManager`."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, *, thread_name: str = "bybit-streams") -> None:
        self._loop = loop
        self._thread: threading.Thread | None = None
        self._thread_name = thread_name
        self._lock = threading.Lock()

    @property
    def bound(self) -> bool:
        return self._loop is not None

    @property
    def owns_thread(self) -> bool:
        """True when the loop runs on our own background thread (script mode)."""
        return self._thread is not None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop, bound on first use (see :meth:`bind`)."""
        return self._loop if self._loop is not None else self.bind()

    def bind(self) -> asyncio.AbstractEventLoop:
        """Bind the running loop if there is one, else start a background thread's; idempotent."""
        with self._lock:
            if self._loop is None:
                try:
                    self._loop = asyncio.get_running_loop()
                except RuntimeError:
                    self._loop = self._start_thread()
            return self._loop

    def _start_thread(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name=self._thread_name, daemon=True)
        self._thread.start()
        started.wait()
        return loop

    def in_loop(self) -> bool:
        """True when the caller runs on the loop's thread while the loop runs (no hop needed)."""
        return self._loop is not None and asyncio._get_running_loop() is self._loop

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop: now if we are on it, else as soon as the loop gets to it."""
        if self.in_loop():
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    def run_sync(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Block the calling thread until ``coro`` finished on the loop (never from the loop itself)."""
        if self.in_loop():
            coro.close()
            raise RuntimeError(
                "this call would block the event loop that delivers the data (you are on it, e.g. in a "
                "notebook cell): use the async form instead, e.g. `await feed.next()` / `await streams.close()`"
            )
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout} s") from None

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the host loop from whatever loop the caller is on."""
        if asyncio.get_running_loop() is self.loop:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join our own thread's loop (no-op for a borrowed loop)."""
        thread = self._thread
        if thread is None or self._loop is None:
            return
        if thread is threading.current_thread():
            raise RuntimeError("the stream loop cannot stop itself from its own thread")
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        thread.join(timeout)


def spawn_on(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]
) -> asyncio.Future | concurrent.futures.Future:
    """Start ``coro`` on ``loop`` without waiting: a task when called on that loop (a notebook cell, a comm
    handler), else handed over thread-safely (a script whose streams run on their own thread). The one hop
    onto the streams' loop that widgets and other callers share; both futures take done callbacks."""
    if asyncio._get_running_loop() is loop:
        return loop.create_task(coro)
    return asyncio.run_coroutine_threadsafe(coro, loop)
