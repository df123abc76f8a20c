"""End-to-end benchmark of the widgets in real JupyterLab in headless Chromium, against a reference ladder.

Cases, each in a fresh notebook (fresh kernel, new browser context), the
exchange in its own process at Bybit's rates (book 50 every 20 ms, tickers
every 100 ms, trades as they happen, klines every second):

- ``ref``: ``benchmarks/ref_ladder.py``, a minimal anywidget ladder of the same
  25 + 25 levels at 25 Hz from the same sequence-checked feed (the baseline);
- ``ref+acks``: the same ladder sending only the page -> kernel acknowledgement traffic
  of the widgets' flow control at its short pace (one message per 250 ms; a page that
  keeps up sends one per 750 ms): the cost of acking by itself;
- ``ref-canvas``: the same ladder drawn on a canvas: the cost of the drawing technique;
- ``book``: ``bw.OrderBook("BTCUSDT", depth=25)`` alone;
- ``ref+busy``, ``book+busy``: the two with another process burning a core;
- ``dashboard``: ``bw.Dashboard("BTCUSDT")``;
- ``dashboard+busy``: the Dashboard while another process burns a core
  (started before the warm-up, killed after the window);
- ``depth``: ``bw.DepthChart("BTCUSDT")`` (200 levels a side, canvas);
- ``heatmap``: ``bw.Heatmap("BTCUSDT", levels=200)`` (180 s window, canvas), a few seconds in;
- ``heatmap-full``: ``bw.Heatmap("BTCUSDT", levels=200, seconds=30)`` after a warm-up that fills its
  window (300 columns of 100 ms and their bubbles): the drawing cost of a full picture.

Once the book is live in the browser and after a warm-up, over a window of
``--seconds``:

- renderer main-thread busy share: CDP ``Performance.getMetrics`` at both ends,
  delta ``TaskDuration`` over delta ``Timestamp`` (also script and layout +
  style shares, ``LayoutCount``, ``RecalcStyleCount`` and the ``Nodes`` count);
- book DOM frames/s: changes of ``data-ts`` on the book's root
  (``[data-testid="bw-widget"][data-kind=book|ref]``, else ``.bw-book``), seen
  by a MutationObserver, and frame -> DOM latency p50 / p99: ``Date.now()``
  minus that ``data-ts`` (the exchange's clock; same machine, same clock);
- DOM node churn: nodes added + removed under the widget's root (the
  ``.bw-dashboard`` for the Dashboard), by a MutationObserver, per 10 s, and
  the CDP ``Nodes`` delta per 10 s; layouts per book frame;
- kernel CPU (psutil, the kernel process alone, no probes during the window),
  and the whole machine's CPU (to tell a quiet window from a contended one);
- comm messages/s and KiB/s, counted where the widgets send them;
- connection badge states seen on the book (``data-state``), and the final one;
  for the busy case also whether it is ``live`` again after the burner ends.

After the window, a trivial cell's round trip (``execute_request`` of ``pass``
to its reply, from a second client on the kernel's ZMQ channels) is sampled
briefly. Cases run interleaved ``--runs`` times; the report gives the median
and the range per case. Writes ``benchmarks/results/widgets.md`` and the raw
per-run numbers to ``benchmarks/results/widgets.json`` (``--out STEM``: ``STEM.md`` /
``STEM.json`` instead).

With ``--trace`` each window is also traced (``trace_main.py``: the main
thread's self time per trace event, as a share of the window) and the report
goes to ``widgets-trace.md`` / ``.json`` instead, with that breakdown added
(the tracer costs some of what it measures: compare traced runs with traced
runs).

Run: ``python benchmarks/bench_widgets.py [--runs 3] [--seconds 10] [--cases ref,book]
[--throttle 4] [--trace] [--out STEM]``; needs Chromium (``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat
import psutil
import trace_main
from jupyter_client import BlockingKernelClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# the repository root is on the path only from here
from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, Lab, run_all, start_lab, stop_lab, wait_until  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
WARM_UP_S = 3.0
ROUND_TRIPS = 100
LIVE_AGAIN_TIMEOUT_S = 30.0
VIEWPORT = {"width": 1440, "height": 2000}

SESSION_CELL = """import os, sys, bybit_widgets as bw
sys.path.insert(0, os.environ["BENCH_DIR"])
session = bw.connect(base_url=os.environ["BENCH_REST"], base_ws_url=os.environ["BENCH_WS"],
                     api_key=os.environ["BENCH_KEY"], api_secret=os.environ["BENCH_SECRET"])
