//! The emulated card's APDU engine: applications, files, access rules, PIN counters, signing,
//! the switchable protocol features and injected faults.

use std::sync::{Mutex, MutexGuard};

use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use zeroize::Zeroizing;

use super::faults::{ArmedFault, Fault, FaultEffect};
use super::image::CardImage;
use crate::apdu::{Command, LengthForm, Response, StatusWord};
use crate::jpki::{ef as jpki_ef, Profile};
use crate::pin::PinKind;
use crate::transport::{
    CardTransport, TransportCapabilities, TransportError, ISSUER_SECURITY_DOMAIN_AID,
};

/// The card-surface application's AID (券面事項確認AP).
const CARD_SURFACE_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
/// The common card application's AID.
const COMMON_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];

/// `6A80`: incorrect data (a new PIN of the wrong format).
const SW_WRONG_DATA: StatusWord = StatusWord(0x6A80);
/// `6A88`: referenced data (PIN or key) not found.
const SW_REF_NOT_FOUND: StatusWord = StatusWord(0x6A88);
/// `6986`: command not allowed, no current EF.
const SW_NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
/// `6F00`: internal error.
const SW_INTERNAL: StatusWord = StatusWord(0x6F00);

/// How the emulated card and its link behave. Every `[single]` or `[inferred]` fact of
/// PROTOCOL.md has a switch here, so both paths of the client can be tested.
///
/// The default is the card as PROTOCOL.md describes it, on a link that carries extended
/// APDUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// Filler bytes (`FF`) after each certificate's DER, after the attributes record and after
    /// the token label. Default 400.
    pub filler_len: usize,
    /// What the emulated link claims in [`CardTransport::capabilities`]. Default `true`.
    pub transport_extended_length: bool,
    /// Whether the card accepts extended-length commands; when `false` every
    /// extended-length command is answered `6700`. Default `true`.
    pub card_accepts_extended: bool,
    /// Whether the short-EF-id shortcuts of VERIFY, READ BINARY and COMPUTE DIGITAL
    /// SIGNATURE work; when `false` they answer `6A86`. Default `true`.
    pub short_ef_shortcuts: bool,
    /// When set, responses with more data than this are returned in chunks: the first with
    /// `61xx`, the rest through GET RESPONSE. Default `None`.
    pub response_chunk: Option<usize>,
    /// Whether a short READ BINARY asking for more bytes than remain is answered `6Cxx` (xx =
    /// bytes remaining) instead of the data. Default `false`.
    pub wrong_le_first: bool,
    /// Whether the retry query of a blocked PIN answers `6984` instead of `63C0`. Default
    /// `false`.
    pub blocked_query_answers_6984: bool,
    /// Whether the retry query of a PIN verified in this session answers `9000` (as one
    /// library models some cards) instead of `63Cx`. A real card keeps answering `63Cx` after
    /// a successful VERIFY [single, OpenSC's history]. Default `false`.
    pub verified_query_answers_9000: bool,
    /// Whether READ BINARY at or past the end of a file answers `6282` with no data (as some
    /// cards do) instead of `6B00`. Default `false`.
    pub past_end_answers_6282: bool,
    /// Whether a READ BINARY whose Le reaches past the end of the file (offset inside it)
    /// answers the remaining bytes with the ISO/IEC 7816-4 warning `6282` ("end of file reached
    /// before reading Le bytes") instead of `9000`. Default `false`: JICSAP 6.4.1 (4), as the
    /// `myna-card` crate reads it after testing real cards (its `src/card.rs`,
    /// `Card::read_binary_chunk`: "the card reads to the end of the file within that limit, so
    /// it may return fewer bytes than requested"), has the card return fewer bytes with
    /// `9000`, whatever the Le and whichever length form.
    pub short_read_answers_6282: bool,
    /// Whether the first command after the card is powered up again (a power-off followed by
    /// a power-on: [`EmulatedCard::power_off`] then [`EmulatedCard::power_on`], vpcd's `00`
    /// then `01`) is answered `6F00` without being processed. Default `false`: the one
    /// measurement (`myna-card` `src/transport/pcsc.rs`, `PcscTransport::power_cycle`: "the
    /// first command after the card comes back is answered 6F00 on the card this was measured
    /// against", after `SCardReconnect` with `SCARD_UNPOWER_CARD`) is a single card (`[single]`);
    /// every public client sends its SELECT as the first command to a card just presented and
    /// gets `9000`. Switched on, the client's fallback (one repeated SELECT) is tested.
    pub first_command_after_power_up_6f00: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            filler_len: 400,
            transport_extended_length: true,
            card_accepts_extended: true,
            short_ef_shortcuts: true,
            response_chunk: None,
            wrong_le_first: false,
            blocked_query_answers_6984: false,
            verified_query_answers_9000: false,
            past_end_answers_6282: false,
            short_read_answers_6282: false,
            first_command_after_power_up_6f00: false,
        }
    }
}

impl EmulatorConfig {
    /// The default card on a link that claims short APDUs only.
    pub fn short_only() -> Self {
        Self {
            transport_extended_length: false,
            ..Self::default()
        }
    }

    /// The most conservative card: a short-only link, a card that refuses extended length,
    /// and no short-EF-id shortcuts.
    pub fn plain() -> Self {
        Self {
            transport_extended_length: false,
            card_accepts_extended: false,
            short_ef_shortcuts: false,
            ..Self::default()
        }
    }

    /// The capabilities the emulated link reports.
    fn capabilities(&self) -> TransportCapabilities {
        if self.transport_extended_length {
            TransportCapabilities::EXTENDED
        } else {
            TransportCapabilities::SHORT
        }
    }
}

/// A software My Number Card (or smartphone JPKI applet), served over APDUs as a
/// [`CardTransport`].
///
/// It holds the JPKI application, the card-info input support application (when the image has
/// one) and, on card profiles, the selectable card-surface and common applications. PIN
/// counters persist across selections, power cycles and removals; verified PINs do not.
///
/// A link-level check comes before the card: a command longer than the link claims to carry,
/// or a response longer than it claims to return, fails with [`TransportError::Other`].
pub struct EmulatedCard {
    config: EmulatorConfig,
    state: Mutex<State>,
}

impl core::fmt::Debug for EmulatedCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let st = self.lock();
        f.debug_struct("EmulatedCard")
            .field("config", &self.config)
            .field("present", &st.present)
            .field("application", &st.app)
            .field("processed", &st.processed)
            .finish_non_exhaustive()
    }
}

impl EmulatedCard {
    /// A card serving `image`, behaving as `config` says. The card starts inserted and powered,
    /// with no application selected and every PIN counter at its maximum.
    pub fn from_image(image: CardImage, config: EmulatorConfig) -> Self {
        let files = Files::build(&image, &config);
        let state = State {
            image,
            files,
            present: true,
            app: None,
            status_app: None,
            current_ef: None,
            verified: [false; KEYS],
            attempts: Key::ALL.map(Key::max_attempts),
            pending: None,
            repowered: false,
            armed_6f00: false,
            faults: Vec::new(),
            seq: 0,
            processed: 0,
            signed: Vec::new(),
        };
        Self {
            config,
            state: Mutex::new(state),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves consistent enough state for a test
        // double: keep going rather than propagate the poison.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The configuration the card was built with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// Arms a one-shot fault (see [`Fault`]). Several faults may be armed; when two match the
    /// same command the one injected first fires.
    pub fn inject_fault(&self, fault: Fault) {
        let mut st = self.lock();
        let seq = st.seq;
        st.faults.push(ArmedFault::arm(fault, seq));
    }

    /// How many injected faults have not fired yet.
    pub fn pending_faults(&self) -> usize {
        self.lock().faults.len()
    }

    /// Takes the card out of the field: every `transmit` fails with
    /// [`TransportError::TagLost`] until [`EmulatedCard::insert`]. Taking a card off an NFC
    /// reader cuts its power: every security status is gone (PROTOCOL.md 3a).
    pub fn remove(&self) {
        let mut st = self.lock();
        st.present = false;
        st.power_off();
    }

    /// Puts the card back: a fresh power-up (no application selected, no PIN verified,
    /// counters kept). The first power-up after insertion is not a re-power: see
    /// [`EmulatorConfig::first_command_after_power_up_6f00`].
    pub fn insert(&self) {
        let mut st = self.lock();
        st.present = true;
        st.power_off();
        st.repowered = false;
    }

    /// The reader cuts the card's power (vpcd's `00`, `SCARD_UNPOWER_CARD`): every security
    /// status is cleared, the MF state is current (PROTOCOL.md 3a; `myna-card` `src/lib.rs`,
    /// "`SCARD_UNPOWER_CARD` also clears it by resetting the whole card").
    pub fn power_off(&self) {
        let mut st = self.lock();
        st.power_off();
        st.repowered = true;
    }

    /// The reader powers the card (vpcd's `01`). After a [`EmulatedCard::power_off`], the
    /// first command is answered `6F00` when
    /// [`EmulatorConfig::first_command_after_power_up_6f00`] is set.
    pub fn power_on(&self) {
        let mut st = self.lock();
        if !st.repowered {
            return;
        }
        st.repowered = false;
        st.armed_6f00 = self.config.first_command_after_power_up_6f00;
    }

    /// A warm reset (vpcd's `02`, `SCARD_RESET_CARD`): the MF state becomes current (JICSAP
    /// 4.5, as cited by `myna-card` `src/mf.rs`, `MasterFile::new`) but a security status
    /// survives it: re-selecting the application that was current finds its PINs still
    /// verified (PROTOCOL.md 3a; `myna-card` `src/lib.rs`, "neither dropping the connection
    /// nor reconnecting with `SCARD_RESET_CARD` clears it by itself").
    pub fn warm_reset(&self) {
        let mut st = self.lock();
        st.app = None;
        st.current_ef = None;
        st.pending = None;
    }

    /// Whether the card is in the field.
    pub fn is_present(&self) -> bool {
        self.lock().present
    }

    /// Attempts left for `kind` (no APDU is sent, no attempt is used).
    pub fn pin_attempts_left(&self, kind: PinKind) -> u8 {
        self.lock().attempts[Key::of(kind).index()]
    }

    /// Sets the attempts left for `kind` (capped at its maximum), to start a test from a
    /// nearly or fully blocked PIN.
    pub fn set_pin_attempts_left(&self, kind: PinKind, attempts: u8) {
        let mut st = self.lock();
        let i = Key::of(kind).index();
        st.attempts[i] = attempts.min(kind.max_attempts());
        if attempts == 0 {
            st.verified[i] = false;
        }
    }

    /// Whether `kind` is currently verified.
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.lock().verified[Key::of(kind).index()]
    }

    /// How many commands the card has processed (answered, whatever the status word, or
    /// processed before a [`FaultEffect::LoseResponse`] or [`FaultEffect::Timeout`]).
    /// Commands dropped by a fault, answered by [`FaultEffect::Respond`], or sent while the
    /// card was removed are not counted.
    pub fn commands_processed(&self) -> usize {
        self.lock().processed
    }
}

impl CardTransport for EmulatedCard {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let caps = self.config.capabilities();
        let mut st = self.lock();
        if !st.present {
            return Err(TransportError::TagLost);
        }
        if command.len() > caps.max_command_len {
            return Err(TransportError::Other(format!(
                "command of {} bytes exceeds the link's {}",
                command.len(),
                caps.max_command_len
            )));
        }
        let seq = st.seq;
        st.seq = st.seq.saturating_add(1);
        let effect = st
            .faults
            .iter()
            .position(|f| f.matches(seq, command))
            .map(|i| st.faults.remove(i).effect);
        match effect {
            Some(FaultEffect::DropBefore) => {
                st.power_off();
                return Err(TransportError::TagLost);
            }
            Some(FaultEffect::Respond(sw)) => {
                st.pending = None;
                return Ok(sw.to_bytes().to_vec());
            }
            _ => {}
        }
        let response = st.process(command, &self.config);
        st.processed = st.processed.saturating_add(1);
        match effect {
            Some(FaultEffect::LoseResponse) => {
                st.power_off();
                Err(TransportError::TagLost)
            }
            Some(FaultEffect::Timeout) => Err(TransportError::Timeout),
            _ if response.len() > caps.max_response_len => Err(TransportError::Other(format!(
                "response of {} bytes exceeds the link's {}",
                response.len(),
                caps.max_response_len
            ))),
            _ => Ok(response),
        }
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.config.capabilities()
    }
}

