# The typed surface of `mynasign` (issue 25), what mypy and pyright read instead of
# __init__.py: the generated API (mynasign/ffi.py) re-exported name by name, and the
# hand-written layer with the shapes it has at run time (the wrappers' signatures, the
# methods __init__.py adds to generated classes, the event types, the errors' built-in
# bases). setup.py drops each line tagged `# feature: X` from the installed copy when the
# build lacks feature X, so the stub names exactly what the wheel holds.
import typing

from . import blocking as blocking
from . import ffi as ffi
from .ffi import (
    AddressChangeFields as AddressChangeFields,
    AttributeField as AttributeField,
    AuthenticBasicAttributes as AuthenticBasicAttributes,
    BasicAttributes as BasicAttributes,
    CancelHandle as CancelHandle,
    CardInfoTrust as CardInfoTrust,
    CardLink as CardLink,
    CardProfile as CardProfile,
    Certificate as Certificate,
    CertificateKind as CertificateKind,
    CertificateSource as CertificateSource,
    CertificateType as CertificateType,
    ConsentChannel as ConsentChannel,
    ConsentCheck as ConsentCheck,  # feature: verify
    ConsentDocument as ConsentDocument,
    ConsentItem as ConsentItem,
    ConsentPeriodInfo as ConsentPeriodInfo,
    DocumentKind as DocumentKind,
    ErrorCode as ErrorCode,
    ExchangeCounts as ExchangeCounts,
    ExchangeRecord as ExchangeRecord,
    FlowStep as FlowStep,
    HolderStatus as HolderStatus,
    InternalError as InternalError,
    KeyAlgorithm as KeyAlgorithm,
    KeystoreSigner as KeystoreSigner,
    LengthMemory as LengthMemory,
    LengthPolicy as LengthPolicy,
    LinkError as LinkError,
    LinkageResult as LinkageResult,
    ListenerError as ListenerError,
    LoginCheck as LoginCheck,  # feature: verify
    LoginResult as LoginResult,
    LoginVerifier as LoginVerifier,  # feature: verify
    NfcUnavailableReason as NfcUnavailableReason,
    PcscReader as PcscReader,  # feature: pcsc
    PinOptions as PinOptions,
    PinState as PinState,
    PinStatusReport as PinStatusReport,
    PinType as PinType,
    Progress as Progress,
    ProgressListener as ProgressListener,
    RevocationFields as RevocationFields,
    RevocationInfo as RevocationInfo,  # feature: verify
    RevocationMethod as RevocationMethod,  # feature: verify
    SecureElementReason as SecureElementReason,
    SessionDiagnostics as SessionDiagnostics,
    SessionReport as SessionReport,
    Sex as Sex,
    SignOptions as SignOptions,
    SignedConsent as SignedConsent,
    SignerError as SignerError,
    TermsInfo as TermsInfo,
    TrustAnchors as TrustAnchors,  # feature: verify
    VerifiedLogin as VerifiedLogin,  # feature: verify
    VerifierOptions as VerifierOptions,  # feature: verify
    VerifyConsentOptions as VerifyConsentOptions,  # feature: verify
    VerifyFailure as VerifyFailure,
    active_workers as active_workers,
    compare_linkage as compare_linkage,
    consent_period as consent_period,
    emulator_card_info_trust as emulator_card_info_trust,  # feature: emulator
    emulator_ocsp_response as emulator_ocsp_response,  # feature: emulator
    library_version as library_version,
    new_presence_challenge as new_presence_challenge,
    ocsp_request as ocsp_request,  # feature: verify
    terms_from_text as terms_from_text,
    verify_card_info_evidence as verify_card_info_evidence,
)

__version__: str
FEATURES: typing.Tuple[str, ...]

PinBytes = typing.Union[bytes, bytearray]
Listener = typing.Union[ProgressListener, typing.Callable[[Progress], None], None]
Reader = typing.Union[str, typing.Literal[True], None]
_T = typing.TypeVar("_T")

# Errors: every failure is a MynaError; some cases are also the matching built-in.

