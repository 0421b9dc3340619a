"""mynasign: sign consents with the Japanese My Number Card (JPKI signature certificate).

The generated API of the Rust library (:mod:`mynasign.ffi`, re-exported here: ``CardLink``,
``ConsentDocument``, ``verify_consent``, ``Emulator`` in the testing artifact, ...) with:

- coroutines for the card and keystore flows, taking PINs as ``bytes`` or ``bytearray``
  (a bytearray is wiped after the call): :func:`sign_consent`,
  :func:`read_basic_attributes`, :func:`read_authentic_basic_attributes`,
  :func:`read_pin_status`, :func:`check_linkage`,
  :func:`sign_consent_with_signer`, :func:`login_on_card` (login with the
  user-authentication certificate; the service's ``LoginVerifier``); cancelling the task cancels the card flow;
- async iterators of :class:`CardFlowEvent` (``sign_consent_events`` and the others);
- :mod:`mynasign.blocking`, the same calls for scripts;
- ``async with JpkiCard.open(link) as card`` (the session ends, the link closed, on leaving);
- :class:`PcscLink` (wheels built with the ``pcsc`` feature): PC/SC readers as links, and
  ``reader=`` on the one-call flows (:func:`only_reader`, :class:`ReaderError`);
- ``str(MynaError)`` as the holder's text in the user's language (:func:`set_language`),
  ``repr`` naming only the variant and its non-personal fields.

Nothing that holds personal data prints it: ``str``/``repr`` of the attributes,
certificates, documents and signed or verified consents name only their kind.
"""

from . import ffi
from .ffi import *  # noqa: F401,F403  (the generated API)
from ._features import FEATURES

from . import _errors
from ._flows import (
    CardFlowEvent,
    check_linkage,
    check_linkage_events,
    read_basic_attributes,
    read_basic_attributes_events,
    read_authentic_basic_attributes,
    read_pin_status,
    read_pin_status_events,
    sign_consent,
    sign_consent_events,
    sign_consent_with_signer,
    sign_consent_with_signer_events,
)
from ._login import login_on_card
from ._language import language, set_language
from ._session import OpeningCard
from . import _session
from . import _shutdown
from . import _pcsc
from ._shutdown import wait_for_workers
from ._pcsc import NoReaderError, ReaderError, SeveralReadersError, only_reader

_errors.install()
_session.install()
_shutdown.install()
_pcsc.install()
_verified_issuance_number = ffi.VerifiedConsent.issuance_number if hasattr(ffi, "VerifiedConsent") else None
if _verified_issuance_number is not None:
    # A property: ``verified.issuance_number`` (the signer certificate's serial; kept out of
    # the printed forms, as it identifies the holder's certificate).
    ffi.VerifiedConsent.issuance_number = property(
        _verified_issuance_number, doc="The issuance number (発行番号) of the signer certificate."
    )
if hasattr(ffi, "pcsc_connect"):  # built with the pcsc feature
    from ._pcsc import PcscLink, list_readers  # noqa: F401

from . import blocking  # noqa: E402

__version__: str = ffi.library_version()
"""The version of the package and of its native library (one version for the project)."""

__all__ = list(ffi.__all__) + [
    "ffi",
    "FEATURES",
    "blocking",
    "CardFlowEvent",
    "OpeningCard",
    "wait_for_workers",
    "sign_consent",
    "sign_consent_events",
    "read_basic_attributes",
    "read_basic_attributes_events",
    "read_authentic_basic_attributes",
    "read_pin_status",
    "read_pin_status_events",
    "check_linkage",
    "check_linkage_events",
    "sign_consent_with_signer",
    "sign_consent_with_signer_events",
    "login_on_card",
    "set_language",
    "language",
    "ReaderError",
    "NoReaderError",
    "SeveralReadersError",
    "only_reader",
] + (["PcscLink", "list_readers"] if hasattr(ffi, "pcsc_connect") else [])
