"""Every notebook, opened in real JupyterLab in headless Chromium, runs to the end, and its widgets work.

Checked in the browser, on the DOM's data attributes (numbers, not formatted
text): the ticker's price moves; the book shows at least 20 sorted levels per
side with best bid below best ask; an order placed from the ticket with two
clicks 150 ms apart (a person's double click) fills once and appears in
positions, and a click 1.5 s after the outcome places the next order; the connection badge goes
to reconnecting and back to live when the embedded exchange drops the
connection. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import time

import httpx
import pytest

from .lab import numbers, run_all, screenshot, set_theme, sim_url, wait_until

pytestmark = pytest.mark.browser

LEVELS = 20


def ticker_price(page) -> float | None:
    prices = numbers(page, '[data-testid="bw-ticker-last"][data-price]', "data-price")
    return prices[0] if prices else None


def book_picture(page, scope: str = "") -> tuple[list[float], list[float], int] | None:
    """The first ladder's bids, asks and update id (``data-u``), or None while it shows fewer than LEVELS a side.

    Both sides in one evaluation: one consistent frame of the DOM (locators reach into marimo's shadow roots too).
    """
    bids, asks, u = page.locator(f"{scope} .bw-book").first.evaluate(
        """b => [...['bid', 'ask'].map(side => Array.from(b.querySelectorAll(`[data-testid="bw-book-${side}"]`))
                 .map(e => Number(e.dataset.price))), Number(b.dataset.u || 0)]"""
    )
    return (bids, asks, u) if len(bids) >= LEVELS and len(asks) >= LEVELS else None


def assert_true_book(bids: list[float], asks: list[float]) -> None:
    """Each side sorted from the touch with no repeated price, and best bid below best ask."""
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == len(bids), f"bids not sorted: {bids}"
    assert asks == sorted(asks) and len(set(asks)) == len(asks), f"asks not sorted: {asks}"
    assert bids[0] < asks[0], f"crossed book: best bid {bids[0]} >= best ask {asks[0]}"


def check_book(page, scope: str = "") -> tuple[list[float], list[float]]:
    """Wait until a ladder shows LEVELS+ levels a side; check they are sorted and uncrossed."""
    page.locator(f"{scope} .bw-book").first.wait_for()
    bids, asks, _ = wait_until(lambda: book_picture(page, scope), 30, f"{LEVELS} levels a side in the book")
    assert_true_book(bids, asks)
    return bids, asks


def test_quickstart_dashboard_is_live_and_recovers_from_a_drop(page, lab):
    run_all(page, lab, "quickstart.ipynb")
    first = wait_until(lambda: ticker_price(page), 30, "a ticker price")
    wait_until(lambda: (p := ticker_price(page)) is not None and p != first, 60, "the ticker price to change")
    watch = page.locator('[data-testid="bw-watch-row"]')
    wait_until(
        lambda: watch.count() >= 3 and all(numbers(page, '[data-testid="bw-watch-row"]', "data-price")),
        30,
        "watchlist prices",
    )
    check_book(page, ".bw-dashboard")
    dashboard = page.locator(".bw-dashboard").first
    dashboard.scroll_into_view_if_needed()
    screenshot(page, "quickstart-dashboard-light", dashboard)

    # the embedded exchange drops every public connection; every badge must say so, then recover
    page.evaluate("""() => {
        window.__bwStates = [];
        const badges = document.querySelectorAll('[data-testid="bw-connection-state"]');
        const observer = new MutationObserver(ms => ms.forEach(m => window.__bwStates.push(m.target.dataset.state)));
        badges.forEach(b => observer.observe(b, {attributes: true, attributeFilter: ['data-state']}));
    }""")
    assert page.evaluate("document.querySelectorAll('[data-testid=\"bw-connection-state\"]').length") >= 7
    response = httpx.post(f"{sim_url(page)}/sim/faults", json={"kind": "drop", "target": "public"}, timeout=10)
    assert response.status_code == 200, response.text
    wait_until(lambda: "reconnecting" in page.evaluate("window.__bwStates"), 30, "a badge to show reconnecting")

    def all_live():
        states = page.eval_on_selector_all(
            '.bw-dashboard [data-testid="bw-connection-state"]', "els => els.map(e => e.dataset.state)"
        )
        return states and all(s == "live" for s in states)

    wait_until(all_live, 60, "every dashboard badge to be live again")
    seen = page.evaluate("window.__bwStates")
    assert seen.index("reconnecting") < len(seen) - 1 and seen[-1] == "live", seen
    after = ticker_price(page)
    wait_until(lambda: ticker_price(page) != after, 60, "prices to move again after the reconnect")

    # the same dashboard in the dark theme
    set_theme(page, "JupyterLab Dark")
    check_book(page, ".bw-dashboard")
    screenshot(page, "quickstart-dashboard-dark", dashboard)
    set_theme(page, "JupyterLab Light")


def test_order_book_notebook_shows_a_sorted_deep_ladder(page, lab):
    run_all(page, lab, "order_book.ipynb")
    check_book(page)
    book = page.locator(".bw-book").first
    u0 = int(book.get_attribute("data-u"))
    wait_until(lambda: int(book.get_attribute("data-u") or 0) > u0, 30, "the ladder to update")
    check_book(page)
    grouped = page.locator(".bw-book").nth(1)
    grouped_bids = grouped.evaluate("""b => Array.from(b.querySelectorAll('[data-testid="bw-book-bid"]'))
                                       .map(e => Number(e.dataset.price))""")
    assert len(grouped_bids) >= 10
    assert all(abs(p / 10 - round(p / 10)) < 1e-6 for p in grouped_bids), f"not in 10 USDT buckets: {grouped_bids}"
    wait_until(
        lambda: grouped.locator(".bw-row.bw-bid.bw-has-own").count() == 1,
        30,
        "our resting order marked on the grouped ladder",
    )
    screenshot(page, "order-book", book)
    screenshot(page, "order-book-grouped", grouped)


def test_ticket_order_fills_once_and_shows_in_positions(page, lab):
    run_all(page, lab, "ticket_and_positions.ipynb")
    ticket = page.locator(".bw-ticket").first
    ticket.scroll_into_view_if_needed()
    assert ticket.locator('[data-testid="bw-env"]').get_attribute("data-env") == "sim"
    ticket.locator('[data-testid="bw-ticket-side-buy"]').click()
    ticket.locator('[data-testid="bw-ticket-type"]').select_option("Market")
    ticket.locator('[data-testid="bw-ticket-qty"]').fill("0.01")
    submit = ticket.locator('[data-testid="bw-ticket-submit"]')
    wait_until(lambda: submit.is_enabled(), 30, "the submit button to enable (rules loaded, form valid)")
    screenshot(page, "ticket-before-submit", ticket)
    # a person's double click: two separate clicks 150 ms apart, the second not waiting for the button
    # (the embedded exchange fills in well under 100 ms, so the first order is answered by then)
    box = submit.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(150)  # the gesture's own timing, not a synchronisation
    page.mouse.click(x, y)
    status = ticket.locator('[data-testid="bw-ticket-status"]')
    wait_until(lambda: status.get_attribute("data-status") == "filled", 30, "the ticket status to say filled")
    answered = time.monotonic()
    first = status.get_attribute("data-order-link-id")
    assert first.startswith("bw-")
    row = page.locator('[data-testid="bw-position-row"][data-symbol="BTCUSDT"]')
    wait_until(lambda: row.count() == 1, 30, "a BTCUSDT row in positions")
    assert row.get_attribute("data-side") == "Buy"
    screenshot(page, "ticket-filled", ticket)

    # the guard must not block trading: a deliberate click 1.5 s after the outcome places the next order;
    # by then a second order from the double click would have filled and shown too
    page.wait_for_timeout(max(0.0, 1.5 - (time.monotonic() - answered)) * 1000)
    assert float(row.get_attribute("data-size")) == pytest.approx(0.01), "the double click placed two orders"
    assert submit.get_attribute("data-holding") == "false" and submit.is_enabled()
    page.mouse.click(x, y)
    wait_until(
        lambda: (
            status.get_attribute("data-order-link-id") not in (None, first)
            and status.get_attribute("data-status") == "filled"
        ),
        30,
        "the second order to fill",
    )
    wait_until(lambda: float(row.get_attribute("data-size")) == pytest.approx(0.02), 30, "the position to grow to 0.02")
    positions = page.locator(".bw-positions").first
    screenshot(page, "positions", positions)

    # close it from the positions widget
    row.locator('[data-testid="bw-position-close"]').click()
    wait_until(lambda: row.count() == 0, 30, "the position to be closed")


@pytest.mark.parametrize("notebook", ["streams.ipynb", "testnet_demo.ipynb"])
def test_notebook_without_widgets_runs_clean(page, lab, notebook):
    run_all(page, lab, notebook)
    assert page.locator(".jp-CodeCell").count() >= 4