class MynaError(Exception):
    def code(self) -> ErrorCode: ...
    def message_en(self) -> str: ...
    def message_ja(self) -> str: ...
    def message_for(self, language: str) -> str: ...
    def failure_en(self) -> str: ...
    def failure_ja(self) -> str: ...
    def recovery_en(self) -> typing.Optional[str]: ...
    def recovery_ja(self) -> typing.Optional[str]: ...
    def retry_safe(self) -> bool: ...
    def pin_counter_uncertain(self) -> bool: ...

    class InvalidPinFormat(MynaError, ValueError):
        pin: PinType
        def __init__(self, pin: PinType) -> None: ...

    class WrongPin(MynaError):
        pin: PinType
        remaining: int
        def __init__(self, pin: PinType, remaining: int) -> None: ...

    class PinNowBlocked(MynaError):
        pin: PinType
        def __init__(self, pin: PinType) -> None: ...

    class PinBlocked(MynaError):
        pin: PinType
        def __init__(self, pin: PinType) -> None: ...

    class LastAttemptGuard(MynaError):
        pin: PinType
        def __init__(self, pin: PinType) -> None: ...

    class PinNotVerified(MynaError):
        pin: PinType
        def __init__(self, pin: PinType) -> None: ...

    class TagLost(MynaError, ConnectionError):
        during_verify: bool
        def __init__(self, during_verify: bool) -> None: ...

    class Timeout(MynaError, TimeoutError):
        def __init__(self) -> None: ...

    class LinkFailed(MynaError, ConnectionError):
        detail: str
        def __init__(self, detail: str) -> None: ...

    class NotMyNumberCard(MynaError):
        def __init__(self) -> None: ...

    class NoSignatureCertificate(MynaError):
        def __init__(self) -> None: ...

    class NotSignatureCertificate(MynaError):
        def __init__(self) -> None: ...

    class Cancelled(MynaError):
        during_verify: bool
        def __init__(self, during_verify: bool) -> None: ...

    class ChannelRule(MynaError):
        def __init__(self) -> None: ...

    class AttributeMismatch(MynaError):
        fields: typing.List[AttributeField]
        def __init__(self, fields: typing.List[AttributeField]) -> None: ...

    class VerificationFailed(MynaError):
        reason: VerifyFailure
        def __init__(self, reason: VerifyFailure) -> None: ...

    class InvalidInput(MynaError, ValueError):
        field: str
        def __init__(self, field: str) -> None: ...

    class KeystoreFailed(MynaError):
        detail: str
        def __init__(self, detail: str) -> None: ...

    class CallbackFailed(MynaError):
        callback: str
        detail: str
        def __init__(self, callback: str, detail: str) -> None: ...

    class CardError(MynaError):
        detail: str
        def __init__(self, detail: str) -> None: ...

    class Internal(MynaError, RuntimeError):
        detail: str
        def __init__(self, detail: str) -> None: ...

    class NfcUnavailable(MynaError):
        reason: NfcUnavailableReason
        def __init__(self, reason: NfcUnavailableReason) -> None: ...

    class SecureElementUnavailable(MynaError):
        reason: SecureElementReason
        def __init__(self, reason: SecureElementReason) -> None: ...

class ReaderError(MynaError.LinkFailed):
    def __init__(self, detail: str) -> None: ...

class NoReaderError(ReaderError, LookupError): ...

class SeveralReadersError(ReaderError, LookupError):
    names: typing.List[str]
    def __init__(self, names: typing.Sequence[str]) -> None: ...

# Generated classes with what __init__.py adds to them.

class CardLinkImpl(ffi.CardLinkImpl):
    """A link implemented in Rust (PcscLink.open(), Emulator.link()): `with link:` closes it."""
    def __enter__(self) -> CardLinkImpl: ...
    def __exit__(self, *exc: object) -> typing.Literal[False]: ...

class OpeningCard(typing.Coroutine[typing.Any, typing.Any, JpkiCard]):
    def send(self, value: typing.Any) -> typing.Any: ...
    def throw(self, *args: typing.Any) -> typing.Any: ...
    def close(self) -> None: ...
    def __await__(self) -> typing.Generator[typing.Any, None, JpkiCard]: ...
    async def __aenter__(self) -> JpkiCard: ...
    async def __aexit__(self, *exc: object) -> typing.Literal[False]: ...