/// How many key references the card has (see [`Key`]).
const KEYS: usize = 5;

/// Attempts of the card-info application's collation numbers. Not published and not measured
/// by any public client: this emulator's choice (`[inferred]`).
const COLLATION_ATTEMPTS: u8 = 10;

/// A key reference the card checks with VERIFY: the three PINs and the card-info application's
/// two collation numbers (照合番号A `0014`: the My Number; 照合番号B `0015`: the era-year date of
/// birth, the card's expiry year and its security code; `myna-card` `src/ap/text.rs`, `ef`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    SignaturePassword,
    AuthenticationPin,
    CardInfoPin,
    CollationA,
    CollationB,
}

impl Key {
    const ALL: [Key; KEYS] = [
        Key::SignaturePassword,
        Key::AuthenticationPin,
        Key::CardInfoPin,
        Key::CollationA,
        Key::CollationB,
    ];

    fn of(kind: PinKind) -> Key {
        match kind {
            PinKind::SignaturePassword => Key::SignaturePassword,
            PinKind::AuthenticationPin => Key::AuthenticationPin,
            PinKind::CardInfoPin => Key::CardInfoPin,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn max_attempts(self) -> u8 {
        match self {
            Key::SignaturePassword => PinKind::SignaturePassword.max_attempts(),
            Key::AuthenticationPin => PinKind::AuthenticationPin.max_attempts(),
            Key::CardInfoPin => PinKind::CardInfoPin.max_attempts(),
            Key::CollationA | Key::CollationB => COLLATION_ATTEMPTS,
        }
    }
}

/// The applications of the card, and the issuer security domain whose selection makes the MF
/// state current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum App {
    Jpki,
    CardInfo,
    CardSurface,
    Common,
    /// The GlobalPlatform issuer security domain (`A0 00 00 01 51 00 00`): selecting it
    /// restores the power-on MF state and leaves the current application (`myna-card`
    /// `src/mf.rs`, `MasterFile::select`; `src/ap/mod.rs`, `DEFAULT_DF`).
    IssuerSecurityDomain,
}

/// Which private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRef {
    Signature,
    Authentication,
}

/// An elementary file.
enum Ef {
    /// A transparent file, readable when any one of `needs` is verified (or always when it is
    /// empty).
    Binary {
        data: Zeroizing<Vec<u8>>,
        needs: &'static [Key],
    },
    /// A PIN or collation number: never readable, the target of VERIFY (and, for the PINs,
    /// CHANGE REFERENCE DATA).
    Pin(Key),
    /// A private key: never readable, used by COMPUTE DIGITAL SIGNATURE once `pin` is
    /// verified.
    Key { key: KeyRef, pin: Key },
    /// A transparent file of the card-info application whose content is signed when first
    /// read (the emulator's CVC keys are generated on first use, not for every card).
    Signed {
        file: SignedFile,
        needs: &'static [Key],
    },
}

/// The card-info application's signed files (`super::cvc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignedFile {
    /// EF `0003`, the integrity record.
    IntegrityRecord,
    /// EF `0004`, the application's card-verifiable certificate.
    ApCertificate,
    /// EF `0007`, the application's key and the issuer's signature over it.
    SignedApKey,
}

/// Every file of the card, built once from the image.
struct Files {
    jpki: Vec<(u16, Ef)>,
    card_info: Option<Vec<(u16, Ef)>>,
    /// Whether the card-surface and common applications and the issuer security domain answer
    /// (card profiles only).
    card_apps: bool,
}

/// EF `0006` of the JPKI application: a PKCS #11 `CK_TOKEN_INFO` of 160 bytes, its `CK_ULONG`
/// fields 32-bit big-endian (PROTOCOL.md 2 `[single]`; the layout `myna-card` `src/ap/jpki.rs`,
/// `TokenInfo::parse`, reads from real cards). Fields after the label are this emulator's
/// plausible values, documented in docs/PROTOCOL.md:
/// - `manufacturerID[32]` `mynasign EMULATOR`, `model[16]` `JPKI AP`, `serialNumber[16]`
///   sixteen ASCII zeros (no serial of a real card is public), all space-padded;
/// - `flags` `CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED`
///   (`0000040D`): the card answers GET CHALLENGE and its keys need a PIN;
/// - session counts: maxima `CK_EFFECTIVELY_INFINITE` (0), current `CK_UNAVAILABLE_INFORMATION`
///   (`FFFFFFFF`);
/// - `ulMaxPinLen` 16 and `ulMinPinLen` 4 (the signature password's maximum, the PINs' minimum,
///   PROTOCOL.md 7);
/// - the four memory fields `CK_UNAVAILABLE_INFORMATION`;
/// - `hardwareVersion` and `firmwareVersion` the ASCII `03` and `01` `myna-card` saw on
///   physical cards;
/// - `utcTime` sixteen spaces (no `CKF_CLOCK_ON_TOKEN`).
fn token_info(label: &str) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &[u8], width: usize) {
        let start = out.len();
        out.extend(s.iter().take(width));
        out.resize(start + width, b' ');
    }
    const UNAVAILABLE: u32 = u32::MAX;
    let mut v = Vec::with_capacity(160);
    text(&mut v, label.as_bytes(), 32);
    text(&mut v, b"mynasign EMULATOR", 32);
    text(&mut v, b"JPKI AP", 16);
    text(&mut v, b"0000000000000000", 16);
    for word in [
        0x0000_040D,
        0,
        UNAVAILABLE,
        0,
        UNAVAILABLE,
        16,
        4,
        UNAVAILABLE,
        UNAVAILABLE,
        UNAVAILABLE,
        UNAVAILABLE,
    ] {
        v.extend_from_slice(&u32::to_be_bytes(word));
    }
    v.extend_from_slice(b"0301");
    text(&mut v, b"", 16);
    v
}

/// A BER TLV with a two-byte tag: `tag`, length in short or `82 LLLL` form, `value`.
fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut v = tag.to_vec();
    match value.len() {
        n @ 0..=0x7F => v.push(n as u8),
        n @ 0x80..=0xFF => v.extend_from_slice(&[0x81, n as u8]),
        n => {
            v.push(0x82);
            v.extend_from_slice(&(n.min(0xFFFF) as u16).to_be_bytes());
        }
    }
    v.extend_from_slice(value);
    v
}

/// The card-info application's EF `0005`, its basic data, laid out as the file `myna-card`
/// read from a test card (`tests/fixtures/text-0005.bin`, parsed by `src/ap/text.rs`,
/// `ApBasicData::parse`): `FF 40 82 00 9F { DF41 04 <version, extended Lc/Le, vendor>, DF42 10
/// <key id>, DF43 82 00 80 <32 bytes, then 96 FF> }`, 164 bytes. `DF41` is the `01 03 0E 01`
/// every card showed (its second byte says extended Lc/Le is supported, PROTOCOL.md 6). The key
/// id has the card's layout (`myna-card` `src/data.rs`, `KeyId`: seven ASCII digits, `08 05`,
/// three digits, four bytes of padding) with a leading `9`, of neither the production (`5`) nor
/// the test (`6`) hierarchy; the 32 bytes of `DF43` (of unknown meaning) are this emulator's.
fn card_info_basic_data() -> Vec<u8> {
    let key_id = *b"9000034\x08\x05001\0\0\0\0";
    let mut trailing = vec![0x5A; 32];
    trailing.resize(128, 0xFF);
    let body = [
        tlv(&[0xDF, 0x41], &[0x01, 0x03, 0x0E, 0x01]),
        tlv(&[0xDF, 0x42], &key_id),
        // DF43 with the two-byte length form the card uses even for 128 bytes.
        [&[0xDF, 0x43, 0x82, 0x00, 0x80][..], &trailing].concat(),
    ]
    .concat();
    [
        &[0xFF, 0x40, 0x82][..],
        &(body.len() as u16).to_be_bytes(),
        &body,
    ]
    .concat()
}

/// The card-info application's EF `0006`: the RSA-2048 public key a terminal encrypts a session
/// key to, `A1 82 01 09 { 90 03 <exponent>, 91 82 01 00 <modulus> }` (`myna-card`
/// `tests/fixtures/text-0006.bin`, `src/ap/text.rs`, `SessionKeyPublicKey`). The emulator has
/// no secure messaging: the key is that of the authentication certificate's key pair, so the
/// file has the card's shape, not its use.
fn card_info_session_key(key: &RsaPrivateKey) -> Vec<u8> {
    use rsa::traits::PublicKeyParts;
    let e = key.e().to_bytes_be();
    let mut n = key.n().to_bytes_be();
    n.resize(256.max(n.len()), 0);
    let body = [tlv(&[0x90], &e), tlv(&[0x91], &n)].concat();
    tlv(&[0xA1], &body)
}

