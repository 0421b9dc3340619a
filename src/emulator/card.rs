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
use crate::transport::{CardTransport, TransportCapabilities, TransportError};

/// The card-surface application's AID (券面事項確認AP).
const CARD_SURFACE_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
/// The common card application's AID.
const COMMON_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];

/// `6A80`: incorrect data (a malformed DigestInfo, a new PIN of the wrong format).
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
    /// A card serving `image`, behaving as `config` says. The card starts inserted, with no
    /// application selected and every PIN counter at its maximum.
    pub fn from_image(image: CardImage, config: EmulatorConfig) -> Self {
        let files = Files::build(&image, &config);
        let state = State {
            image,
            files,
            present: true,
            app: None,
            current_ef: None,
            verified: [false; 3],
            attempts: [
                PinKind::SignaturePassword.max_attempts(),
                PinKind::AuthenticationPin.max_attempts(),
                PinKind::CardInfoPin.max_attempts(),
            ],
            pending: None,
            faults: Vec::new(),
            seq: 0,
            processed: 0,
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
    /// [`TransportError::TagLost`] until [`EmulatedCard::insert`].
    pub fn remove(&self) {
        let mut st = self.lock();
        st.present = false;
        st.power_cycle();
    }

    /// Puts the card back: a power cycle (no application selected, no PIN verified, counters
    /// kept).
    pub fn insert(&self) {
        let mut st = self.lock();
        st.present = true;
        st.power_cycle();
    }

    /// Whether the card is in the field.
    pub fn is_present(&self) -> bool {
        self.lock().present
    }

    /// Attempts left for `kind` (no APDU is sent, no attempt is used).
    pub fn pin_attempts_left(&self, kind: PinKind) -> u8 {
        self.lock().attempts[pin_index(kind)]
    }

    /// Sets the attempts left for `kind` (capped at its maximum), to start a test from a
    /// nearly or fully blocked PIN.
    pub fn set_pin_attempts_left(&self, kind: PinKind, attempts: u8) {
        let mut st = self.lock();
        st.attempts[pin_index(kind)] = attempts.min(kind.max_attempts());
        if attempts == 0 {
            st.verified[pin_index(kind)] = false;
        }
    }

    /// Whether `kind` is currently verified.
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.lock().verified[pin_index(kind)]
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
                st.power_cycle();
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
                st.power_cycle();
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

fn pin_index(kind: PinKind) -> usize {
    match kind {
        PinKind::SignaturePassword => 0,
        PinKind::AuthenticationPin => 1,
        PinKind::CardInfoPin => 2,
    }
}

/// The applications of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum App {
    Jpki,
    CardInfo,
    CardSurface,
    Common,
}

/// Which private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRef {
    Signature,
    Authentication,
}

/// An elementary file.
enum Ef {
    /// A transparent file, readable when `needs` is verified (or always when `None`).
    Binary {
        data: Zeroizing<Vec<u8>>,
        needs: Option<PinKind>,
    },
    /// A PIN: never readable, the target of VERIFY and CHANGE REFERENCE DATA.
    Pin(PinKind),
    /// A private key: never readable, used by COMPUTE DIGITAL SIGNATURE once `pin` is
    /// verified.
    Key { key: KeyRef, pin: PinKind },
}

/// Every file of the card, built once from the image.
struct Files {
    jpki: Vec<(u16, Ef)>,
    card_info: Option<Vec<(u16, Ef)>>,
    /// Whether the card-surface and common applications answer (card profiles only).
    card_apps: bool,
}

