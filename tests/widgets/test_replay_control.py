"""``bw.ReplayControl`` on a session replaying Bybit history files: it shows and moves the exchange's replay.

Rules relied on (design.md, ``/sim/replay``): ``step`` releases one event and pauses, ``seek`` clamps into
the tape, ``speed`` is 0.1x to 100x; the control's buttons act on the exchange the session replays.
"""

from __future__ import annotations

import asyncio

import pytest

import bybit_widgets as bw

from ..unit.sim.tape import dumps
from .conftest import wait_for


def send(control, content: dict) -> None:
    """What the view's message does: through the widget's message handler."""
    control._on_custom_msg(control, content, [])


async def shut(session) -> None:
    """Everything of a replaying session closed, its own exchange stopped."""
    await session.streams.close()
    await session.aclient.aclose()
    session.client.close()
    await asyncio.to_thread(session.exchange.stop)


@pytest.fixture
def history(tmp_path):
    return [dumps.write_book(tmp_path, deltas=400), dumps.write_trades(tmp_path, count=100)]


def test_the_control_shows_the_replay_and_its_buttons_move_it(history):
    async def main():
        session = bw.connect(replay=history, paused=True)
        try:
            control = bw.ReplayControl(session=session)
            await wait_for(lambda: control.state == "paused" and control.conn_state == "live", what="paused, live")
            assert control.start_ms == control.position_ms == dumps.T0 + 5 and control.end_ms > control.start_ms
            assert control.symbols == ["BTCUSDT"]
            send(control, {"type": "replay", "action": "step"})
            await wait_for(lambda: control.position_ms > control.start_ms, what="a step to move the clock")
            target = control.start_ms + 3_000
            send(control, {"type": "replay", "action": "seek", "to_ms": float(target)})  # a JS number
            await wait_for(lambda: control.position_ms == target, what="the seek")
            send(control, {"type": "replay", "action": "play", "speed": 50})
            await wait_for(lambda: control.state == "ended", timeout=20, what="50x to the end")
            assert control.speed == 50.0 and control.error == ""
            send(control, {"type": "replay", "action": "speed", "speed": 1000})
            assert "between 0.1x and 100x" in control.error  # refused in the view's words, nothing sent
            send(control, {"type": "replay", "action": "rewind"})
            await wait_for(lambda: "rewind refused" in control.error, what="the refusal")
            control.close()
        finally:
            await shut(session)

    asyncio.run(main())


def test_python_calls_play_pause_step_seek_and_speed(history):
    async def main():
        session = bw.connect(replay=history, paused=True)
        try:
            control = bw.ReplayControl(session=session)
            status = await control.seek(dumps.T0 + 2_000)
            assert status["position_ms"] == dumps.T0 + 2_000 and status["state"] == "paused"
            status = await control.step()
            assert status["position_ms"] > dumps.T0 + 2_000 and status["state"] == "paused"
            assert (await control.set_speed(0.5))["speed"] == 0.5
            assert (await control.play())["state"] == "playing"
            assert (await control.pause())["state"] == "paused"
            control.close()
        finally:
            await shut(session)

    asyncio.run(main())


def test_a_session_without_a_replay_says_how_to_get_one(sim):
    async def main():
        session = bw.connect(base_url=sim.rest_url, base_ws_url=sim.ws_url)
        try:
            with pytest.raises(ValueError, match=r"bw.connect\(replay="):
                bw.ReplayControl(session=session)
        finally:
            await session.streams.close()
            await session.aclient.aclose()
            session.client.close()

    asyncio.run(main())