class PinCode(ffi.PinCode):
    def __init__(self, pin: PinType, value: PinBytes) -> None: ...

class JpkiCard(ffi.JpkiCard):
    @classmethod
    def open(cls, link: CardLink) -> OpeningCard: ...  # type: ignore[override]
    async def verify_pin(  # type: ignore[override]
        self, pin: PinType, value: PinBytes, allow_last_attempt: bool = False
    ) -> PinState: ...
    async def __aenter__(self) -> JpkiCard: ...
    async def __aexit__(self, *exc: object) -> typing.Literal[False]: ...

class Emulator(ffi.Emulator):  # feature: emulator
    def link(self) -> CardLinkImpl: ...  # feature: emulator

class VerifiedConsent(ffi.VerifiedConsent):  # feature: verify
    @property  # feature: verify
    def issuance_number(self) -> str: ...  # type: ignore[override]  # feature: verify

class Verifier(ffi.Verifier):  # feature: verify
    def __init__(self, options: VerifierOptions = ...) -> None: ...  # feature: verify
    def verify(self, cms: bytes, check: ConsentCheck) -> VerifiedConsent: ...  # type: ignore[override]  # feature: verify

def verify_consent(cms: bytes, options: VerifyConsentOptions = ...) -> VerifiedConsent: ...  # feature: verify

# Flow events.

class CardFlowEvent(typing.Generic[_T]):
    progress: typing.Optional[Progress]
    result: typing.Optional[_T]
    @property
    def is_result(self) -> bool: ...

class ProgressEvent(CardFlowEvent[typing.Any]):
    progress: Progress
    result: None
    def __init__(self, progress: Progress) -> None: ...

class ResultEvent(CardFlowEvent[_T]):
    progress: None
    result: _T
    def __init__(self, result: _T) -> None: ...

Events = typing.AsyncGenerator[typing.Union[ProgressEvent, ResultEvent[_T]], None]

# The flows.