impl Files {
    fn build(image: &CardImage, config: &EmulatorConfig) -> Self {
        let filler = |mut v: Vec<u8>| {
            v.resize(v.len().saturating_add(config.filler_len), 0xFF);
            Zeroizing::new(v)
        };
        let free = |der: &[u8]| Ef::Binary {
            data: filler(der.to_vec()),
            needs: &[],
        };
        let jpki = vec![
            (
                jpki_ef::SIGNATURE_CERTIFICATE,
                Ef::Binary {
                    data: filler(image.signature_certificate.clone().unwrap_or_default()),
                    needs: &[Key::SignaturePassword],
                },
            ),
            (
                jpki_ef::SIGNATURE_CA_CERTIFICATE,
                free(&image.signature_ca_certificate),
            ),
            (
                jpki_ef::TOKEN_INFO,
                Ef::Binary {
                    data: Zeroizing::new(token_info(&image.token_label)),
                    needs: &[],
                },
            ),
            (
                jpki_ef::CERTIFICATE_PRESENCE,
                Ef::Binary {
                    // `8F 8F 00` with a signature certificate [single]; without one only "the
                    // first byte is not 8F" is known: `00 8F 00` is this emulator's choice.
                    data: Zeroizing::new(if image.signature_certificate.is_some() {
                        vec![0x8F, 0x8F, 0x00]
                    } else {
                        vec![0x00, 0x8F, 0x00]
                    }),
                    needs: &[],
                },
            ),
            (
                jpki_ef::AUTHENTICATION_CERTIFICATE,
                Ef::Binary {
                    data: filler(image.authentication_certificate.clone()),
                    needs: if image.authentication_certificate_needs_pin {
                        &[Key::AuthenticationPin]
                    } else {
                        &[]
                    },
                },
            ),
            (
                jpki_ef::AUTHENTICATION_CA_CERTIFICATE,
                free(&image.authentication_ca_certificate),
            ),
            (
                jpki_ef::AUTHENTICATION_KEY,
                Ef::Key {
                    key: KeyRef::Authentication,
                    pin: Key::AuthenticationPin,
                },
            ),
            (jpki_ef::AUTHENTICATION_PIN, Ef::Pin(Key::AuthenticationPin)),
            (
                jpki_ef::SIGNATURE_KEY,
                Ef::Key {
                    key: KeyRef::Signature,
                    pin: Key::SignaturePassword,
                },
            ),
            (jpki_ef::SIGNATURE_PIN, Ef::Pin(Key::SignaturePassword)),
        ];
        // The card-info application's files and keys, with the read conditions `myna-card`
        // measured (`src/ap/text.rs`, the accessors of `TextAp`): EF 0001 opens with the PIN or
        // 照合番号A, EF 0002 with the PIN or 照合番号B, EF 0006 with the PIN or either; EF
        // 0005 and 0008 need nothing. (EF 0003, 0004, 0007 and the application's own signing
        // key come with the card-info authenticity work.)
        let card_info = image.card_info.as_ref().map(|info| {
            let mut my_number = Zeroizing::new(Vec::with_capacity(17));
            my_number.extend_from_slice(&[0xFF, 0x10, 0x0C]);
            my_number.extend_from_slice(info.my_number.as_bytes());
            my_number.extend_from_slice(&[0xFF, 0xFF]);
            let mut files = vec![
                (
                    crate::card_info::ef::MY_NUMBER,
                    Ef::Binary {
                        data: my_number,
                        needs: &[Key::CardInfoPin, Key::CollationA],
                    },
                ),
                (
                    crate::card_info::ef::ATTRIBUTES,
                    Ef::Binary {
                        data: filler(info.attributes_record.clone()),
                        needs: &[Key::CardInfoPin, Key::CollationB],
                    },
                ),
                (
                    0x0005,
                    Ef::Binary {
                        data: Zeroizing::new(card_info_basic_data()),
                        needs: &[],
                    },
                ),
                (
                    0x0006,
                    Ef::Binary {
                        data: Zeroizing::new(card_info_session_key(&image.authentication_key)),
                        needs: &[Key::CardInfoPin, Key::CollationA, Key::CollationB],
                    },
                ),
                (
                    // Sixteen `FF` on every card `myna-card` read (`src/ap/text.rs`,
                    // `ef::UNKNOWN_0008`).
                    0x0008,
                    Ef::Binary {
                        data: Zeroizing::new(vec![0xFF; 16]),
                        needs: &[],
                    },
                ),
                (crate::card_info::ef::PIN, Ef::Pin(Key::CardInfoPin)),
                (0x0014, Ef::Pin(Key::CollationA)),
                (0x0015, Ef::Pin(Key::CollationB)),
            ];
            // EF 0003 opens with the PIN or either collation number, EF 0004 with nothing, EF
            // 0007 with the PIN or either collation number (`myna-card` `src/ap/text.rs`,
            // `read_integrity_record`, `read_certificate`, `read_signed_public_key`, and
            // `tests/fixtures/README.md`, the "Read with" column).
            if info.integrity != super::CardInfoIntegrity::MissingRecord {
                files.push((
                    crate::card_info::ef::INTEGRITY_RECORD,
                    Ef::Signed {
                        file: SignedFile::IntegrityRecord,
                        needs: &[Key::CardInfoPin, Key::CollationA, Key::CollationB],
                    },
                ));
            }
            files.push((
                crate::card_info::ef::AP_CERTIFICATE,
                Ef::Signed {
                    file: SignedFile::ApCertificate,
                    needs: &[],
                },
            ));
            files.push((
                crate::card_info::ef::SIGNED_AP_KEY,
                Ef::Signed {
                    file: SignedFile::SignedApKey,
                    needs: &[Key::CardInfoPin, Key::CollationA, Key::CollationB],
                },
            ));
            files
        });
        let card_apps =
            !Profile::from_token(image.token_label.as_bytes()).is_some_and(Profile::is_smartphone);
        Self {
            jpki,
            card_info,
            card_apps,
        }
    }

    fn app_by_aid(&self, aid: &[u8]) -> Option<App> {
        if aid == crate::jpki::AID {
            Some(App::Jpki)
        } else if aid == crate::card_info::AID && self.card_info.is_some() {
            Some(App::CardInfo)
        } else if self.card_apps && aid == CARD_SURFACE_AID {
            Some(App::CardSurface)
        } else if self.card_apps && aid == COMMON_AID {
            Some(App::Common)
        } else if self.card_apps && aid == ISSUER_SECURITY_DOMAIN_AID {
            Some(App::IssuerSecurityDomain)
        } else {
            None
        }
    }

    fn lookup(&self, app: App, fid: u16) -> Option<&Ef> {
        let table = match app {
            App::Jpki => &self.jpki,
            App::CardInfo => self.card_info.as_ref()?,
            App::CardSurface | App::Common | App::IssuerSecurityDomain => return None,
        };
        table.iter().find(|(id, _)| *id == fid).map(|(_, ef)| ef)
    }
}

/// Response data still to be fetched with GET RESPONSE.
struct Pending {
    data: Zeroizing<Vec<u8>>,
    sw: StatusWord,
}

/// Everything that changes.
struct State {
    image: CardImage,
    files: Files,
    present: bool,
    /// The current application (`None`: the MF state, after power-up or a warm reset).
    app: Option<App>,
    /// The application the security status belongs to: the last one selected since power-up.
    /// A warm reset makes the MF state current but keeps it, so re-selecting that application
    /// finds its PINs verified; selecting another (or the issuer security domain) clears them.
    status_app: Option<App>,
    current_ef: Option<u16>,
    verified: [bool; KEYS],
    attempts: [u8; KEYS],
    pending: Option<Pending>,
    /// Powered off since the last power-on: the next power-on is a re-power.
    repowered: bool,
    /// The next command is the first after a re-power and is answered `6F00`
    /// ([`EmulatorConfig::first_command_after_power_up_6f00`]).
    armed_6f00: bool,
    faults: Vec<ArmedFault>,
    /// Sequence number of the next command that reaches the card.
    seq: u64,
    processed: usize,
    /// The signed files of the card-info application, once read.
    signed: Vec<(SignedFile, Zeroizing<Vec<u8>>)>,
}

type Answer = Result<Response, StatusWord>;

fn ok(data: Vec<u8>) -> Answer {
    Ok(Response::new(data, StatusWord::SUCCESS))
}

fn done() -> Answer {
    ok(Vec::new())
}

impl State {
    /// Power gone: nothing selected, nothing verified, nothing pending; counters kept.
    fn power_off(&mut self) {
        self.app = None;
        self.status_app = None;
        self.current_ef = None;
        self.verified = [false; KEYS];
        self.pending = None;
        self.armed_6f00 = false;
    }
}

impl State {
    /// Processes one command and returns the encoded response.
    fn process(&mut self, bytes: &[u8], config: &EmulatorConfig) -> Vec<u8> {
        if core::mem::take(&mut self.armed_6f00) {
            // The first command after a re-power, not processed (see
            // `EmulatorConfig::first_command_after_power_up_6f00`).
            self.pending = None;
            return SW_INTERNAL.to_bytes().to_vec();
        }
        let answer = self.dispatch(bytes, config);
        let (response, chain) = match answer {
            Ok(r) => (r, true),
            Err(sw) => (Response::new(Vec::new(), sw), false),
        };
        let response = match (chain, config.response_chunk) {
            (true, Some(chunk)) if response.data().len() > chunk.max(1) => {
                let sw = response.sw();
                let mut data = response.into_data();
                let rest = Zeroizing::new(data.split_off(chunk.max(1)));
                let more = more_data_sw(rest.len());
                self.pending = Some(Pending { data: rest, sw });
                Response::new(data, more)
            }
            _ => response,
        };
        response.to_bytes()
    }

