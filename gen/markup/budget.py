"""How long one Markdown body may take to convert.

TIME_BUDGET is 10 s per body. Python-Markdown converts a 4,000-word story in about 15 ms
and the longest documents a newsroom publishes (a 60,000-word report) in under 0.5 s:
20 times that margin on a slow CI machine is still under the budget. A body that
overruns is an error at the start of the paragraph that is costliest to convert.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

TIME_BUDGET = 10.0


def too_slow() -> str:
    """The message for a conversion over the time budget."""
    return f"took too long to convert (over {TIME_BUDGET:g} s)"


class Overrun(Exception):
    """A conversion went over its time budget."""


def _on_alarm(signum: int, frame: object) -> None:
    raise Overrun


def within_budget(convert: Callable[[], T], seconds: float | None = None) -> T:
    """`convert()`, stopped with `Overrun` once it has run `seconds` (TIME_BUDGET).

    In a process's main thread (the command line's build, and every worker of the
    conversion pool) a SIGALRM timer interrupts the conversion: the exception unwinds it
    like any other, the caller drops the converter it was using, and the worker goes on
    with the next document, so the pool is never broken. Elsewhere (a preview's watcher
    thread), or when a timer is already set by someone else, nothing can interrupt Python
    code safely: the conversion runs to its end and is refused if it overran.
    """
    seconds = TIME_BUDGET if seconds is None else seconds
    start = time.monotonic()
    previous = _arm(seconds)
    try:
        try:
            result = convert()
        finally:
            if previous is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        if previous is not None:
            signal.signal(signal.SIGALRM, previous)
    if time.monotonic() - start > seconds:
        raise Overrun
    return result


def _arm(seconds: float) -> Any:
    """Set the alarm; the handler it replaced, or None when no alarm could be set."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return None  # someone else's timer is running: leave it alone
    try:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:  # not the main interpreter
        return None
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous if previous is not None else signal.SIG_DFL
