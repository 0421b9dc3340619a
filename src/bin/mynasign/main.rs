//! `mynasign`: the command-line tool (feature `cli`).
//!
//! - `mynasign demo [--json]`: the whole flow on the built-in emulated card.
//! - `mynasign cert show FILE [--json]`: a certificate as the typed JPKI view.
//! - `mynasign info parse FILE [--json]`: a basic-four-attributes record (EF `0002`).
//! - `mynasign info verify`, `mynasign info read --authentic`: the basic four with the
//!   card-info application's integrity record, certificate and the card's presence.
//! - `mynasign consent sign|verify|period`: consent documents.
//! - `mynasign ocsp request CERT --out FILE`: the DER OCSP request for a certificate.
//! - `mynasign emulator export-ca FILE`: the emulator's roots, PEM.
//! - `mynasign auth challenge|sign|verify|verify-certificate`: logins with the
//!   user-authentication certificate; `mynasign emulator ocsp`: the emulator's OCSP answers.
//! - `mynasign emulator serve`: the emulated card in vsmartcard's virtual PC/SC reader.
//! - `mynasign reader list`, `mynasign pin status`, `mynasign linkage check`, and
//!   `--reader [NAME]` on `cert show` and `consent sign` (feature `pcsc`): a card in a PC/SC
//!   reader.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod auth;
mod card;
mod consent;
mod demo;
mod info;
mod oncard;
mod output;
mod show;

/// The My Number Card JPKI client: demo, certificate and record inspection.
#[derive(Parser)]
#[command(name = "mynasign", version, about, after_help = card::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the end-to-end flow on the built-in emulated card.
    Demo(demo::DemoArgs),
    /// Certificates.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// Basic-four-attributes records read from the card-info input support application.
    Info {
        #[command(subcommand)]
        command: InfoCommand,
    },
    /// Consent documents: sign, verify, the consent period.
    Consent {
        #[command(subcommand)]
        command: consent::ConsentCommand,
    },
    /// The emulated card.
    Emulator {
        #[command(subcommand)]
        command: EmulatorCommand,
    },
    /// PC/SC card readers.
    Reader {
        #[command(subcommand)]
        command: ReaderCommand,
    },
    /// PINs on the card.
    Pin {
        #[command(subcommand)]
        command: PinCommand,
    },
    /// The Mynaportal linkage.
    Linkage {
        #[command(subcommand)]
        command: LinkageCommand,
    },
    /// Logins with the user-authentication certificate: challenge, sign, verify.
    Auth {
        #[command(subcommand)]
        command: auth::AuthCommand,
    },
    /// OCSP (RFC 6960): requests to send with your own HTTP client.
    Ocsp {
        #[command(subcommand)]
        command: OcspCommand,
    },
}

#[derive(Subcommand)]
enum OcspCommand {
    /// Write the DER OCSP request for a certificate (SHA-256 CertID) issued by a trusted
    /// root.
    Request(consent::OcspRequestArgs),
}

