//! The parties' legal details for invoices and e-invoices: the optional
//! `[parties.provider]` and `[parties.client]` tables (SPEC §2, §8), and
//! the check that names every field EN 16931 needs that a contract lacks.
//!
//! A party table may be partial (a draft contract often knows the client's
//! name before its VAT id); what is written must be well-formed (country
//! codes from ISO 3166-1, VAT ids with their country prefix, e-mail
//! addresses), and [`einvoice_missing`] lists what an e-invoice still needs.

use std::fmt;

use super::identity::{Currency, non_empty};
use super::parties::{Side, is_email};
use super::read::{Reader, Value};

/// The `[parties]` table: each side's legal details, when written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Parties {
    /// The provider (the seller on invoices).
    pub provider: Option<LegalParty>,
    /// The client (the buyer on invoices).
    pub client: Option<LegalParty>,
}

impl Parties {
    /// The legal details of one side, if written.
    pub fn get(&self, side: Side) -> Option<&LegalParty> {
        match side {
            Side::Provider => self.provider.as_ref(),
            Side::Client => self.client.as_ref(),
        }
    }
}

/// One party's legal details, as printed on an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegalParty {
    /// Registered name, e.g. `Acme Analytics GmbH`.
    pub legal_name: String,
    /// Street and number (address line 1).
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country of the address.
    pub country: Option<Country>,
    /// VAT identifier with its country prefix, e.g. `DE123456789`.
    pub vat_id: Option<String>,
    /// National tax number (e.g. a German Steuernummer), when there is no
    /// VAT id.
    pub tax_number: Option<String>,
    /// Legal registration identifier, e.g. `HRB 123456 B`.
    pub registration: Option<String>,
    /// E-mail address for invoices.
    pub email: Option<String>,
    /// Electronic address for e-invoice delivery (EAS scheme and id), e.g.
    /// `0088:4012345000009`; the e-mail address is used when absent.
    pub electronic_address: Option<ElectronicAddress>,
}

/// An ISO 3166-1 alpha-2 country code, e.g. `DE`.
///
/// ```
/// use accord_core::contract::Country;
/// assert_eq!("DE".parse::<Country>().unwrap().as_str(), "DE");
/// assert!("de".parse::<Country>().is_err());
/// assert!("XX".parse::<Country>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(String);

impl Country {
    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text that is not an ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 3166-1 alpha-2 country code")]
pub struct BadCountry(pub String);

impl std::str::FromStr for Country {
    type Err = BadCountry;

    fn from_str(s: &str) -> Result<Self, BadCountry> {
        let known = s.len() == 2
            && s.bytes().all(|b| b.is_ascii_uppercase())
            && ISO_3166_ALPHA2.split(' ').any(|c| c == s);
        if known {
            Ok(Country(s.to_string()))
        } else {
            Err(BadCountry(s.to_string()))
        }
    }
}

/// An electronic address with its scheme (EN 16931 BT-34/BT-49: an EAS
/// code such as `EM` for e-mail or `0088` for a GLN).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElectronicAddress {
    /// The scheme code, e.g. `0088`.
    pub scheme: String,
    /// The address within the scheme.
    pub id: String,
}

/// The ISO 3166-1 alpha-2 codes (officially assigned), plus `XI` (Northern
/// Ireland), which EN 16931's code list also allows.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ \
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU \
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA \
LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB \
SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW \
TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XI";

const PARTY_KEYS: [&str; 10] = [
    "legal_name",
    "street",
    "postcode",
    "city",
    "country",
    "vat_id",
    "tax_number",
    "registration",
    "email",
    "electronic_address",
];

/// Reads `[parties]`.
pub(super) fn read_parties(r: &mut Reader<'_>, value: &Value<'_>) -> Parties {
    let mut parties = Parties::default();
    let Some(table) = r.table(value, "`parties`") else {
        return parties;
    };
    r.unknown_keys(table, &["provider", "client"], "`[parties]`");
    if let Some(v) = table.get("provider") {
        parties.provider = read_party(r, v, "provider");
    }
    if let Some(v) = table.get("client") {
        parties.client = read_party(r, v, "client");
    }
    parties
}

