"""Reprs, widget state, exception texts and DEBUG logs never carry the secret (and show the key masked).

Marker credentials unique per run, an embedded exchange that knows them, and
everything a user can print, share or log: the reprs of every public object,
the state every widget sends to the browser, the text, hint and full
traceback (with local variables, as IPython's verbose mode shows them) of
the errors a wrong secret, an unknown key, a bad clock or a refused private
stream raise, and every log record at DEBUG while all of that happens.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
import time
import traceback
from collections.abc import Iterator
from typing import Any

import ipywidgets
import pytest

import bybit_widgets as bw
from bybit_widgets.protocol.signing import Credentials, mask_key
from bybit_widgets.rest import ServerClock
from bybit_widgets.stream import Backoff, StreamManager

from .leaks import Finding, record_check

KEY = "BWKEY" + secrets.token_hex(7).upper()
SECRET = "BWSECRET" + secrets.token_hex(14).upper()
WRONG = "BWWRONG" + secrets.token_hex(14).upper()  # a secret the exchange does not know for KEY
STRANGER, STRANGER_SECRET = "BWSTRANGER" + secrets.token_hex(4).upper(), "BWSTRANGESECRET" + secrets.token_hex(10)
SECRETS = (SECRET, WRONG, STRANGER_SECRET)
FAST = dict(
    ping_interval=0.5,
    pong_timeout=1.0,
    backoff=Backoff(initial=0.05, maximum=0.2),
    auth_timeout=3.0,
    subscribe_timeout=3.0,
    linger=0.1,
)


@pytest.fixture(scope="module")
def exchange() -> Iterator[Any]:
    with bw.sim.run(seed=11, api_key=KEY, api_secret=SECRET) as ex:
        yield ex


class _Capture(logging.Handler):
    """Every record, formatted with its traceback, as a handler at DEBUG on the root logger sees it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def debug_log() -> Iterator[_Capture]:
    root = logging.getLogger()
    handler, level = _Capture(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def _jumpy_clock() -> Any:
    """A local clock stepping 20 s back and forth on every reading (a VM clock being stepped): 10002 twice."""
    readings = itertools.count()
    return lambda: time.time() * 1000 + (20_000 if next(readings) % 2 else 0)


def error_texts(exc: BaseException, *, with_locals: bool = True) -> dict[str, str]:
    """Everything an exception can show: message, repr, hint, and its traceback with every local's repr."""
    texts = {
        "str": str(exc),
        "repr": repr(exc),
        "hint": str(getattr(exc, "hint", "")),
        "traceback": "".join(traceback.format_exception(exc)),
    }
    if with_locals:
        found = traceback.TracebackException.from_exception(exc, capture_locals=True)
        texts["traceback with locals"] = "".join(found.format())
    return texts


def _widget_states() -> dict[str, str]:
    """The state of every live widget, as it goes to the browser (and into a saved notebook)."""
    active = ipywidgets.widgets.widget._instances  # every widget not closed yet, by model id
    out = {}
    for widget in list(active.values()):
        state = widget.get_state()
        out[f"{type(widget).__name__} state"] = json.dumps(state, default=lambda v: f"<{type(v).__name__}>")
    return out


def _check(found: dict[str, str], group: str, *, key_masked: set[str] = frozenset()) -> list[Finding]:  # type: ignore[assignment]
    findings = [Finding(where, len(text), any(s in text for s in SECRETS)) for where, text in found.items()]
    findings += [Finding(f"{where} (full API key)", len(found[where]), KEY in found[where]) for where in key_masked]
    return findings


def test_reprs_widget_state_and_debug_logs_of_a_working_session(exchange, debug_log):
    async def main() -> dict[str, str]:
        session = bw.connect(base_url=exchange.rest_url, base_ws_url=exchange.ws_url, api_key=KEY, api_secret=SECRET)
        try:
            dashboard = bw.Dashboard("BTCUSDT", session=session)
            await dashboard.ticket.ready()
            orders = await session.streams.orders().ready(10)
            ack = await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001"
            )
            while not any(o.order_link_id == ack.order_link_id for o in (orders.latest or {}).values()):
                await orders.next(timeout=10)
            report = await session.aclient.check_credentials()
            found = {
                "repr(Session)": repr(session),
                "repr(Client)": repr(session.client),
                "repr(AsyncClient)": repr(session.aclient),
                "repr(StreamManager)": repr(session.streams),
                "StreamManager.stats": str(session.streams.stats),
                "repr(Feed)": repr(orders),
                "repr(Credentials)": repr(Credentials(KEY, SECRET)),
                "str(Credentials)": str(Credentials(KEY, SECRET)),
                "credential report": f"{report} {report!r} {report._repr_markdown_()}",
                "repr(SimServer)": repr(exchange),
                "repr(OrderAck)": repr(ack),
                **{
                    f"repr({type(w).__name__})": repr(w)
                    for w in (dashboard, dashboard.ticket, dashboard.positions, dashboard.book)
                },
                **_widget_states(),
            }
            dashboard.close()
            orders.close()
            return found
        finally:
            await session.streams.close()
            await session.aclient.aclose()
            session.client.close()

    found = asyncio.run(main())
    found["DEBUG log"] = "\n".join(debug_log.texts)
    shown_to_people = {
        w for w in found if w not in ("repr(Credentials)", "str(Credentials)", "repr(SimServer)", "DEBUG log")
    }
    findings = _check(found, "session", key_masked=shown_to_people)
    record_check(
        "reprs, widget state, DEBUG log of a working session",
        findings,
        note=f"{len(debug_log.texts)} log records; the key shows masked ({mask_key(KEY)}) wherever people see it",
    )
    assert mask_key(KEY) in found["repr(Session)"] and len([w for w in found if w.endswith(" state")]) >= 7
    assert any("bybit_widgets" in t for t in debug_log.texts) and any(" DEBUG " in t for t in debug_log.texts)
    assert [f.where for f in findings if f.leaked] == []


