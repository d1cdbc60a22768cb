//! `accord contract check`: validates contract files and reports every
//! problem with its position (SPEC §2).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_core::contract::Contract;
use accord_core::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use serde::Serialize;

use crate::cli::{
    CheckArgs, ContractCommand, DiffArgs, DocumentFormat, ExportArgs, ExportFormat, OutputFormat,
    RenderArgs, ReviewDueArgs,
};

pub fn run(cmd: ContractCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ContractCommand::Check(args) => check(&args),
        ContractCommand::Render(args) => render(&args),
        ContractCommand::Diff(args) => diff(&args),
        ContractCommand::ReviewDue(args) => review_due(&args),
        ContractCommand::Export(args) => export(&args),
    }
}

/// `accord contract export`: the objectives in another tool's format.
fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let contract = super::load_contract(&args.file)?;
    let text = match args.format {
        ExportFormat::Openslo => accord_docs::openslo::openslo(&contract),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord contract render`: the SLA appendix as HTML, Markdown or PDF.
fn render(args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let contract = super::load_contract(&args.file)?;
    let doc = accord_docs::appendix(&contract);
    let bytes = match args.format {
        DocumentFormat::Html => accord_docs::html::render(&doc).into_bytes(),
        DocumentFormat::Md => accord_docs::markdown::render(&doc).into_bytes(),
        DocumentFormat::Pdf => super::pdf(&doc)?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord contract diff`: every change in plain words; fails when there
/// are changes and the amendment does not take effect after the version it
/// replaces.
fn diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let old = super::load_contract(&args.old)?;
    let new = super::load_contract(&args.new)?;
    let changes = accord_docs::diff::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    if changes.is_empty() {
        // The same terms: nothing to amend, and nothing wrong with that.
        writeln!(out, "no changes")?;
        return Ok(ExitCode::SUCCESS);
    }
    for change in &changes {
        writeln!(out, "{change}")?;
    }
    if new.effective_from() <= old.effective_from() {
        eprintln!(
            "error: the amendment must take effect after the version it replaces: effective_from {} is not after {}",
            new.effective_from(),
            old.effective_from()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord contract review-due`: the next review date from the cadence.
fn review_due(args: &ReviewDueArgs) -> anyhow::Result<ExitCode> {
    let contract = super::load_contract(&args.file)?;
    let today = match &args.today {
        Some(text) => text.parse::<jiff::civil::Date>().map_err(|e| {
            anyhow::anyhow!("--today: `{text}` is not a date such as 2026-03-20 ({e})")
        })?,
        None => jiff::ZonedDateTime::now().date(),
    };
    let id = contract.id();
    let Some(cadence) = contract.review_every() else {
        println!("{id}: no review cadence agreed (add review_every = \"quarterly\")");
        return Ok(ExitCode::SUCCESS);
    };
    match contract.identity().next_review(today) {
        Some(due) => {
            let days = (due - today).get_days();
            let when = match days {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                n => format!("in {n} days"),
            };
            println!("{id}: next review due {due} ({cadence}), {when}");
        }
        None => println!(
            "{id}: no review due before the contract ends{}",
            contract
                .effective_until()
                .map_or(String::new(), |d| format!(" on {d}"))
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// One problem, as printed by `--format json`.
#[derive(Debug, Serialize)]
struct Problem {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    help: Option<String>,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            file: d.file.display().to_string(),
            line: Some(d.line),
            column: Some(d.column),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// Why a file is not a valid contract.
enum Failure {
    Unreadable(String),
    Invalid(Diagnostics),
}

fn check_file(path: &Path) -> Result<(), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::Unreadable(format!("cannot read contract `{}`: {e}", path.display()))
    })?;
    let src = SourceFile::new(path, text);
    Contract::parse(&src, &mut |p| std::fs::read_to_string(p))
        .map(drop)
        .map_err(Failure::Invalid)
}

fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    let mut all_ok = true;
    let mut problems = Vec::new();
    for path in &args.files {
        let result = check_file(path);
        all_ok &= result.is_ok();
        match (args.format, result) {
            (OutputFormat::Text, Ok(())) => writeln!(stdout, "{}: ok", path.display())?,
            (OutputFormat::Text, Err(Failure::Unreadable(msg))) => eprintln!("error: {msg}\n"),
            (OutputFormat::Text, Err(Failure::Invalid(d))) => {
                let n = d.0.len();
                eprintln!("{d}\n");
                eprintln!(
                    "{}: {n} problem{}\n",
                    path.display(),
                    if n == 1 { "" } else { "s" }
                );
            }
            (OutputFormat::Json, Ok(())) => {}
            (OutputFormat::Json, Err(Failure::Unreadable(message))) => problems.push(Problem {
                file: path.display().to_string(),
                line: None,
                column: None,
                message,
                help: None,
            }),
            (OutputFormat::Json, Err(Failure::Invalid(d))) => {
                problems.extend(d.0.iter().map(Problem::from));
            }
        }
    }
    if args.format == OutputFormat::Json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(&problems)?)?;
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
