"""Blocking forms of the flows, for scripts: each runs the coroutine with ``asyncio.run``.

Not for use inside a running event loop (``asyncio.run`` refuses; await the coroutines of
:mod:`mynasign` there). Ctrl-C cancels the card flow as a task cancellation does. PIN
arguments follow the async forms: ``bytes`` or ``bytearray``, a bytearray is wiped (zeros)
after the call.
"""

import asyncio

from . import _flows


def sign_consent(link, document, password, options=None, cancel=None, *, listener=None):
    """Blocking :func:`mynasign.sign_consent` (a bytearray ``password`` is wiped after the call)."""
    return asyncio.run(_flows.sign_consent(link, document, password, options, cancel, listener=listener))


def read_basic_attributes(link, pin, options=None, cancel=None, *, listener=None):
    """Blocking :func:`mynasign.read_basic_attributes` (a bytearray ``pin`` is wiped after the call)."""
    return asyncio.run(_flows.read_basic_attributes(link, pin, options, cancel, listener=listener))


def read_pin_status(link, cancel=None, *, listener=None):
    """Blocking :func:`mynasign.read_pin_status`."""
    return asyncio.run(_flows.read_pin_status(link, cancel, listener=listener))


def check_linkage(link, card_info_pin, signature_password, options=None, cancel=None, *, listener=None):
    """Blocking :func:`mynasign.check_linkage` (bytearray PINs are wiped after the call)."""
    return asyncio.run(
        _flows.check_linkage(link, card_info_pin, signature_password, options, cancel, listener=listener)
    )


def sign_consent_with_signer(signer, source, document, options=None, cancel=None, *, listener=None):
    """Blocking :func:`mynasign.sign_consent_with_signer`."""
    return asyncio.run(
        _flows.sign_consent_with_signer(signer, source, document, options, cancel, listener=listener)
    )
