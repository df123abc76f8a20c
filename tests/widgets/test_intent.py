"""The one-order-per-intent guard, with plain numbers for the clock."""

from __future__ import annotations

import pytest

from bybit_widgets.widgets.intent import HOLD_SECONDS, IntentGuard


def test_the_first_gesture_is_admitted_and_is_then_in_flight():
    guard = IntentGuard()
    assert guard.begin(10.0)
    assert guard.in_flight and guard.holding(10.0)
    assert guard.release_at() is None


def test_a_second_gesture_while_the_first_is_in_flight_places_nothing():
    guard = IntentGuard()
    guard.begin(10.0)
    assert not guard.begin(10.05)
    assert not guard.allows(30.0)  # in flight for however long the exchange takes
    assert guard.refused == 2


def test_a_click_150_ms_after_the_first_is_refused_although_the_fill_came_at_80_ms():
    """The bug this guard exists for: the embedded exchange answers in well under 100 ms."""
    guard = IntentGuard()
    guard.begin(0.0)
    guard.finish(0.08)
    assert not guard.begin(0.15)
    assert guard.refused == 1


def test_the_next_order_is_admitted_once_the_hold_after_the_outcome_is_over():
    guard = IntentGuard()
    guard.begin(0.0)
    guard.finish(0.5)
    assert guard.release_at() == pytest.approx(0.5 + HOLD_SECONDS)
    assert guard.holding(0.5 + HOLD_SECONDS - 0.001)
    assert not guard.holding(0.5 + HOLD_SECONDS)
    assert guard.begin(2.0)
    assert guard.refused == 0


def test_a_rejection_holds_as_long_as_a_fill():
    guard = IntentGuard(hold=1.0)
    guard.begin(0.0)
    guard.finish(0.2)  # whatever the outcome: the user has just seen an answer to this click
    assert not guard.allows(1.1)
    assert guard.allows(1.2)


def test_a_hold_of_zero_guards_only_while_in_flight():
    guard = IntentGuard(hold=0.0)
    guard.begin(0.0)
    guard.finish(0.1)
    assert guard.begin(0.1)


def test_a_negative_hold_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="hold must be >= 0 seconds"):
        IntentGuard(hold=-1)
