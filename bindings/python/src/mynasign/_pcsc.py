"""PC/SC card readers (wheels built with the ``pcsc`` feature): the library's own PC/SC
transport as a :class:`CardLink`, for kiosk back ends and desktop tools."""

from __future__ import annotations

import typing

from . import ffi as _ffi


class PcscLink:
    """Opens links to cards in PC/SC readers (``pcscd`` on Linux, the system's PC/SC on
    macOS). The link is implemented in Rust: its commands never go through Python::

        with mynasign.PcscLink.open() as link:       # the first reader holding a card
            signed = await mynasign.sign_consent(link, document, password)

    Leaving the ``with`` block closes the link, which disconnects and resets the card (no
    PIN stays verified for the next application). A cancelled flow closes it too.
    """

    def __init__(self):
        raise TypeError("use PcscLink.open(reader) for a link, PcscLink.list_readers() for the readers")

    @staticmethod
    def open(reader: typing.Optional[str] = None, wait_seconds: int = 0) -> _ffi.CardLink:
        """Connects to the card in ``reader`` (a name from :meth:`list_readers`; ``None``:
        the first reader holding a card), waiting up to ``wait_seconds`` for a card to be
        inserted (this call blocks meanwhile: in a coroutine, use ``await
        asyncio.to_thread(PcscLink.open, reader, 30)``). Raises ``MynaError.LinkFailed``
        when there is no PC/SC service, no such reader or no card."""
        return _ffi.pcsc_connect(reader, wait_seconds)

    @staticmethod
    def list_readers() -> typing.List[_ffi.PcscReader]:
        """The readers connected now (``name``, ``card_present``, ``exclusive``, ``atr``).
        Raises ``MynaError.LinkFailed`` when the PC/SC service is not running."""
        return _ffi.pcsc_readers()


def list_readers() -> typing.List[_ffi.PcscReader]:
    """:meth:`PcscLink.list_readers`."""
    return PcscLink.list_readers()


def _enter(self):
    return self


def _exit(self, exc_type, exc, traceback):
    self.close()
    return False


def install() -> None:
    """A link implemented in Rust (``PcscLink.open()``, ``Emulator.link()``) is a context
    manager closing it on exit."""
    _ffi.CardLinkImpl.__enter__ = _enter
    _ffi.CardLinkImpl.__exit__ = _exit
