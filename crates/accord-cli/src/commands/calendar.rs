//! `accord calendar …`: business-time arithmetic from the command line and
//! in streamed batches (SPEC §3, §10).

use std::borrow::Cow;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use accord_core::BusinessDuration;
use accord_core::calendar::{Calendar, CalendarError};
use accord_core::contract::Contract;
use anyhow::anyhow;
use jiff::Timestamp;
use serde::Deserialize;

use super::load_contract;
use crate::cli::{CalendarArgs, CalendarCommand, DurationArgs};

pub fn run(cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CalendarCommand::Deadline(args) => {
            let duration = match args.duration {
                DurationArgs {
                    minutes: Some(m), ..
                } => BusinessDuration::from_mins(m),
                DurationArgs {
                    seconds: Some(s), ..
                } => BusinessDuration::from_secs(s),
                DurationArgs { .. } => return Err(anyhow!("give --minutes or --seconds")),
            }
            .map_err(|e| anyhow!("invalid duration: {e}"))?;
            answer_one(&args.at, |start| Ok(Question::Deadline { start, duration }))
        }
        CalendarCommand::Elapsed(args) => answer_one(&args.at, |start| {
            let end = parse_instant(&args.end).map_err(|e| anyhow!("--end: {e}"))?;
            Ok(Question::Elapsed { start, end })
        }),
        CalendarCommand::Batch(args) => {
            let contract = load_contract(&args.contract)?;
            let stdin = io::stdin().lock();
            let stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            batch(&contract, stdin, stdout)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One business-time question.
#[derive(Debug, Clone, Copy)]
enum Question {
    Deadline {
        start: Timestamp,
        duration: BusinessDuration,
    },
    Elapsed {
        start: Timestamp,
        end: Timestamp,
    },
}

/// Its answer.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Instant(Timestamp),
    Seconds(i64),
}

impl Question {
    fn answer(self, calendar: &Calendar) -> Result<Answer, CalendarError> {
        match self {
            Question::Deadline { start, duration } => {
                calendar.deadline(start, duration).map(Answer::Instant)
            }
            Question::Elapsed { start, end } => calendar
                .elapsed(start, end)
                .map(|d| Answer::Seconds(d.as_secs())),
        }
    }
}

fn answer_one(
    args: &CalendarArgs,
    question: impl FnOnce(Timestamp) -> anyhow::Result<Question>,
) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract.contract)?;
    let calendar = find_calendar(&contract, &args.calendar).map_err(|e| anyhow!(e))?;
    let start = parse_instant(&args.start).map_err(|e| anyhow!("--start: {e}"))?;
    match question(start)?.answer(calendar)? {
        Answer::Instant(t) => println!("{t}"),
        Answer::Seconds(s) => println!("{s}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn find_calendar<'c>(contract: &'c Contract, name: &str) -> Result<&'c Calendar, String> {
    contract.calendar(name).ok_or_else(|| {
        let names: Vec<&str> = contract.calendars().keys().map(String::as_str).collect();
        format!(
            "the contract has no calendar `{name}` (it has: {})",
            names.join(", ")
        )
    })
}

/// An RFC 3339 instant with any offset, taken to the whole second.
pub(super) fn parse_instant(text: &str) -> Result<Timestamp, String> {
    let t = accord_core::instant::parse(text.trim()).map_err(|e| {
        format!("`{text}` is not an RFC 3339 instant such as 2026-03-02T09:00:00Z ({e})")
    })?;
    Timestamp::from_second(t.as_second()).map_err(|e| e.to_string())
}

/// One line of a batch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    calendar: Cow<'a, str>,
    #[serde(borrow)]
    op: Cow<'a, str>,
    #[serde(borrow)]
    start: Cow<'a, str>,
    #[serde(borrow, default)]
    end: Option<Cow<'a, str>>,
    minutes: Option<i64>,
    seconds: Option<i64>,
}

impl Line<'_> {
    fn question(&self) -> Result<Question, String> {
        let start = parse_instant(&self.start).map_err(|e| format!("`start`: {e}"))?;
        match &*self.op {
            "deadline" => {
                if self.end.is_some() {
                    return Err("a deadline takes no `end`".into());
                }
                let duration = match (self.minutes, self.seconds) {
                    (Some(m), None) => BusinessDuration::from_mins(m),
                    (None, Some(s)) => BusinessDuration::from_secs(s),
                    (None, None) => return Err("a deadline needs `minutes` or `seconds`".into()),
                    (Some(_), Some(_)) => {
                        return Err("give either `minutes` or `seconds`, not both".into());
                    }
                }
                .map_err(|e| format!("invalid duration: {e}"))?;
                Ok(Question::Deadline { start, duration })
            }
            "elapsed" => {
                if self.minutes.is_some() || self.seconds.is_some() {
                    return Err("elapsed takes `start` and `end`, not a duration".into());
                }
                let end = self.end.as_deref().ok_or("elapsed needs an `end`")?;
                let end = parse_instant(end).map_err(|e| format!("`end`: {e}"))?;
                Ok(Question::Elapsed { start, end })
            }
            other => Err(format!(
                "unknown op `{other}`: use \"deadline\" or \"elapsed\""
            )),
        }
    }
}

