"""Where a page's main thread spends its time: a CDP trace of one window, as self time per trace event.

``Performance.getMetrics`` says how busy the renderer's main thread was; a
trace says on what. :func:`start` begins a ``devtools.timeline`` trace on a
Playwright CDP session, :func:`finish` ends it and sums, for every complete
event (``ph: "X"``) on the renderer's main thread (``CrRendererMain``), its
duration minus that of the events nested in it: the self time, so a
``RunTask`` counts only what no named child explains (message dispatch,
IPC, the tracer itself). The tracer costs some of the time it measures:
compare traced windows with traced windows only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["finish", "self_times", "start"]

CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline,v8"


def start(cdp: Any) -> dict[str, Any]:
    """Begin tracing; returns the collector that :func:`finish` reads."""
    trace: dict[str, Any] = {"events": [], "done": False}
    cdp.on("Tracing.dataCollected", lambda params: trace["events"].extend(params["value"]))
    cdp.on("Tracing.tracingComplete", lambda _params: trace.update(done=True))
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    return trace


def finish(page: Any, cdp: Any, trace: dict[str, Any], timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """End tracing and return its events (Playwright delivers them while the page is waited on)."""
    cdp.send("Tracing.end")
    for _ in range(int(timeout_s * 10)):
        if trace["done"]:
            return trace["events"]
        page.wait_for_timeout(100)
    raise TimeoutError(f"the trace did not complete within {timeout_s:g} s")


def self_times(events: list[dict[str, Any]]) -> dict[str, float]:
    """Milliseconds of self time per event name on the renderer's main thread(s)."""
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    spans = sorted(
        (e for e in events if e.get("ph") == "X" and "dur" in e and (e.get("pid"), e.get("tid")) in main),
        key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"]),
    )
    totals: Counter[str] = Counter()
    open_spans: list[tuple[tuple[int, int], float, str, list[float]]] = []  # (thread, end, name, [self µs])
    for e in spans:
        thread = (e["pid"], e["tid"])
        while open_spans and (open_spans[-1][0] != thread or open_spans[-1][1] <= e["ts"]):
            _, _, name, own = open_spans.pop()
            totals[name] += own[0]
        if open_spans:
            open_spans[-1][3][0] -= e["dur"]
        open_spans.append((thread, e["ts"] + e["dur"], e["name"], [float(e["dur"])]))
    for _, _, name, own in open_spans:
        totals[name] += own[0]
    return {name: us / 1000 for name, us in totals.items()}
