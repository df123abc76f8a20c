"""The client's own pacing: per-endpoint budgets (Bybit's documented figures, else a conservative default)
refined by the ``X-Bapi-Limit*`` headers, computed as waits, never slept here."""

import orjson

from bybit_widgets.protocol.signing import Credentials
from bybit_widgets.rest import ServerClock
from bybit_widgets.rest.pipeline import Pipeline, Response, Sleep
from bybit_widgets.rest.ratelimit import RateLimiter


def test_budget_then_wait_for_oldest_to_leave_window():
    rl = RateLimiter()
    waits = [rl.reserve("k", 10, 0.0) for _ in range(10)]
    assert waits == [0.0] * 10
    assert rl.reserve("k", 10, 100.0) == 900.0  # the 11th waits until t=1000
    assert rl.reserve("k", 10, 1500.0) == 0.0


def test_no_limit_no_wait():
    assert RateLimiter().reserve("k", None, 0.0) == 0.0


def test_headers_lower_the_limit_and_block_until_reset():
    rl = RateLimiter()
    rl.reserve("k", 10, 0.0)
    rl.observe("k", {"x-bapi-limit": "2", "x-bapi-limit-status": "0", "x-bapi-limit-reset-timestamp": "700"}, 10.0)
    assert rl.reserve("k", 10, 20.0) == 680.0  # blocked until the reset, not the rolling window
    assert rl.reserve("other", 10, 20.0) == 0.0


def test_block_until_and_bound():
    rl = RateLimiter(max_wait_ms=500)
    rl.block_until("k", 10_000)
    assert rl.reserve("k", 10, 0.0) == 500


def test_a_limit_learnt_from_headers_holds_on_an_endpoint_with_no_budget_of_its_own():
    rl = RateLimiter()
    assert rl.reserve("k", None, 0.0) == 0.0  # nothing known: no wait
    rl.observe("k", {"x-bapi-limit": "2", "x-bapi-limit-status": "1", "x-bapi-limit-reset-timestamp": "0"}, 0.0)
    assert [rl.reserve("k", None, 0.0) for _ in range(3)] == [0.0, 0.0, 1000.0]
    rl.block_until("blocked", 400.0)  # a 10006 there
    assert rl.reserve("blocked", None, 100.0) == 300.0 and rl.reserve("blocked", None, 500.0) == 0.0


def test_a_spent_status_alone_blocks_until_the_reset_and_invents_no_budget():
    rl = RateLimiter()
    rl.observe("k", {"x-bapi-limit-status": "0", "x-bapi-limit-reset-timestamp": "250"}, 0.0)
    assert rl.reserve("k", None, 0.0) == 250.0
    assert [rl.reserve("k", None, 300.0) for _ in range(100)] == [0.0] * 100


def run(flow, headers: dict[str, str]) -> list[float]:
    """Drive one pipeline flow, answering every request with success and ``headers``; the sleeps it asked for."""
    sleeps: list[float] = []
    value = None
    try:
        while True:
            action = flow.send(value)
            if isinstance(action, Sleep):
                sleeps.append(action.seconds)
                value = None
            else:
                value = Response(200, headers, orjson.dumps({"retCode": 0, "retMsg": "OK", "result": {}}), 0, 0)
    except StopIteration:
        return sleeps


def test_an_unlisted_signed_path_is_paced_at_5_a_second_until_its_first_answer_tells_the_budget():
    frozen = ServerClock(local_ms=lambda: 1_000_000.0, synced=True)
    pipeline = Pipeline(base_url="http://x", credentials=Credentials("k", "s"), environment="custom", clock=frozen)
    assert [run(pipeline.raw("GET", "/v5/account/borrow-history"), {}) for _ in range(6)] == [[]] * 5 + [[1.0]]
    assert run(pipeline.call("get_account_info", {}), {"x-bapi-limit": "50", "x-bapi-limit-status": "49"}) == []
    assert all(run(pipeline.call("get_account_info", {}), {}) == [] for _ in range(49))  # 50 in that second
    assert run(pipeline.call("get_account_info", {}), {}) == [1.0]
    assert all(run(pipeline.raw("GET", "/v5/market/insurance"), {}) == [] for _ in range(100))  # the IP's limit
