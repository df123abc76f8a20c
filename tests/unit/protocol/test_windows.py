"""Bybit's history windows, as documented on its v5 pages for ``/v5/position/closed-pnl`` (7 days from one bound
alone) and ``/v5/account/transaction-log`` (24 hours from one bound alone), both at most 7 days with both bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bybit_widgets.protocol.windows import DAY_MS, HISTORY_WINDOWS, SLACK_MS, WEEK_MS

CLOSED_PNL = HISTORY_WINDOWS["/v5/position/closed-pnl"]
TRANSACTION_LOG = HISTORY_WINDOWS["/v5/account/transaction-log"]
NOW = 1_790_000_000_000


def test_a_start_alone_serves_7_days_of_closed_pnl_and_24_hours_of_the_transaction_log():
    start = NOW - 10 * DAY_MS
    assert CLOSED_PNL.serves(start, None, NOW) == (start, start + WEEK_MS)
    assert TRANSACTION_LOG.serves(start, None, NOW) == (start, start + DAY_MS)
    assert CLOSED_PNL.serves(None, NOW, 0) == (NOW - WEEK_MS, NOW)
    assert TRANSACTION_LOG.serves(None, NOW, 0) == (NOW - DAY_MS, NOW)
    assert CLOSED_PNL.serves(None, None, NOW) == (NOW - WEEK_MS, NOW)
    assert TRANSACTION_LOG.serves(None, None, NOW) == (NOW - DAY_MS, NOW)


@pytest.mark.parametrize("window", [CLOSED_PNL, TRANSACTION_LOG])
def test_both_bounds_may_be_7_days_apart_and_no_more(window):
    assert window.serves(NOW - WEEK_MS, NOW, 0) == (NOW - WEEK_MS, NOW)
    with pytest.raises(ValueError, match="cannot exceed 7 days"):
        window.serves(NOW - WEEK_MS - 1, NOW, 0)
    with pytest.raises(ValueError, match="before startTime"):
        window.serves(NOW, NOW - 1, 0)


def test_a_request_bybit_answers_whole_is_sent_as_asked():
    assert TRANSACTION_LOG.requests(NOW - DAY_MS + SLACK_MS, None, NOW) is None  # its 24 h reach past now
    assert CLOSED_PNL.requests(NOW - 6 * DAY_MS, None, NOW) is None
    assert TRANSACTION_LOG.requests(NOW - WEEK_MS, NOW, NOW) is None


def test_a_start_older_than_the_span_is_read_up_to_now_newest_window_open_ended():
    windows = TRANSACTION_LOG.requests(NOW - 8 * DAY_MS, None, NOW)
    assert windows is not None
    (newest, open_end), *older = windows
    assert open_end is None and newest + DAY_MS == NOW + SLACK_MS  # Bybit's [start, start + 24 h] passes now
    assert older[0][1] == newest - 1 and older[-1][0] == NOW - 8 * DAY_MS


@given(
    start=st.integers(NOW - 60 * DAY_MS, NOW),
    length=st.none() | st.integers(0, 60 * DAY_MS),
    path=st.sampled_from(sorted(HISTORY_WINDOWS)),
)
def test_the_windows_cover_the_range_once_and_each_is_one_bybit_serves(start, length, path):
    rule = HISTORY_WINDOWS[path]
    end = None if length is None else start + length
    windows = rule.requests(start, end, NOW)
    if windows is None:
        low, high = rule.serves(start, end, NOW)
        assert low == start and high >= (NOW if end is None else end)
        return
    served = [rule.serves(low, high, NOW) for low, high in windows]  # none refused
    assert served[0][1] >= (NOW if end is None else end) and served[-1][0] == start
    assert all(older[1] + 1 == newer[0] for newer, older in zip(served, served[1:])), "no gap, no overlap"