    fn dispatch(&mut self, bytes: &[u8], config: &EmulatorConfig) -> Answer {
        let Ok((cmd, form)) = Command::parse(bytes) else {
            self.pending = None;
            return Err(StatusWord::WRONG_LENGTH);
        };
        let get_response = cmd.cla == 0x00 && cmd.ins == 0xC0;
        let pending = if get_response {
            self.pending.take()
        } else {
            self.pending = None;
            None
        };
        if cmd.cla != 0x00 && cmd.cla != 0x80 {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if cmd.cla == 0x00 && cmd.ins == 0x84 && self.files.card_apps {
            // Before the extended-length check: the card refuses GET CHALLENGE's extended form
            // with its own status word.
            return self.get_challenge(&cmd, form);
        }
        if form == LengthForm::Extended && !config.card_accepts_extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        match (cmd.cla, cmd.ins) {
            (0x00, 0xA4) => self.select(&cmd),
            (0x00, 0xB0) => self.read_binary(&cmd, form, config),
            (0x00, 0x20) => self.verify(&cmd, config),
            (0x00, 0x24) => self.change_reference_data(&cmd, config),
            (0x00, 0xC0) => self.get_response(&cmd, pending, config),
            (0x80, 0x2A) => self.sign(&cmd, config),
            _ => Err(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, cmd: &Command) -> Answer {
        if cmd.p2 != 0x0C && cmd.p2 != 0x00 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        match cmd.p1 {
            0x00 if cmd.data().is_empty() => {
                // The ISO SELECT MF, `00 A4 00 00`: `6A86` in the MF state, and `9000` without
                // changing the current DF once an application is selected (`myna-card`
                // `src/card.rs`, the comment above `Card::select_df`).
                if self.app.is_none() {
                    Err(StatusWord::INCORRECT_P1P2)
                } else {
                    done()
                }
            }
            0x04 => {
                if cmd.data().is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let app = self
                    .files
                    .app_by_aid(cmd.data())
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                // JICSAP 5.1.3 as `myna-card` measured it (`src/lib.rs`, "Security status can
                // outlive your program"; PROTOCOL.md 3a): re-selecting the application whose
                // status it is keeps the status (rule 2), even after a warm reset; selecting
                // another application or the issuer security domain leaves the DF and clears
                // it (rule 3). A failed selection changes nothing.
                if self.status_app != Some(app) {
                    self.verified = [false; KEYS];
                }
                self.status_app = Some(app);
                self.app = Some(app);
                self.current_ef = None;
                done()
            }
            0x02 => {
                let fid = match cmd.data() {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                    _ => return Err(StatusWord::WRONG_LENGTH),
                };
                let app = self.app.ok_or(StatusWord::FILE_NOT_FOUND)?;
                if self.files.lookup(app, fid).is_none() {
                    return Err(StatusWord::FILE_NOT_FOUND);
                }
                self.current_ef = Some(fid);
                done()
            }
            _ => Err(StatusWord::INCORRECT_P1P2),
        }
    }

    fn satisfied(&self, needs: &[Key]) -> bool {
        needs.is_empty() || needs.iter().any(|k| self.verified[k.index()])
    }

    fn read_binary(&mut self, cmd: &Command, form: LengthForm, config: &EmulatorConfig) -> Answer {
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let le = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?;
        let (fid, offset) = if cmd.p1 & 0x80 != 0 {
            if !config.short_ef_shortcuts || cmd.p1 & 0x60 != 0 || cmd.p1 & 0x1F == 0 {
                return Err(StatusWord::INCORRECT_P1P2);
            }
            let app = self.app.ok_or(StatusWord::FILE_NOT_FOUND)?;
            let fid = u16::from(cmd.p1 & 0x1F);
            if self.files.lookup(app, fid).is_none() {
                return Err(StatusWord::FILE_NOT_FOUND);
            }
            self.current_ef = Some(fid);
            (fid, usize::from(cmd.p2))
        } else {
            let fid = self.current_ef.ok_or(SW_NO_CURRENT_EF)?;
            (fid, usize::from(u16::from_be_bytes([cmd.p1, cmd.p2])))
        };
        let app = self.app.ok_or(SW_NO_CURRENT_EF)?;
        if let Some(Ef::Signed { file, .. }) = self.files.lookup(app, fid) {
            let file = *file;
            self.sign_file(file);
        }
        let (data, needs) = match self.files.lookup(app, fid) {
            Some(Ef::Binary { data, needs }) => (data, *needs),
            Some(Ef::Signed { file, needs }) => match self.signed.iter().find(|(f, _)| f == file) {
                Some((_, data)) => (data, *needs),
                None => return Err(SW_INTERNAL),
            },
            Some(_) => return Err(StatusWord::SECURITY_NOT_SATISFIED),
            None => return Err(SW_NO_CURRENT_EF),
        };
        if !self.satisfied(needs) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let past_end = if config.past_end_answers_6282 {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::WRONG_P1P2_OFFSET
        };
        let remaining = data
            .get(offset..)
            .filter(|r| !r.is_empty())
            .ok_or(past_end)?;
        if remaining.len() >= le {
            return ok(remaining.get(..le).unwrap_or(remaining).to_vec());
        }
        if form == LengthForm::Short && config.wrong_le_first {
            // remaining < le <= 256, so it fits SW2.
            return Err(StatusWord::new(0x6C, (remaining.len() & 0xFF) as u8));
        }
        // Le reaches past the end of the file: the remaining bytes, with `9000` by default
        // whatever the Le and the length form (JICSAP 6.4.1 (4) as `myna-card` reads it,
        // `src/card.rs`, `Card::read_binary_chunk`; its readers take a short answer with `9000`
        // as the end of the file). PROTOCOL.md lists `6282` only for a read at or past the end;
        // the ISO/IEC 7816-4 warning `6282` here is the switch `short_read_answers_6282`.
        let sw = if config.short_read_answers_6282 {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::SUCCESS
        };
        Ok(Response::new(remaining.to_vec(), sw))
    }

    /// Resolves the P2 of VERIFY, CHANGE REFERENCE DATA or COMPUTE DIGITAL SIGNATURE: `80` for
    /// the current EF, `80 | short EF id` for the shortcut.
    fn referenced_ef(&self, p2: u8, config: &EmulatorConfig) -> Result<&Ef, StatusWord> {
        let fid = if p2 == 0x80 {
            self.current_ef.ok_or(SW_REF_NOT_FOUND)?
        } else if p2 & 0xE0 == 0x80 {
            if !config.short_ef_shortcuts {
                return Err(StatusWord::INCORRECT_P1P2);
            }
            u16::from(p2 & 0x1F)
        } else {
            return Err(StatusWord::INCORRECT_P1P2);
        };
        let app = self.app.ok_or(SW_REF_NOT_FOUND)?;
        self.files.lookup(app, fid).ok_or(SW_REF_NOT_FOUND)
    }

    fn referenced_key(&self, p2: u8, config: &EmulatorConfig) -> Result<Key, StatusWord> {
        match self.referenced_ef(p2, config)? {
            Ef::Pin(key) => Ok(*key),
            _ => Err(SW_REF_NOT_FOUND),
        }
    }

    fn key_bytes(&self, key: Key) -> &[u8] {
        let info = self.image.card_info.as_ref();
        match key {
            Key::SignaturePassword => &self.image.signature_password,
            Key::AuthenticationPin => &self.image.authentication_pin,
            Key::CardInfoPin => info.map_or(&[][..], |i| &i.pin[..]),
            Key::CollationA => info.map_or(&[][..], |i| i.my_number.as_bytes()),
            Key::CollationB => info.map_or(&[][..], |i| &i.collation_b[..]),
        }
    }

    fn verify(&mut self, cmd: &Command, config: &EmulatorConfig) -> Answer {
        if cmd.le().is_some() {
            // A real card answered `00 20 00 80 00` with 6700 [single].
            return Err(StatusWord::WRONG_LENGTH);
        }
        if cmd.p1 != 0x00 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let key = self.referenced_key(cmd.p2, config)?;
        let i = key.index();
        let left = self.attempts[i];
        if cmd.data().is_empty() {
            if left == 0 && config.blocked_query_answers_6984 {
                return Err(StatusWord::REFERENCE_DATA_UNUSABLE);
            }
            if self.verified[i] && config.verified_query_answers_9000 {
                return done();
            }
            return Err(StatusWord::retries(left));
        }
        if left == 0 {
            return Err(StatusWord::REFERENCE_DATA_UNUSABLE);
        }
        if bytes_equal(cmd.data(), self.key_bytes(key)) {
            self.attempts[i] = key.max_attempts();
            self.verified[i] = true;
            done()
        } else {
            self.attempts[i] = left - 1;
            self.verified[i] = false;
            Err(StatusWord::retries(left - 1))
        }
    }

    fn change_reference_data(&mut self, cmd: &Command, config: &EmulatorConfig) -> Answer {
        if cmd.le().is_some() || cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if cmd.p1 != 0x01 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let key = self.referenced_key(cmd.p2, config)?;
        let i = key.index();
        if self.attempts[i] == 0 {
            return Err(StatusWord::REFERENCE_DATA_UNUSABLE);
        }
        if !self.verified[i] {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let new = cmd.data();
        let well_formed = match key {
            Key::SignaturePassword => {
                (6..=16).contains(&new.len())
                    && new
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
            Key::AuthenticationPin | Key::CardInfoPin => {
                new.len() == 4 && new.iter().all(u8::is_ascii_digit)
            }
            // The collation numbers are printed on the card: not changeable.
            Key::CollationA | Key::CollationB => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        };
        if !well_formed {
            return Err(SW_WRONG_DATA);
        }
        let new = Zeroizing::new(new.to_vec());
        match key {
            Key::SignaturePassword => self.image.signature_password = new,
            Key::AuthenticationPin => self.image.authentication_pin = new,
            Key::CardInfoPin => match self.image.card_info.as_mut() {
                Some(info) => info.pin = new,
                None => return Err(SW_REF_NOT_FOUND),
            },
            Key::CollationA | Key::CollationB => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        }
        self.attempts[i] = key.max_attempts();
        done()
    }

    fn get_response(
        &mut self,
        cmd: &Command,
        pending: Option<Pending>,
        config: &EmulatorConfig,
    ) -> Answer {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let mut pending = pending.ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let Some(le) = cmd.le() else {
            self.pending = Some(pending);
            return Err(StatusWord::WRONG_LENGTH);
        };
        let n = le
            .min(config.response_chunk.unwrap_or(usize::MAX).max(1))
            .min(pending.data.len());
        let rest = Zeroizing::new(pending.data.split_off(n));
        let chunk = core::mem::take(&mut *pending.data);
        if rest.is_empty() {
            return Ok(Response::new(chunk, pending.sw));
        }
        let more = more_data_sw(rest.len());
        self.pending = Some(Pending {
            data: rest,
            sw: pending.sw,
        });
        // No longer than the chunk size, so `process` does not chain it again.
        Ok(Response::new(chunk, more))
    }

    /// GET CHALLENGE, `00 84 00 00 Le`, as `myna-card` measured it (`src/card.rs`,
    /// `Card::get_challenge`): any Le from 1 to 256 is honoured exactly, the extended form is
    /// refused with `6985`, P1 and P2 must be zero, and the card answers in the MF state as well
    /// as inside an application. The bytes come from the operating system's generator.
    fn get_challenge(&mut self, cmd: &Command, form: LengthForm) -> Answer {
        if form == LengthForm::Extended {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let le = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?;
        let mut challenge = vec![0u8; le];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut challenge);
        ok(challenge)
    }

    /// COMPUTE DIGITAL SIGNATURE, `80 2A P1 P2`, with the six schemes `myna-card` established on
    /// a card by trying every P1 and recovering the padded block (`src/ap/jpki.rs`,
    /// `SignatureScheme`; PROTOCOL.md 4): `00` PKCS #1 v1.5 over the data as given (1 to 245
    /// bytes), `01` over the bare SHA-256 of the data, `02` over a SHA-256 DigestInfo of a
    /// 32-byte hash given, `03` over the SHA-256 DigestInfo of the data, `04` RSASSA-PSS
    /// (SHA-256, MGF1-SHA-256, 32-byte salt) of a 32-byte hash given, `05` the same of the
    /// data's SHA-256. Any other P1 answers `6A86`.
    /// Signs `file` of the card-info application, once (`super::cvc`).
    fn sign_file(&mut self, file: SignedFile) {
        if self.signed.iter().any(|(f, _)| *f == file) {
            return;
        }
        let Some(info) = self.image.card_info.as_ref() else {
            return;
        };
        let ca = super::EmulatorCvcCa::shared();
        let data = match file {
            SignedFile::IntegrityRecord => {
                let mut my_number = Vec::with_capacity(17);
                my_number.extend_from_slice(&[0xFF, 0x10, 0x0C]);
                my_number.extend_from_slice(info.my_number.as_bytes());
                my_number.extend_from_slice(&[0xFF, 0xFF]);
                let my_number = Zeroizing::new(my_number);
                ca.integrity_record(
                    &my_number,
                    &info.attributes_record,
                    info.integrity == super::CardInfoIntegrity::TamperedRecord,
                )
            }
            SignedFile::ApCertificate => {
                if info.integrity == super::CardInfoIntegrity::CertificateFromWrongCa {
                    ca.wrong_ca_certificate().to_vec()
                } else {
                    ca.ap_certificate().to_vec()
                }
            }
            SignedFile::SignedApKey => ca.signed_ap_key(&info.key.get().to_public_key()),
        };
        self.signed.push((file, Zeroizing::new(data)));
    }

    /// The card-info application's sign command, `80 2A 00 00 <Lc> <data> 00`: its own key
    /// (the one EF `0007` carries) signs, with no PIN or collation number (`myna-card` 3.3.4
    /// `src/ap/text.rs`, `TextAp::sign`: P1 and P2 `00`, the data a SHA-256 DigestInfo, the
    /// answer a PKCS #1 v1.5 signature over it). Only that form was published: any other P1 or
    /// P2 answers `6A86` here (this emulator's choice, `[inferred]`), data longer than PKCS #1
    /// v1.5 leaves under a 2048-bit key `6700`.
    fn card_info_sign(&mut self, cmd: &Command) -> Answer {
        if cmd.p1 != 0x00 || cmd.p2 != 0x00 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let data = cmd.data();
        if data.is_empty() || data.len() > 245 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let le = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?;
        let info = self.image.card_info.as_ref().ok_or(SW_REF_NOT_FOUND)?;
        let signature = info
            .key
            .get()
            .sign(Pkcs1v15Sign::new_unprefixed(), data)
            .map_err(|_| SW_INTERNAL)?;
        if le < signature.len() {
            return Err(StatusWord::new(0x6C, (signature.len() & 0xFF) as u8));
        }
        ok(signature)
    }

    fn sign(&mut self, cmd: &Command, config: &EmulatorConfig) -> Answer {
        use sha2::{Digest, Sha256};
        if self.app == Some(App::CardInfo) {
            return self.card_info_sign(cmd);
        }
        if cmd.p1 > 0x05 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        if cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let le = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?;
        let (key, pin) = match self.referenced_ef(cmd.p2, config)? {
            Ef::Key { key, pin } => (*key, *pin),
            _ => return Err(SW_REF_NOT_FOUND),
        };
        if !self.verified[pin.index()] {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let data = cmd.data();
        // What each scheme accepts (`myna-card` `SignatureScheme::check_input`): one SHA-256
        // hash for 02 and 04, what PKCS #1 v1.5 leaves under a 2048-bit key for 00.
        let fits = match cmd.p1 {
            0x00 => data.len() <= 245,
            0x02 | 0x04 => data.len() == 32,
            _ => true,
        };
        if !fits {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let key: &RsaPrivateKey = match key {
            KeyRef::Signature => &self.image.signature_key,
            KeyRef::Authentication => &self.image.authentication_key,
        };
        let hashed = || Sha256::digest(data).to_vec();
        let signature = match cmd.p1 {
            0x00 => key.sign(Pkcs1v15Sign::new_unprefixed(), data),
            0x01 => key.sign(Pkcs1v15Sign::new_unprefixed(), &hashed()),
            0x02 => key.sign(Pkcs1v15Sign::new::<Sha256>(), data),
            0x03 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed()),
            0x04 => key.sign_with_rng(&mut rand_core::OsRng, rsa::Pss::new::<Sha256>(), data),
            _ => key.sign_with_rng(&mut rand_core::OsRng, rsa::Pss::new::<Sha256>(), &hashed()),
        }
        .map_err(|_| SW_INTERNAL)?;
        if le < signature.len() {
            return Err(StatusWord::new(0x6C, (signature.len() & 0xFF) as u8));
        }
        ok(signature)
    }
}

/// `61xx` for `remaining` bytes still available (`6100` for 256 or more).
fn more_data_sw(remaining: usize) -> StatusWord {
    StatusWord::new(0x61, (remaining.min(256) & 0xFF) as u8)
}

/// Compares PIN bytes without an early exit on the first difference.
fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore, SeedableRng};
    use rsa::RsaPublicKey;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::emulator::{CardInfoImage, FaultTrigger};

    const SIG_PW: &[u8] = b"ABC123";
    const AUTH_PIN: &[u8] = b"1234";
    const INFO_PIN: &[u8] = b"5678";
    const MY_NUMBER: &str = "123456789018";
    const COLLATION_B: &[u8] = b"55021720351234";

    fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
        static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
        KEYS.get_or_init(|| {
            let mut rng = ChaCha20Rng::seed_from_u64(0x4A504B49);
            let a = RsaPrivateKey::new(&mut rng, 2048).expect("key");
            let b = RsaPrivateKey::new(&mut rng, 2048).expect("key");
            (a, b)
        })
    }

    /// A DER SEQUENCE of `len` content bytes (a stand-in certificate).
    fn fake_der(seed: u8, len: usize) -> Vec<u8> {
        let mut v = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) & 0x7F));
        v
    }

