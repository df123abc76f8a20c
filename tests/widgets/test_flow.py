"""Flow control of one widget's frames (widgets/flow.py), with plain numbers for the clock."""

from __future__ import annotations

import pytest

from bybit_widgets.widgets.flow import ACK_MARGIN, DEFAULT_WINDOW, MAX_GAP, FlowControl


def test_without_any_view_frames_are_never_held():
    flow = FlowControl(window=0)
    for t in range(5):
        assert flow.ready(float(t))
        flow.sent(float(t))
    assert flow.ready(5.0) and flow.wake_at(5.0) == 5.0


def test_with_no_window_once_a_view_said_hello_one_frame_is_in_flight_until_it_is_acknowledged():
    flow = FlowControl(window=0)
    flow.hello("a", 0.0)
    stamp = flow.sent(0.0)
    assert stamp.seq == 1 and stamp.sent_ms == 0 and flow.in_flight == 1
    assert not flow.ready(0.5) and flow.wake_at(0.5) == pytest.approx(2.0)
    assert flow.ack("a", stamp.seq, 0.1) is True
    assert flow.ready(0.1) and flow.in_flight is None


def test_frames_flow_while_the_oldest_unacknowledged_one_is_younger_than_the_window():
    flow = FlowControl(window=0.3)
    flow.hello("a", 0.0)
    for t in (0.0, 0.04, 0.08, 0.12):
        assert flow.ready(t)
        flow.sent(t)
    assert flow.ready(0.29) and not flow.ready(0.3), "the first frame has waited 0.3 s: hold"
    assert flow.ack("a", 2, 0.31)  # the page painted up to frame 2: frame 3 (sent at 0.08) is the oldest now
    assert flow.ready(0.37) and not flow.ready(0.38)
    assert flow.ack("a", 4, 0.39) and flow.in_flight is None and flow.ready(5.0)


def test_a_page_that_stops_answering_gets_a_few_frames_at_most_then_one_per_deadline():
    flow = FlowControl(window=0.3, deadline=2.0)
    flow.hello("a", 0.0)
    sent = []
    t = 0.0
    while t < 10.0:
        if flow.ready(t):
            flow.sent(t)
            sent.append(round(t, 2))
        t = round(t + 0.04, 2)
    assert sent[:8] == [0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24, 0.28] and 0.32 not in sent
    # then the deadline: 2 s after the last frame (2.28, give or take a step), then 4 s after that
    assert len(sent) == 10 and 2.28 <= sent[8] <= 2.32 and 4.0 <= sent[9] - sent[8] <= 4.04, sent


def test_a_stamp_carries_the_kernel_time_in_milliseconds_and_numbers_grow():
    flow = FlowControl()
    stamps = [flow.sent(t) for t in (1.0, 1.0401, 2.5)]
    assert [s.seq for s in stamps] == [1, 2, 3]
    assert [s.sent_ms for s in stamps] == [1000, 1040, 2500]


def test_a_missing_acknowledgement_releases_the_frame_at_the_deadline_which_then_doubles_up_to_its_cap():
    flow = FlowControl(window=0, deadline=2.0, max_deadline=8.0)
    flow.hello("a", 0.0)
    flow.sent(0.0)
    assert not flow.ready(1.99) and flow.ready(2.0)
    flow.sent(2.0)  # on the deadline: nobody answered
    assert flow.expired == 1 and flow.wake_at(2.0) == pytest.approx(6.0)
    flow.sent(6.0)
    flow.sent(14.0)
    assert flow.wake_at(14.0) == pytest.approx(22.0), "the deadline stops doubling at max_deadline"
    assert flow.ack("a", flow.seq, 14.5)
    flow.sent(15.0)
    assert flow.wake_at(15.0) == pytest.approx(17.0), "an acknowledgement resets the deadline"


def test_a_frame_forced_before_the_deadline_does_not_count_as_expired():
    flow = FlowControl(window=0)
    flow.hello("a", 0.0)
    flow.sent(0.0)
    flow.sent(0.5)  # a connection change shown at once (flush_now)
    assert flow.expired == 0 and flow.deadline == 2.0


def test_the_fastest_view_sets_the_pace_and_a_slow_view_acknowledging_an_older_frame_releases_nothing():
    flow = FlowControl(window=0)
    flow.hello("fast", 0.0)
    flow.hello("slow", 0.0)
    flow.sent(0.0)
    assert flow.ack("fast", 1, 0.05)
    flow.sent(0.05)
    assert flow.ack("slow", 1, 0.3) is False, "frame 1 is not the one in flight"
    assert not flow.ready(0.3)
    assert flow.ack("slow", 2, 0.35) is True


def test_lag_is_how_long_the_kernel_has_held_a_newer_state_than_the_one_acknowledged():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.sent(10.0)
    flow.changed(10.2)  # newer state from 10.2 on
    flow.changed(10.5)
    flow.ack("a", 1, 11.0)
    assert flow.lag("a") == pytest.approx(0.8)
    assert flow.lagging_views() == []


