"""Same seed, same market: the first frames of book data match across runs (timestamps aside)."""

from __future__ import annotations

from bybit_widgets.sim import run

from .helpers import Ws, arun

TOPICS = ["orderbook.50.BTCUSDT", "orderbook.200.ETHUSDT"]


def book_data(seed: int, count: int = 120) -> list[tuple]:
    with run(seed=seed, paused=True) as sim:

        async def main():
            async with await Ws.open(sim.ws_public_linear) as ws:
                await ws.request({"op": "subscribe", "args": TOPICS})
                snapshots = await ws.collect(lambda m: m.get("topic") in TOPICS, 2)
                sim.resume()
                frames = snapshots + await ws.collect(lambda m: m.get("topic") in TOPICS, count)
            return [
                (f["topic"], f["type"], f["data"]["u"], f["data"]["seq"], f["data"]["b"], f["data"]["a"])
                for f in frames
            ]

        return arun(main())


def test_same_seed_same_frames_different_seed_differs():
    first = book_data(7)
    second = book_data(7)
    assert [f for f in first if f[0] == TOPICS[0]] == [f for f in second if f[0] == TOPICS[0]]
    assert [f for f in first if f[0] == TOPICS[1]] == [f for f in second if f[0] == TOPICS[1]]
    other = book_data(8, count=20)
    assert other[0][4:] != first[0][4:] or other[1][4:] != first[1][4:]