#[derive(Subcommand)]
enum ReaderCommand {
    /// List the PC/SC readers and the cards in them.
    List {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PinCommand {
    /// The retry counters of the signature password and the authentication PIN (no attempt
    /// is used).
    #[command(after_help = card::EXIT_CODES_HELP)]
    Status(oncard::PinStatusArgs),
}

#[derive(Subcommand)]
enum LinkageCommand {
    /// Check that the card-info attributes equal the signature certificate's (needs the
    /// card-info PIN and the signature password).
    #[command(after_help = card::EXIT_CODES_HELP)]
    Check(oncard::LinkageArgs),
}

#[derive(Subcommand)]
enum EmulatorCommand {
    /// Write the emulator's root certificates (PEM) so other tools can verify.
    ExportCa {
        /// The PEM file to write (signature root, then authentication root).
        file: std::path::PathBuf,
    },
    /// Serve the emulated card to vsmartcard's virtual reader (vpcd), so every PC/SC program
    /// sees it in a reader. Runs until stopped.
    Serve(oncard::ServeArgs),
    /// Write the emulator's card-verifiable CA key (its key id, then the key as `90 <e> 91
    /// <n>`), for services that verify the emulated card's card-info evidence.
    ExportCvcCa {
        /// The file to write.
        file: std::path::PathBuf,
    },
    /// Write a current CRL of the emulator's signature root (DER): it lists the persona's
    /// signature certificate when the persona file gives `revoked_at`.
    Crl(oncard::CrlArgs),
    /// Write the emulator CA's OCSP response (DER) about one of its certificates: good, or
    /// revoked with --revoked-at; signed by the root that issued it.
    Ocsp(auth::EmulatorOcspArgs),
}

#[derive(Subcommand)]
enum CertCommand {
    /// Show a certificate as the typed JPKI view: from a DER or PEM file, or read from the
    /// card (`--reader`, else the built-in emulated card).
    #[command(after_help = card::EXIT_CODES_HELP)]
    Show(show::CertShowArgs),
}

#[derive(Subcommand)]
enum InfoCommand {
    /// Parse a basic-four-attributes record as read from EF 0002.
    Parse(show::FileArgs),
    /// Verify the basic four read earlier against the card-info integrity record and the
    /// application's certificate (exit 0 only when authentic).
    Verify(info::VerifyArgs),
    /// Read the basic four from a card (or the emulated card) with what proves them, and
    /// verify them, the card's presence included.
    #[command(after_help = card::EXIT_CODES_HELP)]
    Read(info::ReadArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Cert {
            command: CertCommand::Show(args),
        } => show::cert_show(&args),
        Command::Info {
            command: InfoCommand::Parse(args),
        } => show::info(&args),
        Command::Info {
            command: InfoCommand::Verify(args),
        } => info::verify(&args),
        Command::Info {
            command: InfoCommand::Read(args),
        } => info::read(&args),
        Command::Consent { command } => match command {
            consent::ConsentCommand::Sign(a) => consent::sign(&a),
            consent::ConsentCommand::Verify(a) => consent::verify(&a),
            consent::ConsentCommand::Period(a) => consent::period(&a),
        },
        Command::Emulator {
            command: EmulatorCommand::ExportCa { file },
        } => export_ca(&file),
        Command::Emulator {
            command: EmulatorCommand::Serve(args),
        } => oncard::serve(&args),
        Command::Emulator {
            command: EmulatorCommand::Crl(args),
        } => oncard::crl(&args),
        Command::Emulator {
            command: EmulatorCommand::ExportCvcCa { file },
        } => std::fs::write(file, mynasign::emulator::EmulatorCvcCa::shared().ca_file())
            .map_err(Into::into),
        Command::Emulator {
            command: EmulatorCommand::Ocsp(args),
        } => auth::emulator_ocsp(&args),
        Command::Auth { command } => match command {
            auth::AuthCommand::Challenge(a) => auth::challenge(&a),
            auth::AuthCommand::Sign(a) => auth::sign(&a),
            auth::AuthCommand::Verify(a) => auth::verify(&a),
            auth::AuthCommand::VerifyCertificate(a) => auth::verify_certificate(&a),
        },
        Command::Reader {
            command: ReaderCommand::List { json },
        } => card::list_readers(json),
        Command::Pin {
            command: PinCommand::Status(args),
        } => oncard::pin_status(&args),
        Command::Linkage {
            command: LinkageCommand::Check(args),
        } => oncard::linkage_check(&args),
        Command::Ocsp {
            command: OcspCommand::Request(args),
        } => consent::ocsp_request(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mynasign: {e}");
            ExitCode::from(card::exit_code(e.as_ref()))
        }
    }
}

fn export_ca(file: &std::path::Path) -> CliResult {
    let ca = mynasign::emulator::EmulatorCa::shared();
    let pem = format!("{}{}", ca.signature_ca_pem(), ca.authentication_ca_pem());
    std::fs::write(file, pem)?;
    Ok(())
}

/// Boxed errors for the CLI: the library's typed errors, I/O errors and usage errors.
pub(crate) type CliResult<T = ()> = Result<T, Box<dyn std::error::Error>>;
