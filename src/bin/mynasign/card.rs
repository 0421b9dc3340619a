//! Card access for the card commands: a PC/SC reader (`--reader`, feature `pcsc`) or the
//! built-in emulated card of a persona (`EmulatedArgs`, profiles by name); PIN entry that never
//! echoes; progress on stderr; the exit codes. The command modules use it; it uses none of them.

use std::io::{BufRead, Write};
use std::sync::Arc;

use clap::Args;
use mynasign::emulator::{EmulatorConfig, Persona};
use mynasign::flow::{FlowStep, ProgressListener};
use mynasign::jpki::{LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::transport::{CardTransport, TransportError};
use zeroize::Zeroizing;

use crate::CliResult;

/// Exit status: any failure not listed below.
pub const EXIT_OTHER: u8 = 1;
/// Exit status: the card rejected the PIN, or the PIN given cannot be right (wrong format:
/// nothing was sent).
pub const EXIT_WRONG_PIN: u8 = 3;
/// Exit status: the PIN is blocked, or only one attempt is left and `--allow-last-attempt`
/// was not given (nothing was sent).
pub const EXIT_PIN_BLOCKED: u8 = 4;
/// Exit status: no PC/SC service, no reader, no card, or the card was removed.
pub const EXIT_NO_CARD: u8 = 5;
/// Exit status: the card answered something the operation cannot continue with (not a My
/// Number Card, a file or certificate missing, an unexpected status word, the card busy in
/// another application, a link error).
pub const EXIT_CARD_ERROR: u8 = 6;

/// The exit codes, for `--help`.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 success; 1 other failure; 2 usage error; \
3 wrong PIN (or a PIN that cannot be right: nothing sent); 4 PIN blocked, or one attempt left \
without --allow-last-attempt (nothing sent); 5 no PC/SC service, no reader, no card, or card \
removed; 6 other card error.\n\nPINs: from MYNASIGN_SIGNATURE_PASSWORD, MYNASIGN_AUTH_PIN and \
MYNASIGN_CARD_INFO_PIN, or one a line on standard input with --pin-stdin, else asked on the \
terminal without echo. Without --reader, the built-in emulated card of --seed (or the persona \
of --persona FILE) is used with its own PINs.";

/// The exit status for an error.
pub fn exit_code(e: &(dyn std::error::Error + 'static)) -> u8 {
    use mynasign::Error as E;
    if let Some(e) = e.downcast_ref::<mynasign::Error>() {
        return match e {
            E::WrongPin { .. } | E::InvalidPinFormat { .. } => EXIT_WRONG_PIN,
            E::PinBlocked { .. } | E::PinNowBlocked { .. } | E::LastAttemptGuard { .. } => {
                EXIT_PIN_BLOCKED
            }
            E::Transport(TransportError::TagLost) | E::LinkLostDuringVerify { .. } => EXIT_NO_CARD,
            E::Transport(_)
            | E::NotMyNumberCard { .. }
            | E::CardStatus { .. }
            | E::FileNotFound { .. }
            | E::NoSignatureCertificate
            | E::PinNotVerified { .. }
            | E::CommandTooLong { .. } => EXIT_CARD_ERROR,
            _ => EXIT_OTHER,
        };
    }
    if e.downcast_ref::<mynasign::pin::PinFormatError>().is_some() {
        return EXIT_WRONG_PIN;
    }
    #[cfg(feature = "pcsc")]
    if let Some(e) = e.downcast_ref::<mynasign::transport::pcsc::PcscError>() {
        use mynasign::transport::pcsc::PcscError as P;
        return match e {
            P::NoService
            | P::NoReader
            | P::UnknownReader(_)
            | P::NoCard
            | P::CardRemoved
            | P::CardReset
            | P::ReaderRemoved => EXIT_NO_CARD,
            _ => EXIT_CARD_ERROR,
        };
    }
    EXIT_OTHER
}

/// Where the card is, and how PINs are given.
#[derive(Args, Clone)]
pub struct CardArgs {
    /// Use the card in this PC/SC reader; without a name, the first reader holding a card.
    /// Without this option the built-in emulated card is used.
    #[arg(long, num_args = 0..=1, value_name = "NAME")]
    pub reader: Option<Option<String>>,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub wait: u64,
    /// Read the PINs from standard input, one a line (signature password first, then the
    /// card-info PIN when both are needed).
    #[arg(long)]
    pub pin_stdin: bool,
    /// Allow VERIFY to use the last remaining attempt.
    #[arg(long)]
    pub allow_last_attempt: bool,
}

impl CardArgs {
    /// The last-attempt policy.
    pub fn last_attempt(&self) -> LastAttempt {
        if self.allow_last_attempt {
            LastAttempt::Allow
        } else {
            LastAttempt::Refuse
        }
    }
}

/// Where PINs come from.
pub enum PinSource {
    /// The emulated persona's own PINs.
    Persona(Arc<Persona>),
    /// The environment, standard input or the terminal.
    User {
        /// Read from standard input.
        stdin: bool,
    },
}

impl PinSource {
    /// The PIN of `kind`.
    pub fn get(&self, kind: PinKind) -> CliResult<Pin> {
        let text: Zeroizing<String> = match self {
            PinSource::Persona(p) => Zeroizing::new(
                match kind {
                    PinKind::SignaturePassword => p.signature_password(),
                    PinKind::AuthenticationPin => p.authentication_pin(),
                    PinKind::CardInfoPin => p.card_info_pin(),
                }
                .to_owned(),
            ),
            PinSource::User { stdin } => {
                let var = match kind {
                    PinKind::SignaturePassword => "MYNASIGN_SIGNATURE_PASSWORD",
                    PinKind::AuthenticationPin => "MYNASIGN_AUTH_PIN",
                    PinKind::CardInfoPin => "MYNASIGN_CARD_INFO_PIN",
                };
                if *stdin {
                    read_stdin_line()?
                } else if let Ok(v) = std::env::var(var) {
                    Zeroizing::new(v)
                } else {
                    prompt_hidden(&format!("{kind}"), var)?
                }
            }
        };
        Ok(Pin::new(kind, text.trim_end_matches(['\r', '\n']))?)
    }
}

fn read_stdin_line() -> CliResult<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    let n = std::io::stdin().lock().read_line(&mut line)?;
    if n == 0 {
        return Err("--pin-stdin: standard input ended before the PIN".into());
    }
    Ok(line)
}

/// Asks on the terminal with echo off (`stty -echo` run on the terminal: no unsafe code here).
/// Refuses to ask when echo cannot be turned off.
fn prompt_hidden(what: &str, var: &str) -> CliResult<Zeroizing<String>> {
    let no_tty =
        || format!("no terminal to ask for the {what}: set {var} or use --pin-stdin").into();
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| -> Box<dyn std::error::Error> { no_tty() })?;
    let stty = |arg: &str| -> bool {
        tty.try_clone()
            .ok()
            .and_then(|t| {
                std::process::Command::new("stty")
                    .arg(arg)
                    .stdin(t)
                    .status()
                    .ok()
            })
            .is_some_and(|s| s.success())
    };
    if !stty("-echo") {
        return Err(no_tty());
    }
    let mut out = &tty;
    let _ = write!(out, "{what} (not shown): ");
    let _ = out.flush();
    let mut line = Zeroizing::new(String::new());
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    let restored = stty("echo");
    let _ = writeln!(out);
    read?;
    if !restored {
        eprintln!("mynasign: could not turn terminal echo back on: run `stty echo`");
    }
    Ok(line)
}

