"""The card and keystore flows as coroutines and as async iterators of events."""

import asyncio
import ctypes
import typing

from . import ffi as _ffi
from . import _pcsc
from . import _pins
from . import _shutdown
from ._pcsc import Reader

T = typing.TypeVar("T")
PinBytes = _pins.PinBytes
Listener = typing.Union[_ffi.ProgressListener, typing.Callable[[_ffi.Progress], None], None]


def _check_pin(name: str, pin: PinBytes) -> None:
    if not isinstance(pin, (bytes, bytearray)):
        raise TypeError(
            "{} must be bytes or a bytearray (UTF-8), not {}".format(name, type(pin).__name__)
        )


def _code(kind: _ffi.PinType, pin: PinBytes) -> _ffi.PinCode:
    # The PIN crosses as a PinCode read in place from the caller's bytes or bytearray (no
    # bytes copy of a bytearray, no RustBuffer): see _pins.
    return _pins.pin_code(kind, pin)


def _wipe(*pins: PinBytes) -> None:
    for pin in pins:
        if isinstance(pin, bytearray):
            pin[:] = bytes(len(pin))


class _CallableListener(_ffi.ProgressListener):
    """A plain function or the app's ProgressListener, called on the library's worker thread
    until the interpreter starts shutting down (then no more)."""

    def __init__(self, function):
        self._function = function

    def on_progress(self, progress):
        if not _shutdown.stopping():
            self._function(progress)


def _listener(listener: Listener):
    if listener is None:
        return None
    if isinstance(listener, _ffi.ProgressListener):
        return _CallableListener(listener.on_progress)
    if callable(listener):
        return _CallableListener(listener)
    raise TypeError("listener must be a ProgressListener or a callable taking a Progress")


class _GuardedLink(_ffi.CardLink):
    """A link implemented in Python, as the library calls it: the app's methods until the
    interpreter starts shutting down; from then on ``transceive`` fails as a lost card
    without calling the app's code (``close`` is still passed on: it is what unblocks a
    pending ``transceive``)."""

    def __init__(self, link):
        self._link = link

    def transceive(self, command):
        if _shutdown.stopping():
            raise _ffi.LinkError.TagLost()
        return self._link.transceive(command)

    def supports_extended_length(self):
        return self._link.supports_extended_length()

    def max_transceive_length(self):
        return self._link.max_transceive_length()

    def close(self):
        return self._link.close()


def _guarded(link):
    # A link implemented in Rust (PcscLink, Emulator.link()) never calls into Python, and
    # keeps its identity (flows on it take turns).
    return link if isinstance(link, _ffi.CardLinkImpl) else _GuardedLink(link)


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "mynasign's coroutines run on an asyncio event loop (asyncio.run, or anyio with its "
            "asyncio backend); under trio, call mynasign.blocking's functions in a worker thread "
            "(trio.to_thread.run_sync)"
        ) from None


async def _flow(start: typing.Callable[[_ffi.CancelHandle], typing.Awaitable[T]],
                cancel: typing.Optional[_ffi.CancelHandle]) -> T:
    """Runs a flow of the generated API with a cancel handle (the caller's, or its own).

    Cancelling the awaiting task cancels the flow through the handle and waits for the flow
    to end before the task's ``CancelledError`` propagates: when the cancelled task is done,
    the card is no longer being talked to (a PIN VERIFY in flight has completed, its
    attempt accounted for). A handle passed by the caller is cancelled then too."""
    handle = cancel if cancel is not None else _ffi.CancelHandle()
    with _shutdown.live(handle):
        inner = asyncio.ensure_future(start(handle))
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            handle.cancel()
            await _settled(inner)
            raise


async def _settled(inner: "asyncio.Future[typing.Any]") -> None:
    # Waits for the cancelled flow's end, whatever else cancels the waiter meanwhile (the
    # CancelledError being handled is re-raised by the caller).
    while not inner.done():
        try:
            await asyncio.wait({inner})
        except asyncio.CancelledError:
            continue
    if not inner.cancelled():
        inner.exception()  # retrieved: its MynaError.Cancelled is the cancellation's


