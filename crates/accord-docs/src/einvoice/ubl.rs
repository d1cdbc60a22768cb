//! OASIS UBL 2.1 Invoice with the EN 16931 customization
//! (`urn:cen.eu:en16931:2017`): the element order is the XSD's, the
//! business terms EN 16931's (SPEC §8).

use accord_core::contract::LegalParty;
use jiff::civil::Date;

use super::{EInvoice, EN16931, Line, Vat, amount, electronic_address, number};
use crate::xml::Xml;

const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// The invoice as a UBL 2.1 XML document.
pub fn write(inv: &EInvoice) -> String {
    let mut x = Xml::new();
    let ns = [("xmlns", INVOICE), ("xmlns:cac", CAC), ("xmlns:cbc", CBC)];
    let money = [("currencyID", inv.currency.as_str())];
    x.element("Invoice", &ns, |x| {
        x.leaf("cbc:CustomizationID", &[], EN16931);
        x.leaf("cbc:ID", &[], &inv.number);
        x.leaf("cbc:IssueDate", &[], &iso(inv.issue_date));
        if let Some(due) = inv.due_date {
            x.leaf("cbc:DueDate", &[], &iso(due));
        }
        x.leaf("cbc:InvoiceTypeCode", &[], "380");
        x.optional("cbc:Note", inv.note.as_deref());
        x.leaf("cbc:DocumentCurrencyCode", &[], &inv.currency);
        period(x, inv.period);
        x.element("cac:AccountingSupplierParty", &[], |x| {
            party(x, &inv.seller)
        });
        x.element("cac:AccountingCustomerParty", &[], |x| party(x, &inv.buyer));
        if let Some(terms) = &inv.payment_terms {
            x.element("cac:PaymentTerms", &[], |x| x.leaf("cbc:Note", &[], terms));
        }
        for a in &inv.allowances {
            x.element("cac:AllowanceCharge", &[], |x| {
                x.leaf("cbc:ChargeIndicator", &[], "false");
                x.leaf("cbc:AllowanceChargeReason", &[], &a.reason);
                x.leaf("cbc:Amount", &money, &amount(a.amount));
                tax_category(x, "cac:TaxCategory", inv.vat);
            });
        }
        x.element("cac:TaxTotal", &[], |x| {
            x.leaf("cbc:TaxAmount", &money, &amount(inv.tax));
            x.element("cac:TaxSubtotal", &[], |x| {
                x.leaf("cbc:TaxableAmount", &money, &amount(inv.net));
                x.leaf("cbc:TaxAmount", &money, &amount(inv.tax));
                tax_category(x, "cac:TaxCategory", inv.vat);
            });
        });
        x.element("cac:LegalMonetaryTotal", &[], |x| {
            x.leaf("cbc:LineExtensionAmount", &money, &amount(inv.line_total));
            x.leaf("cbc:TaxExclusiveAmount", &money, &amount(inv.net));
            x.leaf("cbc:TaxInclusiveAmount", &money, &amount(inv.gross));
            if !inv.allowances.is_empty() {
                x.leaf(
                    "cbc:AllowanceTotalAmount",
                    &money,
                    &amount(inv.allowance_total),
                );
            }
            x.leaf("cbc:PayableAmount", &money, &amount(inv.gross));
        });
        for line in &inv.lines {
            invoice_line(x, line, inv);
        }
    });
    x.finish()
}

fn invoice_line(x: &mut Xml, line: &Line, inv: &EInvoice) {
    let money = [("currencyID", inv.currency.as_str())];
    x.element("cac:InvoiceLine", &[], |x| {
        x.leaf("cbc:ID", &[], &line.id);
        x.leaf(
            "cbc:InvoicedQuantity",
            &[("unitCode", line.unit.code())],
            &number(line.quantity),
        );
        x.leaf("cbc:LineExtensionAmount", &money, &amount(line.amount));
        period(x, line.period);
        x.element("cac:Item", &[], |x| {
            x.optional("cbc:Description", line.description.as_deref());
            x.leaf("cbc:Name", &[], &line.name);
            tax_category(x, "cac:ClassifiedTaxCategory", inv.vat);
        });
        x.element("cac:Price", &[], |x| {
            x.leaf("cbc:PriceAmount", &money, &number(line.price));
        });
    });
}

fn party(x: &mut Xml, p: &LegalParty) {
    x.element("cac:Party", &[], |x| {
        if let Some((scheme, id)) = electronic_address(p) {
            x.leaf("cbc:EndpointID", &[("schemeID", scheme)], id);
        }
        x.element("cac:PostalAddress", &[], |x| {
            x.optional("cbc:StreetName", p.street.as_deref());
            x.optional("cbc:CityName", p.city.as_deref());
            x.optional("cbc:PostalZone", p.postcode.as_deref());
            if let Some(country) = &p.country {
                x.element("cac:Country", &[], |x| {
                    x.leaf("cbc:IdentificationCode", &[], country.as_str());
                });
            }
        });
        for (scheme, id) in [("VAT", &p.vat_id), ("FC", &p.tax_number)] {
            if let Some(id) = id {
                x.element("cac:PartyTaxScheme", &[], |x| {
                    x.leaf("cbc:CompanyID", &[], id);
                    x.element("cac:TaxScheme", &[], |x| x.leaf("cbc:ID", &[], scheme));
                });
            }
        }
        x.element("cac:PartyLegalEntity", &[], |x| {
            x.leaf("cbc:RegistrationName", &[], &p.legal_name);
            x.optional("cbc:CompanyID", p.registration.as_deref());
        });
        if let Some(email) = &p.email {
            x.element("cac:Contact", &[], |x| {
                x.leaf("cbc:ElectronicMail", &[], email)
            });
        }
    });
}

fn tax_category(x: &mut Xml, name: &str, vat: Vat) {
    x.element(name, &[], |x| {
        x.leaf("cbc:ID", &[], vat.category.code());
        x.leaf("cbc:Percent", &[], &vat.percent.to_string());
        x.element("cac:TaxScheme", &[], |x| x.leaf("cbc:ID", &[], "VAT"));
    });
}

fn period(x: &mut Xml, (start, end): (Date, Date)) {
    x.element("cac:InvoicePeriod", &[], |x| {
        x.leaf("cbc:StartDate", &[], &iso(start));
        x.leaf("cbc:EndDate", &[], &iso(end));
    });
}

fn iso(d: Date) -> String {
    d.to_string()
}
