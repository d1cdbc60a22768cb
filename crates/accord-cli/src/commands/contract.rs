//! `accord contract check`: validates contract files and reports every
//! problem with its position (SPEC §2).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_core::contract::Contract;
use accord_core::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use serde::Serialize;

use crate::cli::{CheckArgs, ContractCommand, OutputFormat};

pub fn run(cmd: ContractCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ContractCommand::Check(args) => check(&args),
    }
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
