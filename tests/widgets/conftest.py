"""Fixtures for the widget tests: one embedded exchange, a fresh account and session per test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import bybit_widgets as bw
from bybit_widgets.session import Session, connect


@pytest.fixture(scope="package")
def sim() -> Iterator[Any]:
    with bw.sim.run(seed=7) as exchange:
        yield exchange


@pytest.fixture
def account(sim: Any) -> tuple[str, str]:
    """A new account on the exchange, so positions and orders of other tests never show up."""
    key, secret = bw.sim.generate_keys()
    sim.add_account(key, secret)
    return key, secret


@contextlib.asynccontextmanager
async def live_session(sim: Any, account: tuple[str, str] | None = None, **kw: Any) -> AsyncIterator[Session]:
    """A session on the test exchange, on the running loop; everything closed at the end."""
    key, secret = account if account is not None else (None, None)
    session = connect(base_url=sim.rest_url, base_ws_url=sim.ws_url, api_key=key, api_secret=secret, **kw)
    try:
        yield session
    finally:
        await session.streams.close()
        await session.aclient.aclose()
        session.client.close()


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Wait until ``predicate()`` is truthy (the loop keeps running meanwhile); fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)
