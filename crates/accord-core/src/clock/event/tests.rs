//! Unit tests of the event readers: both JSON paths, the CSV columns, and
//! the fast scanners against what they must agree with.

use super::fields::{parse_instant, parse_utc_seconds};
use super::members::Members;
use super::scan::{string_end, string_end_bytewise};
use super::*;
use jiff::Timestamp;

fn err(line: &str) -> EventError {
    TicketEvent::from_json_line(line).unwrap_err()
}

#[test]
fn json_events_of_every_kind_parse() {
    let text = r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"high","id":"e1","by":"ana"}
{"ticket":"T-1","kind":"paused","at":"2026-03-02T09:00:00.750+01:00","reason":"approval","waiting_on":"client approver","note":"quote sent"}

{"ticket":"T-1","kind":"resumed","at":"2026-03-02T09:00:00Z","note":null}
{"ticket":"T-1","kind":"priority_changed","at":"2026-03-02T09:00:00Z","priority":"critical"}
{"ticket":"T-1","kind":"replied","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"client_replied","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"resolved","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"reopened","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"closed","at":"2026-03-02T09:00:00Z"}"#;
    let events = TicketEvent::parse_json_lines(text).unwrap();
    assert_eq!(events.len(), 9);
    assert_eq!(events[0].id.as_deref(), Some("e1"));
    assert_eq!(events[0].by.as_deref(), Some("ana"));
    assert_eq!(
        events[1].kind,
        EventKind::Paused {
            reason: "approval".into(),
            waiting_on: Some("client approver".into())
        }
    );
    // Offsets are honoured and the fraction of a second is dropped.
    assert_eq!(events[1].at.to_string(), "2026-03-02T08:00:00Z");
    assert_eq!(events[8].kind, EventKind::Closed);
}