def test_error_texts_tracebacks_and_logs_of_every_auth_failure(exchange, debug_log):
    found: dict[str, str] = {}

    def expect(what: str, kind: type[BaseException], call: Any) -> None:
        with pytest.raises(kind) as info:
            call()
        found.update({f"{what}: {k}": v for k, v in error_texts(info.value).items()})

    with (
        bw.Client(KEY, WRONG, base_url=exchange.rest_url) as wrong,
        bw.Client(STRANGER, STRANGER_SECRET, base_url=exchange.rest_url) as stranger,
        bw.Client(KEY, SECRET, base_url=exchange.rest_url, clock=ServerClock(local_ms=_jumpy_clock())) as hasty,
    ):
        expect("10004 wrong secret", bw.AuthError, lambda: wrong.get_wallet_balance())
        expect(
            "10004 on an order",
            bw.AuthError,
            lambda: wrong.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001"
            ),
        )
        expect("10003 unknown key", bw.AuthError, lambda: stranger.get_positions(category="linear"))
        expect(
            "10002 clock moving",
            bw.TimestampError,
            lambda: hasty.get_open_orders(category="linear", settle_coin="USDT"),
        )
        expect(
            "bad parameter",
            bw.ParameterError,
            lambda: wrong.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="-1", price="x"
            ),
        )
    with pytest.raises(ValueError) as info:
        bw.Client(KEY, None, base_url=exchange.rest_url)  # type: ignore[arg-type]
    # (its locals hold the half-built client, whose repr fails: the traceback without locals is what shows)
    found.update({f"half a key pair: {k}": v for k, v in error_texts(info.value, with_locals=False).items()})

    async def private_streams() -> None:
        async with StreamManager(base_ws_url=exchange.ws_url, api_key=KEY, api_secret=WRONG, **FAST) as streams:
            orders = streams.orders()
            with pytest.raises(bw.AuthError) as refused:
                await orders.ready(15)
            found.update({f"private stream auth: {k}": v for k, v in error_texts(refused.value).items()})
            found.update(
                {
                    "private stream: feed.error": repr(orders.error),
                    "private stream: state": orders.state_reason,
                    "private stream: stats": str(streams.stats),
                    "private stream: repr": repr(streams),
                }
            )
            with pytest.raises(bw.AuthError) as trade:
                await streams.trade_request(
                    "order.create",
                    {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.001"},
                    timeout=15,
                )
            found.update({f"trade stream auth: {k}": v for k, v in error_texts(trade.value).items()})

    asyncio.run(private_streams())
    found["DEBUG log"] = "\n".join(debug_log.texts)
    findings = _check(found, "errors", key_masked={w for w in found if w != "DEBUG log" and "locals" not in w})
    record_check(
        "exception texts and tracebacks (10004, 10003, 10002, private and trade stream auth)",
        findings,
        note="tracebacks include every frame's local variables",
    )
    assert len(found) >= 40
    assert [f.where for f in findings if f.leaked] == []
