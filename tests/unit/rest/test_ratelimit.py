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
