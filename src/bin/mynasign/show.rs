use std::path::PathBuf;

use clap::Args;
use mynasign::attributes::BasicFourAttributes;
use mynasign::card_info::parse_attributes_record;
use mynasign::cert::JpkiCertificate;
use serde_json::{json, Value};

use crate::output::{cert_json, print_text};
use crate::CliResult;

/// A file argument with `--json`.
#[derive(Args)]
pub struct FileArgs {
    /// The file to read.
    file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn attributes_json(a: &BasicFourAttributes) -> Value {
    json!({
        "name": a.name,
        "sex": a.sex.as_str(),
        "date_of_birth": a.date_of_birth.to_string(),
        "address": a.address,
    })
}

/// Options of `mynasign cert show`.
#[derive(Args)]
pub struct CertShowArgs {
    /// The certificate file (DER or PEM). Without it, the certificate is read from the card
    /// (`--reader`, or the built-in emulated card).
    file: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    card: crate::oncard::CardCertArgs,
}

pub fn cert_show(args: &CertShowArgs) -> CliResult {
    match &args.file {
        Some(file) if args.card.card.reader.is_none() => cert(&FileArgs {
            file: file.clone(),
            json: args.json,
        }),
        Some(_) => Err("give a certificate file or --reader, not both".into()),
        None => crate::oncard::cert_from_card(&args.card, args.json),
    }
}

pub fn cert(args: &FileArgs) -> CliResult {
    let bytes = std::fs::read(&args.file)?;
    let cert = JpkiCertificate::from_pem_or_der(&bytes)?;
    let v = cert_json(&cert);
    if args.json {
        println!("{v}");
    } else {
        print_text(&v);
    }
    Ok(())
}

pub fn info(args: &FileArgs) -> CliResult {
    let bytes = zeroize::Zeroizing::new(std::fs::read(&args.file)?);
    let attrs = parse_attributes_record(&bytes)?;
    let v = attributes_json(&attrs);
    if args.json {
        println!("{v}");
    } else {
        print_text(&v);
    }
    Ok(())
}