    fn attributes_record() -> Vec<u8> {
        let mut v = vec![0xFF, 0x20, 0x30, 0xDF, 0x21, 0x08];
        v.extend_from_slice(&[0, 11, 0, 20, 0, 30, 0, 40]);
        v.extend_from_slice(&[0xDF, 0x22, 0x05]);
        v.extend_from_slice("NAME!".as_bytes());
        v.extend(std::iter::repeat_n(0x41, 30));
        v
    }

    fn image(label: &str) -> CardImage {
        let (sig, auth) = keys().clone();
        let smartphone = label == "JPKIAPGPSETOKEN" || label == "JPKIAPIOSTOKEN";
        CardImage {
            token_label: label.to_string(),
            signature_certificate: Some(fake_der(1, 1800)),
            signature_ca_certificate: fake_der(2, 1100),
            authentication_certificate: fake_der(3, 1700),
            authentication_ca_certificate: fake_der(4, 1100),
            signature_key: sig,
            authentication_key: auth,
            signature_password: Zeroizing::new(SIG_PW.to_vec()),
            authentication_pin: Zeroizing::new(AUTH_PIN.to_vec()),
            authentication_certificate_needs_pin: smartphone,
            card_info: (!smartphone).then(|| CardInfoImage {
                my_number: Zeroizing::new(MY_NUMBER.to_string()),
                attributes_record: attributes_record(),
                pin: Zeroizing::new(INFO_PIN.to_vec()),
                collation_b: Zeroizing::new(COLLATION_B.to_vec()),
                key: crate::emulator::CardInfoKey::from_seed(99),
                integrity: crate::emulator::CardInfoIntegrity::Genuine,
            }),
        }
    }

    fn card_with(config: EmulatorConfig) -> EmulatedCard {
        EmulatedCard::from_image(image("JPKIAPICCTOKEN2"), config)
    }

    fn card() -> EmulatedCard {
        card_with(EmulatorConfig::default())
    }

    fn tx(card: &EmulatedCard, bytes: &[u8]) -> (Vec<u8>, u16) {
        let raw = card.transmit(bytes).expect("transmit");
        let r = Response::parse(&raw).expect("response");
        (r.data().to_vec(), r.sw().0)
    }

    fn sw(card: &EmulatedCard, bytes: &[u8]) -> u16 {
        tx(card, bytes).1
    }

    fn select_aid(card: &EmulatedCard, aid: &[u8]) -> u16 {
        let mut c = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
        c.extend_from_slice(aid);
        sw(card, &c)
    }

    fn select_ef(card: &EmulatedCard, fid: u16) -> u16 {
        let [hi, lo] = fid.to_be_bytes();
        sw(card, &[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo])
    }

    fn verify(card: &EmulatedCard, p2: u8, pin: &[u8]) -> u16 {
        let mut c = vec![0x00, 0x20, 0x00, p2, pin.len() as u8];
        c.extend_from_slice(pin);
        sw(card, &c)
    }

    fn jpki(card: &EmulatedCard) {
        assert_eq!(select_aid(card, &crate::jpki::AID), 0x9000);
    }

    fn info(card: &EmulatedCard) {
        assert_eq!(select_aid(card, &crate::card_info::AID), 0x9000);
    }

    /// Reads the whole current EF with short reads of 256 bytes.
    fn read_current(card: &EmulatedCard) -> Result<Vec<u8>, u16> {
        let mut out = Vec::new();
        loop {
            let off = out.len() as u16;
            let (d, s) = tx(card, &[0x00, 0xB0, (off >> 8) as u8, off as u8, 0x00]);
            match s {
                0x9000 if d.len() == 256 => out.extend(d),
                0x9000 => {
                    out.extend(d);
                    return Ok(out);
                }
                0x6B00 => return Ok(out),
                other => return Err(other),
            }
        }
    }

    fn read_ef(card: &EmulatedCard, fid: u16) -> Result<Vec<u8>, u16> {
        assert_eq!(select_ef(card, fid), 0x9000);
        read_current(card)
    }