class _LinkFor:
    """The link of a one-call flow: the caller's ``link``, or one opened on ``reader`` (closed
    when the flow ends). Exactly one of the two; a TypeError otherwise."""

    def __init__(self, link, reader: Reader):
        if reader is None or reader is False:
            if link is None:
                raise TypeError("pass a link, or reader= (a PC/SC reader's name, or True for the only one)")
        elif link is not None:
            raise TypeError("pass either a link or reader=, not both")
        elif not (reader is True or (isinstance(reader, str) and reader)):
            raise TypeError("reader must be a reader's name or True (the only reader), not {!r}".format(reader))
        self._link = link
        self._reader = reader
        self._opened = None

    async def __aenter__(self):
        if self._link is not None:
            return self._link
        # Connecting blocks (pcscd); not on the event loop's thread.
        self._opened = await asyncio.to_thread(_pcsc.open_reader, self._reader)
        return self._opened

    async def __aexit__(self, *exc):
        if self._opened is not None:
            self._opened.close()
        return False


def _required(name: str, value) -> None:
    if value is None:
        raise TypeError("{} is required".format(name))


def _options(options, default):
    return default() if options is None else options


async def sign_consent(
    link: typing.Optional[_ffi.CardLink] = None,
    document: typing.Optional[_ffi.ConsentDocument] = None,
    password: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.SignedConsent:
    """Signs ``document`` with the signature certificate of the card (or smartphone) on ``link``.

    Opens the JPKI application, reads the signature password's counter, verifies
    ``password`` (refusing the last attempt unless ``options.allow_last_attempt``), reads the
    signature certificate, checks the channel rule (and, for a linkage document, the
    attributes) and signs: 6 exchanges with extended length.

    ``password`` is the signature password as UTF-8 ``bytes`` or ``bytearray``. **A bytearray
    is wiped (overwritten with zeros) when the call returns or fails**; bytes cannot be wiped.
    The library reads it in place (no bytes copy of a bytearray) and wipes its own copy when
    the call ends.

    The flow runs on the library's worker thread; the event loop is not blocked. Cancelling
    the awaiting task, or ``cancel.cancel()``, stops the flow before its next exchange and
    calls ``link.close()`` so a blocked ``transceive`` returns (a PIN VERIFY already sent
    completes first). With a ``cancel`` handle the call raises ``MynaError.Cancelled``.

    ``listener`` (a ``ProgressListener`` or a function taking a ``Progress``) is called on the
    worker thread for each step; use :func:`sign_consent_events` for an async stream.

    Instead of ``link``, ``reader=`` runs the flow on a PC/SC reader (wheels with the ``pcsc``
    feature): its name, or ``True`` for the only reader connected (of several, the only one
    holding a card); the link is opened for the call and closed after it (the application
    left, the card unpowered).
    Pass ``document`` and ``password`` by keyword then:
    ``await sign_consent(document=doc, password=pw, reader=True)``. Exactly one of ``link``
    and ``reader`` (a TypeError otherwise); no reader to choose raises
    :class:`NoReaderError` or :class:`SeveralReadersError` (both ``MynaError.LinkFailed``).

    Raises ``MynaError`` (``str()`` is the holder's text, see :func:`set_language`).
    """
    _check_pin("password", password)
    try:
        _require_asyncio()
        _required("document", document)
        async with _LinkFor(link, reader) as link:
            return await _flow(lambda handle: _ffi.sign_consent(
                _guarded(link), document, _code(_ffi.PinType.SIGNATURE_PASSWORD, password), _options(options, _ffi.SignOptions),
                _listener(listener), handle), cancel)
    finally:
        _wipe(password)


async def read_basic_attributes(
    link: typing.Optional[_ffi.CardLink] = None,
    pin: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.BasicAttributes:
    """Reads the basic four attributes (name, address, date of birth, sex) with the 4-digit
    card-info PIN. The My Number is never read. Progress: 4 steps.

    ``pin`` is ``bytes`` or ``bytearray``; **a bytearray is wiped (zeros) after the call.**
    The result prints redacted (``str``/``repr`` name only its kind); read the values with
    its methods. Cancellation and ``reader=`` as in :func:`sign_consent`.
    """
    _check_pin("pin", pin)
    try:
        _require_asyncio()
        async with _LinkFor(link, reader) as link:
            return await _flow(lambda handle: _ffi.read_basic_attributes(
                _guarded(link), _code(_ffi.PinType.CARD_INFO_PIN, pin), _options(options, _ffi.PinOptions), _listener(listener), handle), cancel)
    finally:
        _wipe(pin)


async def read_authentic_basic_attributes(
    link: typing.Optional[_ffi.CardLink] = None,
    pin: typing.Optional[PinBytes] = None,
    trust: typing.Optional[_ffi.CardInfoTrust] = None,
    challenge: typing.Optional[bytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.AuthenticBasicAttributes:
    """Reads the basic four with what proves them: the card-info integrity record and
    certificate and, with ``challenge`` (the receiving service's, from
    :func:`new_presence_challenge`), the card's answer to it; verified under ``trust``
    (``CardInfoTrust.production()`` by default). The My Number is never read. A failed check
    raises ``MynaError.VerificationFailed`` naming it. Send ``result.evidence_json()`` to the
    service (personal data). ``pin`` as in :func:`read_basic_attributes` (a bytearray is wiped
    after the call); cancellation and ``reader=`` as in :func:`sign_consent`.
    """
    _check_pin("pin", pin)
    try:
        _require_asyncio()
        trusted = trust if trust is not None else _ffi.CardInfoTrust.production()
        async with _LinkFor(link, reader) as link:
            return await _flow(lambda handle: _ffi.read_authentic_basic_attributes(
                _guarded(link), _code(_ffi.PinType.CARD_INFO_PIN, pin), trusted, challenge, _options(options, _ffi.PinOptions),
                _listener(listener), handle), cancel)
    finally:
        _wipe(pin)


async def read_pin_status(
    link: typing.Optional[_ffi.CardLink] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.PinStatusReport:
    """Reads every PIN's retry counter without spending an attempt (signature password,
    user-authentication PIN and, on a card, the card-info PIN). Progress: 4 steps.
    Cancellation and ``reader=`` as in :func:`sign_consent`."""
    _require_asyncio()
    async with _LinkFor(link, reader) as link:
        return await _flow(lambda handle: _ffi.read_pin_status(_guarded(link), _listener(listener), handle), cancel)


async def check_linkage(
    link: _ffi.CardLink,
    card_info_pin: PinBytes,
    signature_password: PinBytes,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    listener: Listener = None,
) -> _ffi.LinkageResult:
    """The Mynaportal linkage check on a card: reads the basic four attributes (card-info
    PIN) and the signature certificate (signature password) and names the fields that
    differ, never their values. Progress: 6 steps.

    Both PINs are ``bytes`` or ``bytearray``; **each bytearray is wiped (zeros) after the
    call.** Cancellation as in :func:`sign_consent`.
    """
    _check_pin("card_info_pin", card_info_pin)
    _check_pin("signature_password", signature_password)
    try:
        _require_asyncio()
        return await _flow(lambda handle: _ffi.check_linkage(
            _guarded(link),
            _code(_ffi.PinType.CARD_INFO_PIN, card_info_pin),
            _code(_ffi.PinType.SIGNATURE_PASSWORD, signature_password),
            _options(options, _ffi.PinOptions),
            _listener(listener),
            handle,
        ), cancel)
    finally:
        _wipe(card_info_pin, signature_password)


async def sign_consent_with_signer(
    signer: _ffi.KeystoreSigner,
    source: _ffi.CertificateSource,
    document: _ffi.ConsentDocument,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    listener: Listener = None,
) -> _ffi.SignedConsent:
    """Signs ``document`` with a key the application holds (``signer``: a smartphone
    certificate's key in a keystore), after the same channel and linkage checks as on a card.

    No PIN is involved (the keystore asks the holder itself). A ``SignerError.Failed`` or any
    other exception from the signer becomes ``MynaError.KeystoreFailed``;
    ``SignerError.Cancelled`` becomes ``MynaError.Cancelled``. A cancellation cannot
    interrupt the signer: the call ends with ``Cancelled`` once it returns. Only
    ``options.signing_time`` applies. Progress: 1 step.
    """
    _require_asyncio()
    return await _flow(lambda handle: _ffi.sign_consent_with_signer(
        signer, source, document, _options(options, _ffi.SignOptions), _listener(listener), handle), cancel)


class CardFlowEvent(typing.Generic[T]):
    """One event of a flow's async iterator: a :class:`ProgressEvent` (a step: ``progress``
    set, ``result`` None) or, last, a :class:`ResultEvent` (the outcome: ``result`` set,
    ``progress`` None). Tell them apart with ``isinstance`` (type checkers narrow on it)."""

    __slots__ = ()

    progress: typing.Optional[_ffi.Progress]
    result: typing.Optional[T]

    @property
    def is_result(self) -> bool:
        """Whether this is the final event (the flow's result)."""
        return isinstance(self, ResultEvent)

    def __str__(self) -> str:
        return repr(self)


class ProgressEvent(CardFlowEvent[typing.Any]):
    """A step of the flow: ``progress`` (``step``, ``index``, ``total``, the texts)."""

    __slots__ = ("progress",)
    result = None

    def __init__(self, progress: _ffi.Progress):
        self.progress = progress

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProgressEvent) and other.progress == self.progress

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        p = self.progress
        return "ProgressEvent(progress={} {}/{})".format(p.step.name, p.index, p.total)


class ResultEvent(CardFlowEvent[T]):
    """The last event: the flow's ``result`` (its printed form is the result's, redacted)."""

    __slots__ = ("result",)
    progress = None

    def __init__(self, result: T):
        self.result = result

    def __repr__(self) -> str:
        return "ResultEvent(result={!r})".format(self.result)


#: What the ``*_events`` functions return: an async generator (``aclose()``, usable with
#: ``contextlib.aclosing``) of progress events, then one result event.
Events = typing.AsyncGenerator[typing.Union[ProgressEvent, ResultEvent[T]], None]


class _QueueListener(_ffi.ProgressListener):
    """Feeds the steps, called on the library's worker thread, into the loop's queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue"):
        self._loop = loop
        self._queue = queue

    def on_progress(self, progress):
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, progress)
        except RuntimeError:
            # The loop is closed: nobody listens any more (the flow is being cancelled).
            pass


_DONE = object()


async def _events(start: typing.Callable[[_ffi.ProgressListener], typing.Awaitable[T]], *pins: PinBytes):
    _require_asyncio()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    task = asyncio.ensure_future(start(_QueueListener(loop, queue)))
    # Progress is queued from the worker before the flow completes, so _DONE comes last.
    task.add_done_callback(lambda _t: queue.put_nowait(_DONE))
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            yield ProgressEvent(item)
        yield ResultEvent(task.result())
    finally:
        try:
            if not task.done():
                # The iterator was closed or its consumer cancelled: cancel the flow and wait
                # for its end (the flow's coroutine waits until the card is let go). A
                # cancellation of the consumer meanwhile is re-raised, not swallowed.
                task.cancel()
                await asyncio.wait({task})
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: the iteration's own exception is what counts
        finally:
            # Also when the flow was cancelled before it started.
            _wipe(*pins)


def sign_consent_events(
    link: _ffi.CardLink,
    document: _ffi.ConsentDocument,
    password: PinBytes,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> "Events[_ffi.SignedConsent]":
    """:func:`sign_consent` as an async iterator: a :class:`CardFlowEvent` per step
    (``event.progress``, in order), then one with ``event.result`` (the ``SignedConsent``).
    A failure is raised from the iteration. Leaving the ``async for`` early (``break``, an
    exception, ``aclose()``) or cancelling the consuming task cancels the card flow. A
    bytearray ``password`` is wiped (zeros) when the flow ends or the iterator is closed (the
    flow starts on the first iteration: an iterator never iterated leaves it as it is)."""
    _check_pin("password", password)
    return _events(lambda l: sign_consent(link, document, password, options, cancel, listener=l), password)


def read_basic_attributes_events(
    link: _ffi.CardLink,
    pin: PinBytes,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> "Events[_ffi.BasicAttributes]":
    """:func:`read_basic_attributes` as an async iterator of :class:`CardFlowEvent` (see
    :func:`sign_consent_events`). A bytearray ``pin`` is wiped (zeros) when the flow ends."""
    _check_pin("pin", pin)
    return _events(lambda l: read_basic_attributes(link, pin, options, cancel, listener=l), pin)


def read_pin_status_events(
    link: _ffi.CardLink,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> "Events[_ffi.PinStatusReport]":
    """:func:`read_pin_status` as an async iterator of :class:`CardFlowEvent` (see
    :func:`sign_consent_events`)."""
    return _events(lambda l: read_pin_status(link, cancel, listener=l))


def check_linkage_events(
    link: _ffi.CardLink,
    card_info_pin: PinBytes,
    signature_password: PinBytes,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> "Events[_ffi.LinkageResult]":
    """:func:`check_linkage` as an async iterator of :class:`CardFlowEvent` (see
    :func:`sign_consent_events`). Bytearray PINs are wiped (zeros) when the flow ends."""
    _check_pin("card_info_pin", card_info_pin)
    _check_pin("signature_password", signature_password)
    return _events(
        lambda l: check_linkage(link, card_info_pin, signature_password, options, cancel, listener=l),
        card_info_pin,
        signature_password,
    )


def sign_consent_with_signer_events(
    signer: _ffi.KeystoreSigner,
    source: _ffi.CertificateSource,
    document: _ffi.ConsentDocument,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> "Events[_ffi.SignedConsent]":
    """:func:`sign_consent_with_signer` as an async iterator of :class:`CardFlowEvent`."""
    return _events(
        lambda l: sign_consent_with_signer(signer, source, document, options, cancel, listener=l)
    )
