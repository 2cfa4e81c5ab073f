"""Work done beside the build in a forked process, with an interpreter lock of its own.

The search index (`gen.outputs.search`) is mostly waiting: on Pagefind, on the disk, on
zlib. On a thread beside the build, each of those waits ended in another for the
interpreter's lock, held by a main thread busy in Python (the feeds, the checks, the
writer): an edit's index took 1.0 s there against 0.6 s alone. A forked process shares
the model (copy-on-write) without a copy, and sends back only what it made: files that
are already on disk (spooled) or kept, so little crosses between the two.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

T = TypeVar("T")

# What the forked process runs (set just before the fork, cleared after).
_WORK: list[Callable[[], Any]] = []


def run_forked(work: Callable[[], T]) -> Future[T] | None:
    """`work` started in a forked process, its result (or what it raised) in the future
    returned; None where processes cannot be forked. A process that dies before it is done
    gives an OSError, as a failed read or write would."""
    if "fork" not in get_all_start_methods():
        return None
    for stream in (sys.stdout, sys.stderr):  # else the child would print it again as it ends
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    _WORK[:] = [work]
    gc.freeze()  # the model out of the collector's reach: the child would write to all of it
    try:
        pool = ProcessPoolExecutor(1, mp_context=get_context("fork"))
        inner = pool.submit(_run)  # the process is forked here, before this returns
    except OSError:
        return None
    finally:
        gc.unfreeze()
        _WORK.clear()
    pool.shutdown(wait=False)  # the process ends once its one task is done
    outer: Future[T] = Future()

    def relay(done: Future[T]) -> None:
        try:
            outer.set_result(done.result())
        except BrokenProcessPool:
            outer.set_exception(OSError("the process making it ended before it was done"))
        except BaseException as exc:
            outer.set_exception(exc)

    inner.add_done_callback(relay)
    return outer


def _run() -> Any:
    """In the forked process: the work set before the fork. Ctrl-C is the build's to
    answer: this process leaves it to the build, and ends with its work (Pagefind, in the
    same process group, stops on it too)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return _WORK[0]()