impl Files {
    fn build(image: &CardImage, config: &EmulatorConfig) -> Self {
        let filler = |mut v: Vec<u8>| {
            v.resize(v.len().saturating_add(config.filler_len), 0xFF);
            Zeroizing::new(v)
        };
        let free = |der: &[u8]| Ef::Binary {
            data: filler(der.to_vec()),
            needs: None,
        };
        let mut label: Vec<u8> = image
            .token_label
            .as_bytes()
            .iter()
            .take(32)
            .copied()
            .collect();
        label.resize(32, b' ');
        let jpki = vec![
            (
                jpki_ef::SIGNATURE_CERTIFICATE,
                Ef::Binary {
                    data: filler(image.signature_certificate.clone().unwrap_or_default()),
                    needs: Some(PinKind::SignaturePassword),
                },
            ),
            (
                jpki_ef::SIGNATURE_CA_CERTIFICATE,
                free(&image.signature_ca_certificate),
            ),
            (jpki_ef::TOKEN_INFO, free(&label)),
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
                    needs: None,
                },
            ),
            (
                jpki_ef::AUTHENTICATION_CERTIFICATE,
                Ef::Binary {
                    data: filler(image.authentication_certificate.clone()),
                    needs: image
                        .authentication_certificate_needs_pin
                        .then_some(PinKind::AuthenticationPin),
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
                    pin: PinKind::AuthenticationPin,
                },
            ),
            (
                jpki_ef::AUTHENTICATION_PIN,
                Ef::Pin(PinKind::AuthenticationPin),
            ),
            (
                jpki_ef::SIGNATURE_KEY,
                Ef::Key {
                    key: KeyRef::Signature,
                    pin: PinKind::SignaturePassword,
                },
            ),
            (jpki_ef::SIGNATURE_PIN, Ef::Pin(PinKind::SignaturePassword)),
        ];
        let card_info = image.card_info.as_ref().map(|info| {
            let mut my_number = Zeroizing::new(Vec::with_capacity(17));
            my_number.extend_from_slice(&[0xFF, 0x10, 0x0C]);
            my_number.extend_from_slice(info.my_number.as_bytes());
            my_number.extend_from_slice(&[0xFF, 0xFF]);
            vec![
                (
                    crate::card_info::ef::MY_NUMBER,
                    Ef::Binary {
                        data: my_number,
                        needs: Some(PinKind::CardInfoPin),
                    },
                ),
                (
                    crate::card_info::ef::ATTRIBUTES,
                    Ef::Binary {
                        data: filler(info.attributes_record.clone()),
                        needs: Some(PinKind::CardInfoPin),
                    },
                ),
                (crate::card_info::ef::PIN, Ef::Pin(PinKind::CardInfoPin)),
            ]
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
        } else {
            None
        }
    }

    fn lookup(&self, app: App, fid: u16) -> Option<&Ef> {
        let table = match app {
            App::Jpki => &self.jpki,
            App::CardInfo => self.card_info.as_ref()?,
            App::CardSurface | App::Common => return None,
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
    app: Option<App>,
    current_ef: Option<u16>,
    verified: [bool; 3],
    attempts: [u8; 3],
    pending: Option<Pending>,
    faults: Vec<ArmedFault>,
    /// Sequence number of the next command that reaches the card.
    seq: u64,
    processed: usize,
}

type Answer = Result<Response, StatusWord>;

fn ok(data: Vec<u8>) -> Answer {
    Ok(Response::new(data, StatusWord::SUCCESS))
}

fn done() -> Answer {
    ok(Vec::new())
}

impl State {
    fn power_cycle(&mut self) {
        self.app = None;
        self.current_ef = None;
        self.verified = [false; 3];
        self.pending = None;
    }

    /// Processes one command and returns the encoded response.
    fn process(&mut self, bytes: &[u8], config: &EmulatorConfig) -> Vec<u8> {
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
            0x04 => {
                if cmd.data().is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let app = self
                    .files
                    .app_by_aid(cmd.data())
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.app = Some(app);
                self.current_ef = None;
                self.verified = [false; 3];
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
        let (data, needs) = match self.files.lookup(app, fid) {
            Some(Ef::Binary { data, needs }) => (data, *needs),
            Some(_) => return Err(StatusWord::SECURITY_NOT_SATISFIED),
            None => return Err(SW_NO_CURRENT_EF),
        };
        if let Some(pin) = needs {
            if !self.verified[pin_index(pin)] {
                return Err(StatusWord::SECURITY_NOT_SATISFIED);
            }
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
        let max = match form {
            LengthForm::Short => 256,
            LengthForm::Extended => 65536,
        };
        if form == LengthForm::Short && config.wrong_le_first {
            // remaining < le <= 256, so it fits SW2.
            return Err(StatusWord::new(0x6C, (remaining.len() & 0xFF) as u8));
        }
        let sw = if le == max {
            StatusWord::SUCCESS
        } else {
            StatusWord::END_OF_FILE
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

    fn referenced_pin(&self, p2: u8, config: &EmulatorConfig) -> Result<PinKind, StatusWord> {
        match self.referenced_ef(p2, config)? {
            Ef::Pin(kind) => Ok(*kind),
            _ => Err(SW_REF_NOT_FOUND),
        }
    }

    fn pin_bytes(&self, kind: PinKind) -> &[u8] {
        match kind {
            PinKind::SignaturePassword => &self.image.signature_password,
            PinKind::AuthenticationPin => &self.image.authentication_pin,
            PinKind::CardInfoPin => self
                .image
                .card_info
                .as_ref()
                .map_or(&[][..], |info| &info.pin[..]),
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
        let kind = self.referenced_pin(cmd.p2, config)?;
        let i = pin_index(kind);
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
        if bytes_equal(cmd.data(), self.pin_bytes(kind)) {
            self.attempts[i] = kind.max_attempts();
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
        let kind = self.referenced_pin(cmd.p2, config)?;
        let i = pin_index(kind);
        if self.attempts[i] == 0 {
            return Err(StatusWord::REFERENCE_DATA_UNUSABLE);
        }
        if !self.verified[i] {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let new = cmd.data();
        let well_formed = match kind {
            PinKind::SignaturePassword => {
                (6..=16).contains(&new.len())
                    && new
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
            PinKind::AuthenticationPin | PinKind::CardInfoPin => {
                new.len() == 4 && new.iter().all(u8::is_ascii_digit)
            }
        };
        if !well_formed {
            return Err(SW_WRONG_DATA);
        }
        let new = Zeroizing::new(new.to_vec());
        match kind {
            PinKind::SignaturePassword => self.image.signature_password = new,
            PinKind::AuthenticationPin => self.image.authentication_pin = new,
            PinKind::CardInfoPin => match self.image.card_info.as_mut() {
                Some(info) => info.pin = new,
                None => return Err(SW_REF_NOT_FOUND),
            },
        }
        self.attempts[i] = kind.max_attempts();
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

    fn sign(&mut self, cmd: &Command, config: &EmulatorConfig) -> Answer {
        if cmd.p1 != 0x00 {
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
        if !self.verified[pin_index(pin)] {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if !is_digest_info(cmd.data()) {
            return Err(SW_WRONG_DATA);
        }
        let key: &RsaPrivateKey = match key {
            KeyRef::Signature => &self.image.signature_key,
            KeyRef::Authentication => &self.image.authentication_key,
        };
        let signature = key
            .sign(Pkcs1v15Sign::new_unprefixed(), cmd.data())
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

/// Splits one DER TLV off `input`: (tag, value, rest). Definite lengths up to two bytes, in
/// minimal form.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0x00..=0x7F => (usize::from(first), rest),
        0x81 => {
            let (&l, rest) = rest.split_first()?;
            (l >= 0x80).then_some((usize::from(l), rest))?
        }
        0x82 => {
            let (hi, rest) = rest.split_first()?;
            let (lo, rest) = rest.split_first()?;
            let l = usize::from(u16::from_be_bytes([*hi, *lo]));
            (l >= 0x100).then_some((l, rest))?
        }
        _ => return None,
    };
    let value = rest.get(..len)?;
    let rest = rest.get(len..)?;
    Some((tag, value, rest))
}

/// Whether `data` is exactly one DER DigestInfo for SHA-1, SHA-256, SHA-384 or SHA-512 with a
/// hash of the right length: `SEQUENCE { SEQUENCE { OID [, NULL] }, OCTET STRING }`.
fn is_digest_info(data: &[u8]) -> bool {
    const SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
    const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    let check = || -> Option<bool> {
        let (0x30, outer, []) = der_tlv(data)? else {
            return Some(false);
        };
        let (0x30, alg, rest) = der_tlv(outer)? else {
            return Some(false);
        };
        let (0x04, hash, []) = der_tlv(rest)? else {
            return Some(false);
        };
        let (0x06, oid, params) = der_tlv(alg)? else {
            return Some(false);
        };
        if !(params.is_empty() || params == [0x05, 0x00]) {
            return Some(false);
        }
        let expected = match oid {
            SHA1 => 20,
            SHA256 => 32,
            SHA384 => 48,
            SHA512 => 64,
            _ => return Some(false),
        };
        Some(hash.len() == expected)
    };
    check().unwrap_or(false)
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
        v.extend(std::iter::repeat(0x41).take(30));
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

    #[test]
    fn reselection_clears_security_state_and_current_ef() {
        let c = card();
        jpki(&c);
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        assert!(c.is_verified(PinKind::SignaturePassword));
        // SELECT EF keeps it.
        assert_eq!(select_ef(&c, 0x0001), 0x9000);
        assert!(c.is_verified(PinKind::SignaturePassword));
        assert_eq!(tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]).1, 0x9000);
        // Re-selecting the same AP clears both.
        jpki(&c);
        assert!(!c.is_verified(PinKind::SignaturePassword));
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]), 0x6986);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982));
        // A failed DF selection changes nothing.
        assert_eq!(verify(&c, 0x9B, SIG_PW), 0x9000);
        assert_eq!(select_aid(&c, &[1, 2, 3, 4, 5]), 0x6A82);
        assert!(c.is_verified(PinKind::SignaturePassword));
        assert_eq!(sw(&c, &[0x00, 0xB0, 0x00, 0x00, 0x04]), 0x9000);
    }

    #[test]
    fn read_conditions_and_contents() {
        let filler = EmulatorConfig::default().filler_len;
        let c = card();
        jpki(&c);
        assert_eq!(read_ef(&c, 0x0001), Err(0x6982));
        let mut expected = fake_der(2, 1100);
        expected.extend(std::iter::repeat(0xFF).take(filler));
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
        expected.extend(std::iter::repeat(0xFF).take(filler));
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
        attrs.extend(std::iter::repeat(0xFF).take(filler));
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
        let [hi, lo] = (len as u16 - 10).to_be_bytes();
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x20]);
        assert_eq!((d.len(), s), (10, 0x6282));
        let (d, s) = tx(&c, &[0x00, 0xB0, hi, lo, 0x00]);
        assert_eq!((d.len(), s), (10, 0x9000), "Le = 256 is the maximum");
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x04, 0x05]);
        assert_eq!((d, s), (fake_der(2, 1100)[4..9].to_vec(), 0x9000));
        // Extended: 65536 reads the whole file with 9000; less than that but more than the
        // file gives 6282.
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
        assert_eq!((d.len(), s), (len, 0x9000));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x20, 0x00]);
        assert_eq!((d.len(), s), (len, 0x6282));
        let (d, s) = tx(&c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x02, 0x00]);
        assert_eq!((d.len(), s), (512, 0x9000));
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
        // The final status word is the original one (6282 at the end of the file).
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
        assert_eq!(select_ef(&c, 0x0006), 0x9000);
        let len = 32 + EmulatorConfig::default().filler_len;
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
        // Malformed: a bare hash, a wrong hash length, trailing bytes, an unknown OID.
        assert_eq!(sw(&c, &sign_cmd(0x9A, &Sha256::digest(message))), 0x6A80);
        let mut short = di.clone();
        short.pop();
        assert_eq!(sw(&c, &sign_cmd(0x9A, &short)), 0x6A80);
        let mut trailing = di.clone();
        trailing.push(0);
        assert_eq!(sw(&c, &sign_cmd(0x9A, &trailing)), 0x6A80);
        let mut other_oid = di.clone();
        other_oid[14] = 0x04; // SHA-224 OID with a 32-byte hash
        assert_eq!(sw(&c, &sign_cmd(0x9A, &other_oid)), 0x6A80);
        // P1, the current EF, Le.
        let mut p1 = sign_cmd(0x9A, &di);
        p1[2] = 0x01;
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
}