@typing.overload
async def sign_consent(
    link: CardLink,
    document: ConsentDocument,
    password: PinBytes,
    options: typing.Optional[SignOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> SignedConsent: ...
@typing.overload
async def sign_consent(
    link: None = None,
    *,
    document: ConsentDocument,
    password: PinBytes,
    options: typing.Optional[SignOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    reader: typing.Union[str, typing.Literal[True]],
    listener: Listener = None,
) -> SignedConsent: ...
@typing.overload
async def read_basic_attributes(
    link: CardLink,
    pin: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> BasicAttributes: ...
@typing.overload
async def read_basic_attributes(
    link: None = None,
    *,
    pin: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    reader: typing.Union[str, typing.Literal[True]],
    listener: Listener = None,
) -> BasicAttributes: ...
@typing.overload
async def read_pin_status(
    link: CardLink, cancel: typing.Optional[CancelHandle] = None, *, listener: Listener = None
) -> PinStatusReport: ...
@typing.overload
async def read_pin_status(
    link: None = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    reader: typing.Union[str, typing.Literal[True]],
    listener: Listener = None,
) -> PinStatusReport: ...
async def check_linkage(
    link: CardLink,
    card_info_pin: PinBytes,
    signature_password: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> LinkageResult: ...
async def sign_consent_with_signer(
    signer: KeystoreSigner,
    source: CertificateSource,
    document: ConsentDocument,
    options: typing.Optional[SignOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> SignedConsent: ...
@typing.overload
async def read_authentic_basic_attributes(
    link: CardLink,
    pin: PinBytes,
    trust: typing.Optional[CardInfoTrust] = None,
    challenge: typing.Optional[bytes] = None,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> AuthenticBasicAttributes: ...
@typing.overload
async def read_authentic_basic_attributes(
    link: None = None,
    *,
    pin: PinBytes,
    trust: typing.Optional[CardInfoTrust] = None,
    challenge: typing.Optional[bytes] = None,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    reader: typing.Union[str, typing.Literal[True]],
    listener: Listener = None,
) -> AuthenticBasicAttributes: ...
@typing.overload
async def login_on_card(
    link: CardLink,
    challenge_json: str,
    service: str,
    pin: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    *,
    listener: Listener = None,
) -> LoginResult: ...
@typing.overload
async def login_on_card(
    link: None = None,
    *,
    challenge_json: str,
    service: str,
    pin: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
    reader: typing.Union[str, typing.Literal[True]],
    listener: Listener = None,
) -> LoginResult: ...
async def login_with_signer(
    signer: KeystoreSigner,
    challenge_json: str,
    service: str,
    cancel: typing.Optional[CancelHandle] = None,
) -> str: ...
def sign_consent_events(
    link: CardLink,
    document: ConsentDocument,
    password: PinBytes,
    options: typing.Optional[SignOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
) -> Events[SignedConsent]: ...
def read_basic_attributes_events(
    link: CardLink,
    pin: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
) -> Events[BasicAttributes]: ...
def read_pin_status_events(
    link: CardLink, cancel: typing.Optional[CancelHandle] = None
) -> Events[PinStatusReport]: ...
def check_linkage_events(
    link: CardLink,
    card_info_pin: PinBytes,
    signature_password: PinBytes,
    options: typing.Optional[PinOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
) -> Events[LinkageResult]: ...
def sign_consent_with_signer_events(
    signer: KeystoreSigner,
    source: CertificateSource,
    document: ConsentDocument,
    options: typing.Optional[SignOptions] = None,
    cancel: typing.Optional[CancelHandle] = None,
) -> Events[SignedConsent]: ...

# Readers, language, exit.

class ReaderInfo(typing.Protocol):
    @property
    def name(self) -> str: ...
    @property
    def card_present(self) -> bool: ...

class PcscLink:
    @staticmethod
    def open(reader: typing.Optional[str] = None, wait_seconds: int = 0) -> CardLinkImpl: ...
    @staticmethod
    def list_readers() -> typing.List[ReaderInfo]: ...
    @staticmethod
    def only_reader(readers: typing.Optional[typing.Sequence[ReaderInfo]] = None) -> str: ...

def list_readers() -> typing.List[ReaderInfo]: ...
def only_reader(readers: typing.Optional[typing.Sequence[ReaderInfo]] = None) -> str: ...
def set_language(language: typing.Optional[str]) -> None: ...
def language() -> str: ...
def wait_for_workers(timeout: float = 5.0) -> bool: ...

# One name a line: names are added here (and in __init__.py) as the API grows.
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
    "ConsentCheck",  # feature: verify
    "ConsentDocument",
    "ConsentItem",
    "ConsentPeriodInfo",
    "DocumentKind",
    "Emulator",  # feature: emulator
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
    "LoginCheck",  # feature: verify
    "LoginResult",
    "LoginVerifier",  # feature: verify
    "MynaError",
    "NfcUnavailableReason",
    "NoReaderError",
    "OpeningCard",
    "PcscLink",
    "PcscReader",  # feature: pcsc
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
    "RevocationInfo",  # feature: verify
    "RevocationMethod",  # feature: verify
    "SecureElementReason",
    "SessionDiagnostics",
    "SessionReport",
    "SeveralReadersError",
    "Sex",
    "SignOptions",
    "SignedConsent",
    "SignerError",
    "TermsInfo",
    "TrustAnchors",  # feature: verify
    "VerifiedConsent",  # feature: verify
    "VerifiedLogin",  # feature: verify
    "Verifier",  # feature: verify
    "VerifierOptions",  # feature: verify
    "VerifyConsentOptions",  # feature: verify
    "VerifyFailure",
    "active_workers",
    "blocking",
    "check_linkage",
    "check_linkage_events",
    "compare_linkage",
    "consent_period",
    "emulator_card_info_trust",  # feature: emulator
    "emulator_ocsp_response",  # feature: emulator
    "ffi",
    "language",
    "library_version",
    "list_readers",
    "login_on_card",
    "login_with_signer",
    "new_presence_challenge",
    "ocsp_request",  # feature: verify
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
    "verify_consent",  # feature: verify
    "wait_for_workers",
]