#[test]
fn json_errors_name_the_field() {
    let e = err(r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priorty":"high"}"#);
    assert_eq!(e.field.as_deref(), Some("priorty"));
    let e = err(r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("priority"));
    assert!(e.to_string().contains("needs a priority"), "{e}");
    let e = err(r#"{"ticket":"T-1","kind":"paused","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("reason"));
    let e = err(r#"{"ticket":"T-1","kind":"reopend","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("kind"));
    assert!(
        e.to_string().contains("unknown event kind `reopend`"),
        "{e}"
    );
    let e = err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02 08:00"}"#);
    assert_eq!(e.field.as_deref(), Some("at"));
    let e = err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00"}"#);
    assert_eq!(e.field.as_deref(), Some("at"), "an instant needs an offset");
    let e = err(r#"{"kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("ticket"));
    let e = err(r#"{"ticket":7,"kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("ticket"));
    let e =
        err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","priority":"high"}"#);
    assert_eq!(e.field.as_deref(), Some("priority"));
    assert!(
        e.to_string().contains("not allowed on a `replied` event"),
        "{e}"
    );
    assert!(err("[1, 2]").to_string().contains("not a JSON object"));
    let e = err(
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","at":"2026-03-03T08:00:00Z"}"#,
    );
    assert_eq!(e.field.as_deref(), Some("at"));
    assert!(e.to_string().contains("appears twice"), "{e}");
    let e = err(r#"{"ticket":" ","kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.field.as_deref(), Some("ticket"));
}

/// The event as serde_json alone reads it, without the flat fast path.
fn serde_only(line: &str) -> Result<TicketEvent, EventError> {
    let Members(members) = serde_json::from_str(line).map_err(|e| EventError {
        line: None,
        field: None,
        message: format!("not a JSON object: {e}"),
    })?;
    TicketEvent::from_members(members.into_iter())
}

#[test]
fn the_flat_fast_path_agrees_with_serde_json() {
    for line in [
        r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"high","id":"e1","by":"ana"}"#,
        r#" { "ticket" : "T-1" ,	"kind":"paused", "at":"2026-03-02T09:00:00+01:00","reason":"approval","note":null }  "#,
        r#"{"note":"\"ticket\":\"X\"","ticket":"T-2","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
        r#"{"ticket":"T\u002d1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
        r#"{"ticke\u0074":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
        r#"{"ticket":"T-1","ticket":"T-2","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","n":7}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"} x"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z""#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z",}"#,
        "{\"ticket\":\"T-1\u{1}\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\"}",
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","note":nul}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-02-30T08:00:00Z"}"#,
        r#"{}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11","l":"12","m":"13","n":"14"}"#,
        "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\",\"note\":\"tab\there and é, long enough for words\"}",
        "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\",\"note\":\"del \u{7f} and a very long note, ✓\"}",
        r#"["ticket","T-1"]"#,
        "",
    ] {
        assert_eq!(
            TicketEvent::from_json_line(line),
            serde_only(line),
            "{line}"
        );
        if let Ok(event) = serde_only(line) {
            let ticket = TicketEvent::json_line_ticket(line).map(|t| t.into_owned());
            assert_eq!(ticket, Some(event.ticket), "{line}");
        }
    }
}

#[test]
fn string_end_finds_the_first_stop_as_a_byte_scan_does() {
    // Every byte value at every position of a 19-byte buffer, after a
    // prefix that may itself hold a stop, from every start.
    let fillers: [&[u8]; 4] = [
        b"abcdefghijklmnopqrs",
        "é€ ✓ x~\x7f".as_bytes(),
        b"\xff\xfe\x80\x81\x21\x23\x5b\x5d\x1f\x20aaaaaaaaa",
        b"\"\\\"\\\x00\x1f aaaaaaaaaaaaa",
    ];
    for filler in fillers {
        for pos in 0..filler.len() {
            for c in 0..=255u8 {
                let mut b = filler.to_vec();
                b[pos] = c;
                for i in 0..=b.len() + 1 {
                    assert_eq!(
                        string_end(&b, i),
                        string_end_bytewise(&b, i),
                        "{b:?} from {i}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_utc_fast_path_reads_instants_as_jiff_does() {
    for text in [
        "2026-03-02T08:00:00Z",
        "1970-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "2024-02-29T23:59:59Z",
        "2000-12-31T12:34:56Z",
        "9999-12-30T22:00:00Z",
        "1969-07-20T20:17:40Z",
    ] {
        let jiff: Timestamp = text.parse().unwrap();
        assert_eq!(parse_utc_seconds(text), Some(jiff), "{text}");
    }
    for text in [
        "2026-02-29T08:00:00Z",
        "2026-13-01T08:00:00Z",
        "2026-04-31T08:00:00Z",
        "2026-03-02T24:00:00Z",
        "2026-03-02T08:60:00Z",
        "2026-03-02T08:00:60Z",
        "2026-03-02t08:00:00Z",
        "2026-03-02T08:00:00+00:00",
        "2026-03-02T08:0a:00Z",
    ] {
        assert_eq!(parse_utc_seconds(text), None, "{text}");
    }
    assert!(parse_instant("2026-02-29T08:00:00Z").is_err());
}

#[test]
fn json_lines_errors_name_the_line() {
    let text = "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\"}\n\n{\"ticket\":\"T-1\"}\n";
    let e = TicketEvent::parse_json_lines(text).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.to_string().starts_with("line 3: field `kind`"), "{e}");
}

#[test]
fn csv_reads_quotes_commas_newlines_and_empty_cells() {
    let text = "ticket,kind,at,priority,reason,note,id,by\r\n\
                T-1,opened,2026-03-02T08:00:00Z,high,,,e1,ana\r\n\
                T-1,paused,2026-03-02T09:00:00Z,,approval,\"waiting on \"\"Bob\"\",\nsee mail\",e2,\r\n\
                \"T-1\",resolved,2026-03-02T10:00:00Z,,,,,\r\n";
    let events = TicketEvent::parse_csv(text).unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].by.as_deref(), Some("ana"));
    assert_eq!(
        events[1].note.as_deref(),
        Some("waiting on \"Bob\",\nsee mail")
    );
    assert_eq!(events[1].by, None);
    assert_eq!(events[2].kind, EventKind::Resolved);
}

#[test]
fn csv_errors_name_the_line() {
    let text = "ticket,kind,at,priority,reason,note,id,by\n\
                T-1,opened,2026-03-02T08:00:00Z,high,,\"two\nlines\",,\n\
                T-1,paused,2026-03-02T09:00:00Z,,,,,\n";
    let e = TicketEvent::parse_csv(text).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(4), Some("reason")));
    let e = TicketEvent::parse_csv("ticket,kind,at,colour\n").unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("colour")));
    let e = TicketEvent::parse_csv("ticket,kind\n").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("at"));
    let e = TicketEvent::parse_csv("ticket,kind,at\nT-1,replied\n").unwrap_err();
    assert_eq!(e.line, Some(2));
    let e = TicketEvent::parse_csv("ticket,kind,at\nT-1,replied,\"2026\n").unwrap_err();
    assert!(e.message.contains("never closed"), "{e}");
}

#[test]
fn seq_is_read_from_json_on_both_paths_and_from_csv() {
    let line = r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":42}"#;
    assert_eq!(TicketEvent::from_json_line(line).unwrap().seq, Some(42));
    let escaped = r#"{"ticket":"T\u002d1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":0}"#;
    assert_eq!(TicketEvent::from_json_line(escaped).unwrap().seq, Some(0));
    let none = r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":null}"#;
    assert_eq!(TicketEvent::from_json_line(none).unwrap().seq, None);
    let csv = "ticket,kind,at,seq\nT-1,replied,2026-03-02T08:00:00Z,7\nT-1,resolved,2026-03-02T08:00:00Z,\n";
    let events = TicketEvent::parse_csv(csv).unwrap();
    assert_eq!((events[0].seq, events[1].seq), (Some(7), None));
}

#[test]
fn a_bad_seq_is_an_error_naming_the_line_and_field() {
    for value in [
        "-1",
        "1.5",
        "1e3",
        "\"7\"",
        "true",
        "[1]",
        "18446744073709551616",
        "07",
    ] {
        let text = format!(
            "{{\"ticket\":\"T-1\",\"kind\":\"opened\",\"at\":\"2026-03-02T08:00:00Z\",\"priority\":\"high\"}}\n\
             {{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\",\"seq\":{value}}}\n"
        );
        let e = TicketEvent::parse_json_lines(&text).unwrap_err();
        assert_eq!(e.line, Some(2), "{value}: {e}");
        if value != "07" {
            // A leading zero is not JSON at all.
            assert_eq!(e.field.as_deref(), Some("seq"), "{value}: {e}");
            assert!(e.message.contains("non-negative integer"), "{value}: {e}");
        }
    }
    let e = err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":1,"seq":2}"#);
    assert_eq!(e.field.as_deref(), Some("seq"));
    assert!(e.to_string().contains("appears twice"), "{e}");
    let e = err(r#"{"ticket":7,"kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
    assert_eq!(e.message, "must be a string, not 7");
    for cell in ["-1", "x", "1.0", "+3", "18446744073709551616"] {
        let text = format!("ticket,kind,at,seq\nT-1,replied,2026-03-02T08:00:00Z,{cell}\n");
        let e = TicketEvent::parse_csv(&text).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(2), Some("seq")),
            "{cell}: {e}"
        );
    }
}

#[test]
fn the_fast_path_agrees_with_serde_json_on_seq() {
    for line in [
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":0}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq": 18446744073709551615 }"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":18446744073709551616}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":12,"id":"e1"}"#,
        r#"{"seq":3,"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":-3}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":3.0}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":3e0}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":03}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":3x}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":"3"}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","note":3}"#,
        r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":}"#,
    ] {
        assert_eq!(
            TicketEvent::from_json_line(line),
            serde_only(line),
            "{line}"
        );
        if let Ok(event) = serde_only(line) {
            let ticket = TicketEvent::json_line_ticket(line).map(|t| t.into_owned());
            assert_eq!(ticket, Some(event.ticket), "{line}");
        }
    }
    // The integer forms are read by the fast scanner itself.
    let mut flat = [("", super::scan::Flat::Null); super::scan::FLAT_MAX];
    let line = r#"{"ticket":"T-1","seq":12}"#;
    assert_eq!(super::scan::flat_members(line, &mut flat), Some(2));
    assert_eq!(flat[1], ("seq", super::scan::Flat::UInt(12)));
}
