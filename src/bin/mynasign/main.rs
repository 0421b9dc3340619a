//! `mynasign`: the command-line tool (feature `cli`).
//!
//! - `mynasign demo [--json]`: the whole flow on the built-in emulated card.
//! - `mynasign cert show FILE [--json]`: a certificate as the typed JPKI view.
//! - `mynasign info parse FILE [--json]`: a basic-four-attributes record (EF `0002`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mynasign: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Boxed errors for the CLI: the library's typed errors, I/O errors and usage errors.
pub(crate) type CliResult<T = ()> = Result<T, Box<dyn std::error::Error>>;
