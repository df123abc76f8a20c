"""Proof of life: the kernel keeps telling each view it is there, so a view can tell when it is not.

A view only ever hears from its kernel; when the kernel restarts or dies, or
the page loses the server, it hears nothing, and silence looked like a quiet
market: every badge still said *Live* more than 5 s after a kernel restart.
The front end's own signal does not reach an anywidget view (anywidget 0.11
does not expose ``comm_live``; after a restart from JupyterLab 4.6's Kernel
menu no element carried ipywidgets' disconnected class; and JupyterLab's
widget manager ignores a kernel that died), so the views go by the one
signal that works everywhere: the kernel's own voice.

So every frame is a proof of life, and a widget that sent neither a frame
nor a beat for :data:`BEAT_AFTER` seconds gets a beat: a custom comm message
``{"type": "beat"}`` of about 60 bytes. The view (js/lib/contact.js) turns
its badge to ``closed`` after :data:`MAX_GAP` + 0.7 s without either. While
frames flow (a live market at 25 Hz) no beat is ever sent; a widget with
nothing to show costs 1 / BEAT_AFTER = 2.5 messages a second (a Dashboard
whose market stopped: its 7 widgets, 17.5 messages/s, under 2 % of the
Jupyter server's 1000/s IOPub limit).

The beats come from a thread of their own, not from the event loop: a cell
that blocks the loop (``time.sleep(10)``, a long computation) stops the
frames, and a loop-driven beat would then say the kernel is gone while it is
only busy. ipykernel's IOPub socket takes messages from any thread (the
same path as a thread's ``print``), and a blocked loop does not hold it up:
in JupyterLab, with the market paused and the loop held by a 4 s busy loop
of pure Python, no badge left *Live* (tests/browser/test_kernel_gone.py).
Measured there: closed 1.3-1.6 s after a restart from the Kernel menu or a
SIGKILL of the kernel (the view allows MAX_GAP + 0.7 s of silence, and looks
every 0.25 s: 1.55 s at worst after the kernel's last word). The thread runs only inside an IPython kernel; in other
hosts (a script, a test, marimo) the widgets set ``_pulse`` to 0 and their
views do not time out on silence.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

__all__ = ["BEAT_AFTER", "MAX_GAP", "TICK", "Pulse", "due", "ensure_pulse", "in_ipykernel"]

log = logging.getLogger("bybit_widgets.widgets")

BEAT_AFTER = 0.4  # seconds a widget may send nothing (no frame, no beat) before it gets a beat
TICK = 0.2  # seconds between two looks of the pulse thread
MAX_GAP = BEAT_AFTER + TICK  # the longest a view waits between two proofs of life while the kernel lives


class Beating(Protocol):
    """What the pulse needs of a widget."""

    @property
    def closed(self) -> bool: ...

    #: time.monotonic() of the last frame or beat it sent
    _proof_at: float

    def _beat(self) -> None:
        """Send one beat to the views."""
        ...


def due(widgets: Iterable[Beating], now: float, after: float = BEAT_AFTER) -> list[Beating]:
    """The open widgets that sent nothing for ``after`` seconds."""
    return [w for w in widgets if not w.closed and now - w._proof_at >= after]


class Pulse:
    """Every :data:`TICK` seconds, beat the widgets that have been silent for :data:`BEAT_AFTER`."""

    def __init__(
        self,
        widgets: Callable[[], Iterable[Beating]],
        *,
        clock: Callable[[], float] = time.monotonic,
        after: float = BEAT_AFTER,
        tick: float = TICK,
    ) -> None:
        self._widgets = widgets
        self._clock = clock
        self.after = after
        self.tick = tick
        self.beats = 0  # beats sent
        self._failed: set[str] = set()  # kinds of failure already logged
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat_due(self) -> int:
        """Beat every widget that is due now; returns how many beats went out."""
        try:
            widgets = list(self._widgets())
        except RuntimeError:  # the registry changed size while we copied it: next tick
            return 0
        sent = 0
        for widget in due(widgets, self._clock(), self.after):
            try:
                widget._beat()
                sent += 1
            except Exception as exc:  # noqa: BLE001 - one widget's comm must not stop the others' beats
                if type(exc).__name__ not in self._failed:
                    self._failed.add(type(exc).__name__)
                    log.warning("could not send a beat to %r: %s", widget, exc)
        self.beats += sent
        return sent

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="bybit-widgets-pulse", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            self.beat_due()


_pulse: Pulse | None = None
_pulse_lock = threading.Lock()


def in_ipykernel() -> bool:
    """True inside an IPython kernel (Jupyter, Voila): a front end may be listening, and IOPub is thread-safe."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None  # type: ignore[attr-defined]
    return getattr(shell, "kernel", None) is not None


def ensure_pulse(widgets: Callable[[], Iterable[Beating]]) -> Pulse:
    """The process's one pulse, started on first call."""
    global _pulse
    with _pulse_lock:
        if _pulse is None or not _pulse.running:
            _pulse = Pulse(widgets)
            _pulse.start()
        return _pulse
