use clap::Args;
use mynasign::card::SessionOptions;
use mynasign::consent::Terms;
use mynasign::emulator::{EmulatorConfig, Persona};
use mynasign::verify::{verify_consent, TrustStore, VerifyOptions};
use serde_json::json;

use crate::card::parse_profile;
use crate::consent::{build_consent, sign_on_emulator, SAMPLE_TERMS};
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

/// The demo: sign a real address-change consent on the emulated card, in one call (open,
/// PIN status, verify, read the signature certificate, sign), then verify it against the
/// emulator's root as the receiving service would.
pub fn run(args: &DemoArgs) -> CliResult {
    let profile = parse_profile(&args.profile)?;
    let persona = Persona::from_seed(args.seed);
    // --plain: a reader and a card that both use short APDUs and no short-EF-id forms.
    let (config, session) = if args.plain {
        (
            EmulatorConfig::plain(),
            SessionOptions {
                extended_length: false,
                short_ef_shortcuts: false,
                ..SessionOptions::default()
            },
        )
    } else {
        (EmulatorConfig::default(), SessionOptions::default())
    };
    let channel = if profile.is_smartphone() {
        "mynaportal"
    } else {
        "licence_centre_kiosk"
    };
    let terms = Terms::from_text("address-change-one-stop", "1", SAMPLE_TERMS.as_bytes())?;
    let document = build_consent(
        "address,name,date_of_birth",
        "my_number_licence_only",
        channel,
        &terms,
        "demo-transaction-0001",
    )?;
    let signed = sign_on_emulator(&persona, profile, config, session, &document, false)?;
    let verified = verify_consent(
        &signed.cms,
        &VerifyOptions {
            trust: TrustStore::emulator(),
            // The emulator CA's current CRL (it revokes nothing): revocation is established.
            crls: vec![mynasign::emulator::EmulatorCa::shared()
                .issue_crl(&[], std::time::SystemTime::now())?],
            ..VerifyOptions::default()
        },
    );
    let valid = verified.is_ok();
    let stats = signed.stats;
    let status = signed.pin_status;
    let cert = &signed.certificate;

    if args.json {
        let mut v = crate::output::cert_json(cert);
        let extra = json!({
            "profile": profile.as_str(),
            "pin_attempts_left": status.map(|s| s.remaining),
            "document_type": document.kind().type_name(),
            "cms_bytes": signed.cms.len(),
            "certificate_bytes": cert.der().len(),
            "signature_valid": valid,
            "verification_error": verified.as_ref().err().map(|e| e.to_string()),
            "apdu_exchanges": stats.exchanges,
            "bytes_sent": stats.bytes_sent,
            "bytes_received": stats.bytes_received,
        });
        if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        println!("{v}");
    } else {
        println!(
            "mynasign demo: the built-in emulated card (persona {})",
            args.seed
        );
        println!(
            "  profile              {} ({})",
            profile.as_str(),
            profile.token_label()
        );
        if let Some(s) = status {
            println!(
                "  signature password   {} of {} attempts left before VERIFY; verified",
                s.remaining,
                s.max_attempts()
            );
        }
        println!(
            "  certificate          issuance number {}, {} bytes, valid {} to {}",
            cert.issuance_number(),
            cert.der().len(),
            cert.not_before(),
            cert.not_after()
        );
        if let Some(a) = cert.signature_attributes() {
            let a = &a.attributes;
            println!("  holder               {}", a.name);
            println!(
                "                       born {}, {}",
                a.date_of_birth,
                a.sex.as_str()
            );
            println!("                       {}", a.address);
        }
        println!(
            "  signed               {} consent ({}), {} bytes of CMS (CAdES-BES)",
            document.kind(),
            channel,
            signed.cms.len()
        );
        match &verified {
            Ok(v) => println!(
                "  verified             against the emulator root: valid; certificate {} ({})",
                v.issuance_number(),
                v.source
                    .map_or("neither card nor smartphone".into(), |s| s.to_string())
            ),
            Err(e) => println!("  verified             FAILED: {e}"),
        }
        println!(
            "  exchanges            {} APDUs, {} bytes sent, {} bytes received",
            stats.exchanges, stats.bytes_sent, stats.bytes_received
        );
    }
    match verified {
        Ok(_) => Ok(()),
        Err(e) => Err(Box::new(e)),
    }
}
