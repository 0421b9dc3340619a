"""Issue 9, Python: cancelling a running flow from asyncio (the task or the events iterator)
stops it within one exchange and closes the link, so a blocked transceive returns."""

import asyncio
import contextlib
import gc

import pytest

import mynasign as m
from conftest import INS_SIGN, SIG, BlockingLink, consent, run, wait_for


def assert_stopped_at_the_signature(link, emulator):
    assert link.closed.wait(5), "close() was not called"
    assert link.returned.wait(5), "the blocked transceive did not return"
    assert link.commands[-1][1] == INS_SIGN, "a command was sent after the blocked one"
    assert link.after_return == []
    # The VERIFY before it succeeded: no attempt was lost.
    assert emulator.pin_attempts_left(SIG) == 5


def test_cancelling_the_task_cancels_the_flow(emulator):
    link = BlockingLink(emulator)

    async def body():
        task = asyncio.ensure_future(m.sign_consent(link, consent(), emulator.signature_password()))
        await wait_for(link.blocked)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The Rust future was freed on cancellation: the flow closed the link.
        await wait_for(link.returned, 5)
        sent = link.sent
        await asyncio.sleep(0.2)
        assert link.sent == sent, "the flow went on after the cancellation"

    run(body())
    assert_stopped_at_the_signature(link, emulator)


def test_cancelling_with_a_handle_raises_cancelled(emulator):
    link = BlockingLink(emulator)
    handle = m.CancelHandle()

    async def body():
        task = asyncio.ensure_future(
            m.sign_consent(link, consent(), emulator.signature_password(), cancel=handle))
        await wait_for(link.blocked)
        handle.cancel()
        with pytest.raises(m.MynaError.Cancelled) as e:
            await task
        return e.value

    error = run(body())
    assert error.code() == m.ErrorCode.CANCELLED
    assert not error.during_verify and not error.pin_counter_uncertain() and error.retry_safe()
    assert_stopped_at_the_signature(link, emulator)


def test_a_task_cancelled_with_a_handle_given_still_stops(emulator):
    # Both paths together: the task is cancelled (CancelledError wins), the handle unused.
    link = BlockingLink(emulator)

    async def body():
        task = asyncio.ensure_future(
            m.sign_consent(link, consent(), emulator.signature_password(), cancel=m.CancelHandle()))
        await wait_for(link.blocked)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(body())
    assert_stopped_at_the_signature(link, emulator)


def test_closing_the_events_iterator_early_cancels(emulator):
    link = BlockingLink(emulator)
    password = bytearray(emulator.signature_password())

    async def body():
        steps = []
        async with contextlib.aclosing(
                m.sign_consent_events(link, consent(), password)) as events:
            async for event in events:
                steps.append(event.progress.step)
                if event.progress.step == m.FlowStep.SIGNING:
                    await wait_for(link.blocked)
                    break
        # aclose() returned: the flow was cancelled and the library closed the link (the
        # blocked transceive then returns on the worker thread).
        assert link.closed.is_set()
        return steps

    steps = run(body())
    assert steps[-1] == m.FlowStep.SIGNING
    assert not any(password), "the password was not wiped"
    assert_stopped_at_the_signature(link, emulator)


def test_breaking_out_without_aclose_cancels_too(emulator):
    # A plain `break`: the generator is finalized by the event loop's async-generator hook,
    # which closes it, which cancels the flow (wherever it got to meanwhile).
    link = BlockingLink(emulator)

    async def body():
        async for event in m.sign_consent_events(link, consent(), emulator.signature_password()):
            assert event.progress.step == m.FlowStep.CONNECTING
            break
        gc.collect()
        await wait_for(link.closed, 10)

    run(body())
    if link.blocked.is_set():
        assert link.returned.wait(5)
    assert link.after_return == []


def test_closing_the_events_iterator_at_once_wipes_the_password(emulator):
    link = BlockingLink(emulator)
    password = bytearray(emulator.signature_password())

    async def body():
        events = m.sign_consent_events(link, consent(), password)
        first = await events.__anext__()
        await events.aclose()
        return first

    assert run(body()).progress.step == m.FlowStep.CONNECTING
    assert not any(password)
    assert link.closed.is_set()
    assert link.after_return == []


def test_cancelling_the_task_consuming_the_events(emulator):
    # The consumer's CancelledError is re-raised (not swallowed by the event stream), and the
    # flow has let go of the link by then.
    link = BlockingLink(emulator)

    async def consume():
        async for _ in m.sign_consent_events(link, consent(), emulator.signature_password()):
            pass

    async def body():
        task = asyncio.ensure_future(consume())
        await wait_for(link.blocked)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled() and link.returned.is_set()

    run(body())
    assert_stopped_at_the_signature(link, emulator)


def test_blocking_form_keeps_the_bytearray_wiped_even_when_cancelled(emulator):
    link = BlockingLink(emulator)
    handle = m.CancelHandle()
    password = bytearray(emulator.signature_password())

    async def body():
        task = asyncio.ensure_future(m.sign_consent(link, consent(), password, cancel=handle))
        await wait_for(link.blocked)
        handle.cancel()
        with pytest.raises(m.MynaError.Cancelled):
            await task

    run(body())
    assert password == bytearray(len(password))
