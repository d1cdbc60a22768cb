//! What every test of the binary needs: the real `accord`, the example
//! files, and scratch directories.

use std::path::PathBuf;

use assert_cmd::Command;

/// The `accord` binary built by this test run.
pub fn accord() -> Command {
    Command::cargo_bin("accord").unwrap()
}

/// The path of a file in the repository's `examples/`.
pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// `example` as a string argument.
pub fn example_arg(name: &str) -> String {
    example(name).to_str().unwrap().to_string()
}

/// Runs `accord ARGS`, asserts success and returns stdout.
pub fn stdout_of(args: &[&str]) -> String {
    let out = accord().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh directory for the calling test (named after its thread, so
/// tests running in parallel never share one).
pub fn scratch_dir() -> PathBuf {
    let test = std::thread::current()
        .name()
        .unwrap_or("t")
        .replace("::", "-");
    let dir = std::env::temp_dir().join(format!("accord-it-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The words of a PDF, read back with poppler's `pdftotext`, joined by
/// single spaces; `None` (after saying so) when `pdftotext` is missing
/// locally. In CI a missing `pdftotext` fails the test.
#[cfg(feature = "pdf")]
pub fn pdf_words(pdf: &std::path::Path) -> Option<String> {
    let text = match std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8(o.stdout).unwrap(),
        _ if std::env::var_os("CI").is_some() => {
            panic!("pdftotext is required in CI (apt-get install poppler-utils)")
        }
        _ => {
            eprintln!("skipping the text check: install poppler-utils for pdftotext");
            return None;
        }
    };
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}
