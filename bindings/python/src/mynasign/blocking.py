"""Blocking forms of the flows, for scripts: each runs the coroutine with ``asyncio.run``.

Not for use inside a running event loop (``asyncio.run`` refuses; await the coroutines of
:mod:`mynasign` there). Ctrl-C cancels the card flow as a task cancellation does. PIN
arguments follow the async forms: ``bytes`` or ``bytearray``, a bytearray is wiped (zeros)
after the call.
"""

import asyncio
import typing

from . import _flows
from . import ffi as _ffi
from ._flows import Listener, PinBytes
from ._pcsc import Reader

_Cancel = typing.Optional[_ffi.CancelHandle]


def sign_consent(
    link: typing.Optional[_ffi.CardLink] = None,
    document: typing.Optional[_ffi.ConsentDocument] = None,
    password: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: _Cancel = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.SignedConsent:
    """Blocking :func:`mynasign.sign_consent` (a bytearray ``password`` is wiped after the call)."""
    return asyncio.run(
        _flows.sign_consent(link, document, password, options, cancel, reader=reader, listener=listener)
    )


def read_basic_attributes(
    link: typing.Optional[_ffi.CardLink] = None,
    pin: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: _Cancel = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.BasicAttributes:
    """Blocking :func:`mynasign.read_basic_attributes` (a bytearray ``pin`` is wiped after the call)."""
    return asyncio.run(_flows.read_basic_attributes(link, pin, options, cancel, reader=reader, listener=listener))


def read_pin_status(
    link: typing.Optional[_ffi.CardLink] = None, cancel: _Cancel = None, *, reader: Reader = None,
    listener: Listener = None
) -> _ffi.PinStatusReport:
    """Blocking :func:`mynasign.read_pin_status`."""
    return asyncio.run(_flows.read_pin_status(link, cancel, reader=reader, listener=listener))


def check_linkage(
    link: _ffi.CardLink,
    card_info_pin: PinBytes,
    signature_password: PinBytes,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: _Cancel = None,
    *,
    listener: Listener = None,
) -> _ffi.LinkageResult:
    """Blocking :func:`mynasign.check_linkage` (bytearray PINs are wiped after the call)."""
    return asyncio.run(
        _flows.check_linkage(link, card_info_pin, signature_password, options, cancel, listener=listener)
    )


def sign_consent_with_signer(
    signer: _ffi.KeystoreSigner,
    source: _ffi.CertificateSource,
    document: _ffi.ConsentDocument,
    options: typing.Optional[_ffi.SignOptions] = None,
    cancel: _Cancel = None,
    *,
    listener: Listener = None,
) -> _ffi.SignedConsent:
    """Blocking :func:`mynasign.sign_consent_with_signer`."""
    return asyncio.run(
        _flows.sign_consent_with_signer(signer, source, document, options, cancel, listener=listener)
    )


def login_on_card(
    link: typing.Optional[_ffi.CardLink] = None,
    challenge_json: typing.Optional[str] = None,
    service: typing.Optional[str] = None,
    pin: typing.Optional[PinBytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: _Cancel = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.LoginResult:
    """Blocking :func:`mynasign.login_on_card` (a bytearray ``pin`` is wiped after the call)."""
    from . import _login

    return asyncio.run(
        _login.login_on_card(link, challenge_json, service, pin, options, cancel, reader=reader, listener=listener)
    )


def login_with_signer(signer: _ffi.KeystoreSigner, challenge_json: str, service: str, cancel: _Cancel = None) -> str:
    """Blocking :func:`mynasign.login_with_signer`."""
    from . import _login

    return asyncio.run(_login.login_with_signer(signer, challenge_json, service, cancel))


def read_authentic_basic_attributes(
    link: typing.Optional[_ffi.CardLink] = None,
    pin: typing.Optional[PinBytes] = None,
    trust: typing.Optional[_ffi.CardInfoTrust] = None,
    challenge: typing.Optional[bytes] = None,
    options: typing.Optional[_ffi.PinOptions] = None,
    cancel: _Cancel = None,
    *,
    reader: Reader = None,
    listener: Listener = None,
) -> _ffi.AuthenticBasicAttributes:
    """Blocking :func:`mynasign.read_authentic_basic_attributes` (a bytearray ``pin`` is wiped
    after the call)."""
    return asyncio.run(_flows.read_authentic_basic_attributes(
        link, pin, trust, challenge, options, cancel, reader=reader, listener=listener))
