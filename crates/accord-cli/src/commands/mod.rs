//! Each command's work, called from `main` with the parsed command line.

mod calendar;
mod clocks;
mod contract;
mod demo;
mod entries_file;
mod events_file;
mod invoice;
mod invoice_document;
mod milestones;
mod report;
mod server;

use std::path::Path;
use std::process::ExitCode;

use accord_core::contract::Contract;
use accord_core::diagnostic::SourceFile;
use anyhow::Context;

use crate::cli::{Cli, Command};

/// Runs the command and says how the process should exit.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Calendar(cmd) => calendar::run(cmd),
        Command::Clocks(args) => clocks::run(args),
        Command::Contract(cmd) => contract::run(cmd),
        Command::Milestones(args) => milestones::run(args),
        Command::Invoice(args) => invoice::run(args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => server::serve(args),
        Command::Migrate(args) => server::migrate(args),
        Command::User(cmd) => server::user(cmd),
        Command::Token(cmd) => server::token(cmd),
    }
}

/// Reads and validates a contract file, with its holiday files from disk.
/// Invalid contracts come back as an error that prints every diagnostic.
pub fn load_contract(path: &Path) -> anyhow::Result<Contract> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read contract `{}`", path.display()))?;
    let src = SourceFile::new(path, text);
    Ok(Contract::parse(&src, &mut |p| std::fs::read_to_string(p))?)
}

/// Renders a document to PDF.
#[cfg(feature = "pdf")]
pub fn pdf(doc: &accord_docs::Document) -> anyhow::Result<Vec<u8>> {
    accord_pdf::render(doc).map_err(|e| anyhow::anyhow!("cannot produce the PDF: {e}"))
}

/// Without the `pdf` feature there is no PDF renderer in the binary.
#[cfg(not(feature = "pdf"))]
pub fn pdf(_doc: &accord_docs::Document) -> anyhow::Result<Vec<u8>> {
    anyhow::bail!("this accord was built without PDF support; rebuild with `--features pdf`")
}
