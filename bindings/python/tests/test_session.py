"""Issue 13: sessions as context managers."""

import asyncio

import pytest

import mynasign as m
from conftest import SIG, EmulatorLink, run


def test_async_with_open_ends_the_session_and_closes_the_link(emulator, link):
    async def body():
        async with m.JpkiCard.open(link) as card:
            assert isinstance(card, m.JpkiCard)
            assert (await card.pin_status(SIG)).remaining == 5
            assert not link.closed.is_set()
        assert link.closed.is_set()
        sent = link.sent
        with pytest.raises(m.MynaError.Cancelled):
            await card.pin_status(SIG)
        assert link.sent == sent, "a command was sent after the session ended"

    run(body())


def test_an_exception_in_the_block_also_ends_it(emulator, link):
    async def body():
        with pytest.raises(KeyError):
            async with m.JpkiCard.open(link) as card:
                await card.verify_pin(SIG, emulator.signature_password())
                raise KeyError("app failure")
        assert link.closed.is_set()

    run(body())


def test_open_is_still_awaitable_and_a_coroutine(emulator, link):
    opening = m.JpkiCard.open(link)
    assert isinstance(opening, m.OpeningCard)
    card = run(opening)  # asyncio.run takes it as a coroutine
    assert card.profile() == m.CardProfile.MY_NUMBER_CARD

    async def body():
        # The card itself is an async context manager too.
        async with await m.JpkiCard.open(EmulatorLink(emulator)) as other:
            return await other.has_signature_certificate()

    assert run(body()) is True


def test_a_failing_open_raises_from_async_with():
    class Lost(EmulatorLink):
        def transceive(self, command):
            raise m.LinkError.TagLost()

    async def body():
        async with m.JpkiCard.open(Lost(m.Emulator(1, m.CardProfile.MY_NUMBER_CARD))):
            raise AssertionError("opened")

    with pytest.raises(m.MynaError.TagLost):
        run(body())


def test_cancelling_the_task_inside_the_block_closes_the_link(emulator, link):
    async def body():
        entered = asyncio.Event()

        async def session():
            async with m.JpkiCard.open(link):
                entered.set()
                await asyncio.sleep(30)

        task = asyncio.ensure_future(session())
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert link.closed.is_set()

    run(body())


def test_a_link_implemented_in_rust_is_a_context_manager(emulator):
    with emulator.link() as link:
        assert run(m.read_pin_status(link)).signature_password.remaining == 5


def test_pcsc_links_only_in_wheels_built_with_pcsc():
    # The default and testing wheels leave PC/SC out (it needs libpcsclite at run time);
    # tests/pcsc/python.sh builds one with it and signs through a reader. PcscLink is in
    # every wheel (one typed surface); without pcsc it raises ReaderError, as reader= does.
    assert hasattr(m.ffi, "pcsc_connect") == ("pcsc" in m.FEATURES)
    if "pcsc" not in m.FEATURES:
        for call in (lambda: m.PcscLink.open(), m.PcscLink.list_readers, m.list_readers):
            try:
                call()
            except m.ReaderError as e:
                assert "pcsc" in repr(e)
            else:
                raise AssertionError("PC/SC without the pcsc feature")
