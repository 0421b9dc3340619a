"""PC/SC card readers (wheels built with the ``pcsc`` feature): the library's own PC/SC
transport as a :class:`CardLink`, for kiosk back ends and desktop tools."""

from __future__ import annotations

import typing

from . import ffi as _ffi

Reader = typing.Union[str, bool, None]


class ReaderInfo(typing.Protocol):
    """What :func:`only_reader` reads of a reader (``PcscReader`` has more)."""

    @property
    def name(self) -> str: ...

    @property
    def card_present(self) -> bool: ...


class ReaderError(_ffi.MynaError.LinkFailed):
    """No PC/SC reader could be chosen for ``reader=``: a ``MynaError.LinkFailed`` (``code()``
    is ``LINK_FAILED``, ``str()`` the holder's text); ``detail`` says why (reader names only)."""

    def __init__(self, detail: str):
        super().__init__(detail)


class NoReaderError(ReaderError, LookupError):
    """``reader=True`` and no PC/SC reader is connected."""


class SeveralReadersError(ReaderError, LookupError):
    """``reader=True`` and several readers could be meant: several are connected and not
    exactly one of them holds a card. Pass the reader's name (``names`` lists them)."""

    def __init__(self, names: typing.Sequence[str]):
        self.names = list(names)
        super().__init__("several readers: " + ", ".join(self.names))


def only_reader(readers: typing.Optional[typing.Sequence[typing.Any]] = None) -> str:
    """The name of the reader ``reader=True`` means: the only reader connected or, when there
    are several, the only one holding a card. ``readers`` (records with ``name`` and
    ``card_present``) defaults to :meth:`PcscLink.list_readers`. Raises
    :class:`NoReaderError` or :class:`SeveralReadersError`."""
    if readers is None:
        readers = _list()
    readers = list(readers)
    if not readers:
        raise NoReaderError("no PC/SC reader is connected")
    if len(readers) == 1:
        return readers[0].name
    holding = [r for r in readers if r.card_present]
    if len(holding) == 1:
        return holding[0].name
    raise SeveralReadersError([r.name for r in readers])


def _list():
    if not hasattr(_ffi, "pcsc_readers"):
        raise ReaderError("this build of mynasign has no PC/SC support (MYNASIGN_FEATURES with pcsc)")
    return _ffi.pcsc_readers()


def open_reader(reader: Reader, wait_seconds: int = 0) -> _ffi.CardLink:
    """The link ``reader=`` asks for: ``True`` for :func:`only_reader`, else the reader's name."""
    if reader is True:
        name = only_reader()
    elif isinstance(reader, str) and reader:
        name = reader
    else:
        raise TypeError("reader must be a reader's name or True (the only reader), not {!r}".format(reader))
    if not hasattr(_ffi, "pcsc_connect"):
        _list()
    return _ffi.pcsc_connect(name, wait_seconds)


class PcscLink:
    """Opens links to cards in PC/SC readers (``pcscd`` on Linux, the system's PC/SC on
    macOS). The link is implemented in Rust: its commands never go through Python::

        with mynasign.PcscLink.open() as link:       # the first reader holding a card
            signed = await mynasign.sign_consent(link, document, password)

    Leaving the ``with`` block closes the link, which leaves the card application and
    disconnects, unpowering the card (no PIN stays verified for the next application). A
    cancelled flow closes it too.
    """

    def __init__(self):
        raise TypeError("use PcscLink.open(reader) for a link, PcscLink.list_readers() for the readers")

    @staticmethod
    def open(reader: typing.Optional[str] = None, wait_seconds: int = 0) -> _ffi.CardLink:
        """Connects to the card in ``reader`` (a name from :meth:`list_readers`; ``None``:
        the first reader holding a card), waiting up to ``wait_seconds`` for a card to be
        inserted (this call blocks meanwhile: in a coroutine, use ``await
        asyncio.to_thread(PcscLink.open, reader, 30)``). Raises ``MynaError.LinkFailed``
        when there is no PC/SC service, no such reader or no card; :class:`ReaderError` in a
        build without the ``pcsc`` feature."""
        if not hasattr(_ffi, "pcsc_connect"):
            _list()
        return _ffi.pcsc_connect(reader, wait_seconds)

    @staticmethod
    def list_readers() -> typing.List[_ffi.PcscReader]:
        """The readers connected now (``name``, ``card_present``, ``exclusive``, ``atr``).
        Raises ``MynaError.LinkFailed`` when the PC/SC service is not running."""
        return _list()

    only_reader = staticmethod(only_reader)


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
