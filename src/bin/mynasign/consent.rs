use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use mynasign::card::SessionOptions;
use mynasign::consent::{
    AddressChangeConsent, Channel, ConsentItem, ConsentItems, ConsentPeriod, Document,
    HolderStatus, Nonce, Terms, Timestamp,
};
use mynasign::date::Date;
use mynasign::emulator::{EmulatedCard, EmulatorConfig, Persona};
use mynasign::flow::{sign_consent_on_card, CardSignOptions, SignedConsent};
use mynasign::jpki::Profile;
use mynasign::pin::{Pin, PinKind};
use mynasign::verify::{
    verify_consent, CertificatePurpose, RevocationStatus, TrustLevel, TrustStore, VerifiedConsent,
    VerifyOptions,
};
use serde_json::{json, Value};

use crate::CliResult;

/// `mynasign consent ...`.
#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Sign an address-change one-stop consent (on a card in a reader with --reader, else on
    /// the emulated card).
    #[command(after_help = crate::card::EXIT_CODES_HELP)]
    Sign(SignArgs),
    /// Verify a signed consent (CMS, DER).
    Verify(VerifyArgs),
    /// The 10-year consent period from a consent date.
    Period(PeriodArgs),
}

/// The sample terms text used when no `--terms` file is given.
pub const SAMPLE_TERMS: &str =
    "住所変更ワンストップサービス等利用規約（mynasign の見本。実際の規約ではありません）\n\
本サービスの利用に同意します。";

/// Options of `mynasign consent sign`.
#[derive(Args)]
pub struct SignArgs {
    /// Where to write the CMS (DER).
    #[arg(long)]
    out: PathBuf,
    /// Consented items, comma-separated: address, name, date_of_birth.
    #[arg(long, default_value = "address,name,date_of_birth")]
    items: String,
    /// The holder's status: my_number_licence_only or driving_history_certificate_only.
    #[arg(long, default_value = "my_number_licence_only")]
    holder_status: String,
    /// licence_centre_kiosk or mynaportal.
    #[arg(long, default_value = "licence_centre_kiosk")]
    channel: String,
    /// The file holding the exact terms text shown to the holder (default: a sample text).
    #[arg(long)]
    terms: Option<PathBuf>,
    /// The terms' identifier.
    #[arg(long, default_value = "address-change-one-stop")]
    terms_id: String,
    /// The terms' version.
    #[arg(long, default_value = "1")]
    terms_version: String,
    /// The nonce or transaction id issued by the receiving service.
    #[arg(long)]
    nonce: String,
    /// Include the issuing CA certificate in the CMS.
    #[arg(long)]
    include_ca: bool,
    #[command(flatten)]
    emulated: crate::card::EmulatedArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    card: crate::card::CardArgs,
}

/// Options of `mynasign consent verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The CMS file (DER).
    file: PathBuf,
    /// Which roots to trust (ignored when --root is given).
    #[arg(long, default_value = "production")]
    trust: String,
    /// A root certificate (DER) to trust instead of --trust; repeat for several. Its family is
    /// the one its name says (an OU ending `for digital signature` or `for user
    /// authentication`, as the J-LIS roots'), else the signature family; --signature-root and
    /// --authentication-root say it explicitly.
    #[arg(long)]
    root: Vec<PathBuf>,
    /// A root certificate (DER) that issues signature certificates, whatever its name says;
    /// repeat for several.
    #[arg(long)]
    signature_root: Vec<PathBuf>,
    /// A root certificate (DER) that issues authentication certificates, whatever its name
    /// says; repeat for several.
    #[arg(long)]
    authentication_root: Vec<PathBuf>,
    /// When the consent was received (RFC 3339 `YYYY-MM-DDThh:mm:ssZ`): validity and
    /// revocation are judged then, and the signing time must agree. Default: now. For an
    /// archived consent, pass the receipt time recorded with it.
    #[arg(long, alias = "at")]
    received_at: Option<String>,
    /// A CRL (DER) to check revocation against; repeat for several.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// An OCSP response (DER) for the signer certificate.
    #[arg(long)]
    ocsp_response: Option<PathBuf>,
    /// The nonce sent in the OCSP request (hex), when one was sent.
    #[arg(long)]
    ocsp_nonce: Option<String>,
    /// The nonce the service issued: the document's must equal it.
    #[arg(long)]
    nonce: Option<String>,
    /// The channel of the procedure (`licence_centre_kiosk`, `mynaportal`): the document's
    /// must equal it.
    #[arg(long)]
    channel: Option<String>,
    /// The largest allowed difference between the signing time and the receipt time, in
    /// seconds.
    #[arg(long, default_value_t = 600)]
    max_skew_seconds: u64,
    /// Accept a consent whose revocation was not checked (no CRL or OCSP response applies).
    #[arg(long)]
    no_revocation_check: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Options of `mynasign ocsp request`.
