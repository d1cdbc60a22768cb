//! The optional `[parties]` table (SPEC §2): the legal details printed on
//! invoices, read with line:column diagnostics, and the EN 16931 fields an
//! e-invoice still needs, each named.

use accord_core::Diagnostic;
use accord_core::contract::{Contract, Side};
use proptest::prelude::*;

use crate::contract_model::{MINIMAL, parse_named};

/// MINIMAL (12 lines) with `extra` appended from line 13.
fn with(extra: &str) -> String {
    format!("{MINIMAL}\n{extra}")
}

fn parse(text: &str) -> Contract {
    parse_named("c.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_named("c.toml", text) {
        Ok(_) => panic!("expected diagnostics for:\n{text}"),
        Err(d) => d.0,
    }
}

const PROVIDER: &str = r#"[parties.provider]
legal_name = "Brightwater Consulting GmbH"
street = "Torstraße 101"
postcode = "10119"
city = "Berlin"
country = "DE"
vat_id = "DE123456789"
"#;

#[test]
fn acme_names_both_parties_for_its_invoices() {
    let text = include_str!("../../../../examples/acme.contract.toml");
    let acme = parse_named("acme.contract.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let seller = acme.parties().get(Side::Provider).unwrap();
    assert_eq!(seller.legal_name, "Brightwater Consulting GmbH");
    assert_eq!(seller.country.as_ref().map(|c| c.as_str()), Some("DE"));
    assert_eq!(seller.vat_id.as_deref(), Some("DE123456789"));
    assert_eq!(seller.registration.as_deref(), Some("HRB 201934 B"));
    let buyer = acme.parties().get(Side::Client).unwrap();
    assert_eq!(buyer.legal_name, acme.client());
    assert_eq!(buyer.city.as_deref(), Some("München"));
    assert!(
        acme.einvoice_missing().is_empty(),
        "{:?}",
        acme.einvoice_missing()
    );
}

#[test]
fn a_contract_without_parties_still_parses_and_names_what_an_einvoice_needs() {
    let c = parse(MINIMAL);
    assert_eq!(c.parties().provider, None);
    let missing: Vec<String> = c.einvoice_missing().iter().map(|m| m.to_string()).collect();
    assert_eq!(
        missing,
        [
            "invoice currency (BT-5): add currency = \"EUR\" at the top of the contract",
            "seller name (BT-27): add legal_name under [parties.provider]",
            "seller country (BT-40): add country = \"DE\" (ISO 3166-1 alpha-2) under [parties.provider]",
            "seller VAT identifier or tax registration (BT-31/BT-32): add vat_id = \"DE123456789\" (or tax_number) under [parties.provider]",
            "buyer name (BT-44): add legal_name under [parties.client]",
            "buyer country (BT-55): add country = \"DE\" (ISO 3166-1 alpha-2) under [parties.client]",
            "payment due date (BT-9): add payment_terms_days = 30 under [billing]",
        ]
    );
}

#[test]
fn a_seller_with_only_a_tax_number_also_needs_its_registration() {
    let text = with(
        "[parties.provider]\nlegal_name = \"P\"\ncountry = \"DE\"\ntax_number = \"37/123/45678\"\n",
    );
    let terms: Vec<&str> = parse(&text)
        .einvoice_missing()
        .iter()
        .map(|m| m.terms)
        .collect();
    assert!(terms.contains(&"BT-30"), "{terms:?}");
    assert!(!terms.contains(&"BT-31/BT-32"), "{terms:?}");
    let registered = format!("{text}registration = \"HRB 1 B\"\n");
    let terms: Vec<&str> = parse(&registered)
        .einvoice_missing()
        .iter()
        .map(|m| m.terms)
        .collect();
    assert!(!terms.contains(&"BT-30"), "{terms:?}");
}

#[test]
fn a_lowercase_country_is_refused_with_the_code_to_write() {
    let d = errors(&with(&PROVIDER.replace("\"DE\"", "\"de\"")));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (18, 11));
    assert_eq!(
        d[0].message,
        "`de` is not an ISO 3166-1 alpha-2 country code"
    );
    assert_eq!(d[0].help.as_deref(), Some("did you mean \"DE\"?"));
}

