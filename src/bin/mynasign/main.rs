//! `mynasign`: the command-line tool (feature `cli`).
//!
//! - `mynasign demo [--json]`: the whole flow on the built-in emulated card.
//! - `mynasign cert show FILE [--json]`: a certificate as the typed JPKI view.
//! - `mynasign info parse FILE [--json]`: a basic-four-attributes record (EF `0002`).
//! - `mynasign consent sign|verify|period`: consent documents.
//! - `mynasign emulator export-ca FILE`: the emulator's roots, PEM.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod consent;
mod demo;
mod show;

/// The My Number Card JPKI client: demo, certificate and record inspection.
#[derive(Parser)]
#[command(name = "mynasign", version, about)]
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
}

#[derive(Subcommand)]
enum EmulatorCommand {
    /// Write the emulator's root certificates (PEM) so other tools can verify.
    ExportCa {
        /// The PEM file to write (signature root, then authentication root).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum CertCommand {
    /// Show a DER or PEM certificate as the typed JPKI view.
    Show(show::FileArgs),
}

#[derive(Subcommand)]
enum InfoCommand {
    /// Parse a basic-four-attributes record as read from EF 0002.
    Parse(show::FileArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Cert {
            command: CertCommand::Show(args),
        } => show::cert(&args),
        Command::Info {
            command: InfoCommand::Parse(args),
        } => show::info(&args),
        Command::Consent { command } => match command {
            consent::ConsentCommand::Sign(a) => consent::sign(&a),
            consent::ConsentCommand::Verify(a) => consent::verify(&a),
            consent::ConsentCommand::Period(a) => consent::period(&a),
        },
        Command::Emulator {
            command: EmulatorCommand::ExportCa { file },
        } => export_ca(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mynasign: {e}");
            ExitCode::FAILURE
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