session"""


@dataclass(frozen=True)
class Case:
    name: str
    cell: str  # makes the widget ``w`` and shows it
    kind: str  # data-kind of the book's root
    live: str  # kernel expression: the book's connection state
    scope: str | None = None  # root of the node-churn count; None: the book's root
    busy: bool = False
    warm_up: float = WARM_UP_S  # seconds between a live widget and the window


DASHBOARD = 'w = bw.Dashboard("BTCUSDT")\nw'
CASES = {
    case.name: case
    for case in (
        Case(
            "ref",
            'from ref_ladder import RefLadder\nw = RefLadder(session.streams.order_book("BTCUSDT", depth=50))\nw',
            "ref",
            "w.conn_state",
        ),
        # the reference plus only the acknowledgement traffic of flow control: what acking costs by itself
        Case(
            "ref+acks",
            "from ref_ladder import RefLadder\n"
            'w = RefLadder(session.streams.order_book("BTCUSDT", depth=50), acks=True)\nw',
            "ref",
            "w.conn_state",
        ),
        # the reference drawn on a canvas: what the drawing technique costs by itself
        Case(
            "ref-canvas",
            "from ref_ladder import RefCanvasLadder\n"
            'w = RefCanvasLadder(session.streams.order_book("BTCUSDT", depth=50))\nw',
            "ref",
            "w.conn_state",
        ),
        Case("book", 'w = bw.OrderBook("BTCUSDT", depth=25)\nw', "book", "w.conn_state"),
        # the two again with one busy process holding a core (the page, kernel and server share the other)
        Case(
            "ref+busy",
            'from ref_ladder import RefLadder\nw = RefLadder(session.streams.order_book("BTCUSDT", depth=50))\nw',
            "ref",
            "w.conn_state",
            busy=True,
        ),
        Case("book+busy", 'w = bw.OrderBook("BTCUSDT", depth=25)\nw', "book", "w.conn_state", busy=True),
        # bokeh via jupyter_bokeh: its "frames" are the header's (data-ts moves with each kline push)
        Case(
            "candles", 'w = bw.Candles("BTCUSDT", interval="1")\nw', "candles", "w.conn_state", scope=".bw-candles-box"
        ),
        Case("dashboard", DASHBOARD, "book", "w.book.conn_state", scope=".bw-dashboard"),
        Case("dashboard+busy", DASHBOARD, "book", "w.book.conn_state", scope=".bw-dashboard", busy=True),
        Case("depth", 'w = bw.DepthChart("BTCUSDT")\nw', "depth", "w.conn_state"),
        Case("heatmap", 'w = bw.Heatmap("BTCUSDT", levels=200)\nw', "heatmap", "w.conn_state"),
        Case(
            "heatmap-full",
            'w = bw.Heatmap("BTCUSDT", levels=200, seconds=30)\nw',
            "heatmap",
            "w.conn_state",
            warm_up=WARM_UP_S + 30,
        ),
    )
}

# The book's root inside the case's scope: the bw-widget root once the widgets carry one, else the
# ladder's .bw-book (which already carries data-ts); null until it shows a book.
FIND_BOOK_JS = """(kind, scope) => {
  const within = (scope && document.querySelector(scope)) || document;
  return within.querySelector(`[data-testid="bw-widget"][data-kind="${kind}"][data-ts]`)
         || within.querySelector(".bw-book[data-ts]");
}"""

BOOK_READY_JS = "({kind, scope}) => Boolean((" + FIND_BOOK_JS + ")(kind, scope))"

# Starts the window's observers: data-ts changes (frames, latency), nodes added and removed under the
# scope (churn), the badge's data-state; returns which root was found.
START_PROBES_JS = (
    "({kind, scope}) => { const root = ("
    + FIND_BOOK_JS
    + ")(kind, scope);"
    + """
  const badge = root.querySelector('[data-testid="bw-connection-state"]');
  const p = window.__bench = {lat: [], nodes: 0, elements: 0, states: [], observers: [], badge,
                              root: root.matches('[data-testid="bw-widget"]') ? "bw-widget" : ".bw-book"};
  const watch = (target, options, callback) => {
    const o = new MutationObserver(callback);
    o.observe(target, options);
    p.observers.push(o);
  };
  let shown = root.dataset.ts;
  watch(root, {attributes: true, attributeFilter: ["data-ts"]}, () => {
    if (root.dataset.ts === shown) return;
    shown = root.dataset.ts;
    p.lat.push(Date.now() - Number(shown));
  });
  watch((scope && document.querySelector(scope)) || root, {childList: true, subtree: true}, (records) => {
    for (const r of records) {
      p.nodes += r.addedNodes.length + r.removedNodes.length;
      for (const n of [...r.addedNodes, ...r.removedNodes]) if (n.nodeType === Node.ELEMENT_NODE) p.elements++;
    }
  });
  if (badge) {
    p.states.push(badge.dataset.state);
    watch(badge, {attributes: true, attributeFilter: ["data-state"]}, () => p.states.push(badge.dataset.state));
  }
  return p.root;
}"""
)

STOP_PROBES_JS = """() => {
  const p = window.__bench;
  p.observers.forEach((o) => o.disconnect());
  return {lat: p.lat, nodes: p.nodes, elements: p.elements, states: p.states, root: p.root,
          final: p.badge ? p.badge.dataset.state : null};
}"""


def log(text: str) -> None:
    print(f"[bench_widgets] {text}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def start_exchange(stack: contextlib.ExitStack) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-m", "bybit_widgets.sim", "--port", "0", "--seed", "1"], stdout=subprocess.PIPE, text=True
    )
    stack.callback(stop_process, process)
    return json.loads(process.stdout.readline())  # the CLI prints one JSON line once it serves


def kernel_client(lab: Lab) -> tuple[BlockingKernelClient, psutil.Process]:
    """A second client on the (only) kernel's ZMQ channels, and the kernel's process."""
    (kernel,) = lab.api("GET", "/api/kernels").json()
    connection = lab.root / "runtime" / f"kernel-{kernel['id']}.json"
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    # (not wait_for_ready(): it did not return with the kernel's loop busy streaming; one kernel_info does)
    msg_id = client.kernel_info()
    while client.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
        pass
    process = next(p for p in psutil.process_iter(["cmdline"]) if kernel["id"] in " ".join(p.info["cmdline"] or []))
    return client, process


def evaluate(client: BlockingKernelClient, expression: str) -> Any:
    """The JSON value of ``expression`` in the kernel (printed as JSON, read back from IOPub)."""
    msg_id = client.execute(f"import json as _j; print(_j.dumps({expression}))", silent=False)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        if msg["msg_type"] == "error":
            raise RuntimeError(f"kernel: {expression}: {msg['content']['ename']}: {msg['content']['evalue']}")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return json.loads("".join(out))


def round_trips(client: BlockingKernelClient, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        msg_id = client.execute("pass", silent=True, store_history=False)
        while client.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
            pass
        times.append((time.perf_counter() - start) * 1000)
    return times


def comm_totals(stats: dict) -> tuple[int, int]:
    """(messages, bytes) of one widget's ``comm_stats``, or summed over a Dashboard's per-widget dict."""
    if "messages" in stats:
        return stats["messages"], stats["bytes"]
    return sum(s["messages"] for s in stats.values()), sum(s["bytes"] for s in stats.values())


def cdp_metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def write_notebook(lab: Lab, case: Case, tag: str) -> str:
    name = f"bench-{case.name.replace('+', '-')}-{tag}.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (SESSION_CELL, case.cell)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / "work" / name)
    return name


def end_kernels(lab: Lab, kernel: psutil.Process | None) -> None:
    """Delete every session; make sure the kernel process really ended (the next case must not share a core)."""
    lab.shutdown_kernels()
    if kernel is None:
        return
    try:
        kernel.wait(20)
    except psutil.TimeoutExpired:
        kernel.kill()
    except psutil.NoSuchProcess:
        pass


def measure_window(
    page: Any,
    cdp: Any,
    client: BlockingKernelClient,
    kernel: psutil.Process,
    case: Case,
    seconds: float,
    trace: bool = False,
) -> dict[str, Any]:
    """The figures of one window: nothing but the observers and two CDP reads (and the tracer) run in between."""
    probe_args = {"kind": case.kind, "scope": case.scope}
    stats0, comm_t0 = comm_totals(evaluate(client, "w.comm_stats")), time.monotonic()
    page.evaluate(START_PROBES_JS, probe_args)
    tracing = trace_main.start(cdp) if trace else None
    m0 = cdp_metrics(cdp)
    kernel.cpu_percent(None)
    psutil.cpu_percent(None)
    time.sleep(seconds)  # the measurement window
    cpu, machine_cpu = kernel.cpu_percent(None), psutil.cpu_percent(None)
    m1 = cdp_metrics(cdp)
    dom = page.evaluate(STOP_PROBES_JS)
    stats1, comm_t1 = comm_totals(evaluate(client, "w.comm_stats")), time.monotonic()

    wall = m1["Timestamp"] - m0["Timestamp"]
    traced = {}
    if tracing is not None:
        self_ms = trace_main.self_times(trace_main.finish(page, cdp, tracing))
        traced = {"trace_pct": {name: ms / wall / 10 for name, ms in self_ms.items()}}  # ms over s: % of the window
    per_10s = 10.0 / wall
    frames = len(dom["lat"])
    layouts = m1["LayoutCount"] - m0["LayoutCount"]
    comm_s = comm_t1 - comm_t0
    return {
        "window_s": wall,
        "book_root": dom["root"],
        "busy_pct": 100 * (m1["TaskDuration"] - m0["TaskDuration"]) / wall,
        "script_pct": 100 * (m1["ScriptDuration"] - m0["ScriptDuration"]) / wall,
        "layout_style_pct": 100
        * (m1["LayoutDuration"] - m0["LayoutDuration"] + m1["RecalcStyleDuration"] - m0["RecalcStyleDuration"])
        / wall,
        "layouts": layouts,
        "recalc_styles": m1["RecalcStyleCount"] - m0["RecalcStyleCount"],
        "layouts_per_10s": layouts * per_10s,
        "recalc_styles_per_10s": (m1["RecalcStyleCount"] - m0["RecalcStyleCount"]) * per_10s,
        "nodes_start": m0["Nodes"],
        "nodes_end": m1["Nodes"],
        "nodes_delta_per_10s": (m1["Nodes"] - m0["Nodes"]) * per_10s,
        "churn_per_10s": dom["nodes"] * per_10s,
        "element_churn_per_10s": dom["elements"] * per_10s,
        "book_frames": frames,
        "frames_per_s": frames / wall,
        "latency_p50_ms": pct(dom["lat"], 50),
        "latency_p99_ms": pct(dom["lat"], 99),
        "latency_max_ms": max(dom["lat"], default=None),
        "layouts_per_frame": layouts / frames if frames else None,
        "kernel_cpu_pct": cpu,
        "machine_cpu_pct": machine_cpu,
        "comm_msgs_per_s": (stats1[0] - stats0[0]) / comm_s,
        "comm_kib_per_s": (stats1[1] - stats0[1]) / comm_s / 1024,
        "badge_states": list(dict.fromkeys(dom["states"])),
        "badge_final": dom["final"],
        **traced,
    }


def live_again_after(page: Any) -> float | None:
    """Seconds until the book's badge shows ``live`` again (None: it did not within the timeout)."""
    start = time.monotonic()
    try:
        page.wait_for_function(
            "() => !window.__bench.badge || window.__bench.badge.dataset.state === 'live'",
            timeout=LIVE_AGAIN_TIMEOUT_S * 1000,
        )
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: reported as "not live again"
        return None
    return time.monotonic() - start