fn read_party(r: &mut Reader<'_>, value: &Value<'_>, side: &str) -> Option<LegalParty> {
    let ctx = format!("`[parties.{side}]`");
    let t = r.table(value, &format!("`parties.{side}`"))?;
    r.unknown_keys(t, &PARTY_KEYS, &ctx);
    let legal_name = r
        .require(
            t,
            "legal_name",
            value.span(),
            &ctx,
            "add legal_name = \"Example GmbH\" (the registered name printed on invoices)",
        )
        .and_then(|v| non_empty(r, v, "`legal_name`"));
    let text = |r: &mut Reader<'_>, key: &str| {
        t.get(key)
            .and_then(|v| non_empty(r, v, &format!("`{key}`")))
    };
    let street = text(r, "street");
    let postcode = text(r, "postcode");
    let city = text(r, "city");
    let tax_number = text(r, "tax_number");
    let registration = text(r, "registration");
    let country = t.get("country").and_then(|v| country(r, v));
    let vat_id = t.get("vat_id").and_then(|v| vat_id(r, v));
    let email = t.get("email").and_then(|v| email(r, v));
    let electronic_address = t
        .get("electronic_address")
        .and_then(|v| electronic_address(r, v));
    Some(LegalParty {
        legal_name: legal_name?,
        street,
        postcode,
        city,
        country,
        vat_id,
        tax_number,
        registration,
        email,
        electronic_address,
    })
}

fn country(r: &mut Reader<'_>, v: &Value<'_>) -> Option<Country> {
    let s = r.string(v, "`country`")?;
    match s.parse() {
        Ok(c) => Some(c),
        Err(e) => {
            let upper = s.to_ascii_uppercase();
            let help = if upper != s && upper.parse::<Country>().is_ok() {
                format!("did you mean \"{upper}\"?")
            } else {
                "write the two-letter code, e.g. \"DE\", \"FR\", \"GB\", \"US\"".to_string()
            };
            r.error(v.span(), e.to_string(), Some(help));
            None
        }
    }
}

/// A VAT identifier: a two-letter country prefix (ISO 3166-1, or `EL` for
/// Greece) and 2 to 13 letters or digits (EN 16931 BR-CO-09).
fn vat_id(r: &mut Reader<'_>, v: &Value<'_>) -> Option<String> {
    let s = r.string(v, "`vat_id`")?;
    let (prefix, rest) = s.split_at_checked(2).unwrap_or((s, ""));
    let prefix_ok = prefix == "EL" || prefix.parse::<Country>().is_ok();
    let rest_ok = (2..=13).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    if prefix_ok && rest_ok {
        return Some(s.to_string());
    }
    r.error(
        v.span(),
        format!("`{s}` is not a VAT identifier"),
        Some("write the country prefix and the number without spaces, e.g. \"DE123456789\"".into()),
    );
    None
}

fn email(r: &mut Reader<'_>, v: &Value<'_>) -> Option<String> {
    let s = r.string(v, "`email`")?;
    if is_email(s) {
        return Some(s.to_string());
    }
    r.error(
        v.span(),
        format!("`{s}` is not an e-mail address"),
        Some("write an address such as \"invoices@example.com\"".into()),
    );
    None
}