/// Progress of a card flow on stderr.
pub struct StderrProgress;

impl ProgressListener for StderrProgress {
    fn on_step(&self, step: FlowStep, index: u32, total: u32) {
        let what = match step {
            FlowStep::Connecting => "connecting to the card",
            FlowStep::CheckingPin => "reading the PIN's retry counter",
            FlowStep::VerifyingPin => "verifying the PIN",
            FlowStep::ReadingCertificate => "reading the certificate",
            FlowStep::ReadingCaCertificate => "reading the CA certificate",
            FlowStep::Signing => "the card is signing (keep it in the reader)",
        };
        eprintln!("[{index}/{total}] {what}...");
    }
}

/// Prints a progress line unless `quiet`.
pub fn progress(quiet: bool, line: &str) {
    if !quiet {
        eprintln!("{line}");
    }
}

/// The PINs a command needs, resolved before the card is touched.
pub struct Pins(Vec<Pin>);

impl Pins {
    /// The PIN of `kind` (asked for by the command).
    pub fn get(&self, kind: PinKind) -> CliResult<&Pin> {
        self.0
            .iter()
            .find(|p| p.kind() == kind)
            .ok_or_else(|| format!("internal: the {kind} was not asked for").into())
    }
}

/// What [`with_card`] hands the command.
pub type CardFn<'a, R> =
    dyn FnOnce(Arc<dyn CardTransport>, &Pins, Option<&str>) -> CliResult<R> + 'a;

