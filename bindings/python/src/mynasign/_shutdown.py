"""Lets the library's worker threads finish before the interpreter shuts down.

A flow runs on a Rust worker thread, which calls into Python (the app's link and listener,
the wake-up of the awaiting coroutine, the release of the app's objects). A thread that
calls into an interpreter being finalized is terminated by CPython with a forced unwind,
which cannot cross the library's frames: the process aborted ("FATAL: exception not
rethrown") when a script exited right after a flow (``python -c "... asyncio.run(...)"``).
At exit, this waits (bounded) until no worker is running.
"""

import atexit
import time

from . import ffi as _ffi

#: The longest wait at exit, in seconds (a cancelled flow lets go within one exchange).
EXIT_TIMEOUT = 5.0


def wait_for_workers(timeout: float = EXIT_TIMEOUT) -> bool:
    """Waits until no flow's worker thread is running, at most ``timeout`` seconds; returns
    whether none is. Called at interpreter exit; an app may call it before ``os.fork``."""
    deadline = time.monotonic() + timeout
    while _ffi.active_workers() > 0:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.002)
    return True


def install() -> None:
    atexit.register(wait_for_workers)
