"""Record public Bybit v5 streams to Parquet: from the simulator, testnet or mainnet alike.

A recording is a table of the data frames exactly as received, one row per
frame: ``t_ms`` (local receive time, ms since the epoch), ``category``,
``topic``, ``type`` and ``frame`` (the JSON text, byte for byte). Keeping the
raw text means a replay sends what the source sent, and any tool that reads
Parquet (pandas, Polars, DuckDB, Spark) can analyse a session.

A path ending in ``.parquet`` is one file; any other path is the root of a dataset
hive-partitioned by symbol and UTC date, ``root/symbol=BTCUSDT/date=2024-12-01/part-*.parquet``,
which those tools read as one table and which recordings of later sessions extend (:mod:`.dataset`
says what it costs). :func:`load_recording` and the replay read either form.

pyarrow is optional (``pip install bybit-widgets[record]``); without it these
functions raise an ``ImportError`` saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..protocol.codec import decode
from ..protocol.errors import ParameterError
from ..stream import Feed, StreamManager
from ..stream.errors import SubscriptionRefused
from .dataset import COLUMNS, read_partitions, write_partitions

__all__ = ["record", "record_async", "load_recording", "save_recording", "Recording", "RecordError", "category_of_url"]

_FORMAT = b"bybit-widgets/recording/1"


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


def _is_single_file(path: Path) -> bool:
    """``*.parquet`` that is not an existing directory (Spark names dataset directories ``x.parquet``)."""
    return path.suffix.lower() == ".parquet" and not path.is_dir()


def save_recording(recording: Recording, path: str | Path) -> list[Path]:
    """Write ``recording``: to one Parquet file if ``path`` ends in ``.parquet``, else as a dataset rooted at ``path``.

    The dataset is hive-partitioned by symbol (from the topic) and UTC date (of ``t_ms``),
    ``path/symbol=BTCUSDT/date=2024-12-01/part-*.parquet`` (see :mod:`.dataset`); saving again into
    the same root adds part files and keeps the old ones. Decision: the file name decides, so a
    ``.parquet`` path keeps writing the single file it always did. Returns the files written.
    """
    pa, pq = _pyarrow()
    table = pa.table(
        {
            "t_ms": pa.array(recording.t_ms, pa.int64()),
            "category": pa.array(recording.category, pa.string()),
            "topic": pa.array(recording.topic, pa.string()),
            "type": pa.array(recording.type, pa.string()),
            "frame": pa.array(recording.frame, pa.string()),
        }
    ).replace_schema_metadata({b"format": _FORMAT, b"source": recording.source.encode()})
    path = Path(path)
    if not _is_single_file(path):
        return write_partitions(table, path)
    pq.write_table(table, str(path), compression="zstd")
    return [path]


def load_table(path: str | Path) -> Any:
    """The recording at ``path`` (a file or a dataset directory) as one pyarrow table sorted by ``t_ms``.

    Rows of one ``t_ms`` keep their recorded order. ``ValueError`` in one line naming the path if it
    is not a recording.
    """
    pa, pq = _pyarrow()
    import pyarrow.compute as pc

    if Path(path).is_dir():
        table, sources = read_partitions(path, _FORMAT)
        return table.replace_schema_metadata({b"format": _FORMAT, b"source": " ".join(sources).encode()})
    try:
        table = pq.read_table(str(path))
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"{path}: not a readable Parquet file ({exc})") from None
    metadata = table.schema.metadata or {}
    if metadata.get(b"format") != _FORMAT:
        raise ValueError(f"{path}: not a bybit-widgets recording (format {metadata.get(b'format')!r})")
    table = table.select(list(COLUMNS))
    return table.take(pc.sort_indices(table, [("t_ms", "ascending")]))


def load_recording(path: str | Path) -> Recording:
    """Read a recording written by :func:`record`: one ``.parquet`` file, or a dataset directory.

    A directory is a dataset root or any folder inside it (``root/symbol=ETHUSDT`` reads that symbol
    only); its parts are merged by ``t_ms``, and the partition columns are dropped, so the result
    looks as read from one file. ``ValueError`` in one line naming the path if it is not a recording
    (a directory without Parquet files, a part without the recording's columns).
    """
    table = load_table(path)
    columns = {name: table.column(name).to_pylist() for name in COLUMNS}
    return Recording(**columns, source=(table.schema.metadata or {}).get(b"source", b"").decode())


def _root_of(url: str) -> str:
    """``ws://host:port/v5/public/linear`` -> ``ws://host:port``, the stream manager's root."""
    return url.rstrip("/").split("?", 1)[0][: -len(f"/v5/public/{category_of_url(url)}")]


def _record_with(manager: StreamManager, url: str, topics: Sequence[str], into: Recording) -> list[Feed]:
    """Subscribe ``topics`` of ``url`` through ``manager`` and keep each data frame's text as received.

    Decision: the stream manager's connection, not a socket of our own, so the recorder subscribes in
    Bybit's batches, pings, reconnects and resyncs exactly as the feeds do; a resync's fresh snapshot
    is recorded like any frame. Its feeds' reduced state is not used (about 20 µs a frame).
    """
    category = category_of_url(url)
    feeds = []
    for topic in topics:
        try:
            feed = manager.subscribe(topic, category)
        except ParameterError as exc:
            raise RecordError(f"cannot record {topic!r} from {url}: {exc}") from None

        def keep(frame: bytes, topic: str = feed.topic) -> None:
            message = decode(frame)  # a second parse, the session's is not kept: about 10 µs a frame
            into.append(int(time.time() * 1000), category, topic, str(message.get("type", "")), frame.decode())

        feed.on_frame(keep)
        feeds.append(feed)
    return feeds


def _refused(feed: Feed) -> bool:
    return isinstance(feed.error, SubscriptionRefused)


async def record_async(sources: Mapping[str, Sequence[str]], path: str | Path, *, seconds: float) -> Recording:
    """Record ``{public_ws_url: [topics]}`` for ``seconds`` and write ``path``; return the rows.

    ``path`` is a ``.parquet`` file, or a dataset root that the rows are added to (:func:`save_recording`).

    Every URL is recorded at the same time, each on a stream manager connection;
    a refused topic raises :class:`RecordError` naming it (nothing is written).
    """
    _pyarrow()  # fail before connecting if pyarrow is missing
    if not sources:
        raise ValueError("nothing to record: give {url: [topics]}")
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}")
    refused = asyncio.Event()
    parts = [Recording() for _ in sources]
    managers: dict[str, StreamManager] = {}
    try:
        feeds: list[tuple[str, Feed]] = []
        for (url, topics), part in zip(sources.items(), parts):
            root = _root_of(url)
            if root not in managers:
                managers[root] = StreamManager(base_ws_url=root)
            for feed in _record_with(managers[root], url, list(topics), part):
                feed.on_state(lambda _state, _reason, feed=feed: _refused(feed) and refused.set())
                feeds.append((url, feed))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(refused.wait(), timeout=seconds)
        for url, feed in feeds:
            if _refused(feed):
                names = [f.topic for u, f in feeds if u == url and _refused(f)]
                raise RecordError(f"{url} refused the subscription of {names}: {feed.state_reason}")
    finally:
        for manager in managers.values():
            await manager.close()
    recording = Recording(source=" ".join(sources))
    rows = sorted(
        (row for part in parts for row in zip(part.t_ms, part.category, part.topic, part.type, part.frame)),
        key=lambda row: row[0],
    )
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