/// `SCHEME:ID`, the scheme an EAS code: `EM` or four digits.
fn electronic_address(r: &mut Reader<'_>, v: &Value<'_>) -> Option<ElectronicAddress> {
    let s = r.string(v, "`electronic_address`")?;
    let parsed = s.split_once(':').filter(|(scheme, id)| {
        let scheme_ok =
            *scheme == "EM" || (scheme.len() == 4 && scheme.bytes().all(|b| b.is_ascii_digit()));
        scheme_ok && !id.trim().is_empty() && !id.contains(char::is_whitespace)
    });
    match parsed {
        Some((scheme, id)) => Some(ElectronicAddress {
            scheme: scheme.to_string(),
            id: id.to_string(),
        }),
        None => {
            r.error(
                v.span(),
                format!("`{s}` is not an electronic address"),
                Some("write the EAS scheme and the id, e.g. \"0088:4012345000009\" (a GLN) or \"0204:991-12345-06\" (a Leitweg-ID)".into()),
            );
            None
        }
    }
}

/// A field EN 16931 requires that the contract does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingField {
    /// The EN 16931 business terms, e.g. `BT-31`.
    pub terms: &'static str,
    /// What it is, e.g. `seller VAT identifier`.
    pub field: &'static str,
    /// Where and how to add it to the contract.
    pub fix: String,
}

impl MissingField {
    /// A missing field named by its business terms, what it is, and how to
    /// give it (for fields that come from elsewhere than the contract, such
    /// as the invoice number).
    pub fn new(terms: &'static str, field: &'static str, fix: impl Into<String>) -> MissingField {
        MissingField {
            terms,
            field,
            fix: fix.into(),
        }
    }
}

impl fmt::Display for MissingField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.terms, self.fix)
    }
}

/// Every field an EN 16931 e-invoice needs that the contract lacks, in the
/// order of the standard: currency, seller, buyer, payment terms. Empty
/// when an e-invoice can be produced.
///
/// The VAT categories Accord writes (`S` standard rated, `Z` zero rated)
/// need the seller's VAT identifier or tax registration (BR-S-02, BR-Z-02);
/// a seller with only a tax number also needs a legal registration so that
/// the buyer can identify it (BR-CO-26). A due date is required because an
/// invoice with an amount due must carry one (BR-CO-25).
pub(super) fn einvoice_missing(
    currency: Option<&Currency>,
    parties: &Parties,
    payment_terms_days: Option<u32>,
) -> Vec<MissingField> {
    let mut missing = Vec::new();
    let mut need = |terms, field, fix: String| missing.push(MissingField { terms, field, fix });
    if currency.is_none() {
        need(
            "BT-5",
            "invoice currency",
            "add currency = \"EUR\" at the top of the contract".into(),
        );
    }
    let seller = parties.provider.as_ref();
    if seller.is_none() {
        need(
            "BT-27",
            "seller name",
            "add legal_name under [parties.provider]".into(),
        );
    }
    if seller.is_none_or(|s| s.country.is_none()) {
        need(
            "BT-40",
            "seller country",
            "add country = \"DE\" (ISO 3166-1 alpha-2) under [parties.provider]".into(),
        );
    }
    if seller.is_none_or(|s| s.vat_id.is_none() && s.tax_number.is_none()) {
        need(
            "BT-31/BT-32",
            "seller VAT identifier or tax registration",
            "add vat_id = \"DE123456789\" (or tax_number) under [parties.provider]".into(),
        );
    } else if seller.is_some_and(|s| s.vat_id.is_none() && s.registration.is_none()) {
        need(
            "BT-30",
            "seller legal registration identifier (needed without a VAT identifier)",
            "add registration = \"HRB 123456 B\" or vat_id under [parties.provider]".into(),
        );
    }
    let buyer = parties.client.as_ref();
    if buyer.is_none() {
        need(
            "BT-44",
            "buyer name",
            "add legal_name under [parties.client]".into(),
        );
    }
    if buyer.is_none_or(|b| b.country.is_none()) {
        need(
            "BT-55",
            "buyer country",
            "add country = \"DE\" (ISO 3166-1 alpha-2) under [parties.client]".into(),
        );
    }
    if payment_terms_days.is_none() {
        need(
            "BT-9",
            "payment due date",
            "add payment_terms_days = 30 under [billing]".into(),
        );
    }
    missing
}
