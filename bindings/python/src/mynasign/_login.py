"""Login with the user-authentication certificate: the app side as coroutines."""

import typing

from . import ffi as _ffi
from ._flows import (
    Listener,
    PinBytes,
    _check_pin,
    _flow,
    _guarded,
    _LinkFor,
    _listener,
    _options,
    _require_asyncio,
    _required,
    _code,
    _wipe,
)
from ._pcsc import Reader


async def login_on_card(
    link: typing.Optional[_ffi.CardLink] = None,
    challenge_json: typing.Optional[str] = None,
    service: typing.Optional[str] = None,
    pin: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.LoginResult:
    """Answers the login challenge ``challenge_json`` (from the service's
    ``LoginVerifier.issue_challenge``) with the user-authentication key of the card or
    smartphone on ``link``, believing it talks to ``service`` (the app's own idea of the
    service, never taken from the challenge: a bound response relayed elsewhere is refused).

    ``pin`` is the 4-digit authentication PIN as ``bytes`` or ``bytearray``; **a bytearray is
    wiped (zeros) after the call.** Its format is checked before anything is sent; the
    counter is read without spending an attempt and the last attempt is refused unless
    ``options.allow_last_attempt``. 6 exchanges with extended length; progress: 5 steps.
    Returns a ``LoginResult`` whose ``response_json`` goes to the service. Cancellation and
    ``reader=`` as in :func:`sign_consent`.
    """
    _check_pin("pin", pin)
    try:
        _require_asyncio()
        _required("challenge_json", challenge_json)
        _required("service", service)
        async with _LinkFor(link, reader) as link:
            return await _flow(lambda handle: _ffi.login_on_card(
                _guarded(link), challenge_json, service, _code(_ffi.PinType.AUTHENTICATION_PIN, pin), _options(options, _ffi.PinOptions),
                _listener(listener), handle), cancel)
    finally:
        _wipe(pin)


async def login_with_signer(
    signer: _ffi.KeystoreSigner,
    challenge_json: str,
    service: str,
    cancel: typing.Optional[_ffi.CancelHandle] = None,
) -> str:
    """Answers a **bound** login challenge with a key the application holds (``signer``: a
    smartphone certificate's authentication key in a keystore), which signs the client data
    with SHA-256 as it signs any message; returns the response JSON for the service. A raw
    challenge is refused (``MynaError.InvalidInput``, field ``challenge``). Signer failures
    and cancellation as in :func:`sign_consent_with_signer`."""
    _require_asyncio()
    return await _flow(lambda handle: _ffi.login_with_signer(signer, challenge_json, service, handle), cancel)
