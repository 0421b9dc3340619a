//! `mynasign auth ...`: logins with the user-authentication certificate (challenge, sign,
//! verify, verify-certificate), and `mynasign emulator ocsp`: the emulator's OCSP answers.
//!
//! The command line has no server to keep issued challenges: `auth verify` takes the
//! challenge file it issued (`auth challenge --out`) as its record of it, so it checks the
//! service, nonce, form and expiry, but cannot see a replay across two runs. A service keeps
//! its challenges in a `ChallengeStore` (the library's `LoginVerifier`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use mynasign::cert::JpkiCertificate;
use mynasign::consent::Timestamp;
use mynasign::emulator::{EmulatorCa, OcspAnswer};
use mynasign::flow::{login_on_card, LoginOptions};
use mynasign::login::{
    ChallengeForm, ChallengeRecord, ChallengeStore, LoginChallenge, LoginCheck, LoginResponse,
    LoginVerifier, MemoryChallengeStore,
};
use mynasign::pin::PinKind;
use mynasign::verify::{
    CertificateCheck, CertificatePurpose, TrustStore, VerifiedCertificate, Verifier,
};
use serde_json::{json, Value};

use crate::consent::{hex, parse_hex, revocation_json, trust_level};
use crate::CliResult;

/// The session name the command line issues its challenges to.
const CLI_SESSION: &str = "mynasign-cli";

/// `mynasign auth ...`.
#[derive(Subcommand)]
pub enum AuthCommand {
    /// Issue a login challenge (prints its JSON, and writes it with --out).
    Challenge(ChallengeArgs),
    /// Answer a challenge with the authentication key (on a card in a reader with --reader,
    /// else on the emulated card): 4-digit authentication PIN from the terminal,
    /// --pin-stdin or MYNASIGN_AUTH_PIN.
    #[command(after_help = crate::card::EXIT_CODES_HELP)]
    Sign(AuthSignArgs),
    /// Verify a login response against the challenge it answers. Exit 0 only when accepted.
    Verify(AuthVerifyArgs),
    /// Verify a certificate collected earlier as an authentication certificate. Exit 0 only
    /// when accepted.
    VerifyCertificate(VerifyCertificateArgs),
}

/// Options of `mynasign auth challenge`.
#[derive(Args)]
pub struct ChallengeArgs {
    /// The service's identifier (what bound responses must name), e.g. its origin.
    #[arg(long)]
    service: String,
    /// Where to write the challenge JSON.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The raw form (the app signs the nonce as a digest; open to relay) instead of bound.
    #[arg(long)]
    raw: bool,
    /// How long it can be answered.
    #[arg(long, default_value_t = 300)]
    lifetime_seconds: u64,
}

