"""A clean exit: live flows are cancelled, then the library's worker threads are let finish,
before the interpreter shuts down.

A flow runs on a Rust worker thread, which calls into Python (the app's link and listener,
the wake-up of the awaiting coroutine, the release of the app's objects). A thread that
calls into an interpreter being finalized is terminated by CPython with a forced unwind,
which cannot cross the library's frames: the process aborted ("FATAL: exception not
rethrown") when a script exited with a flow still running and its link answered late. At
exit this module

1. stops calling the app's code: a Python link's ``transceive`` and a listener are no longer
   called from then on (the flow sees the link as lost);
2. cancels every live flow (its ``CancelHandle``): the library closes each link, so a
   blocked ``transceive`` returns (a PIN VERIFY in flight completes first);
3. waits (bounded) until no worker is running and every flow's coroutine has ended (its
   thread has freed the library's future).

A forked child starts with none of its parent's flows: the workers it inherited the count of
(threads are not forked) are not waited for, and its parent's flows are not its to cancel.
"""

import atexit
import contextlib
import os
import threading
import time
import typing

from . import ffi as _ffi

#: The longest wait at exit, in seconds (a cancelled flow lets go within one exchange).
EXIT_TIMEOUT = 5.0

_lock = threading.Lock()
_live: typing.Dict[int, "_ffi.CancelHandle"] = {}
_inherited = 0  # workers counted in the parent process before a fork (none run here)
_stopping = False


def stopping() -> bool:
    """Whether the interpreter is shutting down: the app's code is no longer called."""
    return _stopping


@contextlib.contextmanager
def live(handle: "_ffi.CancelHandle") -> typing.Iterator[None]:
    """Registers a running flow's handle, cancelled at exit."""
    key = id(handle)
    with _lock:
        _live[key] = handle
    try:
        yield
    finally:
        with _lock:
            if _live.get(key) is handle:
                del _live[key]


def wait_for_workers(timeout: float = EXIT_TIMEOUT) -> bool:
    """Waits until no flow's worker thread is running, at most ``timeout`` seconds; returns
    whether none is. Called at interpreter exit (after cancelling the live flows)."""
    deadline = time.monotonic() + timeout
    while _ffi.active_workers() - _inherited > 0:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.002)
    return True


def _settled() -> bool:
    with _lock:
        return not _live


def _at_exit() -> None:
    global _stopping
    _stopping = True
    with _lock:
        handles = list(_live.values())
    for handle in handles:
        handle.cancel()
    # Then wait (bounded) for the workers, and for each flow's coroutine to have ended: its
    # thread (an asyncio loop in another thread) frees the library's future, which releases
    # the app's link through a call into Python. Done during finalization, that call would
    # abort the process as above.
    deadline = time.monotonic() + EXIT_TIMEOUT
    if wait_for_workers(EXIT_TIMEOUT):
        while not _settled() and time.monotonic() < deadline:
            time.sleep(0.002)


def _after_fork_in_child() -> None:
    global _inherited, _stopping
    _inherited = _ffi.active_workers()
    _stopping = False
    with _lock:
        _live.clear()


def install() -> None:
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
