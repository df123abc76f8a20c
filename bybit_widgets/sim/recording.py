"""Record public Bybit v5 streams to Parquet: from the simulator, testnet or mainnet alike.

A recording is a table of the data frames exactly as received, one row per
frame: ``t_ms`` (local receive time, ms since the epoch), ``category``,
``topic``, ``type`` and ``frame`` (the JSON text, byte for byte). Keeping the
raw text means a replay sends what the source sent, and any tool that reads
Parquet (pandas, Polars, DuckDB, Spark) can analyse a session.

pyarrow is optional (``pip install bybit-widgets[record]``); without it these
functions raise an ``ImportError`` saying so.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..protocol.codec import DecodeError, decode, encode
from ..protocol.topics import subscribe_batches

__all__ = ["record", "record_async", "load_recording", "save_recording", "Recording", "RecordError",
           "category_of_url"]  # fmt: skip

_FORMAT = b"bybit-widgets/recording/1"
_PING_EVERY_S = 20.0


class RecordError(RuntimeError):
    """The source refused a subscription or the recording could not be made."""


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(
            "recording and replay need pyarrow: pip install 'bybit-widgets[record]' (or pip install pyarrow)"
        ) from None
    return pa, pq


@dataclass
class Recording:
    """Rows of a recording, sorted by receive time."""

    t_ms: list[int] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    frame: list[str] = field(default_factory=list)
    source: str = ""

    def __len__(self) -> int:
        return len(self.t_ms)

    def append(self, t_ms: int, category: str, topic: str, kind: str, frame: str) -> None:
        self.t_ms.append(t_ms)
        self.category.append(category)
        self.topic.append(topic)
        self.type.append(kind)
        self.frame.append(frame)

    def topics(self) -> set[tuple[str, str]]:
        return set(zip(self.category, self.topic))


def category_of_url(url: str) -> str:
    """``wss://stream.bybit.com/v5/public/linear`` -> ``linear``."""
    tail = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if tail not in ("linear", "spot", "inverse", "option"):
        raise ValueError(f"not a public v5 stream URL (.../v5/public/{{linear,spot,inverse,option}}): {url!r}")
    return tail


def save_recording(recording: Recording, path: str | Path) -> None:
    pa, pq = _pyarrow()
    table = pa.table({
        "t_ms": pa.array(recording.t_ms, pa.int64()),
        "category": pa.array(recording.category, pa.string()),
        "topic": pa.array(recording.topic, pa.string()),
        "type": pa.array(recording.type, pa.string()),
        "frame": pa.array(recording.frame, pa.string()),
    }).replace_schema_metadata({b"format": _FORMAT, b"source": recording.source.encode()})  # fmt: skip
    pq.write_table(table, str(path), compression="zstd")


def load_recording(path: str | Path) -> Recording:
    """Read a recording written by :func:`record`; ``ValueError`` if the file is not one."""
    pa, pq = _pyarrow()
    table = pq.read_table(str(path))
    metadata = table.schema.metadata or {}
    if metadata.get(b"format") != _FORMAT:
        raise ValueError(f"{path}: not a bybit-widgets recording (format {metadata.get(b'format')!r})")
    columns = {name: table.column(name).to_pylist() for name in ("t_ms", "category", "topic", "type", "frame")}
    order = sorted(range(len(columns["t_ms"])), key=columns["t_ms"].__getitem__)
    recording = Recording(source=metadata.get(b"source", b"").decode())
    for i in order:
        recording.append(columns["t_ms"][i], columns["category"][i], columns["topic"][i], columns["type"][i],
                         columns["frame"][i])  # fmt: skip
    return recording


async def _record_one(url: str, topics: Sequence[str], deadline: float, into: Recording) -> None:
    """Record one URL on a socket of its own, subscribing in the batches Bybit's limits allow.

    Decision: not a :class:`~bybit_widgets.stream.StreamManager` feed, because a recording keeps
    each data frame's text byte for byte and the feeds hand out reduced state, not frames.
    """
    import websockets

    category = category_of_url(url)
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        pending: dict[str, list[str]] = {}
        for n, batch in enumerate(subscribe_batches(category, topics)):
            req_id = f"rec-{n}"
            pending[req_id] = batch
            await ws.send(encode({"req_id": req_id, "op": "subscribe", "args": batch}).decode())
        next_ping = time.monotonic() + _PING_EVERY_S
        while True:
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= next_ping:
                await ws.send('{"op":"ping"}')
                next_ping = now + _PING_EVERY_S
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=min(deadline, next_ping) - now)
            except asyncio.TimeoutError:
                continue
            text = raw if isinstance(raw, str) else raw.decode()
            try:
                message = decode(text)
            except DecodeError:
                continue
            topic = message.get("topic") if isinstance(message, dict) else None
            if topic is not None:
                into.append(int(time.time() * 1000), category, topic, str(message.get("type", "")), text)
            elif isinstance(message, dict) and message.get("op") == "subscribe" and not message.get("success"):
                refused = pending.get(str(message.get("req_id")), [])
                raise RecordError(f"{url} refused the subscription of {refused}: {message.get('ret_msg')!r}")


async def record_async(sources: Mapping[str, Sequence[str]], path: str | Path, *, seconds: float) -> Recording:
    """Record ``{public_ws_url: [topics]}`` for ``seconds`` and write ``path`` (Parquet); return the rows.

    Every URL is recorded at the same time on its own connection; a refused
    topic raises :class:`RecordError` (nothing is written).
    """
    _pyarrow()  # fail before connecting if pyarrow is missing
    if not sources:
        raise ValueError("nothing to record: give {url: [topics]}")
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    recording = Recording(source=" ".join(sources))
    deadline = time.monotonic() + seconds
    parts = [Recording() for _ in sources]
    await asyncio.gather(*(_record_one(url, list(topics), deadline, part)
                           for (url, topics), part in zip(sources.items(), parts)))  # fmt: skip
    rows = sorted((row for part in parts for row in zip(part.t_ms, part.category, part.topic, part.type,
                                                        part.frame)), key=lambda row: row[0])  # fmt: skip
    for row in rows:
        recording.append(*row)
    save_recording(recording, path)
    return recording


def record(sources: Mapping[str, Sequence[str]], path: str | Path, *, seconds: float) -> Recording:
    """Blocking :func:`record_async`. Inside a running event loop (a notebook) it records on a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(record_async(sources, path, seconds=seconds))
    result: list[Recording] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(asyncio.run(record_async(sources, path, seconds=seconds)))
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=work, name="bybit-record")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return result[0]