#[derive(Args)]
pub struct OcspRequestArgs {
    /// The certificate (DER or PEM).
    cert: PathBuf,
    /// Where to write the DER request.
    #[arg(long)]
    out: PathBuf,
    /// Which roots to find the issuer among (ignored when --root is given).
    #[arg(long, default_value = "production")]
    trust: String,
    /// The issuing root (DER); repeat for several.
    #[arg(long)]
    root: Vec<PathBuf>,
    /// A nonce (hex, 1 to 32 bytes) to put in the request.
    #[arg(long)]
    nonce: Option<String>,
}

/// `mynasign ocsp request`.
pub fn ocsp_request(args: &OcspRequestArgs) -> CliResult {
    let cert = mynasign::cert::JpkiCertificate::from_pem_or_der(&std::fs::read(&args.cert)?)?;
    let verifier = mynasign::verify::Verifier::new(trust_store(&args.trust, &args.root)?);
    let nonce = args.nonce.as_deref().map(parse_hex).transpose()?;
    let der = verifier.ocsp_request(&cert, nonce.as_deref())?;
    std::fs::write(&args.out, der)?;
    Ok(())
}

/// Options of `mynasign consent period`.
#[derive(Args)]
pub struct PeriodArgs {
    /// The consent date, `YYYY-MM-DD` (Japan time).
    date: String,
    /// Remind this many days before the end.
    #[arg(long, default_value_t = 30)]
    reminder_days: u32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Builds the consent document from the flags.
pub fn build_consent(
    items: &str,
    holder_status: &str,
    channel: &str,
    terms: &Terms,
    nonce: &str,
) -> CliResult<Document> {
    let items: Vec<ConsentItem> = items
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| ConsentItem::parse(s.trim()).ok_or_else(|| format!("unknown item {s:?}")))
        .collect::<Result<_, _>>()?;
    Ok(Document::AddressChangeConsent(AddressChangeConsent {
        items: ConsentItems::new(&items)?,
        holder_status: HolderStatus::parse(holder_status)
            .ok_or_else(|| format!("unknown holder status {holder_status:?}"))?,
        terms: terms.clone(),
        channel: Channel::parse(channel).ok_or_else(|| format!("unknown channel {channel:?}"))?,
        nonce: Nonce::new(nonce)?,
        timestamp: Timestamp::now(),
    }))
}

/// Signs `document` on the emulated card of `persona` in `profile`.
pub fn sign_on_emulator(
    persona: &Persona,
    profile: Profile,
    config: EmulatorConfig,
    session: SessionOptions,
    document: &Document,
    include_ca: bool,
) -> CliResult<SignedConsent> {
    let card = Arc::new(EmulatedCard::from_image(
        persona.card_image(profile),
        config,
    ));
    let password = Pin::signature_password(persona.signature_password())?;
    let options = CardSignOptions {
        session,
        include_ca_certificate: include_ca,
        ..CardSignOptions::default()
    };
    Ok(sign_consent_on_card(card, document, &password, &options)?)
}