/// Options of `mynasign auth sign`.
#[derive(Args)]
pub struct AuthSignArgs {
    /// The challenge JSON.
    #[arg(long)]
    challenge: PathBuf,
    /// Where to write the response JSON.
    #[arg(long)]
    out: PathBuf,
    /// The service the holder believes they log in to (default: the one the challenge
    /// names; an app takes its own configured identity, never the challenge's).
    #[arg(long)]
    service: Option<String>,
    #[command(flatten)]
    emulated: crate::card::EmulatedArgs,
    #[command(flatten)]
    card: crate::card::CardArgs,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The roots, revocation sources and output of the verify commands.
#[derive(Args)]
pub struct TrustArgs {
    /// Which roots to trust (ignored when --root is given): production, test, emulator.
    #[arg(long, default_value = "production")]
    trust: String,
    /// A root certificate (DER) to trust instead of --trust; repeat for several. Its family is
    /// the one its name says, else authentication (these commands verify logins).
    #[arg(long)]
    root: Vec<PathBuf>,
    /// An OCSP response (DER) for the certificate.
    #[arg(long)]
    ocsp_response: Option<PathBuf>,
    /// The nonce (hex) sent in the OCSP request, if one was sent.
    #[arg(long)]
    ocsp_nonce: Option<String>,
    /// A CRL (DER); repeat for several.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// Accept without established revocation (not for a receiving service).
    #[arg(long)]
    no_revocation_check: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Options of `mynasign auth verify`.
#[derive(Args)]
pub struct AuthVerifyArgs {
    /// The response JSON.
    response: PathBuf,
    /// The challenge JSON it answers (as issued by `auth challenge`).
    #[arg(long)]
    challenge: PathBuf,
    /// When the response was received (YYYY-MM-DDThh:mm:ssZ); default now.
    #[arg(long)]
    received_at: Option<String>,
    #[command(flatten)]
    trust: TrustArgs,
}

/// Options of `mynasign auth verify-certificate`.
#[derive(Args)]
pub struct VerifyCertificateArgs {
    /// The certificate (DER or PEM).
    certificate: PathBuf,
    /// The time to judge it at (YYYY-MM-DDThh:mm:ssZ); default now.
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    trust: TrustArgs,
}

/// Options of `mynasign emulator ocsp`.
#[derive(Args)]
pub struct EmulatorOcspArgs {
    /// The certificate (DER or PEM) the answer is about: one the emulator CA issued.
    #[arg(long)]
    cert: PathBuf,
    /// Where to write the OCSP response (DER).
    #[arg(long)]
    out: PathBuf,
    /// Answer "revoked" at this time (YYYY-MM-DDThh:mm:ssZ) instead of "good".
    #[arg(long)]
    revoked_at: Option<String>,
    /// The request's nonce (hex, 1 to 32 bytes), copied into the answer.
    #[arg(long)]
    nonce: Option<String>,
    /// Sign with a delegated responder (id-kp-OCSPSigning, id-pkix-ocsp-nocheck, issued by
    /// the same root and carried in the answer) instead of the root.
    #[arg(long)]
    delegated: bool,
}

fn time(s: &str) -> CliResult<SystemTime> {
    let t = Timestamp::parse(s).map_err(|_| format!("not YYYY-MM-DDThh:mm:ssZ: {s:?}"))?;
    Ok(UNIX_EPOCH + Duration::from_secs(t.unix_seconds().max(0) as u64))
}

fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs)
        .ok()
        .and_then(|s| Timestamp::from_unix_seconds(s).ok())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// `mynasign auth challenge`.
pub fn challenge(args: &ChallengeArgs) -> CliResult {
    let verifier = LoginVerifier::new(Verifier::new(TrustStore::production()), &args.service)?
        .with_lifetime(Duration::from_secs(args.lifetime_seconds));
    let form = if args.raw {
        ChallengeForm::Raw
    } else {
        ChallengeForm::Bound
    };
    let c = verifier.issue_challenge_at(CLI_SESSION, form, SystemTime::now())?;
    let json = c.to_json();
    if let Some(out) = &args.out {
        std::fs::write(out, &json)?;
    }
    println!("{}", String::from_utf8_lossy(&json));
    Ok(())
}

/// `mynasign auth sign`.
pub fn sign(args: &AuthSignArgs) -> CliResult {
    let challenge = LoginChallenge::from_json(&std::fs::read(&args.challenge)?)?;
    let service = args
        .service
        .clone()
        .unwrap_or_else(|| challenge.service.clone());
    let options = LoginOptions {
        last_attempt: args.card.last_attempt(),
        progress: (!args.quiet).then(|| Arc::new(crate::card::StderrProgress) as _),
        ..LoginOptions::default()
    };
    let login = crate::card::with_card(
        &args.card,
        &args.emulated,
        &[PinKind::AuthenticationPin],
        args.quiet,
        Box::new(|transport, pins, _reader| {
            Ok(login_on_card(
                transport,
                &challenge,
                &service,
                pins.get(PinKind::AuthenticationPin)?,
                &options,
            )?)
        }),
    )?;
    std::fs::write(&args.out, login.response.to_json())?;
    let summary = json!({
        "profile": login.profile.as_str(),
        "form": login.response.form.as_str(),
        "certificate_serial": hex(login.certificate.serial_bytes()),
        "pin_remaining_before": login.pin_status.remaining,
        "exchanges": login.stats.exchanges,
    });
    if args.json {
        println!("{summary}");
    } else {
        crate::output::print_text(&summary);
    }
    Ok(())
}

/// The verifier of `args`: roots named neither way are authentication roots here.
fn verifier(args: &TrustArgs) -> CliResult<Verifier> {
    let trust = if args.root.is_empty() {
        TrustStore::for_level(trust_level(&args.trust)?)
    } else {
        let mut roots = Vec::new();
        for p in &args.root {
            let der = std::fs::read(p)?;
            let family = CertificatePurpose::of_root_name(&JpkiCertificate::from_der(&der)?)
                .unwrap_or(CertificatePurpose::Authentication);
            roots.push((der, family));
        }
        TrustStore::custom_with_families(roots)?
    };
    let mut v = Verifier::new(trust);
    if args.no_revocation_check {
        v = v.allow_unchecked_revocation();
    }
    for p in &args.crl {
        v.add_crl(&std::fs::read(p)?)?;
    }
    Ok(v)
}

fn refused(json: bool, code: &str, e: Box<dyn std::error::Error>) -> CliResult {
    if json {
        println!(
            "{}",
            json!({ "valid": false, "code": code, "message": e.to_string() })
        );
    }
    Err(e)
}

fn certificate_json(cert: &JpkiCertificate, v: &VerifiedCertificate) -> Value {
    json!({
        "valid": true,
        "serial": hex(cert.serial_bytes()),
        "issuer": cert.issuer(),
        "key_id": cert.subject_key_identifier().map(hex),
        "not_after": rfc3339(cert.not_after().to_system_time()),
        "root": v.root.subject(),
        "evaluated_at": rfc3339(v.evaluated_at),
        "revocation": revocation_json(&v.revocation),
    })
}

fn print(json: bool, v: &Value) {
    if json {
        println!("{v}");
    } else {
        println!(
            "valid: authentication certificate {} ({})",
            v["serial"].as_str().unwrap_or_default(),
            v["revocation"]["method"].as_str().unwrap_or_default()
        );
    }
}

/// `mynasign auth verify`.
pub fn verify(args: &AuthVerifyArgs) -> CliResult {
    let challenge = LoginChallenge::from_json(&std::fs::read(&args.challenge)?)?;
    let response = LoginResponse::from_json(&std::fs::read(&args.response)?)?;
    let received_at = args.received_at.as_deref().map(time).transpose()?;
    // The challenge file stands for the store that issued it.
    let store = Arc::new(MemoryChallengeStore::new());
    let to_time = |t: Timestamp| UNIX_EPOCH + Duration::from_secs(t.unix_seconds() as u64);
    store.insert(ChallengeRecord {
        nonce: challenge.nonce,
        session: CLI_SESSION.into(),
        form: challenge.form,
        issued_at: to_time(challenge.issued_at),
        expires_at: to_time(challenge.expires_at),
    })?;
    let login = LoginVerifier::new(verifier(&args.trust)?, &challenge.service)?.with_store(store);
    let (ocsp_response, ocsp_nonce) = ocsp_of(&args.trust)?;
    let check = LoginCheck {
        received_at,
        ocsp_response,
        ocsp_nonce,
    };
    match login.verify(CLI_SESSION, &response, &check) {
        Ok(v) => {
            let mut j = certificate_json(
                &v.certificate,
                &VerifiedCertificate {
                    root: v.root.clone(),
                    evaluated_at: v.received_at,
                    revocation: v.revocation.clone(),
                },
            );
            j["form"] = v.form.as_str().into();
            j["service"] = challenge.service.clone().into();
            print(args.trust.json, &j);
            Ok(())
        }
        Err(e) => refused(args.trust.json, e.code(), Box::new(e)),
    }
}

/// The OCSP response (`--ocsp-response`, read) and its request's nonce (`--ocsp-nonce`).
type Ocsp = (Option<Vec<u8>>, Option<Vec<u8>>);

fn ocsp_of(args: &TrustArgs) -> CliResult<Ocsp> {
    Ok((
        args.ocsp_response.as_ref().map(std::fs::read).transpose()?,
        args.ocsp_nonce.as_deref().map(parse_hex).transpose()?,
    ))
}

/// `mynasign auth verify-certificate`.
pub fn verify_certificate(args: &VerifyCertificateArgs) -> CliResult {
    let cert = JpkiCertificate::from_pem_or_der(&std::fs::read(&args.certificate)?)?;
    let verifier = verifier(&args.trust)?;
    let (ocsp_response, ocsp_nonce) = ocsp_of(&args.trust)?;
    let check = CertificateCheck {
        at: args.at.as_deref().map(time).transpose()?,
        ocsp_response,
        ocsp_nonce,
    };
    match verifier.verify_certificate(&cert, CertificatePurpose::Authentication, &check) {
        Ok(v) => {
            print(args.trust.json, &certificate_json(&cert, &v));
            Ok(())
        }
        Err(e) => refused(args.trust.json, e.code(), Box::new(e)),
    }
}

/// `mynasign emulator ocsp`.
pub fn emulator_ocsp(args: &EmulatorOcspArgs) -> CliResult {
    let cert = JpkiCertificate::from_pem_or_der(&std::fs::read(&args.cert)?)?;
    let answer = OcspAnswer {
        revoked_at: args.revoked_at.as_deref().map(time).transpose()?,
        nonce: args.nonce.as_deref().map(parse_hex).transpose()?,
        produced_at: None,
        delegated: args.delegated,
    };
    let der = EmulatorCa::shared()
        .ocsp_response(&cert, &answer)
        .map_err(|e| format!("the emulator did not issue this certificate: {e}"))?;
    std::fs::write(&args.out, der)?;
    Ok(())
}