def measure_case(browser: Any, lab: Lab, case: Case, tag: str, args: argparse.Namespace) -> dict[str, Any]:
    """One case in a fresh notebook, kernel and browser context; everything it started ends with it."""
    notebook = write_notebook(lab, case, tag)
    context = browser.new_context(viewport=VIEWPORT)
    client: BlockingKernelClient | None = None
    kernel: psutil.Process | None = None
    burner: subprocess.Popen | None = None
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        run_all(page, lab, notebook)
        client, kernel = kernel_client(lab)
        page.wait_for_function(BOOK_READY_JS, arg={"kind": case.kind, "scope": case.scope}, timeout=60_000)
        wait_until(lambda: evaluate(client, case.live) == "live", 30, f"{case.name}: a live book", every=0.2)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
        if case.busy:
            burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(case.warm_up)  # warm-up: history loads and first frames settle (a heatmap fills its window)
        result = measure_window(page, cdp, client, kernel, case, args.seconds, args.trace)
        rtt = round_trips(client, ROUND_TRIPS)
        result.update(rtt_p50_ms=pct(rtt, 50), rtt_p99_ms=pct(rtt, 99))
        if burner is not None:
            stop_process(burner)
            result["live_again_s"] = live_again_after(page)
        return result
    finally:
        if burner is not None:
            stop_process(burner)
        if client is not None:
            client.stop_channels()
        context.close()
        end_kernels(lab, kernel)


