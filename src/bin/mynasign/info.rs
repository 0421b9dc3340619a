//! `mynasign info verify` and `mynasign info read --authentic`: the basic four with what
//! proves them (the card-info application's integrity record and certificate, and the card's
//! answer to a fresh challenge). Nothing personal is printed unless `--show-attributes`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use mynasign::card::SessionOptions;
use mynasign::card_info::CardInfoSession;
use mynasign::evidence::{new_challenge, AuthenticAttributes, CardInfoEvidence, CvcTrust};
use mynasign::pin::PinKind;
use serde_json::{json, Value};

use crate::card::{progress, with_card, CardArgs, EmulatedArgs};
use crate::CliResult;

/// The CA keys to trust: `production` (J-LIS, people's cards), `test` (JPKI-TEST cards),
/// `emulator` (the built-in emulated card's CA).
pub(crate) fn trust(name: &str) -> CliResult<CvcTrust> {
    Ok(match name {
        "production" => CvcTrust::production(),
        "test" => CvcTrust::test(),
        "emulator" => mynasign::emulator::cvc_trust(),
        other => {
            return Err(format!("unknown hierarchy {other:?} (production, test, emulator)").into())
        }
    })
}

fn report(v: &AuthenticAttributes, show: bool, json: bool, extra: Value) {
    let mut j = json!({
        "authentic": true,
        "hierarchy": v.hierarchy().as_str(),
        "issuer_key_id": v.issuer_key_id().to_string(),
        "subject_key_id": v.subject_key_id().to_string(),
        "card_present": v.card_present(),
    });
    if let (Some(o), Some(e)) = (j.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    let a = v.attributes();
    if show {
        if let Some(o) = j.as_object_mut() {
            o.insert(
                "attributes".into(),
                json!({
                    "name": a.name,
                    "address": a.address,
                    "date_of_birth": a.date_of_birth.to_string(),
                    "sex": a.sex.as_str(),
                }),
            );
        }
    }
    if json {
        println!("{j}");
        return;
    }
    println!(
        "authentic: the basic four match the integrity record, certified by {} ({} hierarchy)",
        v.issuer_key_id(),
        v.hierarchy()
    );
    println!(
        "card present: {}",
        if v.card_present() {
            "yes, the card answered a fresh challenge"
        } else {
            "not checked"
        }
    );
    if show {
        println!("name           {}", a.name);
        println!("address        {}", a.address);
        println!("date of birth  {}", a.date_of_birth);
        println!("sex            {}", a.sex.as_str());
    }
}

/// Options of `mynasign info verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// EF 0002 as read (the basic four).
    #[arg(long, value_name = "FILE", required_unless_present = "evidence", requires_all = ["integrity_record", "ap_certificate"])]
    basic_four: Option<PathBuf>,
    /// EF 0003 as read (the integrity record).
    #[arg(long, value_name = "FILE")]
    integrity_record: Option<PathBuf>,
    /// EF 0004 as read (the application's card-verifiable certificate).
    #[arg(long, value_name = "FILE")]
    ap_certificate: Option<PathBuf>,
    /// An evidence object (JSON, `mynasign-card-info-evidence/1`) instead of the three files.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["basic_four", "integrity_record", "ap_certificate"])]
    evidence: Option<PathBuf>,
    /// With --evidence: the challenge you issued (hex); the card's answer must be to it.
    #[arg(long, value_name = "HEX", requires = "evidence")]
    challenge: Option<String>,
    /// Whose CA keys: production (default), test (JPKI-TEST cards), emulator.
    #[arg(long, default_value = "production")]
    hierarchy: String,
    /// Also print the basic four (personal data).
    #[arg(long)]
    show_attributes: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// `mynasign info verify`: exit 0 only when the basic four are authentic (with `--json`, a
/// refusal prints `{"authentic": false, "code", "message"}`; `AuthenticityError::code`).
pub fn verify(args: &VerifyArgs) -> CliResult {
    let trust = trust(&args.hierarchy)?;
    let read = |p: &Option<PathBuf>| -> CliResult<zeroize::Zeroizing<Vec<u8>>> {
        let p = p
            .as_ref()
            .ok_or("give --basic-four, --integrity-record and --ap-certificate, or --evidence")?;
        Ok(zeroize::Zeroizing::new(
            std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
        ))
    };
    let (evidence, challenge) = match &args.evidence {
        Some(p) => {
            let bytes = zeroize::Zeroizing::new(std::fs::read(p)?);
            let challenge = args
                .challenge
                .as_deref()
                .map(crate::consent::parse_hex)
                .transpose()?;
            (CardInfoEvidence::from_json(&bytes)?, challenge)
        }
        None => (
            CardInfoEvidence::new(
                &read(&args.basic_four)?,
                &read(&args.integrity_record)?,
                &read(&args.ap_certificate)?,
                None,
            ),
            None,
        ),
    };
    match evidence.verify(&trust, challenge.as_deref()) {
        Ok(verified) => {
            report(&verified, args.show_attributes, args.json, json!({}));
            Ok(())
        }
        Err(e) => {
            // As `consent verify`: with --json the refusal's stable code is on stdout too.
            if args.json {
                println!(
                    "{}",
                    json!({ "authentic": false, "code": e.code(), "message": e.to_string() })
                );
            }
            Err(Box::new(e))
        }
    }
}

/// Options of `mynasign info read`.
#[derive(Args)]
pub struct ReadArgs {
    /// Read the basic four with their integrity record, certificate and the card's answer to
    /// a fresh challenge, and verify them (the only form of `info read`).
    #[arg(long, required = true)]
    authentic: bool,
    #[command(flatten)]
    card: CardArgs,
    #[command(flatten)]
    emulated: EmulatedArgs,
    /// Whose CA keys: production (the default with --reader), test (JPKI-TEST cards),
    /// emulator (the default for the built-in emulated card).
    #[arg(long)]
    hierarchy: Option<String>,
    /// Write the evidence object (JSON) here, for a back end to verify again (it holds
    /// personal data, and the My Number in digest form).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write the files read (basic-four.bin, integrity-record.bin, ap-certificate.bin,
    /// signed-ap-key.bin) into this folder (personal data).
    #[arg(long, value_name = "DIR")]
    files: Option<PathBuf>,
    /// Also print the basic four (personal data).
    #[arg(long)]
    show_attributes: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// `mynasign info read --authentic`.
pub fn read(args: &ReadArgs) -> CliResult {
    let default = if args.card.reader.is_some() {
        "production"
    } else {
        "emulator"
    };
    let trust = trust(args.hierarchy.as_deref().unwrap_or(default))?;
    let (json, show, last) = (args.json, args.show_attributes, args.card.last_attempt());
    let (out, files) = (args.out.clone(), args.files.clone());
    with_card(
        &args.card,
        &args.emulated,
        &[PinKind::CardInfoPin],
        json,
        Box::new(move |t, pins, reader| {
            progress(json, "[1/3] card-info application: verifying the PIN...");
            let mut s = CardInfoSession::open_with(Arc::clone(&t), SessionOptions::default())?;
            s.verify(pins.get(PinKind::CardInfoPin)?, last)?;
            progress(
                json,
                "[2/3] reading the basic four, the integrity record and the certificate...",
            );
            let challenge = new_challenge();
            let evidence = s.read_evidence(Some(&challenge))?;
            if let Some(p) = &out {
                std::fs::write(p, evidence.to_json().as_bytes())?;
            }
            if let Some(dir) = &files {
                std::fs::create_dir_all(dir)?;
                std::fs::write(dir.join("basic-four.bin"), evidence.basic_four())?;
                std::fs::write(
                    dir.join("integrity-record.bin"),
                    evidence.integrity_record(),
                )?;
                std::fs::write(dir.join("ap-certificate.bin"), evidence.ap_certificate())?;
                if let Some(p) = evidence.presence() {
                    std::fs::write(dir.join("signed-ap-key.bin"), &p.signed_ap_key)?;
                }
            }
            progress(json, "[3/3] verifying...");
            let verified = evidence.verify(&trust, Some(&challenge))?;
            report(
                &verified,
                show,
                json,
                json!({
                    "reader": reader,
                    "challenge": crate::consent::hex(&challenge),
                    "apdu_exchanges": s.stats().exchanges,
                }),
            );
            Ok(())
        }),
    )
}