/// Answers each JSON line of `input` with one JSON line on `output`, in
/// order; a bad line gets an `{"error": …}` line and the batch goes on.
fn batch(contract: &Contract, mut input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    let mut number = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        let line = trim_newline(&buf);
        match answer_line(contract, line) {
            Ok(Answer::Instant(t)) => writeln!(output, "{{\"result\":\"{t}\"}}")?,
            Ok(Answer::Seconds(s)) => writeln!(output, "{{\"result\":{s}}}")?,
            Err(why) => {
                let message = format!("line {number}: {why}");
                output.write_all(b"{\"error\":")?;
                serde_json::to_writer(&mut output, &message)?;
                output.write_all(b"}\n")?;
            }
        }
    }
    output.flush()
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn answer_line(contract: &Contract, line: &[u8]) -> Result<Answer, String> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err("empty line: expected a JSON object".into());
    }
    let parsed: Line<'_> =
        serde_json::from_slice(line).map_err(|e| format!("not a valid request: {e}"))?;
    let calendar = find_calendar(contract, &parsed.calendar)?;
    let question = parsed.question()?;
    question.answer(calendar).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::diagnostic::SourceFile;

    fn contract() -> Contract {
        let src = SourceFile::new(
            "t.toml",
            "id = \"t\"\nclient = \"T\"\neffective_from = 2026-01-01\n[priorities.p]\ncalendar = \"support\"\nresolution = \"8h\"\n[calendars.support]\ntimezone = \"Europe/Berlin\"\nmon = [\"09:00-17:00\"]\ntue = [\"09:00-17:00\"]\nwed = [\"09:00-17:00\"]\nthu = [\"09:00-17:00\"]\nfri = [\"09:00-17:00\"]\n",
        );
        Contract::parse(&src, &mut |_| unreachable!()).unwrap()
    }

    fn run_batch(input: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        batch(&contract(), input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn every_input_line_gets_exactly_one_answer_in_order() {
        let out = run_batch(concat!(
            "{\"calendar\":\"support\",\"op\":\"deadline\",\"start\":\"2026-01-02T16:00:00+01:00\",\"minutes\":120}\n",
            "\n",
            "{\"calendar\":\"nope\",\"op\":\"deadline\",\"start\":\"2026-01-02T15:00:00Z\",\"minutes\":1}\n",
            "not json\r\n",
            "{\"calendar\":\"support\",\"op\":\"elapsed\",\"start\":\"2026-01-02T15:00:00Z\",\"end\":\"2026-01-05T09:00:00Z\"}",
        ));
        assert_eq!(out.len(), 5);
        assert_eq!(out[0]["result"], "2026-01-05T09:00:00Z");
        assert!(
            out[1]["error"]
                .as_str()
                .unwrap()
                .starts_with("line 2: empty line")
        );
        assert!(
            out[2]["error"]
                .as_str()
                .unwrap()
                .contains("line 3: the contract has no calendar `nope`")
        );
        assert!(
            out[3]["error"]
                .as_str()
                .unwrap()
                .starts_with("line 4: not a valid request")
        );
        assert_eq!(out[4]["result"], 7200);
    }

    #[test]
    fn malformed_requests_name_the_problem() {
        let cases = [
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02T15:00:00Z"}"#,
                "needs `minutes` or `seconds`",
            ),
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02T15:00:00Z","minutes":1,"seconds":1}"#,
                "not both",
            ),
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02T15:00:00Z","minutes":-1}"#,
                "cannot be negative",
            ),
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02 15:00","minutes":1}"#,
                "`start`",
            ),
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02T15:00:00Z","minutes":1.5}"#,
                "not a valid request",
            ),
            (
                r#"{"calendar":"support","op":"deadline","start":"2026-01-02T15:00:00Z","minute":1}"#,
                "unknown field `minute`",
            ),
            (
                r#"{"calendar":"support","op":"elapsed","start":"2026-01-02T15:00:00Z"}"#,
                "needs an `end`",
            ),
            (
                r#"{"calendar":"support","op":"elapsed","start":"2026-01-05T15:00:00Z","end":"2026-01-02T15:00:00Z"}"#,
                "before start",
            ),
            (
                r#"{"calendar":"support","op":"add","start":"2026-01-02T15:00:00Z"}"#,
                "unknown op `add`",
            ),
        ];
        for (input, expected) in cases {
            let out = run_batch(input);
            let err = out[0]["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{input} gave {:?}", out[0]));
            assert!(
                err.starts_with("line 1: ") && err.contains(expected),
                "{input}: {err}"
            );
        }
    }
}
