"""Issue 25: a clean exit (live flows cancelled before the exit wait, the app's code not
called once shutdown began, a forked child not waiting for its parent's workers) and asyncio
done right (a cancelled task ends after its flow did, a cancellation of the events' consumer
re-raised, a clear error outside asyncio)."""

import asyncio
import os
import subprocess
import sys
import threading
import time

import pytest

import mynasign as m
from conftest import BlockingLink, consent, run, wait_for

# A flow whose link answers late: its first command blocks until the link is closed or 8 s
# pass (past the 5 s exit wait), then answers. The script exits meanwhile. Before the exit
# cancelled live flows, the late answer reached a finalizing interpreter: "FATAL: exception
# not rethrown", exit 134.
LATE = """
import asyncio, threading, time, mynasign as m
class Late(m.CardLink):
    def __init__(self): self.closed = threading.Event(); self.after = []
    def transceive(self, c):
        if self.closed.is_set(): self.after.append(c)
        self.closed.wait(8)
        return b"\\x90\\x00"
    def supports_extended_length(self): return True
    def max_transceive_length(self): return 0
    def close(self): self.closed.set()
link = Late()
# A background thread's flow (a worker pool, a scheduler): nothing cancels it but the exit.
threading.Thread(target=m.blocking.read_pin_status, args=(link,), daemon=True).start()
while m.ffi.active_workers() == 0:
    time.sleep(0.005)
print("exiting with a flow in transceive at", time.time(), flush=True)
"""


def test_exiting_with_a_flow_in_transceive_cancels_it_and_exits_cleanly_20_times(tmp_path):
    for _ in range(20):
        done = subprocess.run([sys.executable, "-c", LATE], cwd=tmp_path, capture_output=True, text=True,
                              timeout=60)
        ended = time.time()
        assert done.returncode == 0, done.stderr
        assert "exiting with a flow in transceive" in done.stdout and "FATAL" not in done.stderr
        # Cancelled, not waited out: from the script's last line to the process's end, well
        # under the 5 s exit wait and the 8 s answer (the start-up is not counted).
        assert ended - float(done.stdout.split()[-1]) < 4.0


def test_a_cancelled_task_ends_after_its_flow(emulator):
    link = BlockingLink(emulator)

    async def body():
        task = asyncio.ensure_future(m.sign_consent(link, consent(), emulator.signature_password()))
        await wait_for(link.blocked)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # When the task is done the library has let go of the link: the blocked transceive
        # returned (close() unblocked it) and no worker runs.
        assert link.closed.is_set() and link.returned.is_set()
        assert m.wait_for_workers(5)  # the worker thread exits right after delivering its result

    run(body())


def test_outside_asyncio_the_flows_say_so(emulator, link):
    # A coroutine driven by another framework (trio, curio) finds no asyncio loop.
    password = bytearray(emulator.signature_password())
    coroutine = m.sign_consent(link, consent(), password)
    with pytest.raises(RuntimeError, match="asyncio event loop.*trio.to_thread.run_sync"):
        coroutine.send(None)
    assert password == bytearray(len(password)) and link.sent == 0
    with pytest.raises(RuntimeError, match="asyncio event loop"):
        m.read_pin_status(link).send(None)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
# Python 3.12+ warns that forking a threaded process may deadlock the child; this child only
# reads the worker count and leaves with os._exit, which is the case the test is about.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_does_not_wait_for_its_parents_workers(emulator):
    link = BlockingLink(emulator)

    async def body():
        task = asyncio.ensure_future(m.sign_consent(link, consent(), emulator.signature_password()))
        await wait_for(link.blocked)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: none of the parent's workers run here
            started = time.monotonic()
            ok = m.wait_for_workers(3)
            os.write(write, b"%d %.2f" % (ok, time.monotonic() - started))
            os._exit(0)
        os.close(write)
        answer = os.read(read, 100).decode().split()
        os.waitpid(pid, 0)
        assert answer[0] == "1" and float(answer[1]) < 1.0, answer
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(body())