#[test]
fn bad_vat_ids_emails_and_addresses_are_each_pointed_at() {
    let text = with(&format!(
        "{}email = \"billing at provider\"\nelectronic_address = \"4012345000009\"\n",
        PROVIDER.replace("DE123456789", "123456789")
    ));
    let d = errors(&text);
    let found: Vec<(usize, usize, &str)> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (19, 10, "`123456789` is not a VAT identifier"),
            (20, 9, "`billing at provider` is not an e-mail address"),
            (21, 22, "`4012345000009` is not an electronic address"),
        ]
    );
}

#[test]
fn an_unknown_party_key_suggests_the_closest_and_a_party_needs_its_name() {
    let d = errors(&with("[parties.client]\ncountri = \"DE\"\n"));
    let found: Vec<(usize, usize, &str, Option<&str>)> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (
                13,
                1,
                "`[parties.client]` has no `legal_name`",
                Some("add legal_name = \"Example GmbH\" (the registered name printed on invoices)")
            ),
            (
                14,
                1,
                "unknown key `countri` in `[parties.client]`",
                Some("did you mean `country`?")
            ),
        ]
    );
    let d = errors(&with("[parties.seller]\nlegal_name = \"P\"\n"));
    assert_eq!(d[0].message, "unknown key `seller` in `[parties]`");
}

#[test]
fn an_electronic_address_is_read_as_scheme_and_id() {
    let c = parse(&with(&format!(
        "{PROVIDER}electronic_address = \"0204:991-12345-06\"\n"
    )));
    let seller = c.parties().provider.as_ref().unwrap();
    let address = seller.electronic_address.as_ref().unwrap();
    assert_eq!(
        (address.scheme.as_str(), address.id.as_str()),
        ("0204", "991-12345-06")
    );
}

/// The fields a complete e-invoice contract gives, each removable.
const FIELDS: [(&str, &str); 7] = [
    ("currency = \"EUR\"\n", "BT-5"),
    ("legal_name = \"P GmbH\"\n", "BT-27"),
    ("country = \"DE\"\n", "BT-40"),
    ("vat_id = \"DE123456789\"\n", "BT-31/BT-32"),
    ("legal_name = \"C AG\"\n", "BT-44"),
    ("country = \"FR\"\n", "BT-55"),
    ("payment_terms_days = 30\n", "BT-9"),
];

/// A contract with the fields whose bit is set in `present`.
fn contract_with(present: u8) -> String {
    let has = |i: usize| present & (1 << i) != 0;
    let line = |i: usize| if has(i) { FIELDS[i].0 } else { "" };
    let mut text = format!("{}{MINIMAL}", line(0));
    if has(1) {
        text += &format!("[parties.provider]\n{}{}{}", line(1), line(2), line(3));
    }
    if has(4) {
        text += &format!("[parties.client]\n{}{}", line(4), line(5));
    }
    if has(6) {
        text += &format!(
            "[billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\n{}",
            line(6)
        );
    }
    text
}

proptest! {
    /// Whatever subset of the required fields a contract gives, exactly the
    /// others are named as missing (a field inside an absent party table
    /// counts as missing with it).
    #[test]
    fn exactly_the_absent_required_fields_are_named(present in 0u8..128) {
        let text = contract_with(present);
        // `[billing]` needs a currency; without one, name the currency only.
        let Ok(c) = parse_named("c.toml", &text) else {
            prop_assert!(present & 1 == 0 && present & (1 << 6) != 0);
            return Ok(());
        };
        let effective = |i: usize| {
            let parent = match i { 2 | 3 => 1, 5 => 4, _ => i };
            present & (1 << i) != 0 && present & (1 << parent) != 0
        };
        let expected: Vec<&str> = (0..FIELDS.len())
            .filter(|&i| !effective(i))
            .map(|i| FIELDS[i].1)
            .collect();
        let named: Vec<&str> = c.einvoice_missing().iter().map(|m| m.terms).collect();
        prop_assert_eq!(named, expected, "{}", text);
    }
}
