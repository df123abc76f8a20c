"""Fuzz fixtures: one embedded exchange for the package, real frames recorded from it, the results table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import bybit_widgets as bw
from tests.reliability_results import stamp, table, write_section

from .corpus import Corpus, record_corpus
from .tally import TALLIES


@pytest.fixture(scope="package")
def sim() -> Iterator[Any]:
    with bw.sim.run(seed=3) as exchange:
        yield exchange


@pytest.fixture(scope="package")
def corpus(sim: Any) -> Corpus:
    """Real frames of every topic the feeds read, and the control replies, as the exchange sends them."""
    return record_corpus(sim)


@pytest.fixture(scope="package", autouse=True)
def _results_table() -> Iterator[None]:
    yield
    if not TALLIES:
        return
    rows = [t.row() for t in TALLIES.values()]
    totals = [sum(int(r[i]) for r in rows) for i in range(2, 6)]
    rows.append(["**all**", "", *totals])
    body = "\n\n".join(
        [
            "## Fuzzing",
            f"Measured {stamp()}. Command: `.venv/bin/pytest tests/fuzz` (hypothesis; part of `bash scripts/test.sh`). "
            "REST parameter validation is fuzzed separately in `tests/unit/protocol/test_fuzz_params.py`.",
            table(["target", "inputs", "tried", "rejected (named error, counted)", "accepted", "crashed"], rows),
            "Rejected: refused the documented way (a ParameterError or a ticket problem naming the field, a bad "
            "frame counted on the connection and shown on the feed, a Bybit error envelope or error reply). "
            "Crashed: an unexpected exception, an internal error caught by a safety net, an HTTP 500, a socket "
            "closed by junk. The tests fail on any crash.",
        ]
    )
    write_section("fuzz", body)