/// Runs `f` on the card: in a PC/SC reader (one exclusive transaction that ends by leaving the
/// application, then the card is unpowered, so no PIN stays verified) when `--reader` was given, else on the emulated card of
/// the persona and profile of `emulated`. The PINs in `needs` are resolved first (from the persona on the
/// emulated card, else from the environment, standard input or the terminal), so the card is
/// not held while a person types. `f` gets the transport, the PINs and the reader's name
/// (`None` on the emulated card).
pub fn with_card<R>(
    args: &CardArgs,
    emulated: &EmulatedArgs,
    needs: &[PinKind],
    quiet: bool,
    f: Box<CardFn<'_, R>>,
) -> CliResult<R> {
    match &args.reader {
        None => {
            let persona = emulated.persona()?;
            let profile = emulated.profile(&persona)?;
            let source = PinSource::Persona(Arc::clone(&persona));
            let pins = Pins(
                needs
                    .iter()
                    .map(|k| source.get(*k))
                    .collect::<CliResult<_>>()?,
            );
            let card: Arc<dyn CardTransport> =
                Arc::new(persona.emulated_card(profile, EmulatorConfig::default()));
            f(card, &pins, None)
        }
        Some(name) => {
            if !cfg!(feature = "pcsc") {
                return Err(
                    "this mynasign was built without PC/SC support (cargo feature `pcsc`)".into(),
                );
            }
            let source = PinSource::User {
                stdin: args.pin_stdin,
            };
            let pins = Pins(
                needs
                    .iter()
                    .map(|k| source.get(*k))
                    .collect::<CliResult<_>>()?,
            );
            with_reader(args, name.as_deref(), &pins, quiet, f)
        }
    }
}

#[cfg(feature = "pcsc")]
fn with_reader<R>(
    args: &CardArgs,
    name: Option<&str>,
    pins: &Pins,
    quiet: bool,
    f: Box<CardFn<'_, R>>,
) -> CliResult<R> {
    use mynasign::transport::pcsc::PcscContext;
    let ctx = PcscContext::establish()?;
    if name.is_none() {
        progress(quiet, "waiting for a card in any reader...");
    }
    let mut card = ctx.connect_first(name, std::time::Duration::from_secs(args.wait))?;
    let reader = card.reader().to_owned();
    progress(quiet, &format!("card found in {reader:?}"));
    let result = card.transaction(|t| f(t, pins, Some(&reader)))?;
    // Leave no PIN verified for the next application; a card already gone is not an error.
    let _ = card.disconnect();
    result
}

#[cfg(not(feature = "pcsc"))]
fn with_reader<R>(
    _args: &CardArgs,
    _name: Option<&str>,
    _pins: &Pins,
    _quiet: bool,
    _f: Box<CardFn<'_, R>>,
) -> CliResult<R> {
    Err("this mynasign was built without PC/SC support (cargo feature `pcsc`)".into())
}

/// `mynasign reader list`.
#[cfg(feature = "pcsc")]
pub fn list_readers(json: bool) -> CliResult {
    use mynasign::transport::pcsc::PcscContext;
    let readers = PcscContext::establish()?.readers()?;
    if json {
        let v: Vec<serde_json::Value> = readers
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "card_present": r.card_present,
                    "exclusive": r.exclusive,
                    "atr": crate::output::hex(&r.atr),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "readers": v }));
    } else if readers.is_empty() {
        println!("no reader");
    } else {
        for r in &readers {
            if r.card_present {
                println!("{}  card ATR {}", r.name, crate::output::hex(&r.atr));
            } else {
                println!("{}  (no card)", r.name);
            }
        }
    }
    Ok(())
}

/// `mynasign reader list` without PC/SC support.
#[cfg(not(feature = "pcsc"))]
pub fn list_readers(_json: bool) -> CliResult {
    Err("this mynasign was built without PC/SC support (cargo feature `pcsc`)".into())
}

/// The emulated card's persona and profile (used without `--reader`).
#[derive(Args, Clone)]
pub struct EmulatedArgs {
    /// Without --reader: the emulated card's built-in persona.
    #[arg(long, default_value_t = 1, conflicts_with = "persona")]
    pub seed: u64,
    /// Without --reader: a persona file (JSON, format `mynasign-persona/1`; examples in
    /// `examples/personas/`) instead of a built-in persona.
    #[arg(long, value_name = "FILE")]
    pub persona: Option<std::path::PathBuf>,
    /// Without --reader: what the emulator answers as (card, android, iphone); default card,
    /// or the persona file's profile.
    #[arg(long)]
    pub profile: Option<String>,
}

impl EmulatedArgs {
    /// The persona: the file's when `--persona` was given, else the built-in one of `--seed`.
    pub fn persona(&self) -> CliResult<Arc<Persona>> {
        match &self.persona {
            None => Ok(Persona::from_seed(self.seed)),
            Some(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("cannot read the persona file {}: {e}", path.display()))?;
                Ok(Persona::from_json(&bytes)?)
            }
        }
    }

    /// The profile: `--profile`, else the persona's own.
    pub fn profile(&self, persona: &Persona) -> CliResult<Profile> {
        match &self.profile {
            Some(p) => parse_profile(p),
            None => Ok(persona.profile()),
        }
    }
}

/// A profile by its command-line name.
pub fn parse_profile(s: &str) -> CliResult<Profile> {
    Ok(match s {
        "card" => Profile::MyNumberCard,
        "legacy" | "legacy_card" => Profile::LegacyResidentCard,
        "android" => Profile::AndroidSmartphone,
        "iphone" => Profile::IPhone,
        other => return Err(format!("unknown profile {other:?} (card, android, iphone)").into()),
    })
}
