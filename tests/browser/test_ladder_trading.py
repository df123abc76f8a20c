"""Trading from the ladder in real JupyterLab + Chromium, judged on the exchange's ground truth.

The generated market is paused (``POST /sim/market``) so that each row keeps its price while the
mouse acts on it; user orders still reach the exchange. In order: a click puts the row's price into
the ticket; an unarmed shift-click places nothing and says so; armed, two shift-clicks 150 ms apart
place exactly one order at that price; dragging its marker onto another row amends the same orderId,
and dropping it back on its own row (shift held, armed) changes nothing; its x cancels it; B and S pick
the ticket's side (Ctrl+S does not, and B does not also insert a cell); Esc disarms.
"""

from __future__ import annotations

import httpx
import pytest

from .lab import Lab, run_all, screenshot, sim_key, sim_url, wait_until
from .test_live_flow import write_notebook
from .test_notebooks import check_book

pytestmark = pytest.mark.browser

CELLS = [
    "import ipywidgets\nimport bybit_widgets as bw\nsession = bw.connect()\nsession",
    "session.exchange",
    't = bw.OrderTicket("BTCUSDT", qty="0.001")\nbook = bw.OrderBook("BTCUSDT", depth=25, ticket=t)\n'
    "ipywidgets.HBox([book, t])",
]


def all_orders(rest: str, key: str) -> list[dict]:
    """Every order the exchange ever took for the account, whatever became of it."""
    return httpx.get(f"{rest}/sim/truth/orders", params={"api_key": key}).json()


def open_orders(rest: str, key: str) -> list[dict]:
    return [o for o in all_orders(rest, key) if o.get("orderStatus") in ("New", "PartiallyFilled")]


