"""Sessions as context managers: ``async with mynasign.JpkiCard.open(link) as card``."""

import collections.abc
import typing

from . import ffi as _ffi
from . import _flows


class OpeningCard(collections.abc.Coroutine):
    """What :meth:`JpkiCard.open` returns: the coroutine opening the session (``await`` it as
    before: ``card = await JpkiCard.open(link)``), which is also an async context manager::

        async with mynasign.JpkiCard.open(link) as card:
            state = await card.pin_status(mynasign.PinType.SIGNATURE_PASSWORD)

    Leaving the block, normally or by an exception or a cancellation, ends the session
    (:meth:`JpkiCard.cancel`): nothing more is sent and ``link.close()`` is called.
    """

    __slots__ = ("_coroutine", "_card")

    def __init__(self, coroutine: typing.Coroutine[typing.Any, typing.Any, "_ffi.JpkiCard"]):
        self._coroutine = coroutine
        self._card: typing.Optional[_ffi.JpkiCard] = None

    # The coroutine protocol, delegated (asyncio.run and create_task accept this object).
    def send(self, value):
        return self._coroutine.send(value)

    def throw(self, *args):
        return self._coroutine.throw(*args)

    def close(self) -> None:
        self._coroutine.close()

    def __await__(self):
        return self._coroutine.__await__()

    async def __aenter__(self) -> "_ffi.JpkiCard":
        self._card = await self._coroutine
        return self._card

    async def __aexit__(self, exc_type, exc, traceback) -> bool:
        card, self._card = self._card, None
        if card is not None:
            card.cancel()
        return False

    def __repr__(self) -> str:
        return "OpeningCard()"


async def _card_aenter(self):
    return self


async def _card_aexit(self, exc_type, exc, traceback):
    self.cancel()
    return False


def install() -> None:
    """Makes ``JpkiCard.open`` return an :class:`OpeningCard`, and a ``JpkiCard`` an async
    context manager itself (``async with await JpkiCard.open(link) as card``)."""
    card_class = _ffi.JpkiCard
    generated = card_class.open.__func__

    def open(cls, link: _ffi.CardLink) -> OpeningCard:
        """Opens the JPKI application over ``link`` (2 exchanges: SELECT and the token).

        ``await`` it for the :class:`JpkiCard`, or use it in ``async with`` to end the
        session (the link closed) when the block is left."""
        return OpeningCard(generated(cls, link))

    card_class.open = classmethod(open)

    generated_verify = card_class.verify_pin

    async def verify_pin(self, pin: _ffi.PinType, value: _flows.PinBytes, allow_last_attempt: bool = False):
        """VERIFY of ``pin`` with ``value`` (``bytes`` or ``bytearray``, UTF-8; **a bytearray
        is wiped (zeros) when the call returns or fails**). Returns the PIN's state after."""
        _flows._check_pin("value", value)
        try:
            return await generated_verify(self, pin, _flows._code(pin, value), allow_last_attempt)
        finally:
            _flows._wipe(value)

    verify_pin.__doc__ = (verify_pin.__doc__ or "") + "\n\n" + (generated_verify.__doc__ or "")
    card_class.verify_pin = verify_pin
    card_class.__aenter__ = _card_aenter
    card_class.__aexit__ = _card_aexit