    fn digest_info_sha256(message: &[u8]) -> Vec<u8> {
        let mut v = vec![
            0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        v.extend_from_slice(&Sha256::digest(message));
        v
    }

    fn sign_cmd(p2: u8, data: &[u8]) -> Vec<u8> {
        let mut c = vec![0x80, 0x2A, 0x00, p2, data.len() as u8];
        c.extend_from_slice(data);
        c.push(0x00);
        c
    }

    #[test]
    fn selection_rules() {
        let c = card();
        assert_eq!(
            select_aid(&c, &[0xD3, 0x92, 0xF0, 0, 0x26, 1, 0, 0, 0, 2]),
            0x6A82
        );
        assert_eq!(select_ef(&c, 0x0002), 0x6A82, "no application selected");
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0003), 0x6A82);
        assert_eq!(
            select_ef(&c, 0x0011),
            0x6A82,
            "card-info PIN is not in JPKI"
        );
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        // P2 = 00 accepted too, still without data.
        let mut sel = vec![0x00, 0xA4, 0x04, 0x00, 0x0A];
        sel.extend_from_slice(&crate::card_info::AID);
        assert_eq!(tx(&c, &sel), (vec![], 0x9000));
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x02, 0x00, 0x02, 0x00, 0x02]), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x00]), 0x6700);
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x01, 0x0C, 0x02, 0x00, 0x02]), 0x6A86);
        // Card-surface and common APs: selectable, no files.
        assert_eq!(select_aid(&c, &CARD_SURFACE_AID), 0x9000);
        assert_eq!(select_ef(&c, 0x0001), 0x6A82);
        assert_eq!(select_aid(&c, &COMMON_AID), 0x9000);
    }

    #[test]
    fn smartphone_profile_has_only_jpki() {
        let c = EmulatedCard::from_image(image("JPKIAPGPSETOKEN"), EmulatorConfig::default());
        assert_eq!(select_aid(&c, &crate::card_info::AID), 0x6A82);
        assert_eq!(select_aid(&c, &CARD_SURFACE_AID), 0x6A82);
        assert_eq!(select_aid(&c, &COMMON_AID), 0x6A82);
        jpki(&c);
        // The authentication certificate needs the authentication PIN here.
        assert_eq!(read_ef(&c, 0x000A), Err(0x6982));
        assert_eq!(verify(&c, 0x98, AUTH_PIN), 0x9000);
        let cert = read_ef(&c, 0x000A).unwrap();
        assert!(cert.starts_with(&fake_der(3, 1700)));
        let label = read_ef(&c, 0x0006).unwrap();
        assert_eq!(&label[..32], b"JPKIAPGPSETOKEN                 ");
    }

    /// PROTOCOL.md 3a (`myna-card` `src/lib.rs`, "Security status can outlive your program",
    /// JICSAP 5.1.3): each rule of the security status's lifetime.
    #[test]
    fn security_status_lifetime() {
        let read_sig_cert = |c: &EmulatedCard| sw(c, &[0x00, 0xB0, 0x81, 0x00, 0x04]);
        let c = card();
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        // SELECT EF keeps it.
        assert_eq!(select_ef(&c, 0x0001), 0x9000);
        assert!(c.is_verified(PinKind::SignaturePassword));
        assert_eq!(tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]).1, 0x9000);
        // Rule 2: re-selecting the same application keeps the status (not the current EF).
        jpki(&c);
        assert!(c.is_verified(PinKind::SignaturePassword));
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]), 0x6986);
        assert_eq!(read_sig_cert(&c), 0x9000);
        // A failed DF selection changes nothing.
        assert_eq!(select_aid(&c, &[1, 2, 3, 4, 5]), 0x6A82);
        assert_eq!(read_sig_cert(&c), 0x9000);
        // A warm reset keeps it: the MF state is current, and the application re-selected
        // finds its PIN verified.
        c.warm_reset();
        assert_eq!(read_sig_cert(&c), 0x6A82, "the MF state after a warm reset");
        jpki(&c);
        assert_eq!(read_sig_cert(&c), 0x9000);
        // Rule 3: another application clears it, and coming back does not restore it.
        info(&c);
        assert!(!c.is_verified(PinKind::SignaturePassword));
        jpki(&c);
        assert_eq!(read_sig_cert(&c), 0x6982);
        // So does the issuer security domain (the MF state), also after a warm reset.
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        c.warm_reset();
        assert_eq!(select_aid(&c, &ISSUER_SECURITY_DOMAIN_AID), 0x9000);
        assert!(!c.is_verified(PinKind::SignaturePassword));
        assert_eq!(select_ef(&c, 0x0001), 0x6A82, "no EF in the MF state");
        jpki(&c);
        assert_eq!(read_sig_cert(&c), 0x6982);
        // Power off clears it.
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        c.power_off();
        c.power_on();
        assert!(!c.is_verified(PinKind::SignaturePassword));
        jpki(&c);
        assert_eq!(read_sig_cert(&c), 0x6982);
        // The card-info PIN follows the same rules in its application.
        info(&c);
        assert_eq!(verify(&c, 0x91, INFO_PIN), 0x9000);
        info(&c);
        assert!(c.is_verified(PinKind::CardInfoPin));
        jpki(&c);
        assert!(!c.is_verified(PinKind::CardInfoPin));
    }

    /// `myna-card` `src/card.rs` (the comment above `Card::select_df`): the ISO SELECT MF
    /// answers `6A86` in the MF state and `9000` without effect inside an application.
    #[test]
    fn iso_select_mf_does_nothing() {
        let c = card();
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x00, 0x00]), 0x6A86);
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x00, 0x00]), 0x9000);
        assert_eq!(
            sw(&c, &[0x00, 0xB0, 0x81, 0x00, 0x04]),
            0x9000,
            "still in JPKI"
        );
        assert_eq!(select_ef(&c, 0x3F00), 0x6A82);
        // The smartphone profile has no issuer security domain to select.
        let phone = EmulatedCard::from_image(image("JPKIAPGPSETOKEN"), EmulatorConfig::default());
        assert_eq!(select_aid(&phone, &ISSUER_SECURITY_DOMAIN_AID), 0x6A82);
    }

    /// `EmulatorConfig::first_command_after_power_up_6f00`: off by default; on, the first
    /// command after a re-power (not after insertion) is answered `6F00` unprocessed.
    #[test]
    fn first_command_after_power_up() {
        let c = card();
        c.power_off();
        c.power_on();
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x9000);
        let c = card_with(EmulatorConfig {
            first_command_after_power_up_6f00: true,
            ..EmulatorConfig::default()
        });
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x9000, "a fresh card");
        c.power_off();
        c.power_on();
        let n = c.commands_processed();
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x6F00);
        assert_eq!(
            select_ef(&c, 0x0002),
            0x6A82,
            "the SELECT was not processed"
        );
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x9000);
        assert_eq!(c.commands_processed(), n + 3);
        // A power-on without a power-off before it is no re-power.
        c.power_on();
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        c.remove();
        c.insert();
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x9000, "inserted again");
    }

    /// `myna-card` `src/card.rs`, `Card::get_challenge`.
    #[test]
    fn get_challenge() {
        let c = card();
        for le in [1u8, 8, 16, 0xFF] {
            let (d, s) = tx(&c, &[0x00, 0x84, 0x00, 0x00, le]);
            assert_eq!((d.len(), s), (usize::from(le), 0x9000));
        }
        let (a, s) = tx(&c, &[0x00, 0x84, 0x00, 0x00, 0x00]);
        assert_eq!((a.len(), s), (256, 0x9000));
        let (b, _) = tx(&c, &[0x00, 0x84, 0x00, 0x00, 0x00]);
        assert_ne!(a, b, "two 256-byte draws differ");
        jpki(&c);
        assert_eq!(tx(&c, &[0x00, 0x84, 0x00, 0x00, 0x10]).0.len(), 16);
        assert_eq!(sw(&c, &[0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x10]), 0x6985);
        assert_eq!(sw(&c, &[0x00, 0x84, 0x01, 0x00, 0x10]), 0x6A86);
        assert_eq!(sw(&c, &[0x00, 0x84, 0x00, 0x00]), 0x6700);
        let phone = EmulatedCard::from_image(image("JPKIAPGPSETOKEN"), EmulatorConfig::default());
        assert_eq!(sw(&phone, &[0x00, 0x84, 0x00, 0x00, 0x10]), 0x6D00);
    }

    /// The card-info application's files and collation numbers (`myna-card` `src/ap/text.rs`).
    #[test]
    fn card_info_files_and_collation_numbers() {
        let c = card();
        info(&c);
        // Free: EF 0005 (basic data), EF 0008 (sixteen FF).
        let basic = read_ef(&c, 0x0005).unwrap();
        assert_eq!(basic.len(), 164);
        assert_eq!(&basic[..5], &[0xFF, 0x40, 0x82, 0x00, 0x9F]);
        assert_eq!(&basic[5..11], &[0xDF, 0x41, 0x04, 0x01, 0x03, 0x0E]);
        assert_eq!(&basic[12..15], &[0xDF, 0x42, 0x10]);
        assert_eq!(
            &basic[15..31],
            b"9000034\x08\x05001\0\0\0\0",
            "KeyId layout"
        );
        assert!(basic[basic.len() - 96..].iter().all(|b| *b == 0xFF));
        assert_eq!(read_ef(&c, 0x0008).unwrap(), vec![0xFF; 16]);
        // EF 0006 needs the PIN or a collation number; EF 0001 the PIN or A, EF 0002 the PIN or B.
        assert_eq!(read_ef(&c, 0x0006), Err(0x6982));
        for (p2, left) in [(0x94, 10), (0x95, 10)] {
            assert_eq!(sw(&c, &[0x00, 0x20, 0x00, p2]), 0x63C0 | left);
        }
        assert_eq!(verify(&c, 0x95, b"00000000000000"), 0x63C9);
        assert_eq!(verify(&c, 0x95, COLLATION_B), 0x9000);
        assert_eq!(
            sw(&c, &[0x00, 0x20, 0x00, 0x95]),
            0x63CA,
            "reset by the right value"
        );
        assert!(read_ef(&c, 0x0002).is_ok());
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982), "B does not open EF 0001");
        let key = read_ef(&c, 0x0006).unwrap();
        let n = rsa::traits::PublicKeyParts::n(&RsaPublicKey::from(&keys().1)).to_bytes_be();
        assert_eq!(&key[..4], &[0xA1, 0x82, 0x01, 0x09]);
        assert_eq!(&key[4..9], &[0x90, 0x03, 0x01, 0x00, 0x01]);
        assert_eq!(&key[9..13], &[0x91, 0x82, 0x01, 0x00]);
        assert_eq!(&key[13..], &n[..]);
        info(&c);
        assert_eq!(verify(&c, 0x94, MY_NUMBER.as_bytes()), 0x9000);
        assert!(read_ef(&c, 0x0001).is_ok());
        jpki(&c);
        info(&c);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982), "left and came back");
        // Collation numbers cannot be changed; they block like PINs.
        assert_eq!(verify(&c, 0x94, MY_NUMBER.as_bytes()), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0x24, 0x01, 0x94, 0x02, 0x31, 0x32]), 0x6985);
        for left in (0..10u16).rev() {
            assert_eq!(verify(&c, 0x94, b"000000000000"), 0x63C0 | left);
        }
        assert_eq!(verify(&c, 0x94, MY_NUMBER.as_bytes()), 0x6984);
        // The JPKI application has neither.
        jpki(&c);
        assert_eq!(verify(&c, 0x94, MY_NUMBER.as_bytes()), 0x6A88);
    }

    /// EF 0006 of the JPKI application: a 160-byte `CK_TOKEN_INFO`, as `myna-card`
    /// `src/ap/jpki.rs`, `TokenInfo::parse`, reads it.
    #[test]
    fn token_info_is_ck_token_info() {
        let c = card();
        jpki(&c);
        let t = read_ef(&c, 0x0006).unwrap();
        assert_eq!(t.len(), 160);
        assert_eq!(&t[..32], b"JPKIAPICCTOKEN2                 ");
        assert!(t[32..96].iter().all(|b| b.is_ascii_graphic() || *b == b' '));
        let word = |o: usize| u32::from_be_bytes([t[o], t[o + 1], t[o + 2], t[o + 3]]);
        assert_eq!(word(96), 0x40D, "flags");
        assert_eq!((word(116), word(120)), (16, 4), "PIN lengths");
        assert_eq!(&t[140..144], b"0301");
        // Read past its end: 6B00.
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0xA0, 0x01]), 0x6B00);
    }

    #[test]
    fn read_conditions_and_contents() {
        let filler = EmulatorConfig::default().filler_len;
        let c = card();
        jpki(&c);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982));
        let mut expected = fake_der(2, 1100);
        expected.extend(std::iter::repeat_n(0xFF, filler));
        assert_eq!(read_ef(&c, 0x0002).unwrap(), expected);
        assert!(read_ef(&c, 0x000A).is_ok(), "plastic card: free");
        assert!(read_ef(&c, 0x000B).is_ok());
        for fid in [0x0017, 0x0018, 0x001A, 0x001B] {
            assert_eq!(read_ef(&c, fid), Err(0x6982), "{fid:04X}");
        }
        // Wrong PIN still refuses; the right one opens EF 0001.
        assert_eq!(verify(&c, 0x9B, b"WRONG1"), 0x63C4);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982));
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        let mut expected = fake_der(1, 1800);
        expected.extend(std::iter::repeat_n(0xFF, filler));
        assert_eq!(read_ef(&c, 0x0001).unwrap(), expected);
        // Token info.
        let t = read_ef(&c, 0x0006).unwrap();
        assert_eq!(&t[..32], b"JPKIAPICCTOKEN2                 ");
        assert!(t.len() > 32);
        // Card-info AP.
        info(&c);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982));
        assert_eq!(read_ef(&c, 0x0002), Err(0x6982));
        assert_eq!(read_ef(&c, 0x0011), Err(0x6982));
        assert_eq!(verify(&c, 0x91, INFO_PIN), 0x9000);
        let mut mn = vec![0xFF, 0x10, 0x0C];
        mn.extend_from_slice(MY_NUMBER.as_bytes());
        mn.extend_from_slice(&[0xFF, 0xFF]);
        assert_eq!(read_ef(&c, 0x0001).unwrap(), mn);
        let mut attrs = attributes_record();
        attrs.extend(std::iter::repeat_n(0xFF, filler));
        assert_eq!(read_ef(&c, 0x0002).unwrap(), attrs);
    }

    #[test]
    fn card_without_signature_certificate_holds_filler_only() {
        let mut img = image("JPKIAPICCTOKEN2");
        img.signature_certificate = None;
        let c = EmulatedCard::from_image(img, EmulatorConfig::default());
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        let data = read_ef(&c, 0x0001).unwrap();
        assert_eq!(data, vec![0xFF; EmulatorConfig::default().filler_len]);
    }

    #[test]
    fn read_lengths_offsets_and_end_of_file() {
        let c = card();
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        let len = 1104 + EmulatorConfig::default().filler_len;
        let [hi, lo] = (len as u16).to_be_bytes();
        assert_eq!(sw(&c, &[0x00, 0xB0, hi, lo, 0x10]), 0x6B00);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x7F, 0xFF, 0x10]), 0x6B00);
        // Le past the remaining data: the remaining bytes with 9000, whatever the Le and the
        // length form (JICSAP 6.4.1 (4), `myna-card` `Card::read_binary_chunk`).
        let [hi, lo] = (len as u16 - 10).to_be_bytes();
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x20]);
        assert_eq!((d.len(), s), (10, 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x00]);
        assert_eq!((d.len(), s), (10, 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x04, 0x05]);
        assert_eq!((d, s), (fake_der(2, 1100)[4..9].to_vec(), 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
        assert_eq!((d.len(), s), (len, 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x20, 0x00]);
        assert_eq!((d.len(), s), (len, 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]);
        assert_eq!((d.len(), s), (512, 0x9000));
        // The switch: the ISO/IEC 7816-4 warning 6282 with the remaining bytes, for every Le
        // past the data, short or extended.
        let c = card_with(EmulatorConfig {
            short_read_answers_6282: true,
            ..EmulatorConfig::default()
        });
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        for cmd in [
            vec![0x00, 0xB0, hi, lo, 0x20],
            vec![0x00, 0xB0, hi, lo, 0x00],
            vec![0x00, 0xB0, hi, lo, 0x00, 0x00, 0x00],
        ] {
            let (d, s) = tx(&c, &cmd);
            assert_eq!((d.len(), s), (10, 0x6282), "{cmd:02X?}");
        }
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x0A]);
        assert_eq!((d.len(), s), (10, 0x9000), "exactly to the end");
        let [hi, lo] = (len as u16).to_be_bytes();
        assert_eq!(sw(&c, &[0x00, 0xB0, hi, lo, 0x10]), 0x6B00);
        // No Le, or data: wrong length.
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00]), 0x6700);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x01, 0x00]), 0x6700);
    }

    #[test]
    fn read_binary_shortcut_on_and_off() {
        let c = card();
        jpki(&c);
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x82, 0x00, 0x04]);
        assert_eq!((d, s), (fake_der(2, 1100)[..4].to_vec(), 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x86, 0x02, 0x03]);
        assert_eq!((d, s), (b"KIA".to_vec(), 0x9000));
        // The shortcut made 0006 the current EF.
        assert_eq!(tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]).0, b"JPKI".to_vec());
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x83, 0x00, 0x04]), 0x6A82);
        assert_eq!(tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]).0, b"JPKI".to_vec());
        // Access rules apply to the shortcut too.
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x81, 0x00, 0x04]), 0x6982);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x9B, 0x00, 0x04]), 0x6982);
        // Bits 6-7 of P1 must be clear, and short EF id 0 does not exist.
        assert_eq!(sw(&c, &[0x00, 0xB0, 0xA2, 0x00, 0x04]), 0x6A86);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x80, 0x00, 0x04]), 0x6A86);

        let c = card_with(EmulatorConfig::plain());
        jpki(&c);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x82, 0x00, 0x04]), 0x6A86);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x6A86);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x9B]), 0x6A86);
        assert_eq!(c.pin_attempts_left(PinKind::SignaturePassword), 5);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &digest_info_sha256(b"x"))), 0x6A86);
        // The SELECT forms work.
        assert_eq!(select_ef(&c, 0x001B), 0x9000);
        assert_eq!(verify(&c, 0x80, SIG_PW), 0x9000);
        assert_eq!(select_ef(&c, 0x001A), 0x9000);
        assert_eq!(tx(&c, &sign_cmd(0x80, &digest_info_sha256(b"x"))).1, 0x9000);
    }

    #[test]
    fn extended_length_refused_and_link_capabilities() {
        let c = card_with(EmulatorConfig {
            card_accepts_extended: false,
            ..EmulatorConfig::default()
        });
        assert!(c.capabilities().extended_length, "the link still claims it");
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]), 0x6700);
        assert_eq!(
            sw(&c, &[0x00, 0xA4, 0x02, 0x0C, 0x00, 0x00, 0x02, 0x00, 0x02]),
            0x6700
        );
        assert_eq!(tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00]).1, 0x9000);

        assert!(
            !card_with(EmulatorConfig::short_only())
                .capabilities()
                .extended_length
        );
        assert!(
            !card_with(EmulatorConfig::plain())
                .capabilities()
                .extended_length
        );
        assert!(card().capabilities().extended_length);

        // A short-only link cannot carry a 1.5 KB response.
        let c = card_with(EmulatorConfig::short_only());
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert!(matches!(
            c.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]),
            Err(TransportError::Other(_))
        ));
        let mut long = vec![0x00, 0xA4, 0x04, 0x0C, 0x00, 0x01, 0x2C];
        long.extend(vec![0; 300]);
        assert!(matches!(c.transmit(&long), Err(TransportError::Other(_))));
    }

    #[test]
    fn response_chaining_with_get_response() {
        let c = card_with(EmulatorConfig {
            response_chunk: Some(100),
            ..EmulatorConfig::default()
        });
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        let (first, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
        assert_eq!((first.len(), s), (100, 0x619C));
        let (second, s) = tx(&c, &[0x00, 0xC0, 0x00, 0x00, 0x9C]);
        assert_eq!((second.len(), s), (100, 0x6138));
        let (third, s) = tx(&c, &[0x00, 0xC0, 0x00, 0x00, 0x38]);
        assert_eq!((third.len(), s), (56, 0x9000));
        let all = [first, second, third].concat();
        assert_eq!(&all[..], &fake_der(2, 1100)[..256]);
        // Nothing pending any more.
        assert_eq!(sw(&c, &[0x00, 0xC0, 0x00, 0x00, 0x10]), 0x6985);
        // Another command discards what was pending.
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x619C);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0xC0, 0x00, 0x00, 0x9C]), 0x6985);
        // The final status word is the original one (6282 at the end of the file, with the
        // switch).
        let c = card_with(EmulatorConfig {
            response_chunk: Some(100),
            short_read_answers_6282: true,
            ..EmulatorConfig::default()
        });
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        let len = 1104 + EmulatorConfig::default().filler_len;
        let [hi, lo] = (len as u16 - 150).to_be_bytes();
        assert_eq!(sw(&c, &[0x00, 0xB0, hi, lo, 0xC8]), 0x6132);
        assert_eq!(
            tx(&c, &[0x00, 0xC0, 0x00, 0x00, 0x32]),
            (vec![0xFF; 50], 0x6282)
        );
        // A signature comes in three pieces.
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        let (d, s) = tx(&c, &sign_cmd(0x9A, &digest_info_sha256(b"m")));
        assert_eq!((d.len(), s), (100, 0x619C));
    }

    #[test]
    fn wrong_le_first_answers_6cxx() {
        let c = card_with(EmulatorConfig {
            wrong_le_first: true,
            ..EmulatorConfig::default()
        });
        jpki(&c);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        let len = 1104 + EmulatorConfig::default().filler_len;
        let [hi, lo] = (len as u16 - 20).to_be_bytes();
        assert_eq!(sw(&c, &[0x00, 0xB0, hi, lo, 0x00]), 0x6C14);
        assert_eq!(
            tx(&c, &[0x00, 0xB0, hi, lo, 0x14]),
            (vec![0xFF; 20], 0x9000)
        );
        // Extended Le is served as usual.
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x00, 0x00, 0x00]);
        assert_eq!((d.len(), s), (20, 0x9000));
    }

    #[test]
    fn pin_counters_queries_and_blocking() {
        for (kind, p2, right, wrong) in [
            (PinKind::SignaturePassword, 0x9B, SIG_PW, &b"WRONG9"[..]),
            (PinKind::AuthenticationPin, 0x98, AUTH_PIN, &b"0000"[..]),
            (PinKind::CardInfoPin, 0x91, INFO_PIN, &b"0000"[..]),
        ] {
            let c = card();
            if kind == PinKind::CardInfoPin {
                info(&c);
            } else {
                jpki(&c);
            }
            let max = kind.max_attempts();
            let query = [0x00, 0x20, 0x00, p2];
            assert_eq!(sw(&c, &query), 0x63C0 | u16::from(max));
            assert_eq!(
                sw(&c, &query),
                0x63C0 | u16::from(max),
                "query uses nothing"
            );
            assert_eq!(sw(&c, &[0x00, 0x20, 0x00, p2, 0x00]), 0x6700);
            assert_eq!(c.pin_attempts_left(kind), max);
            // One wrong, then right: reset.
            assert_eq!(verify(&c, p2, wrong), 0x63C0 | u16::from(max - 1));
            assert_eq!(verify(&c, p2, right), 0x9000);
            assert_eq!(c.pin_attempts_left(kind), max);
            // Case and length matter: exact bytes.
            let mut longer = right.to_vec();
            longer.push(b'0');
            assert_eq!(verify(&c, p2, &longer), 0x63C0 | u16::from(max - 1));
            assert!(
                !c.is_verified(kind),
                "a wrong entry clears the verified state"
            );
            assert_eq!(verify(&c, p2, right), 0x9000);
            for left in (0..max).rev() {
                assert_eq!(verify(&c, p2, wrong), 0x63C0 | u16::from(left));
            }
            assert_eq!(c.pin_attempts_left(kind), 0);
            assert_eq!(
                verify(&c, p2, right),
                0x6984,
                "blocked even for the right PIN"
            );
            assert_eq!(sw(&c, &query), 0x63C0);
            assert!(!c.is_verified(kind));
            // The counter survives selection and power cycles.
            jpki(&c);
            c.remove();
            c.insert();
            assert_eq!(c.pin_attempts_left(kind), 0);
        }
        let c = card_with(EmulatorConfig {
            blocked_query_answers_6984: true,
            ..EmulatorConfig::default()
        });
        jpki(&c);
        c.set_pin_attempts_left(PinKind::AuthenticationPin, 0);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x98]), 0x6984);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x9B]), 0x63C5);
    }

    #[test]
    fn verify_via_current_ef() {
        let c = card();
        jpki(&c);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x80]), 0x6A88, "no current EF");
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert_eq!(verify(&c, 0x80, SIG_PW), 0x6A88, "not a PIN EF");
        assert_eq!(select_ef(&c, 0x0018), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x80]), 0x63C3);
        assert_eq!(verify(&c, 0x80, AUTH_PIN), 0x9000);
        assert!(c.is_verified(PinKind::AuthenticationPin));
        assert_eq!(verify(&c, 0x82, SIG_PW), 0x6A88, "shortcut to a non-PIN EF");
        assert_eq!(verify(&c, 0x00, SIG_PW), 0x6A86);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x01, 0x9B, 0x01, 0x41]), 0x6A86);
        assert_eq!(c.pin_attempts_left(PinKind::SignaturePassword), 5);
    }

    #[test]
    fn signatures_verify_and_need_the_pin() {
        let c = card();
        jpki(&c);
        let message = b"consent payload";
        let di = digest_info_sha256(message);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di)), 0x6982);
        assert_eq!(sw(&c, &sign_cmd(0x97, &di)), 0x6982);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        assert_eq!(
            sw(&c, &sign_cmd(0x97, &di)),
            0x6982,
            "auth key needs the auth PIN"
        );
        let (sig, s) = tx(&c, &sign_cmd(0x9A, &di));
        assert_eq!((sig.len(), s), (256, 0x9000));
        let sig_pub = RsaPublicKey::from(&keys().0);
        let hash = Sha256::digest(message);
        sig_pub
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .expect("signature verifies");
        let auth_pub = RsaPublicKey::from(&keys().1);
        assert!(auth_pub
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .is_err());
        // Via SELECT EF of the authentication key.
        assert_eq!(verify(&c, 0x98, AUTH_PIN), 0x9000);
        assert_eq!(select_ef(&c, 0x0017), 0x9000);
        let (sig, s) = tx(&c, &sign_cmd(0x80, &di));
        assert_eq!(s, 0x9000);
        auth_pub
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .expect("auth signature verifies");
        // SHA-384 and SHA-512 DigestInfos, without the NULL too.
        let mut di384 = vec![
            0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ];
        di384.extend([7; 48]);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di384)), 0x9000);
        let mut di512 = vec![
            0x30, 0x4F, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x04, 0x40,
        ];
        di512.extend([7; 64]);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di512)), 0x9000);
        let mut di1 = vec![
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04,
            0x14,
        ];
        di1.extend([7; 20]);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di1)), 0x9000);
        // P1 00 pads whatever it is given, up to 245 bytes (`myna-card`
        // `SignatureScheme::Verbatim`): a bare hash too.
        assert_eq!(sw(&c, &sign_cmd(0x9A, &Sha256::digest(message))), 0x9000);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &[0x42; 245])), 0x9000);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &[0x42; 246])), 0x6700);
        // P1 past 05, the current EF, Le.
        let mut p1 = sign_cmd(0x9A, &di);
        p1[2] = 0x06;
        assert_eq!(sw(&c, &p1), 0x6A86);
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert_eq!(sw(&c, &sign_cmd(0x80, &di)), 0x6A88);
        let mut no_le = sign_cmd(0x9A, &di);
        no_le.pop();
        assert_eq!(sw(&c, &no_le), 0x6700);
        let mut small_le = sign_cmd(0x9A, &di);
        *small_le.last_mut().unwrap() = 0x10;
        assert_eq!(sw(&c, &small_le), 0x6C00);
        // CLA 00 is not the JPKI signing command.
        let mut cla00 = sign_cmd(0x9A, &di);
        cla00[0] = 0x00;
        assert_eq!(sw(&c, &cla00), 0x6D00);
    }

    /// The six schemes of COMPUTE DIGITAL SIGNATURE (`myna-card` `src/ap/jpki.rs`,
    /// `SignatureScheme`), each checked on the host with the signature certificate's key.
    #[test]
    fn six_signature_schemes_verify_on_the_host() {
        use rsa::{pss::Pss, traits::PublicKeyParts};
        let c = card();
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        let public = RsaPublicKey::from(&keys().0);
        assert_eq!(public.size(), 256);
        let message = b"consent payload";
        let hash = Sha256::digest(message);
        let sign = |p1: u8, data: &[u8]| {
            let mut cmd = sign_cmd(0x9A, data);
            cmd[2] = p1;
            let (sig, s) = tx(&c, &cmd);
            assert_eq!((sig.len(), s), (256, 0x9000), "P1 {p1:02X}");
            sig
        };
        let di = digest_info_sha256(message);
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), &di, &sign(0x00, &di))
            .expect("00: PKCS#1 v1.5 over the data given");
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), &hash, &sign(0x01, message))
            .expect("01: the bare SHA-256 of the data");
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sign(0x02, &hash))
            .expect("02: DigestInfo of the hash given");
        let s03 = sign(0x03, message);
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &s03)
            .expect("03: DigestInfo of the card's SHA-256");
        assert_eq!(s03, sign(0x00, &di), "03 is 00 over the DigestInfo");
        let s04 = sign(0x04, &hash);
        public
            .verify(Pss::new::<Sha256>(), &hash, &s04)
            .expect("04: PSS of the hash given");
        assert_ne!(s04, sign(0x04, &hash), "a random salt");
        public
            .verify(Pss::new::<Sha256>(), &hash, &sign(0x05, message))
            .expect("05: PSS of the card's SHA-256");
        // The wrong key or scheme does not verify.
        assert!(public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sign(0x01, message))
            .is_err());
        // 02 and 04 take exactly one SHA-256 hash.
        for p1 in [0x02, 0x04] {
            let mut cmd = sign_cmd(0x9A, &hash[..31]);
            cmd[2] = p1;
            assert_eq!(sw(&c, &cmd), 0x6700);
        }
        // Every scheme needs the PIN of its key.
        for p1 in 0..=5u8 {
            let mut cmd = sign_cmd(0x97, &hash);
            cmd[2] = p1;
            assert_eq!(sw(&c, &cmd), 0x6982);
        }
    }

    #[test]
    fn change_reference_data() {
        let c = card();
        jpki(&c);
        let change = |p2: u8, pin: &[u8]| {
            let mut v = vec![0x00, 0x24, 0x01, p2, pin.len() as u8];
            v.extend_from_slice(pin);
            sw(&c, &v)
        };
        assert_eq!(change(0x98, b"4321"), 0x6982);
        assert_eq!(verify(&c, 0x98, AUTH_PIN), 0x9000);
        assert_eq!(change(0x98, b"43a1"), 0x6A80);
        assert_eq!(change(0x98, b"43210"), 0x6A80);
        assert_eq!(change(0x98, b"4321"), 0x9000);
        jpki(&c);
        assert_eq!(verify(&c, 0x98, AUTH_PIN), 0x63C2);
        assert_eq!(verify(&c, 0x98, b"4321"), 0x9000);
        assert_eq!(select_ef(&c, 0x001B), 0x9000);
        assert_eq!(verify(&c, 0x80, SIG_PW), 0x9000);
        assert_eq!(change(0x80, b"newpass"), 0x6A80, "lowercase refused");
        assert_eq!(change(0x80, b"NEWPASS7"), 0x9000);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x63C4);
        assert_eq!(verify(&c, 0x9B, b"NEWPASS7"), 0x9000);
        assert_eq!(sw(&c, &[0x00, 0x24, 0x00, 0x9B, 0x01, 0x41]), 0x6A86);
    }

    #[test]
    fn unknown_and_malformed_commands() {
        let c = card();
        jpki(&c);
        assert_eq!(sw(&c, &[0x00, 0xCA, 0x00, 0x00, 0x00]), 0x6D00);
        assert_eq!(sw(&c, &[0x80, 0xB0, 0x00, 0x00, 0x00]), 0x6D00);
        assert_eq!(sw(&c, &[0x90, 0xB0, 0x00, 0x00, 0x00]), 0x6E00);
        assert_eq!(sw(&c, &[0x0C, 0xA4, 0x04, 0x0C]), 0x6E00);
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x04]), 0x6700);
        assert_eq!(sw(&c, &[]), 0x6700);
        assert_eq!(sw(&c, &[0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3]), 0x6700);
        assert_eq!(sw(&c, &[0x00, 0xC0, 0x01, 0x00, 0x10]), 0x6A86);
    }

    #[test]
    fn malformed_input_never_panics() {
        let c = card_with(EmulatorConfig {
            response_chunk: Some(50),
            wrong_le_first: true,
            ..EmulatorConfig::default()
        });
        let di = digest_info_sha256(b"fuzz");
        let mut valid: Vec<Vec<u8>> = vec![
            [&[0x00, 0xA4, 0x04, 0x0C, 0x0A][..], &crate::jpki::AID].concat(),
            vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B],
            [&[0x00, 0x20, 0x00, 0x9B, 0x06][..], SIG_PW].concat(),
            vec![0x00, 0x20, 0x00, 0x80],
            vec![0x00, 0xB0, 0x81, 0x00, 0x00],
            vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00],
            sign_cmd(0x9A, &di),
            [&[0x00, 0x24, 0x01, 0x98, 0x04][..], AUTH_PIN].concat(),
            vec![0x00, 0xC0, 0x00, 0x00, 0x32],
            [&[0x00, 0xA4, 0x04, 0x0C, 0x0A][..], &crate::card_info::AID].concat(),
        ];
        let mut rng = ChaCha20Rng::seed_from_u64(99);
        for _ in 0..400 {
            let len = (rng.next_u32() % 40) as usize;
            let mut v = vec![0u8; len];
            rng.fill_bytes(&mut v);
            // Make some of them look like our commands.
            if len >= 2 && rng.next_u32() % 2 == 0 {
                let known = [
                    (0x00, 0xA4),
                    (0x00, 0xB0),
                    (0x00, 0x20),
                    (0x80, 0x2A),
                    (0x00, 0x24),
                    (0x00, 0xC0),
                ];
                let (cla, ins) = known[(rng.next_u32() % 6) as usize];
                v[0] = cla;
                v[1] = ins;
            }
            valid.push(v);
        }
        for cmd in &valid {
            for cut in 0..=cmd.len() {
                let raw = c.transmit(&cmd[..cut]).expect("no link fault configured");
                assert!(raw.len() >= 2);
            }
        }
        // The card still works afterwards.
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
    }

    #[test]
    fn fault_drop_before_and_lose_response() {
        let c = card();
        jpki(&c);
        // DropBefore: not processed, counter untouched, card power cycled.
        c.inject_fault(Fault::new(
            FaultTrigger::NextVerifyWithData,
            FaultEffect::DropBefore,
        ));
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x9B]), 0x63C5, "queries pass");
        let before = c.commands_processed();
        assert_eq!(
            c.transmit(&[0x00, 0x20, 0x00, 0x9B, 0x01, 0x41]),
            Err(TransportError::TagLost)
        );
        assert_eq!(c.commands_processed(), before);
        assert_eq!(c.pin_attempts_left(PinKind::SignaturePassword), 5);
        assert_eq!(c.pending_faults(), 0);
        assert_eq!(
            select_ef(&c, 0x0002),
            0x6A82,
            "power cycled: no application"
        );

        // LoseResponse on a wrong VERIFY: the counter moved.
        jpki(&c);
        c.inject_fault(Fault::lose_next_response());
        assert_eq!(
            c.transmit(&[0x00, 0x20, 0x00, 0x9B, 0x01, 0x41]),
            Err(TransportError::TagLost)
        );
        assert_eq!(c.commands_processed(), before + 3);
        assert_eq!(c.pin_attempts_left(PinKind::SignaturePassword), 4);
        // LoseResponse on a right VERIFY: counter reset, verified state lost with the link.
        jpki(&c);
        c.inject_fault(Fault::new(
            FaultTrigger::NextVerifyWithData,
            FaultEffect::LoseResponse,
        ));
        assert_eq!(
            c.transmit(&[[0x00, 0x20, 0x00, 0x9B, 0x06].as_slice(), SIG_PW].concat()),
            Err(TransportError::TagLost)
        );
        assert_eq!(c.pin_attempts_left(PinKind::SignaturePassword), 5);
        assert!(!c.is_verified(PinKind::SignaturePassword));
        // One-shot.
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
    }

    #[test]
    fn fault_triggers_timeout_and_respond() {
        let c = card();
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        // The third command from now (index 2) times out after being processed.
        c.inject_fault(Fault::new(
            FaultTrigger::CommandIndex(2),
            FaultEffect::Timeout,
        ));
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        assert_eq!(select_ef(&c, 0x0006), 0x9000);
        let n = c.commands_processed();
        assert_eq!(
            c.transmit(&[0x00, 0x20, 0x00, 0x98, 0x01, 0x41]),
            Err(TransportError::Timeout)
        );
        assert_eq!(c.commands_processed(), n + 1);
        assert_eq!(c.pin_attempts_left(PinKind::AuthenticationPin), 2);
        assert!(
            c.is_verified(PinKind::SignaturePassword),
            "no power cycle on timeout"
        );
        // NextMatching: the next COMPUTE DIGITAL SIGNATURE.
        c.inject_fault(Fault::new(
            FaultTrigger::NextMatching {
                cla_ins: (0x80, 0x2A),
            },
            FaultEffect::Respond(StatusWord(0x6F00)),
        ));
        assert_eq!(select_ef(&c, 0x0002), 0x9000);
        let di = digest_info_sha256(b"m");
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di)), 0x6F00);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &di)), 0x9000);
        // NextCommand drop.
        c.inject_fault(Fault::drop_next());
        assert_eq!(
            c.transmit(&[0x00, 0xB0, 0x86, 0x00, 0x04]),
            Err(TransportError::TagLost)
        );
        assert_eq!(select_aid(&c, &crate::jpki::AID), 0x9000);
    }

    #[test]
    fn remove_and_insert() {
        let c = card();
        jpki(&c);
        assert_eq!(verify(&c, 0x98, b"0000"), 0x63C2);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        c.remove();
        assert!(!c.is_present());
        let n = c.commands_processed();
        assert_eq!(
            c.transmit(&[0x00, 0x20, 0x00, 0x9B]),
            Err(TransportError::TagLost)
        );
        assert_eq!(c.commands_processed(), n);
        c.insert();
        assert!(c.is_present());
        assert!(!c.is_verified(PinKind::SignaturePassword));
        assert_eq!(c.pin_attempts_left(PinKind::AuthenticationPin), 2);
        assert_eq!(
            select_ef(&c, 0x0002),
            0x6A82,
            "no application after insertion"
        );
        jpki(&c);
        assert_eq!(sw(&c, &[0x00, 0x20, 0x00, 0x98]), 0x63C2);
    }

    #[test]
    fn debug_hides_secrets() {
        let c = card();
        jpki(&c);
        let s = format!("{c:?} {:?}", c.config());
        for secret in ["ABC123", "1234", "5678", MY_NUMBER, "NAME!"] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("EmulatedCard"));
    }

    /// The card-info application's signed files and sign command: EF 0003 and 0007 after the
    /// PIN or a collation number, EF 0004 free (`myna-card` `tests/fixtures/README.md`), and
    /// `80 2A 00 00` signing with the key EF 0007 carries, no PIN (`TextAp::sign`).
    #[test]
    fn card_info_signed_files_and_presence_key() {
        use crate::evidence::{CardVerifiableCertificate, IntegrityRecord, SignedApKey};
        let c = card();
        info(&c);
        let cert = read_ef(&c, 0x0004).unwrap();
        assert_eq!(read_ef(&c, 0x0003), Err(0x6982));
        assert_eq!(read_ef(&c, 0x0007), Err(0x6982));
        let challenge = [0x42u8; 32];
        let digest_info = digest_info_sha256(&challenge);
        let mut cmd = vec![0x80, 0x2A, 0x00, 0x00, digest_info.len() as u8];
        cmd.extend_from_slice(&digest_info);
        cmd.push(0x00);
        let (answer, s) = tx(&c, &cmd);
        assert_eq!((answer.len(), s), (256, 0x9000), "no PIN needed");
        let mut other = cmd.clone();
        other[3] = 0x9A;
        assert_eq!(sw(&c, &other), 0x6A86);
        assert_eq!(verify(&c, 0x95, COLLATION_B), 0x9000);
        let record = read_ef(&c, 0x0003).unwrap();
        let key = read_ef(&c, 0x0007).unwrap();
        let cert = CardVerifiableCertificate::parse(&cert).unwrap();
        cert.verify(&crate::emulator::cvc_trust()).unwrap();
        let record = IntegrityRecord::parse(&record).unwrap();
        record.verify_signature(cert.public_key()).unwrap();
        assert!(record.covers_attributes(&attributes_record()).unwrap());
        let key = SignedApKey::parse(&key).unwrap();
        key.verify(cert.public_key()).unwrap();
        key.verify_answer(&challenge, &answer).unwrap();
        // In the JPKI application, the same command names no key there.
        jpki(&c);
        assert_ne!(tx(&c, &cmd).1, 0x9000);
        // A card without its record.
        let mut image = image("JPKIAPICCTOKEN2");
        if let Some(i) = image.card_info.as_mut() {
            i.integrity = crate::emulator::CardInfoIntegrity::MissingRecord;
        }
        let c = EmulatedCard::from_image(image, EmulatorConfig::default());
        info(&c);
        assert_eq!(verify(&c, 0x91, INFO_PIN), 0x9000);
        assert_eq!(select_ef(&c, 0x0003), 0x6A82);
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x83, 0x00, 0x00]), 0x6A82);
    }
}
