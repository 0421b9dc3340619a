//! Commands that talk to a card: `pin status`, `cert show --reader`, `linkage check`, and
//! `emulator serve` (the emulated card in vsmartcard's virtual reader).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::Args;
use mynasign::card::SessionOptions;
use mynasign::card_info::CardInfoSession;
use mynasign::cert::JpkiCertificate;
use mynasign::consent::check_linkage;
use mynasign::emulator::vpcd::{VirtualCard, VpcdEvent, DEFAULT_PORT};
use mynasign::emulator::EmulatorConfig;
use mynasign::evidence::{new_challenge, CvcTrust};
use mynasign::jpki::{CertificateSlot, JpkiSession};
use mynasign::pin::{PinKind, PinStatus};
use serde_json::{json, Value};

use crate::card::{progress, with_card, CardArgs, EmulatedArgs};
use crate::output::{cert_json, hex, print_text};
use crate::CliResult;

/// Options of `mynasign pin status`.
#[derive(Args)]
pub struct PinStatusArgs {
    #[command(flatten)]
    card: CardArgs,
    #[command(flatten)]
    emulated: EmulatedArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn status_json(s: PinStatus) -> Value {
    json!({
        "remaining": s.remaining,
        "max": s.max_attempts(),
        "blocked": s.is_blocked(),
        "last_attempt": s.is_last_attempt(),
    })
}

/// `mynasign pin status`: the retry counters of the signature password and the
/// authentication PIN, read without spending an attempt.
pub fn pin_status(args: &PinStatusArgs) -> CliResult {
    let json = args.json;
    with_card(
        &args.card,
        &args.emulated,
        &[],
        json,
        Box::new(move |t, _pins, reader| {
            let mut s = JpkiSession::open_with(t, SessionOptions::default())?;
            let sig = s.pin_status(PinKind::SignaturePassword)?;
            let auth = s.pin_status(PinKind::AuthenticationPin)?;
            let stats = s.stats();
            if json {
                println!(
                    "{}",
                    json!({
                        "reader": reader,
                        "profile": s.profile().as_str(),
                        "signature_password": status_json(sig),
                        "authentication_pin": status_json(auth),
                        "apdu_exchanges": stats.exchanges,
                    })
                );
            } else {
                if let Some(r) = reader {
                    println!("reader                   {r}");
                }
                println!("profile                  {}", s.profile().as_str());
                for st in [sig, auth] {
                    println!(
                        "{:<24} {} of {} attempts left{}",
                        st.kind.to_string(),
                        st.remaining,
                        st.max_attempts(),
                        if st.is_blocked() { " (BLOCKED)" } else { "" }
                    );
                }
                println!("exchanges                {}", stats.exchanges);
            }
            Ok(())
        }),
    )
}

/// Options of `mynasign cert show` when reading from a card.
#[derive(Args, Clone)]
pub struct CardCertArgs {
    #[command(flatten)]
    pub card: CardArgs,
    #[command(flatten)]
    pub emulated: EmulatedArgs,
    /// Which certificate: signature (needs the signature password), authentication,
    /// signature-ca, authentication-ca.
    #[arg(long, default_value = "signature")]
    pub slot: String,
    /// Also write the certificate's DER here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn parse_slot(s: &str) -> CliResult<CertificateSlot> {
    Ok(match s {
        "signature" => CertificateSlot::Signature,
        "authentication" => CertificateSlot::Authentication,
        "signature-ca" => CertificateSlot::SignatureCa,
        "authentication-ca" => CertificateSlot::AuthenticationCa,
        other => return Err(format!("unknown certificate slot {other:?}").into()),
    })
}

/// `mynasign cert show --reader`: reads a certificate from the card and shows it.
pub fn cert_from_card(args: &CardCertArgs, json: bool) -> CliResult {
    let slot = parse_slot(&args.slot)?;
    // The PIN the card asks for before this read (the authentication certificate needs one
    // on smartphones only; asked for when the card says so).
    let needs: Vec<PinKind> = match slot {
        CertificateSlot::Signature => vec![PinKind::SignaturePassword],
        _ => Vec::new(),
    };
    let last = args.card.last_attempt();
    let out = args.out.clone();
    with_card(
        &args.card,
        &args.emulated,
        &needs,
        json,
        Box::new(move |t, pins, reader| {
            progress(json, "[1/3] connecting to the card...");
            let mut s = JpkiSession::open_with(t, SessionOptions::default())?;
            if let Some(kind) = slot.guard(s.profile()) {
                progress(json, "[2/3] verifying the PIN...");
                s.verify(pins.get(kind)?, last)?;
            }
            progress(json, "[3/3] reading the certificate...");
            let der = s.read_certificate_der(slot)?;
            let cert = JpkiCertificate::from_der(&der)?;
            if let Some(p) = &out {
                std::fs::write(p, &der)?;
            }
            let mut v = cert_json(&cert);
            if let Some(o) = v.as_object_mut() {
                o.insert("reader".into(), json!(reader));
                o.insert("apdu_exchanges".into(), json!(s.stats().exchanges));
            }
            if json {
                println!("{v}");
            } else {
                print_text(&v);
            }
            Ok(())
        }),
    )
}

/// Options of `mynasign linkage check`.
#[derive(Args)]
pub struct LinkageArgs {
    #[command(flatten)]
    card: CardArgs,
    #[command(flatten)]
    emulated: EmulatedArgs,
    /// Compare only attributes proven authentic: the card-info integrity record and
    /// certificate verified, and the card's answer to a fresh challenge (the result says
    /// whether they were).
    #[arg(long)]
    require_authentic: bool,
    /// With --require-authentic: whose CA keys (production, the default with --reader; test;
    /// emulator, the default for the built-in emulated card).
    #[arg(long, requires = "require_authentic")]
    hierarchy: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// `mynasign linkage check`: the Mynaportal linkage check on a card: the basic four
/// attributes of the card-info input support application (card-info PIN) must equal those in
/// the signature certificate (signature password). Prints which fields differ, never values.
pub fn linkage_check(args: &LinkageArgs) -> CliResult {
    let json = args.json;
    let last = args.card.last_attempt();
    let authentic = match (args.require_authentic, &args.hierarchy) {
        (false, _) => None,
        (true, Some(h)) => Some(crate::info::trust(h)?),
        (true, None) if args.card.reader.is_some() => Some(CvcTrust::production()),
        (true, None) => Some(mynasign::emulator::cvc_trust()),
    };
    with_card(
        &args.card,
        &args.emulated,
        &[PinKind::SignaturePassword, PinKind::CardInfoPin],
        json,
        Box::new(move |t, pins, reader| {
            progress(json, "[1/4] card-info application: verifying the PIN...");
            let mut info = CardInfoSession::open_with(Arc::clone(&t), SessionOptions::default())?;
            info.verify(pins.get(PinKind::CardInfoPin)?, last)?;
            progress(json, "[2/4] reading the basic four attributes...");
            let (attrs, card_present) = match &authentic {
                None => (info.read_attributes()?, false),
                Some(trust) => {
                    let challenge = new_challenge();
                    let (_, v) = info.read_authentic(trust, Some(&challenge))?;
                    (v.attributes().clone(), v.card_present())
                }
            };
            progress(json, "[3/4] JPKI: verifying the signature password...");
            let mut jpki = JpkiSession::open_with(t, SessionOptions::default())?;
            jpki.verify(pins.get(PinKind::SignaturePassword)?, last)?;
            progress(json, "[4/4] reading the signature certificate...");
            let der = jpki.read_certificate_der(CertificateSlot::Signature)?;
            let cert = JpkiCertificate::from_der(&der)?;
            let cert_attrs = cert
                .signature_attributes()
                .ok_or(mynasign::Error::NotSignatureCertificate)?;
            let outcome = check_linkage(&attrs, &cert_attrs.attributes);
            let differing: Vec<String> = match &outcome {
                Ok(()) => Vec::new(),
                Err(mynasign::consent::ConsentError::AttributeMismatch { fields }) => {
                    fields.iter().map(|f| format!("{f:?}")).collect()
                }
                Err(e) => return Err(e.clone().into()),
            };
            let exchanges = info.stats().exchanges + jpki.stats().exchanges;
            if json {
                println!(
                    "{}",
                    json!({
                        "reader": reader,
                        "match": differing.is_empty(),
                        "differing_fields": differing,
                        "card_info_authentic": authentic.is_some(),
                        "card_present": card_present,
                        "issuance_number": cert.issuance_number(),
                        "apdu_exchanges": exchanges,
                    })
                );
            } else if differing.is_empty() {
                println!("match: the card-info attributes equal the signature certificate's");
                println!(
                    "{}",
                    if authentic.is_some() {
                        "the card-info attributes are authentic (integrity record verified, card present)"
                    } else {
                        "the card-info attributes were not verified (--require-authentic checks them)"
                    }
                );
            } else {
                println!("MISMATCH in: {}", differing.join(", "));
            }
            outcome?;
            Ok(())
        }),
    )
}

/// Options of `mynasign emulator serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The persona the card carries (`--seed`, or `--persona FILE`) and its profile.
    #[command(flatten)]
    emulated: EmulatedArgs,
    /// The vpcd reader driver's port on 127.0.0.1.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// A card that refuses extended length and the short-EF-id forms (the fallbacks).
    #[arg(long)]
    plain: bool,
    /// Report every power-on, power-off and reset on stderr.
    #[arg(long)]
    verbose: bool,
    /// Print the persona as one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// `mynasign emulator serve`: the emulated card in vsmartcard's virtual reader, until killed.
pub fn serve(args: &ServeArgs) -> CliResult {
    let persona = args.emulated.persona()?;
    let profile = args.emulated.profile(&persona)?;
    let mut config = if args.plain {
        EmulatorConfig::plain()
    } else {
        EmulatorConfig::default()
    };
    // The link is vpcd's: it carries extended APDUs; whether the card takes them is the card's.
    config.transport_extended_length = true;
    let card = Arc::new(persona.emulated_card(profile, config));
    let vc = VirtualCard::new(card);
    let issuance_number = persona
        .has_signature_certificate()
        .then(|| persona.signature_certificate().issuance_number());
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    // The persona is synthetic: its PINs are printed so a tester can type them.
    if args.json {
        println!(
            "{}",
            json!({
                "seed": persona.seed(),
                "profile": profile.as_str(),
                "token": profile.token_label(),
                "signature_password": persona.signature_password(),
                "authentication_pin": persona.authentication_pin(),
                "card_info_pin": persona.card_info_pin(),
                "issuance_number": issuance_number,
                "atr": hex(vc.atr()),
                "vpcd": addr.to_string(),
            })
        );
    } else {
        println!(
            "mynasign emulator: persona {} ({}, token {}), a synthetic test card",
            persona.seed(),
            profile.as_str(),
            profile.token_label()
        );
        println!("  signature password   {}", persona.signature_password());
        println!("  authentication PIN   {}", persona.authentication_pin());
        println!("  card-info PIN        {}", persona.card_info_pin());
        match &issuance_number {
            Some(n) => println!("  certificate          issuance number {n}"),
            None => println!("  certificate          none (no signature certificate)"),
        }
        println!("  ATR                  {}", hex(vc.atr()));
        println!("  serving vpcd at {addr}; stop with Ctrl-C");
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let verbose = args.verbose;
    let stop = AtomicBool::new(false);
    vc.run(addr, &stop, &mut |e| {
        let line = match e {
            VpcdEvent::Connected => Some("connected to vpcd: the card is in the reader"),
            VpcdEvent::Disconnected => Some("vpcd dropped the link: reconnecting"),
            VpcdEvent::Waiting => Some("waiting for vpcd (is pcscd running with vsmartcard-vpcd?)"),
            VpcdEvent::PowerOn if verbose => Some("power on"),
            VpcdEvent::PowerOff if verbose => Some("power off"),
            VpcdEvent::Reset if verbose => Some("reset"),
            _ => None,
        };
        if let Some(l) = line {
            eprintln!("mynasign emulator: {l}");
        }
    })?;
    Ok(())
}

/// Options of `mynasign emulator crl`.
#[derive(Args)]
pub struct CrlArgs {
    /// The persona (`--seed` or `--persona FILE`) and profile whose certificate the CRL is about.
    #[command(flatten)]
    emulated: EmulatedArgs,
    /// The CRL file to write (DER).
    #[arg(long)]
    out: std::path::PathBuf,
}

/// `mynasign emulator crl`: a current CRL of the emulator's signature root, listing the
/// persona's signature certificate when the persona file says it was revoked.
pub fn crl(args: &CrlArgs) -> CliResult {
    let persona = args.emulated.persona()?;
    let profile = args.emulated.profile(&persona)?;
    let der = persona.crl(profile, std::time::SystemTime::now())?;
    std::fs::write(&args.out, der)?;
    Ok(())
}