pub fn sign(args: &SignArgs) -> CliResult {
    let text = match &args.terms {
        Some(p) => std::fs::read(p)?,
        None => SAMPLE_TERMS.as_bytes().to_vec(),
    };
    let terms = Terms::from_text(&args.terms_id, &args.terms_version, &text)?;
    let document = build_consent(
        &args.items,
        &args.holder_status,
        &args.channel,
        &terms,
        &args.nonce,
    )?;
    let json = args.json;
    let options = CardSignOptions {
        include_ca_certificate: args.include_ca,
        last_attempt: args.card.last_attempt(),
        progress: (!json).then(|| Arc::new(crate::card::StderrProgress) as _),
        ..CardSignOptions::default()
    };
    let signed = crate::card::with_card(
        &args.card,
        &args.emulated,
        &[PinKind::SignaturePassword],
        json,
        Box::new(move |t, pins, _reader| {
            Ok(sign_consent_on_card(
                t,
                &document,
                pins.get(PinKind::SignaturePassword)?,
                &options,
            )?)
        }),
    )?;
    std::fs::write(&args.out, &signed.cms)?;
    if args.json {
        println!(
            "{}",
            json!({
                "out": args.out.display().to_string(),
                "cms_bytes": signed.cms.len(),
                "issuance_number": signed.certificate.issuance_number(),
                "apdu_exchanges": signed.stats.exchanges,
                "bytes_sent": signed.stats.bytes_sent,
                "bytes_received": signed.stats.bytes_received,
            })
        );
    } else {
        println!(
            "signed {} ({} bytes of CMS) in {} APDU exchanges",
            args.out.display(),
            signed.cms.len(),
            signed.stats.exchanges
        );
    }
    Ok(())
}

pub fn trust_level(s: &str) -> CliResult<TrustLevel> {
    Ok(match s {
        "production" => TrustLevel::Production,
        "test" => TrustLevel::Test,
        "emulator" => TrustLevel::Emulator,
        other => {
            return Err(format!("unknown trust {other:?} (production, test, emulator)").into())
        }
    })
}

fn system_time(t: Timestamp) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(t.unix_seconds().max(0) as u64)
}

fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::from_unix_seconds(secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The JSON view of a verified consent.
pub fn verified_json(v: &VerifiedConsent) -> Value {
    let a = v.signer_attributes();
    let doc: Value = serde_json::from_slice(&v.document.encode()).unwrap_or(Value::Null);
    json!({
        "valid": true,
        "consent_id": v.consent_id(),
        "document_type": v.document.kind().type_name(),
        "document": doc,
        "certificate_source": v.source.map(|s| s.to_string()),
        "certificate_kind": v.certificate_kind().as_str(),
        "issuance_number": v.issuance_number(),
        "name": a.map(|a| a.name.clone()),
        "sex": a.map(|a| a.sex.as_str()),
        "date_of_birth": a.map(|a| a.date_of_birth.to_string()),
        "address": a.map(|a| a.address.clone()),
        "signing_time": rfc3339(v.signature.signing_time),
        "evaluated_at": rfc3339(v.signature.evaluated_at),
        "received_at": rfc3339(v.signature.evaluated_at),
        "revocation": revocation_json(&v.signature.revocation),
        "issuer": v.signature.certificate.issuer(),
    })
}

/// How revocation was established, as JSON.
pub fn revocation_json(r: &RevocationStatus) -> Value {
    match r {
        RevocationStatus::Crl {
            this_update,
            next_update,
            number,
        } => json!({
            "method": "crl",
            "this_update": rfc3339(*this_update),
            "next_update": rfc3339(*next_update),
            "crl_number": number.as_ref().map(|n| hex(n)),
        }),
        RevocationStatus::Ocsp {
            produced_at,
            this_update,
            next_update,
        } => json!({
            "method": "ocsp",
            "produced_at": rfc3339(*produced_at),
            "this_update": rfc3339(*this_update),
            "next_update": next_update.map(rfc3339),
        }),
        _ => json!({ "method": "not_checked" }),
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses lowercase or uppercase hex.
pub fn parse_hex(s: &str) -> CliResult<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("not hex: {s:?}").into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| e.to_string().into()))
        .collect()
}

/// The trust store from `--root` files, or else from `--trust`.
pub fn trust_store(trust: &str, roots: &[PathBuf]) -> CliResult<TrustStore> {
    if roots.is_empty() {
        return Ok(TrustStore::for_level(trust_level(trust)?));
    }
    let mut with_families = Vec::new();
    for p in roots {
        with_families.push(root_with_family(std::fs::read(p)?)?);
    }
    Ok(TrustStore::custom_with_families(with_families)?)
}