def run_cases(browser: Any, lab: Lab, cases: list[Case], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every case ``args.runs`` times, interleaved; a failing case is retried once, then recorded as failed."""
    records = []
    for run in range(1, args.runs + 1):
        for case in cases:
            record: dict[str, Any] = {"case": case.name, "run": run}
            for attempt in (1, 2):
                log(f"run {run}/{args.runs}: {case.name} (attempt {attempt})")
                try:
                    record.update(measure_case(browser, lab, case, f"{run}-{attempt}", args))
                    record.pop("error", None)
                    break
                except Exception as exc:  # noqa: BLE001 - reported in the results, the other cases go on
                    record["error"] = f"{type(exc).__name__}: {str(exc)[:500]}"
                    log(f"{case.name} failed: {record['error']}")
            records.append(record)
            if "error" not in record:
                log(
                    f"{case.name}: busy {record['busy_pct']:.1f} %, {record['frames_per_s']:.1f} frames/s, "
                    f"p99 {record['latency_p99_ms']} ms, kernel {record['kernel_cpu_pct']:.1f} %"
                )
    return records


# -- report --------------------------------------------------------------------------------------

# (key, label, decimals)
MEASURES = [
    ("busy_pct", "renderer main thread busy, % of wall", 1),
    ("script_pct", "  of which script, % of wall", 1),
    ("layout_style_pct", "  of which layout + style, % of wall", 1),
    ("frames_per_s", "book (or chart) DOM frames/s", 1),
    ("latency_p50_ms", "frame -> DOM latency p50, ms", 0),
    ("latency_p99_ms", "frame -> DOM latency p99, ms", 0),
    ("latency_max_ms", "frame -> DOM latency max, ms", 0),
    ("churn_per_10s", "DOM nodes added + removed per 10 s", 0),
    ("element_churn_per_10s", "  of which elements, per 10 s", 0),
    ("nodes_delta_per_10s", "CDP Nodes delta per 10 s", 0),
    ("nodes_start", "CDP Nodes at window start", 0),
    ("nodes_end", "CDP Nodes at window end", 0),
    ("layouts_per_10s", "layouts per 10 s", 0),
    ("recalc_styles_per_10s", "style recalcs per 10 s", 0),
    ("layouts_per_frame", "layouts per book (or chart) frame", 2),
    ("kernel_cpu_pct", "kernel CPU, % of one core", 1),
    ("comm_msgs_per_s", "comm messages/s", 1),
    ("comm_kib_per_s", "comm KiB/s", 1),
    ("machine_cpu_pct", "whole machine CPU busy, % of all cores (anything running)", 0),
    ("rtt_p50_ms", "trivial cell round trip p50, ms (after the window)", 1),
    ("rtt_p99_ms", "trivial cell round trip p99, ms (after the window)", 1),
    ("live_again_s", "badge live again after the burner ended, s", 1),
]

TARGETS = {
    "busy_pct": "book <= 1.3x ref; dashboard <= 70 %; heatmap <= book",
    "frames_per_s": "dashboard >= 15",
    "latency_p99_ms": "dashboard <= 250; with busy core <= 1000",
    "churn_per_10s": "<= 500",
    "kernel_cpu_pct": "dashboard <= 10 %",
    "comm_msgs_per_s": "dashboard about 70 at most",
    "live_again_s": "live after",
}


def values_of(records: list[dict[str, Any]], case: str, key: str) -> list[float]:
    return [r[key] for r in records if r["case"] == case and "error" not in r and r.get(key) is not None]


def median_of(records: list[dict[str, Any]], case: str, key: str) -> float | None:
    values = values_of(records, case, key)
    return statistics.median(values) if values else None


def spread(values: list[float], decimals: int) -> str:
    if not values:
        return "-"
    med, lo, hi = statistics.median(values), min(values), max(values)
    return f"{med:.{decimals}f} [{lo:.{decimals}f}, {hi:.{decimals}f}]"


def states_cell(records: list[dict[str, Any]], case: str, key: str) -> str:
    """Distinct badge states over the runs (``badge_states``) or the final state of each run."""
    runs = [r for r in records if r["case"] == case and "error" not in r]
    if key == "badge_states":
        return ", ".join(dict.fromkeys(s for r in runs for s in r[key] if s)) or "-"
    return " / ".join(r[key] or "-" for r in runs) or "-"


def busy_ratios(records: list[dict[str, Any]], case: str, ref_case: str = "ref") -> tuple[float | None, list[float]]:
    """Median busy of ``case`` over median busy of ``ref_case``, and the per-run ratios (same run index)."""
    ref, this = median_of(records, ref_case, "busy_pct"), median_of(records, case, "busy_pct")
    per_run = []
    for r in records:
        if r["case"] == case and "error" not in r:
            base = next(
                (b for b in records if b["case"] == ref_case and b["run"] == r["run"] and "error" not in b), None
            )
            if base and base["busy_pct"]:
                per_run.append(r["busy_pct"] / base["busy_pct"])
    return (this / ref if ref and this is not None else None), per_run


Judge = Callable[[list[dict[str, Any]]], tuple[str, bool | None]]  # records -> (measured, met or None)


@dataclass(frozen=True)
class Target:
    text: str
    needs: tuple[str, ...]  # the cases it is judged on
    judge: Judge


def bound(case: str, key: str, limit: float, unit: str, *, most: bool = True) -> Judge:
    """The median of ``key`` for ``case`` against ``limit`` (an upper bound, or a lower one)."""

    def judge(records: list[dict[str, Any]]) -> tuple[str, bool | None]:
        value = median_of(records, case, key)
        if value is None:
            return "-", None
        return f"{value:.1f}{unit}", value <= limit if most else value >= limit

    return judge


def book_vs_ref(book: str = "book", ref: str = "ref") -> Judge:
    """The OrderBook's busy share over the reference ladder's (each case's median), at most 1.3x."""

    def judge(records: list[dict[str, Any]]) -> tuple[str, bool | None]:
        ratio, per_run = busy_ratios(records, book, ref)
        if ratio is None:
            return "-", None
        return f"{ratio:.2f}x (per run {', '.join(f'{x:.2f}' for x in per_run)})", ratio <= 1.3

    return judge


def heatmap_vs_book(case: str) -> Judge:
    """The median busy share of a heatmap case against the OrderBook's (same page, same feed rates)."""

    def judge(records: list[dict[str, Any]]) -> tuple[str, bool | None]:
        heat, book = median_of(records, case, "busy_pct"), median_of(records, "book", "busy_pct")
        if heat is None or book is None:
            return "-", None
        return f"{heat:.1f} % vs {book:.1f} %", heat <= book

    return judge


def badge_when_busy(records: list[dict[str, Any]]) -> tuple[str, bool | None]:
    """Met when every run showed ``lagging`` (or was never more than 1 s behind) and was live again after."""
    runs = [r for r in records if r["case"] == "dashboard+busy" and "error" not in r]
    if not runs:
        return "-", None
    met, seen = True, []
    for r in runs:
        lagged = "lagging" in r["badge_states"]
        behind = (r["latency_max_ms"] or 0) > 1000
        again = r.get("live_again_s") is not None
        met &= (lagged or not behind) and again
        seen.append(
            f"{'lagging seen' if lagged else 'no lagging'}, max {r['latency_max_ms'] or 0:.0f} ms, "
            f"{'live again' if again else 'not live again'}"
        )
    return "; ".join(seen), met


BUSY = "dashboard+busy"
TARGET_LIST = [
    Target("OrderBook busy <= 1.3x ref", ("ref", "book"), book_vs_ref()),
    Target("busy core: OrderBook busy <= 1.3x ref", ("ref+busy", "book+busy"), book_vs_ref("book+busy", "ref+busy")),
    Target("Dashboard main thread <= 70 % busy", ("dashboard",), bound("dashboard", "busy_pct", 70, " %")),
    Target("Dashboard >= 15 book frames/s", ("dashboard",), bound("dashboard", "frames_per_s", 15, "/s", most=False)),
    Target("Dashboard frame -> DOM p99 <= 250 ms", ("dashboard",), bound("dashboard", "latency_p99_ms", 250, " ms")),
    Target("busy core: Dashboard p99 <= 1 s", (BUSY,), bound(BUSY, "latency_p99_ms", 1000, " ms")),
    Target("busy core: badge lagging while behind, live after", (BUSY,), badge_when_busy),
    Target("OrderBook node churn <= 500 per 10 s", ("book",), bound("book", "churn_per_10s", 500, "")),
    Target("Dashboard node churn <= 500 per 10 s", ("dashboard",), bound("dashboard", "churn_per_10s", 500, "")),
    Target("Heatmap busy <= OrderBook busy", ("heatmap", "book"), heatmap_vs_book("heatmap")),
    Target("Heatmap, full window: busy <= OrderBook busy", ("heatmap-full", "book"), heatmap_vs_book("heatmap-full")),
    Target("Heatmap node churn <= 500 per 10 s", ("heatmap",), bound("heatmap", "churn_per_10s", 500, "")),
    Target(
        "Heatmap, full window: node churn <= 500 per 10 s",
        ("heatmap-full",),
        bound("heatmap-full", "churn_per_10s", 500, ""),
    ),
    Target("DepthChart node churn <= 500 per 10 s", ("depth",), bound("depth", "churn_per_10s", 500, "")),
    Target(
        "kernel CPU with a live Dashboard <= 10 % of a core",
        ("dashboard",),
        bound("dashboard", "kernel_cpu_pct", 10, " %"),
    ),
    Target(
        "Dashboard comm messages/s not above about 70", ("dashboard",), bound("dashboard", "comm_msgs_per_s", 70, "/s")
    ),
]


def ratio_cell(records: list[dict[str, Any]], case: str) -> str:
    """Busy over the reference's in the same conditions: a ``+busy`` case over ``ref+busy`` when that ran."""
    busy = case.endswith("+busy") and any(r["case"] == "ref+busy" for r in records)
    ref = "ref+busy" if busy else "ref"
    ratio, per_run = busy_ratios(records, case, ref)
    if case == ref or ratio is None:
        return "-"
    return f"{ratio:.2f}x [{min(per_run):.2f}, {max(per_run):.2f}]" if per_run else f"{ratio:.2f}x"


def machine() -> dict[str, Any]:
    import ipykernel
    import ipywidgets
    import jupyterlab

    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "unknown"
    )
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "chromium": chromium,
        "jupyterlab": jupyterlab.__version__,
        "ipykernel": ipykernel.__version__,
        "ipywidgets": ipywidgets.__version__,
        "python": sys.version.split()[0],
    }


