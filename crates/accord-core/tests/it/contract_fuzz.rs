//! The contract parser never panics, whatever it is given: arbitrary
//! text, arbitrary bytes read as text, and mutations of a valid contract
//! (bounded case counts, so it runs in CI in seconds).

use accord_core::contract::Contract;
use accord_core::diagnostic::SourceFile;
use proptest::prelude::*;

const ACME: &str = include_str!("../../../../examples/acme.contract.toml");

fn parse(text: &str) -> Result<Contract, accord_core::diagnostic::Diagnostics> {
    let src = SourceFile::new("fuzz.toml", text);
    Contract::parse(&src, &mut |_| {
        Ok("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into())
    })
}

/// Every diagnostic points inside the text it describes.
fn check_positions(text: &str) {
    if let Err(d) = parse(text) {
        assert!(
            !d.0.is_empty(),
            "an error must carry at least one diagnostic"
        );
        let lines = text.split('\n').count().max(1);
        for diag in d.0 {
            assert!(
                diag.line >= 1 && diag.line <= lines,
                "line {} of {lines}",
                diag.line
            );
            assert!(diag.column >= 1);
            let _ = diag.to_string();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_positions(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_positions(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn toml_shaped_noise_never_panics(
        lines in proptest::collection::vec(
            "(\\[{1,2}[a-z_.]{1,20}\\]{1,2}|[a-z_]{1,12} = (\"[^\"\\n]{0,12}\"|[0-9.\\-:T]{1,12}|\\[[^\\]\\n]{0,20}\\]|\\{[^}\\n]{0,20}\\}|true))",
            0..40,
        )
    ) {
        check_positions(&lines.join("\n"));
    }

    #[test]
    fn mutations_of_a_valid_contract_never_panic(
        cuts in proptest::collection::vec((0..ACME.len(), 0..ACME.len(), "[\\PC\\n]{0,8}"), 1..4)
    ) {
        let mut text = ACME.to_string();
        for (a, b, insert) in cuts {
            let (a, b) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            let (a, b) = (floor(&text, a), floor(&text, b));
            // Keep the change small: replace at most 12 bytes.
            let b = floor(&text, b.min(a + 12));
            text.replace_range(a..b, &insert);
        }
        check_positions(&text);
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[test]
fn truncations_of_a_valid_contract_never_panic() {
    for end in (0..ACME.len()).filter(|&i| ACME.is_char_boundary(i)) {
        check_positions(&ACME[..end]);
    }
}
