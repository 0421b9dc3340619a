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
from ._features import FEATURES

from . import _errors

_errors.install()  # before the modules below subclass the errors

# The generated API, name by name (the same list as __init__.pyi's imports; the names of a
# feature this build lacks are skipped). Not re-exported: the foreign-async link
# (AsyncCardLink, card_link_from_async: asyncio cannot serve it from the library's worker
# thread; Python links implement CardLink), the *Protocol and *Impl helpers, and the
# generated flows, which the wrappers below replace.
_GENERATED = [
    "AddressChangeFields",
    "AttributeField",
    "AuthenticBasicAttributes",
    "BasicAttributes",
    "CancelHandle",
    "CardInfoTrust",
    "CardLink",
    "CardLinkImpl",
    "CardProfile",
    "Certificate",
    "CertificateKind",
    "CertificateSource",
    "CertificateType",
    "ConsentChannel",
    "ConsentCheck",
    "ConsentDocument",
    "ConsentItem",
    "ConsentPeriodInfo",
    "DocumentKind",
    "Emulator",
    "ErrorCode",
    "ExchangeCounts",
    "ExchangeRecord",
    "FlowStep",
    "HolderStatus",
    "InternalError",
    "JpkiCard",
    "KeyAlgorithm",
    "KeystoreSigner",
    "LengthMemory",
    "LengthPolicy",
    "LinkError",
    "LinkageResult",
    "ListenerError",
    "LoginCheck",
    "LoginResult",
    "LoginVerifier",
    "MynaError",
    "NfcUnavailableReason",
    "PcscReader",
    "PinCode",
    "PinOptions",
    "PinState",
    "PinStatusReport",
    "PinType",
    "Progress",
    "ProgressListener",
    "RevocationFields",
    "RevocationInfo",
    "RevocationMethod",
    "SecureElementReason",
    "SessionDiagnostics",
    "SessionReport",
    "Sex",
    "SignOptions",
    "SignedConsent",
    "SignerError",
    "TermsInfo",
    "TrustAnchors",
    "VerifiedConsent",
    "VerifiedLogin",
    "Verifier",
    "VerifierOptions",
    "VerifyConsentOptions",
    "VerifyFailure",
    "active_workers",
    "compare_linkage",
    "consent_period",
    "emulator_card_info_trust",
    "emulator_ocsp_response",
    "library_version",
    "new_presence_challenge",
    "ocsp_request",
    "terms_from_text",
    "verify_card_info_evidence",
    "verify_consent",
]
globals().update({name: getattr(ffi, name) for name in _GENERATED if hasattr(ffi, name)})

from . import _records

_records.install()

from . import _pins

_pins.install()  # PinCode(kind, bytearray): by reference, no bytes copy

from ._flows import (
    CardFlowEvent,
    Events,
    Listener,
    PinBytes,
    ProgressEvent,
    ResultEvent,
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
from ._login import login_on_card, login_with_signer
from ._language import language, set_language
from ._session import OpeningCard
from . import _session
from . import _shutdown
from . import _pcsc
from . import _service
from ._shutdown import wait_for_workers
from ._pcsc import (
    NoReaderError,
    PcscLink,
    Reader,
    ReaderError,
    ReaderInfo,
    SeveralReadersError,
    list_readers,
    only_reader,
)

_session.install()
_shutdown.install()
_pcsc.install()
_service.install()

from . import blocking  # noqa: E402

__version__: str = ffi.library_version()
"""The version of the package and of its native library (one version for the project)."""

# One name a line (the same as __init__.pyi's): names are added here as the API grows.
__all__ = [
    "AddressChangeFields",
    "AttributeField",
    "AuthenticBasicAttributes",
    "BasicAttributes",
    "CancelHandle",
    "CardFlowEvent",
    "CardInfoTrust",
    "CardLink",
    "CardLinkImpl",
    "CardProfile",
    "Certificate",
    "CertificateKind",
    "CertificateSource",
    "CertificateType",
    "ConsentChannel",
    "ConsentCheck",
    "ConsentDocument",
    "ConsentItem",
    "ConsentPeriodInfo",
    "DocumentKind",
    "Emulator",
    "ErrorCode",
    "Events",
    "ExchangeCounts",
    "ExchangeRecord",
    "FEATURES",
    "FlowStep",
    "HolderStatus",
    "InternalError",
    "JpkiCard",
    "KeyAlgorithm",
    "KeystoreSigner",
    "LengthMemory",
    "LengthPolicy",
    "LinkError",
    "LinkageResult",
    "Listener",
    "ListenerError",
    "LoginCheck",
    "LoginResult",
    "LoginVerifier",
    "MynaError",
    "NfcUnavailableReason",
    "NoReaderError",
    "OpeningCard",
    "PcscLink",
    "PcscReader",
    "PinBytes",
    "PinCode",
    "PinOptions",
    "PinState",
    "PinStatusReport",
    "PinType",
    "Progress",
    "ProgressEvent",
    "ProgressListener",
    "Reader",
    "ReaderError",
    "ReaderInfo",
    "ResultEvent",
    "RevocationFields",
    "RevocationInfo",
    "RevocationMethod",
    "SecureElementReason",
    "SessionDiagnostics",
    "SessionReport",
    "SeveralReadersError",
    "Sex",
    "SignOptions",
    "SignedConsent",
    "SignerError",
    "TermsInfo",
    "TrustAnchors",
    "VerifiedConsent",
    "VerifiedLogin",
    "Verifier",
    "VerifierOptions",
    "VerifyConsentOptions",
    "VerifyFailure",
    "active_workers",
    "blocking",
    "check_linkage",
    "check_linkage_events",
    "compare_linkage",
    "consent_period",
    "emulator_card_info_trust",
    "emulator_ocsp_response",
    "ffi",
    "language",
    "library_version",
    "list_readers",
    "login_on_card",
    "login_with_signer",
    "new_presence_challenge",
    "ocsp_request",
    "only_reader",
    "read_authentic_basic_attributes",
    "read_basic_attributes",
    "read_basic_attributes_events",
    "read_pin_status",
    "read_pin_status_events",
    "set_language",
    "sign_consent",
    "sign_consent_events",
    "sign_consent_with_signer",
    "sign_consent_with_signer_events",
    "terms_from_text",
    "verify_card_info_evidence",
    "verify_consent",
    "wait_for_workers",
]
__all__ = [name for name in __all__ if name in globals()]  # a feature's names in its builds only
