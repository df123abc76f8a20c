"""One default session per kernel: threads, asyncio tasks and closed sessions (issue 15).

Each "viewer" is a thread of its own (a one-worker executor: every call runs on
the same thread, which starts with an empty context like marimo's per-viewer
kernel threads); ``.result()`` orders the steps, so no test sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import bybit_widgets as bw
from bybit_widgets import session as session_mod
from bybit_widgets.session import Session


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    for name in ("BYBIT_ENV", "BYBIT_API_KEY", "BYBIT_API_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def opened() -> Iterator[list[Session]]:
    """Sessions a test made (also those current() connected), closed at the end."""
    sessions: list[Session] = []
    yield sessions
    for s in sessions:
        s.close()


class Viewer:
    """A thread of its own that runs what it is asked, one call at a time."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)

    def __call__(self, fn: Callable[[], Any]) -> Any:
        return self._pool.submit(fn).result(timeout=30)

    def close(self) -> None:
        self._pool.shutdown()


@pytest.fixture
def viewers() -> Iterator[Callable[[], Viewer]]:
    made: list[Viewer] = []

    def make() -> Viewer:
        made.append(Viewer())
        return made[-1]

    yield make
    for viewer in made:
        viewer.close()


def usable(s: Session) -> bool:
    return not s.closed and s.client.get_wallet_balance().coins["USDT"].wallet_balance > 0


def test_each_thread_that_connected_gets_its_own_session_whoever_connected_last(opened, viewers):
    a, b = viewers(), viewers()
    sa = a(bw.connect)
    opened.append(sa)
    sb = b(bw.connect)  # b connects after a
    opened.append(sb)
    assert sa is not sb
    assert a(bw.session.current) is sa
    assert b(bw.session.current) is sb


def test_a_thread_keeps_its_open_session_when_another_threads_session_closes(opened, viewers):
    a, b = viewers(), viewers()
    sa = a(bw.connect)
    opened.append(sa)
    sb = b(bw.connect)
    opened.append(sb)
    b(sb.close)
    assert sb.closed and not sa.closed
    assert a(bw.session.current) is sa
    assert a(lambda: usable(bw.session.current()))


def test_a_thread_that_never_connected_gets_the_latest_open_session_of_a_plain_process(opened, viewers):
    a, b, other = viewers(), viewers(), viewers()
    sa = a(bw.connect)
    opened.append(sa)
    sb = b(bw.connect)
    opened.append(sb)
    assert other(bw.session.current) is sb  # one kernel per process: a user thread in Jupyter, a script
    b(sb.close)
    assert other(bw.session.current) is sa  # never a closed one


def test_under_marimo_run_mode_a_thread_that_never_connected_gets_a_new_session(opened, viewers, monkeypatch):
    monkeypatch.setattr(session_mod, "_shared_process", True)  # as after a run-mode kernel used bybit_widgets
    a, other = viewers(), viewers()
    sa = a(bw.connect)
    opened.append(sa)
    mine = other(bw.session.current)
    opened.append(mine)
    assert mine is not sa and not mine.closed
    assert other(bw.session.current) is mine  # and it stays that thread's default
    assert a(bw.session.current) is sa


def test_connect_then_current_on_the_same_thread_is_that_session_and_the_latest_of_two(opened):
    first = bw.connect()
    opened.append(first)
    assert bw.session.current() is first
    second = bw.connect()
    opened.append(second)
    assert bw.session.current() is second


def test_closing_the_latest_session_falls_back_to_the_previous_open_one(opened):
    first = bw.connect()
    opened.append(first)
    second = bw.connect()
    opened.append(second)
    second.close()
    assert bw.session.current() is first


def test_a_session_whose_streams_were_closed_directly_is_not_the_default(opened, viewers):
    a = viewers()
    sa = a(bw.connect)
    opened.append(sa)
    a(sa.streams.close_sync)
    fresh = a(bw.session.current)
    opened.append(fresh)
    assert sa.closed and fresh is not sa and not fresh.closed


def test_an_asyncio_task_created_after_connect_sees_the_session(opened):
    async def in_task() -> Session:
        return bw.session.current()

    async def main() -> tuple[Session, Session]:
        s = bw.connect()
        opened.append(s)
        return s, await asyncio.create_task(in_task())

    s, seen = asyncio.run(main())
    assert seen is s


def test_a_session_connected_in_one_task_is_the_default_of_later_tasks_on_the_thread(opened):
    """Like marimo's cells (each an asyncio task of the kernel's thread): the ContextVar does not carry over."""

    async def cell_connect() -> Session:
        s = bw.connect()
        opened.append(s)
        return s

    async def cell_current() -> tuple[Session | None, Session]:
        return session_mod._default.get(), bw.session.current()

    async def main() -> tuple[Session, Session | None, Session]:
        s = await asyncio.create_task(cell_connect())
        in_context, seen = await asyncio.create_task(cell_current())
        return s, in_context, seen

    s, in_context, seen = asyncio.run(main())
    assert in_context is not s  # the later task's own context never saw the connect
    assert seen is s
