"""Replay control in real JupyterLab + Chromium: the buttons, the speed menu and the seek slider drive the tape.

Runs ``notebooks/replay_a_market.ipynb`` (its last cell plays at 25x), then works the control with the
mouse and reads what the kernel reports back on the clock (``data-state``, ``data-position-ms``,
``data-speed``): the view never shows a guess of its own, so each attribute checked here made the round
trip page -> kernel -> exchange -> kernel -> page. The Dashboard beside it follows a seek with a fresh
book.
"""

from __future__ import annotations

import pytest

from .lab import run_all, screenshot, wait_until

pytestmark = pytest.mark.browser

REPLAY = '[data-testid="bw-widget"][data-kind="replay"]'
CLOCK = f'{REPLAY} [data-testid="bw-replay-clock"]'
SEEK = f'{REPLAY} [data-testid="bw-replay-seek"]'
SLIDE = """(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true}));
    el.dispatchEvent(new Event('change', {bubbles: true})); }"""


def clock(page) -> tuple[str | None, int, float]:
    state, position, speed = page.eval_on_selector(
        CLOCK, "e => [e.dataset.state || null, Number(e.dataset.positionMs), Number(e.dataset.speed)]"
    )
    return state, position, speed


def test_the_mouse_plays_pauses_steps_seeks_and_sets_the_speed(page, lab):
    run_all(page, lab, "replay_a_market.ipynb")
    wait_until(lambda: clock(page)[0] in ("playing", "ended"), 30, "the last cell's play to show")
    page.select_option(f'{REPLAY} [data-testid="bw-replay-speed"]', "0.1")
    wait_until(lambda: clock(page)[2] == 0.1, 30, "the kernel to report 0.1x")

    start = int(page.get_attribute(SEEK, "min") or 0)
    target = start + 60_000
    page.eval_on_selector(SEEK, SLIDE, target)
    # at 0.1x a second of the page is 0.1 s of tape: the position lands at the target and creeps on
    wait_until(lambda: target <= clock(page)[1] <= target + 3_000, 30, f"the position to seek to {target}")

    page.click(f'{REPLAY} [data-testid="bw-replay-pause"]')
    wait_until(lambda: clock(page)[0] == "paused", 30, "paused")
    held = clock(page)[1]
    step = page.locator(f'{REPLAY} [data-testid="bw-replay-step"]')
    for _ in range(3):
        step.click()
    stepped = wait_until(lambda: (c := clock(page))[1] > held and c[0] == "paused" and c, 30, "three steps")
    assert stepped[1] < held + 3_000, (held, stepped)  # an event is 10-90 ms of this tape: no playing crept in

    page.select_option(f'{REPLAY} [data-testid="bw-replay-speed"]', "10")
    page.click(f'{REPLAY} [data-testid="bw-replay-play"]')
    wait_until(lambda: (c := clock(page))[0] == "playing" and c[1] > stepped[1] + 1_000, 30, "playing at 10x")
    assert clock(page)[2] == 10
    screenshot(page, "replay-control", page.locator(REPLAY))
