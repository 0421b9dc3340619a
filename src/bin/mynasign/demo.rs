use std::sync::Arc;

use clap::Args;
use mynasign::card::SessionOptions;
use mynasign::cert::JpkiCertificate;
use mynasign::emulator::{EmulatedCard, EmulatorCa, EmulatorConfig, Persona};
use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use rsa::Pkcs1v15Sign;
use serde_json::json;

use crate::CliResult;

/// Options of `mynasign demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Which persona the emulated card carries.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// What the emulator answers as: card, android or iphone.
    #[arg(long, default_value = "card")]
    profile: String,
    /// Short APDUs only and no short-EF-id shortcuts (as the oldest readers do).
    #[arg(long)]
    plain: bool,
}

fn parse_profile(s: &str) -> CliResult<Profile> {
    Ok(match s {
        "card" => Profile::MyNumberCard,
        "legacy" | "legacy_card" => Profile::LegacyResidentCard,
        "android" => Profile::AndroidSmartphone,
        "iphone" => Profile::IPhone,
        other => return Err(format!("unknown profile {other:?} (card, android, iphone)").into()),
    })
}

const PAYLOAD: &[u8] = b"mynasign demo payload";

pub fn run(args: &DemoArgs) -> CliResult {
    let profile = parse_profile(&args.profile)?;
    let persona = Persona::from_seed(args.seed);
    let config = if args.plain {
        EmulatorConfig::plain()
    } else {
        EmulatorConfig::default()
    };
    let card = Arc::new(EmulatedCard::from_image(persona.card_image(profile), config));

    // 1. Open: select the JPKI application, read the token.
    let mut session = JpkiSession::open_with(card, SessionOptions::default())?;
    // 2. PIN status, without spending an attempt.
    let status = session.pin_status(PinKind::SignaturePassword)?;
    // 3. Verify (the persona's password; an app asks the holder).
    let pin = Pin::signature_password(persona.signature_password())?;
    session.verify(&pin, LastAttempt::Refuse)?;
    drop(pin);
    // 4. The signature certificate.
    let der = session.read_certificate_der(CertificateSlot::Signature)?;
    let cert = JpkiCertificate::from_der(&der)?;
    // 5. Sign with the card.
    let signature = session.sign(KeySlot::Signature, HashAlgorithm::Sha256, PAYLOAD)?;
    let stats = session.stats();

    // 6. Verify: the certificate against the emulator CA, the signature against the certificate.
    let ca = JpkiCertificate::from_der(EmulatorCa::shared().signature_ca_der())?;
    let chain_ok = cert.verify_issued_by(&ca).is_ok();
    let signature_ok = cert
        .rsa_public_key()?
        .verify(
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            &HashAlgorithm::Sha256.digest(PAYLOAD),
            &signature,
        )
        .is_ok();
    let valid = chain_ok && signature_ok;

    if args.json {
        let mut v = crate::show::cert_json(&cert);
        let extra = json!({
            "profile": profile.as_str(),
            "pin_attempts_left": status.remaining,
            "signature_bytes": signature.len(),
            "certificate_bytes": der.len(),
            "certificate_chain_valid": chain_ok,
            "signature_valid": valid,
            "apdu_exchanges": stats.exchanges,
            "bytes_sent": stats.bytes_sent,
            "bytes_received": stats.bytes_received,
        });
        if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        println!("{v}");
    } else {
        let attrs = cert.signature_attributes();
        println!("mynasign demo: the built-in emulated card (persona {})", args.seed);
        println!("  profile              {} ({})", profile.as_str(), profile.token_label());
        println!(
            "  signature password   {} of {} attempts left; verified",
            status.remaining,
            status.max_attempts()
        );
        println!(
            "  certificate          issuance number {}, {} bytes",
            cert.issuance_number(),
            der.len()
        );
        println!("                       valid {} to {}", cert.not_before(), cert.not_after());
        if let Some(a) = attrs {
            println!("  holder               {}", a.attributes.name);
            println!("                       born {}, {}", a.attributes.date_of_birth, a.attributes.sex.as_str());
            println!("                       {}", a.attributes.address);
        }
        println!("  signed               {} bytes over {:?}", signature.len(), String::from_utf8_lossy(PAYLOAD));
        println!(
            "  verified             certificate chain to the emulator CA: {}; signature: {}",
            if chain_ok { "ok" } else { "FAILED" },
            if signature_ok { "ok" } else { "FAILED" }
        );
        println!(
            "  exchanges            {} APDUs, {} bytes sent, {} bytes received",
            stats.exchanges, stats.bytes_sent, stats.bytes_received
        );
    }
    if valid {
        Ok(())
    } else {
        Err("the signature did not verify".into())
    }
}
