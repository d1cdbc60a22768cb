//! Tests of the time-entry readers: both formats, and every strictness rule
//! naming its line and field.

use rust_decimal::Decimal;

use super::*;

const E1: &str = r#"{"id":"E-1","person":"sam@provider.example","start":"2026-03-02T09:00:00+01:00","end":"2026-03-02T10:10:00+01:00","activity":"development","ticket":"T-1"}"#;

fn json_err(line: &str) -> EntryError {
    parse_json_lines(line).unwrap_err()
}

#[test]
fn the_spec_example_reads_with_its_raw_time() {
    let e = &parse_json_lines(E1).unwrap()[0];
    assert_eq!(e.id, "E-1");
    assert_eq!(e.raw_s(), 70 * 60);
    assert_eq!(e.start.to_string(), "2026-03-02T08:00:00Z");
    assert_eq!(e.ticket.as_deref(), Some("T-1"));
    assert_eq!(e.billable, Billable::Billable);
    assert_eq!(e.rate, None);
}

#[test]
fn json_lines_and_csv_with_the_same_columns_give_the_same_entries() {
    let json = format!(
        "{E1}\n\n{}\n",
        r#"{"id":"E-2","person":"dana@provider.example","start":"2026-03-03T14:00:00Z","minutes":25,"activity":"meeting","milestone":"pipeline-live","billable":"no_charge","rate":"99.50","note":"call, short"}"#
    );
    let csv = "id,person,start,end,minutes,activity,ticket,milestone,billable,rate,note\n\
        E-1,sam@provider.example,2026-03-02T09:00:00+01:00,2026-03-02T10:10:00+01:00,,development,T-1,,,,\n\
        \n\
        E-2,dana@provider.example,2026-03-03T14:00:00Z,,25,meeting,,pipeline-live,no_charge,99.50,\"call, short\"\n";
    let from_json = parse_json_lines(&json).unwrap();
    assert_eq!(from_json, parse_csv(csv).unwrap());
    assert_eq!(from_json[1].rate, Some(Decimal::new(9950, 2)));
    assert_eq!(from_json[1].billable, Billable::NoCharge);
    assert_eq!(from_json[1].end.to_string(), "2026-03-03T14:25:00Z");
}

#[test]
fn unknown_and_repeated_fields_are_named() {
    let e = json_err(&E1.replace("\"ticket\"", "\"tikcet\""));
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("tikcet")));
    assert!(e.message.contains("unknown field"), "{e}");
    let e = json_err(&E1.replace("}", ",\"id\":\"E-9\"}"));
    assert_eq!(e.field.as_deref(), Some("id"));
    assert!(e.message.contains("twice"), "{e}");
    let e = parse_csv("id,person,start,minutes,activity,hours\n").unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("hours")));
}

#[test]
fn end_and_minutes_are_one_or_the_other() {
    let both = E1.replace("}", ",\"minutes\":5}");
    assert_eq!(json_err(&both).field.as_deref(), Some("minutes"));
    let neither = E1.replace(r#""end":"2026-03-02T10:10:00+01:00","#, "");
    let e = json_err(&format!("{E1}\n{}", neither.replace("E-1", "E-2")));
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("end")));
    let e = parse_csv("id,person,start,end,minutes,activity\nE-1,a,2026-03-02T09:00:00Z,,,dev\n")
        .unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("end")));
}

#[test]
fn an_end_before_the_start_is_refused_but_an_empty_entry_is_not() {
    let e = json_err(&E1.replace("10:10:00", "08:59:59"));
    assert_eq!(e.field.as_deref(), Some("end"));
    assert!(e.message.contains("before the start"), "{e}");
    let empty = parse_json_lines(&E1.replace("10:10:00", "09:00:00")).unwrap();
    assert_eq!(empty[0].raw_s(), 0);
}

#[test]
fn rates_are_decimal_strings() {
    for bad in [
        r#""rate":150"#,
        r#""rate":"-1""#,
        r#""rate":"1e3""#,
        r#""rate":"12,50""#,
        r#""rate":"""#,
    ] {
        let e = json_err(&E1.replace("}", &format!(",{bad}}}")));
        assert_eq!(e.field.as_deref(), Some("rate"), "{bad}: {e}");
    }
    let e =
        parse_csv("id,person,start,minutes,activity,rate\nE-1,a,2026-03-02T09:00:00Z,5,dev,abc\n")
            .unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("rate")));
}

#[test]
fn bad_minutes_billable_and_instants_are_named() {
    for (bad, field) in [
        (r#""minutes":1.5"#, "minutes"),
        (r#""minutes":-3"#, "minutes"),
        (r#""minutes":"30""#, "minutes"),
        (r#""minutes":1000000"#, "minutes"),
    ] {
        let line = E1.replace(r#""end":"2026-03-02T10:10:00+01:00""#, bad);
        assert_eq!(json_err(&line).field.as_deref(), Some(field), "{bad}");
    }
    let e = json_err(&E1.replace("}", ",\"billable\":\"yes\"}"));
    assert_eq!(e.field.as_deref(), Some("billable"));
    let e = json_err(&E1.replace("2026-03-02T09:00:00+01:00", "2026-03-02 09:00"));
    assert_eq!(e.field.as_deref(), Some("start"));
    let e = json_err(&E1.replace("\"person\":\"sam@provider.example\",", ""));
    assert_eq!(e.field.as_deref(), Some("person"));
    let e = json_err("[1, 2]");
    assert!(e.message.contains("not a JSON object"), "{e}");
}

#[test]
fn a_duplicate_id_names_both_lines() {
    let e = json_err(&format!("{E1}\n\n{E1}"));
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("id")));
    assert!(e.message.contains("first on line 1"), "{e}");
    let csv = "id,person,start,minutes,activity\nE-1,a,2026-03-02T09:00:00Z,5,dev\nE-1,b,2026-03-02T10:00:00Z,5,dev\n";
    let e = parse_csv(csv).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("id")));
}

#[test]
fn fractions_of_a_second_are_dropped() {
    let e = &parse_json_lines(&E1.replace("09:00:00+01:00", "09:00:00.900+01:00")).unwrap()[0];
    assert_eq!(e.start.to_string(), "2026-03-02T08:00:00Z");
}