/// A `--root` and its family: the one its name says (an OU ending `for digital signature` or
/// `for user authentication`, as the J-LIS roots'), else the signature family, because the
/// commands that take `--root` verify consents, which signature certificates sign. So a root
/// named as an authentication root never anchors a consent, and a test hierarchy with other
/// names still can.
fn root_with_family(der: Vec<u8>) -> CliResult<(Vec<u8>, CertificatePurpose)> {
    let family =
        CertificatePurpose::of_root_name(&mynasign::cert::JpkiCertificate::from_der(&der)?)
            .unwrap_or(CertificatePurpose::Signature);
    Ok((der, family))
}

pub fn verify(args: &VerifyArgs) -> CliResult {
    let cms = std::fs::read(&args.file)?;
    let mut crls = Vec::new();
    for p in &args.crl {
        crls.push(std::fs::read(p)?);
    }
    let channel =
        match args.channel.as_deref() {
            None => None,
            Some(c) => Some(Channel::parse(c).ok_or_else(|| {
                format!("unknown channel {c:?} (licence_centre_kiosk, mynaportal)")
            })?),
        };
    let trust = if args.signature_root.is_empty() && args.authentication_root.is_empty() {
        trust_store(&args.trust, &args.root)?
    } else {
        let mut roots = Vec::new();
        for p in &args.root {
            roots.push(root_with_family(std::fs::read(p)?)?);
        }
        for (paths, family) in [
            (&args.signature_root, CertificatePurpose::Signature),
            (
                &args.authentication_root,
                CertificatePurpose::Authentication,
            ),
        ] {
            for p in paths {
                roots.push((std::fs::read(p)?, family));
            }
        }
        TrustStore::custom_with_families(roots)?
    };
    let options = VerifyOptions {
        trust,
        received_at: args
            .received_at
            .as_deref()
            .map(Timestamp::parse)
            .transpose()?
            .map(system_time),
        crls,
        ocsp_response: args.ocsp_response.as_ref().map(std::fs::read).transpose()?,
        ocsp_nonce: args.ocsp_nonce.as_deref().map(parse_hex).transpose()?,
        nonce: args.nonce.clone(),
        channel,
        max_skew: Duration::from_secs(args.max_skew_seconds),
        require_revocation: !args.no_revocation_check,
    };
    match verify_consent(&cms, &options) {
        Ok(v) => {
            let j = verified_json(&v);
            if args.json {
                println!("{j}");
            } else {
                println!(
                    "valid: {} signed by certificate {} ({})",
                    v.document.kind(),
                    v.issuance_number(),
                    v.source
                        .map_or("neither card nor smartphone".into(), |s| s.to_string())
                );
                println!("signing time {}", rfc3339(v.signature.signing_time));
                println!(
                    "revocation {}",
                    revocation_json(&v.signature.revocation)["method"]
                        .as_str()
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    json!({
                        "valid": false,
                        "code": e.code(),
                        "reason": format!("{e:?}"),
                        "message": e.to_string(),
                    })
                );
            }
            Err(Box::new(e))
        }
    }
}

pub fn period(args: &PeriodArgs) -> CliResult {
    let date = Date::parse_iso(&args.date).map_err(|_| format!("not a date: {:?}", args.date))?;
    let p = ConsentPeriod::new(date)?;
    let reminder = p.reminder_date(args.reminder_days);
    if args.json {
        println!(
            "{}",
            json!({
                "consent_date": p.consent_date().to_string(),
                "first_day": p.first_day().to_string(),
                "last_day": p.last_day().to_string(),
                "reminder_date": reminder.to_string(),
            })
        );
    } else {
        println!("consent date  {}", p.consent_date());
        println!("first day     {}", p.first_day());
        println!("last day      {}", p.last_day());
        println!(
            "reminder      {reminder} ({} days before the end)",
            args.reminder_days
        );
    }
    Ok(())
}