def trace_table(records: list[dict[str, Any]], cases: list[str], top: int = 14) -> list[str]:
    """The traced windows' main-thread self time per event, the names that weigh most in any case first."""
    traced = [r for r in records if "trace_pct" in r]
    if not traced:
        return []

    def values(case: str, name: str) -> list[float]:
        return [r["trace_pct"].get(name, 0.0) for r in traced if r["case"] == case]

    names = {name for r in traced for name in r["trace_pct"]}
    weight = {n: max((statistics.median(v) for c in cases if (v := values(c, n))), default=0.0) for n in names}
    heaviest = sorted(names, key=weight.__getitem__, reverse=True)[:top]
    lines = [
        "",
        "## Main thread self time by trace event, % of the window (traced runs)",
        "",
        "| event | " + " | ".join(cases) + " |",
        "|---|" + "---|" * len(cases),
    ]
    lines += [f"| {n} | " + " | ".join(spread(values(c, n), 2) for c in cases) + " |" for n in heaviest]
    totals = [spread([sum(r["trace_pct"].values()) for r in traced if r["case"] == c], 1) for c in cases]
    return lines + ["| all events | " + " | ".join(totals) + " |"]


def report(records: list[dict[str, Any]], cases: list[str], meta: dict[str, Any]) -> str:
    m = meta["machine"]
    lines = [
        "# Widgets end to end: reference ladder, OrderBook, Dashboard, DepthChart, Heatmap "
        "(JupyterLab + headless Chromium)",
        "",
        f"- Date: {meta['date']}",
        f"- Machine: {m['nproc']} cores ({m['cpu']}); {m['chromium']}; JupyterLab {m['jupyterlab']}, "
        f"ipykernel {m['ipykernel']}, ipywidgets {m['ipywidgets']}, Python {m['python']}",
        f"- Command: `{meta['command']}`",
        f"- {meta['runs']} run(s) of each case, interleaved; window {meta['seconds']:g} s after a {WARM_UP_S:g} s "
        f"warm-up ({WARM_UP_S + 30:g} s for heatmap-full); CPU throttling {meta['throttle']:g}x; "
        "the exchange in its own process at Bybit's rates "
        "(book 50 every 20 ms, tickers 100 ms, klines 1 s, trades as they happen).",
        "",
        "Each cell: median [min, max] over the runs.",
        "",
        "| measure | " + " | ".join(cases) + " | target |",
        "|---|" + "---|" * len(cases) + "---|",
    ]
    for key, label, decimals in MEASURES:
        cells = [spread(values_of(records, c, key), decimals) for c in cases]
        if any(cell != "-" for cell in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {TARGETS.get(key, '')} |")
    lines.append(
        "| busy / ref busy, a +busy case over ref+busy (ratio of medians [per-run range]) | "
        + " | ".join(ratio_cell(records, c) for c in cases)
        + " | book <= 1.3x |"
    )
    for key, label in (("badge_states", "badge states seen on the book"), ("badge_final", "badge state at the end")):
        lines.append(f"| {label} | " + " | ".join(states_cell(records, c, key) for c in cases) + " | |")
    roots = " / ".join(sorted({f"{r['case']}: {r['book_root']}" for r in records if "error" not in r}))
    lines += ["", "## Targets", "", "| target | measured (median) | met |", "|---|---|---|"]
    for target in TARGET_LIST:
        if all(c in cases for c in target.needs):
            measured, met = target.judge(records)
            lines.append(f"| {target.text} | {measured} | {'-' if met is None else 'yes' if met else 'NO'} |")
    lines += trace_table(records, cases)
    failures = [r for r in records if "error" in r]
    if failures:
        lines += ["", "## Failed cases", ""] + [f"- {r['case']} run {r['run']}: {r['error']}" for r in failures]
    lines += [
        "",
        "## Notes",
        "",
        "- Latency is `Date.now()` in the browser minus the book's exchange timestamp (`data-ts`): the exchange "
        "and the browser run on the same machine, so they share one clock. It includes the kernel's frame "
        "pacing (40 ms), the Jupyter server hop and the browser's requestAnimationFrame.",
        "- A DOM frame is a change of `data-ts` on the book's root seen by a MutationObserver "
        f"(root found by: {roots or '-'}).",
        "- Node churn counts every node a MutationObserver (childList, subtree) sees added or removed under the "
        "widget's root (the `.bw-dashboard` for the Dashboard). Setting `textContent` replaces the text node, "
        "so each changed text counts 2; the elements row counts element nodes only.",
        "- Busy is delta `TaskDuration` over delta `Timestamp` of CDP `Performance.getMetrics` for the page's "
        "renderer (the whole JupyterLab page, not the widget alone; the observers run in it too).",
        "- Kernel CPU is the kernel process alone (psutil) over the window, with no probe running; the round "
        f"trip ({ROUND_TRIPS} `pass` cells from a second ZMQ client) is sampled after the window "
        "(for the busy case, before the burner ends).",
        '- `dashboard+busy`: `python -c "while True: pass"` runs from before the warm-up to the end of the '
        'window and round trips; "live again" is the time from ending it until the book\'s badge shows `live`. '
        "The badge target counts as met when each run either showed `lagging` or was never more than 1 s "
        "behind, and the badge was live again within "
        f"{LIVE_AGAIN_TIMEOUT_S:g} s.",
        "- `depth` and `heatmap` are canvas views: their frames are the `data-ts` changes of their roots "
        "(`data-kind` depth / heatmap), their churn the nodes under those roots. `heatmap` is measured a few "
        "seconds in (its 180 s window holds a few columns); `heatmap-full` shows a 30 s window that the "
        "warm-up filled (300 columns, every bubble of the window), the drawing cost of a full picture.",
        "- The raw per-run numbers are in `widgets.json` next to this file.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window per case")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the whole set of cases")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma list of cases, from {', '.join(CASES)}")
    parser.add_argument("--throttle", type=float, default=1.0, help="CDP CPU throttling rate of the page")
    parser.add_argument("--trace", action="store_true", help="also trace each window (widgets-trace.md)")
    parser.add_argument("--out", help="results file stem in benchmarks/results (default widgets, or widgets-trace)")
    args = parser.parse_args()
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown or not names:
        parser.error(f"unknown cases {unknown}; choose from {', '.join(CASES)}")
    from playwright.sync_api import sync_playwright

    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": shlex.join(["python", "benchmarks/bench_widgets.py", *sys.argv[1:]]),
        "runs": args.runs,
        "seconds": args.seconds,
        "throttle": args.throttle,
        "cases": names,
    }
    with contextlib.ExitStack() as stack:
        urls = start_exchange(stack)
        log(f"exchange at {urls['rest']}")
        env = {
            "BENCH_REST": urls["rest"],
            "BENCH_WS": urls["ws"],
            "BENCH_KEY": urls["api_key"],
            "BENCH_SECRET": urls["api_secret"],
            "BENCH_DIR": str(REPO / "benchmarks"),
        }
        lab = start_lab(Path(tempfile.mkdtemp(prefix="bench-widgets-")), env)
        stack.callback(stop_lab, lab)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        records = run_cases(browser, lab, [CASES[n] for n in names], args)

    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = args.out or ("widgets-trace" if args.trace else "widgets")
    (RESULTS / f"{stem}.json").write_text(json.dumps({**meta, "records": records}, indent=1) + "\n")
    text = report(records, names, meta)
    (RESULTS / f"{stem}.md").write_text(text)
    print(text)
    return 1 if any("error" in r for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