def test_the_wait_between_paint_and_acknowledgement_is_not_taken_for_lag():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.sent(10.0)
    flow.changed(10.1)
    flow.ack("a", 1, 11.3, painted_ago=0.25)  # painted at 11.05, then waited for the page's batch
    assert flow.lag("a") == pytest.approx(0.95) and flow.lagging_views() == []


def test_an_acknowledged_frame_with_no_newer_state_is_not_behind_however_late_the_acknowledgement():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.sent(0.0)
    flow.ack("a", 1, 5.0)
    assert flow.lag("a") == 0.0 and not flow.lagging


def test_a_view_more_than_a_second_behind_is_lagging_until_it_is_less_than_half_a_second_behind():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.hello("b", 0.0)
    flow.sent(0.0)
    flow.changed(0.1)
    flow.ack("a", 1, 1.2)  # 1.1 s behind
    flow.ack("b", 1, 0.3)
    assert flow.lagging_views() == ["a"] and flow.lagging
    flow.sent(1.2)
    flow.changed(1.3)
    flow.ack("a", 2, 2.0)  # 0.7 s behind: better, but not caught up
    assert flow.lagging_views() == ["a"]
    flow.sent(2.0)
    flow.changed(2.1)
    flow.ack("a", 3, 2.4)  # 0.3 s
    assert flow.lagging_views() == [] and not flow.lagging


def test_a_slow_view_acknowledging_a_frame_older_than_the_history_is_still_measured():
    flow = FlowControl()
    flow.hello("slow", 0.0)
    flow.hello("fast", 0.0)
    for i in range(100):
        t = i * 0.04
        flow.sent(t)
        flow.changed(t + 0.01)
        flow.ack("fast", flow.seq, t + 0.02)
    flow.ack("slow", 1, 4.0)
    assert flow.lag("slow") >= 1.0 and flow.lagging_views() == ["slow"]


def test_a_new_view_releases_the_frame_in_flight_so_it_gets_the_newest_state_at_once():
    flow = FlowControl(window=0)
    flow.hello("old", 0.0)
    flow.sent(0.0)
    assert not flow.ready(0.1)
    flow.hello("reloaded", 0.1)
    assert flow.ready(0.1) and flow.views == 2


def test_views_that_said_bye_or_fell_silent_are_forgotten():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.hello("b", 0.0)
    flow.bye("a")
    assert flow.views == 1 and flow.lag("a") is None
    flow.hello("c", 100.0)
    flow.sent(100.0)
    flow.ack("c", 1, 100.1)
    assert flow.views == 1, "b was silent for more than a minute"


def test_an_acknowledgement_of_a_frame_never_sent_is_ignored():
    flow = FlowControl(window=0)
    flow.hello("a", 0.0)
    flow.sent(0.0)
    assert flow.ack("a", 99, 0.1) is False
    assert not flow.ready(0.1)


def test_bad_settings_are_refused_in_plain_words():
    with pytest.raises(ValueError, match="deadline"):
        FlowControl(deadline=0)
    with pytest.raises(ValueError, match="window"):
        FlowControl(window=3.0, deadline=2.0)
    with pytest.raises(ValueError, match="lag_leave"):
        FlowControl(lag_enter=0.5, lag_leave=1.0)


def test_a_page_that_acknowledges_less_often_widens_the_window_to_its_gap_and_narrows_it_when_it_hurries():
    flow = FlowControl()
    flow.hello("a", 0.0)
    assert flow.window == DEFAULT_WINDOW
    flow.sent(0.0)
    flow.ack("a", 1, 0.1, gap=0.75)  # the page keeps up: its next batch comes within 0.75 s
    assert flow.window == pytest.approx(0.75 + ACK_MARGIN)
    flow.sent(0.2)
    assert flow.ready(0.2 + 0.75 + ACK_MARGIN - 0.01), "frames flow until the announced gap and its margin are over"
    assert not flow.ready(0.2 + 0.75 + ACK_MARGIN)
    flow.ack("a", 2, 1.0, gap=0.25)  # behind or busy: back to the short gap, and the short window
    assert flow.window == DEFAULT_WINDOW == pytest.approx(0.25 + ACK_MARGIN)


def test_the_window_follows_the_longest_gap_of_the_views_and_a_view_that_leaves_takes_its_gap_along():
    flow = FlowControl()
    flow.hello("calm", 0.0)
    flow.hello("hurried", 0.0)
    flow.sent(0.0)
    flow.ack("calm", 1, 0.1, gap=0.75)
    flow.ack("hurried", 1, 0.1, gap=0.25)
    assert flow.window == pytest.approx(0.75 + ACK_MARGIN), "the calm page's batches must not find frames held"
    flow.bye("calm")
    assert flow.window == DEFAULT_WINDOW


def test_an_announced_gap_is_capped_so_the_window_stays_below_the_deadline():
    flow = FlowControl()
    flow.hello("a", 0.0)
    flow.sent(0.0)
    flow.ack("a", 1, 0.1, gap=60.0)
    assert flow.window == pytest.approx(MAX_GAP + ACK_MARGIN) and flow.window < flow.base_deadline
    flow.ack("a", 1, 0.2, gap=0.0)  # a page that says it answers at once keeps the base window
    assert flow.window == DEFAULT_WINDOW