def drag(page, source, target, *, shift: bool = False) -> None:
    """Press on ``source``'s left edge, move to the middle of ``target`` in steps, release."""
    start, end = source.bounding_box(), target.bounding_box()
    if shift:
        page.keyboard.down("Shift")
    page.mouse.move(start["x"] + 4, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def ticket_side(ticket) -> str:
    return (
        "Buy"
        if ticket.locator('[data-testid="bw-ticket-side-buy"]').get_attribute("aria-pressed") == "true"
        else "Sell"
    )


def settle(book, rest: str) -> None:
    """Wait until the ladder shows the paused market's last book (frames sent before the pause have landed)."""

    def caught_up() -> bool:  # the exchange's last push, read again each time: a push may follow the pause
        truth = httpx.get(f"{rest}/sim/truth/book", params={"symbol": "BTCUSDT", "depth": 50}).json()
        return book.get_attribute("data-u") == str(truth["u"])

    wait_until(caught_up, 15, "the ladder to show the paused market's book")


def test_click_shift_click_drag_and_cancel_on_the_ladder_act_once_each(page, lab: Lab):
    run_all(page, lab, write_notebook(lab, "ladder.ipynb", CELLS))
    rest = sim_url(page)
    key = sim_key(page)
    book = page.locator(".bw-book").first
    check_book(page)
    assert httpx.post(f"{rest}/sim/market", json={"paused": True}).status_code == 200
    settle(book, rest)
    bids = book.locator('[data-testid="bw-book-bid"]')
    ticket = page.locator(".bw-ticket").first
    notice = book.locator('[data-testid="bw-book-notice"]')

    # a click: the row's price goes into the ticket, as a Limit order
    row = bids.nth(10)
    picked = float(row.get_attribute("data-price"))
    row.click()
    price_box = ticket.locator('[data-testid="bw-ticket-price"]')
    wait_until(lambda: price_box.input_value() and float(price_box.input_value()) == picked, 15, "the picked price")
    assert ticket.locator('[data-testid="bw-ticket-type"]').input_value() == "Limit"

    # unarmed, a shift-click places nothing and says why, on the ladder
    row.click(modifiers=["Shift"])
    wait_until(lambda: "arm it" in (notice.text_content() or ""), 15, "the unarmed notice")
    assert open_orders(rest, key) == []

    # armed: a person's double shift-click, 150 ms apart, places one order at that row's price
    arm = book.locator('[data-testid="bw-book-arm"]')
    assert arm.get_attribute("data-armed") == "false"
    arm.click()
    wait_until(lambda: arm.get_attribute("data-armed") == "true", 15, "the ladder to arm")
    target = bids.nth(12)
    price = float(target.get_attribute("data-price"))
    box = target.bounding_box()
    x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2
    page.keyboard.down("Shift")
    page.mouse.click(x, y)
    page.wait_for_timeout(150)  # the gesture's own timing, not a synchronisation
    page.mouse.click(x, y)
    page.keyboard.up("Shift")
    marker = book.locator('[data-testid="bw-book-own"]')
    wait_until(lambda: marker.count() == 1, 15, "the order's marker on the ladder")
    (order,) = all_orders(rest, key)  # one order, not one open and one refused or cancelled
    assert float(order["price"]) == price and order["side"] == "Buy" and order["qty"] == "0.001"
    assert float(marker.get_attribute("data-price")) == price
    assert marker.get_attribute("data-order-id") == order["orderId"]
    screenshot(page, "ladder-own-order", book)

    # drag the marker three rows down: the same order now rests at that row's price
    drop = bids.nth(15)
    moved_to = float(drop.get_attribute("data-price"))
    told = notice.get_attribute("data-seq")
    drag(page, marker, drop)
    wait_until(
        lambda: [(o["orderId"], float(o["price"])) for o in open_orders(rest, key)] == [(order["orderId"], moved_to)],
        15,
        "the same order at the dropped row's price",
    )
    wait_until(lambda: marker.count() == 1 and float(marker.get_attribute("data-price")) == moved_to, 15, "the marker")
    assert len(all_orders(rest, key)) == 1, "a drag placed an order"
    wait_until(
        lambda: notice.get_attribute("data-seq") != told and notice.get_attribute("data-kind") == "ok",
        15,
        "the amend's outcome on the ladder",
    )
    told = notice.get_attribute("data-seq")

    # dropped back on its own row, armed and with shift held: no amend, no pick, no second order
    ticket.locator('[data-testid="bw-ticket-price"]').fill("1")
    drag(page, marker, drop, shift=True)
    book.focus()
    page.keyboard.press("s")  # a gesture after the drop, so anything the drop sent has been handled first
    wait_until(lambda: ticket_side(ticket) == "Sell", 15, "S to pick the sell side")
    assert [(o["orderId"], float(o["price"])) for o in all_orders(rest, key)] == [(order["orderId"], moved_to)]
    assert ticket.locator('[data-testid="bw-ticket-price"]').input_value() == "1", "the drop picked its row's price"
    assert notice.get_attribute("data-seq") == told, f"the drop did something: {notice.text_content()}"

    # B picks buy; Ctrl+S (JupyterLab's save) leaves the side alone; B inserted no cell in command mode
    cells = page.locator(".jp-Notebook .jp-Cell").count()
    page.keyboard.press("b")
    wait_until(lambda: ticket_side(ticket) == "Buy", 15, "B to pick the buy side")
    page.keyboard.press("Control+s")
    page.keyboard.press("Escape")  # disarms: the last gesture, whose outcome says the Ctrl+S was handled
    wait_until(lambda: arm.get_attribute("data-armed") == "false", 15, "Esc to disarm")
    assert ticket_side(ticket) == "Buy", "Ctrl+S picked the sell side"
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells, "B on the ladder also inserted a cell"
    arm.click()
    wait_until(lambda: arm.get_attribute("data-armed") == "true", 15, "the ladder to arm again")

    # its x cancels it
    marker.locator('[data-testid="bw-book-own-cancel"]').click()
    wait_until(lambda: open_orders(rest, key) == [], 15, "the cancel")
    wait_until(lambda: marker.count() == 0, 15, "the marker to go")

    # Esc (the ladder has focus after the clicks) disarms
    book.focus()
    page.keyboard.press("Escape")
    wait_until(lambda: arm.get_attribute("data-armed") == "false", 15, "Esc to disarm")
    httpx.post(f"{rest}/sim/market", json={"paused": False})
