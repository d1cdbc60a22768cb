//! UN/CEFACT Cross Industry Invoice (D16B, as profiled by Factur-X 1.0 /
//! ZUGFeRD 2 "EN 16931", guideline `urn:cen.eu:en16931:2017`): the
//! element order is the XSD's, the business terms EN 16931's (SPEC §8).

use accord_core::contract::LegalParty;
use jiff::civil::Date;

use super::{EInvoice, EN16931, Line, Vat, amount, electronic_address, number};
use crate::xml::Xml;

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

/// The invoice as a CII XML document.
pub fn write(inv: &EInvoice) -> String {
    let mut x = Xml::new();
    let ns = [
        ("xmlns:rsm", RSM),
        ("xmlns:qdt", QDT),
        ("xmlns:ram", RAM),
        ("xmlns:udt", UDT),
    ];
    x.element("rsm:CrossIndustryInvoice", &ns, |x| {
        x.element("rsm:ExchangedDocumentContext", &[], |x| {
            x.element("ram:GuidelineSpecifiedDocumentContextParameter", &[], |x| {
                x.leaf("ram:ID", &[], EN16931);
            });
        });
        x.element("rsm:ExchangedDocument", &[], |x| {
            x.leaf("ram:ID", &[], &inv.number);
            x.leaf("ram:TypeCode", &[], "380");
            date_time(x, "ram:IssueDateTime", inv.issue_date);
            if let Some(note) = &inv.note {
                x.element("ram:IncludedNote", &[], |x| {
                    x.leaf("ram:Content", &[], note)
                });
            }
        });
        x.element("rsm:SupplyChainTradeTransaction", &[], |x| {
            for line in &inv.lines {
                line_item(x, line, inv.vat);
            }
            x.element("ram:ApplicableHeaderTradeAgreement", &[], |x| {
                party(x, "ram:SellerTradeParty", &inv.seller);
                party(x, "ram:BuyerTradeParty", &inv.buyer);
            });
            x.element("ram:ApplicableHeaderTradeDelivery", &[], |_| {});
            settlement(x, inv);
        });
    });
    x.finish()
}

fn line_item(x: &mut Xml, line: &Line, vat: Vat) {
    x.element("ram:IncludedSupplyChainTradeLineItem", &[], |x| {
        x.element("ram:AssociatedDocumentLineDocument", &[], |x| {
            x.leaf("ram:LineID", &[], &line.id);
        });
        x.element("ram:SpecifiedTradeProduct", &[], |x| {
            x.leaf("ram:Name", &[], &line.name);
            x.optional("ram:Description", line.description.as_deref());
        });
        x.element("ram:SpecifiedLineTradeAgreement", &[], |x| {
            x.element("ram:NetPriceProductTradePrice", &[], |x| {
                x.leaf("ram:ChargeAmount", &[], &number(line.price));
            });
        });
        x.element("ram:SpecifiedLineTradeDelivery", &[], |x| {
            x.leaf(
                "ram:BilledQuantity",
                &[("unitCode", line.unit.code())],
                &number(line.quantity),
            );
        });
        x.element("ram:SpecifiedLineTradeSettlement", &[], |x| {
            x.element("ram:ApplicableTradeTax", &[], |x| vat_category(x, vat));
            period(x, line.period);
            x.element(
                "ram:SpecifiedTradeSettlementLineMonetarySummation",
                &[],
                |x| {
                    x.leaf("ram:LineTotalAmount", &[], &amount(line.amount));
                },
            );
        });
    });
}

fn party(x: &mut Xml, name: &str, p: &LegalParty) {
    x.element(name, &[], |x| {
        x.leaf("ram:Name", &[], &p.legal_name);
        if let Some(reg) = &p.registration {
            x.element("ram:SpecifiedLegalOrganization", &[], |x| {
                x.leaf("ram:ID", &[], reg);
            });
        }
        x.element("ram:PostalTradeAddress", &[], |x| {
            x.optional("ram:PostcodeCode", p.postcode.as_deref());
            x.optional("ram:LineOne", p.street.as_deref());
            x.optional("ram:CityName", p.city.as_deref());
            if let Some(country) = &p.country {
                x.leaf("ram:CountryID", &[], country.as_str());
            }
        });
        if let Some((scheme, id)) = electronic_address(p) {
            x.element("ram:URIUniversalCommunication", &[], |x| {
                x.leaf("ram:URIID", &[("schemeID", scheme)], id);
            });
        }
        for (scheme, id) in [("VA", &p.vat_id), ("FC", &p.tax_number)] {
            if let Some(id) = id {
                x.element("ram:SpecifiedTaxRegistration", &[], |x| {
                    x.leaf("ram:ID", &[("schemeID", scheme)], id);
                });
            }
        }
    });
}

fn settlement(x: &mut Xml, inv: &EInvoice) {
    x.element("ram:ApplicableHeaderTradeSettlement", &[], |x| {
        x.leaf("ram:InvoiceCurrencyCode", &[], &inv.currency);
        x.element("ram:ApplicableTradeTax", &[], |x| {
            x.leaf("ram:CalculatedAmount", &[], &amount(inv.tax));
            x.leaf("ram:TypeCode", &[], "VAT");
            x.leaf("ram:BasisAmount", &[], &amount(inv.net));
            x.leaf("ram:CategoryCode", &[], inv.vat.category.code());
            x.leaf(
                "ram:RateApplicablePercent",
                &[],
                &inv.vat.percent.to_string(),
            );
        });
        period(x, inv.period);
        for a in &inv.allowances {
            x.element("ram:SpecifiedTradeAllowanceCharge", &[], |x| {
                x.element("ram:ChargeIndicator", &[], |x| {
                    x.leaf("udt:Indicator", &[], "false");
                });
                x.leaf("ram:ActualAmount", &[], &amount(a.amount));
                x.leaf("ram:Reason", &[], &a.reason);
                x.element("ram:CategoryTradeTax", &[], |x| vat_category(x, inv.vat));
            });
        }
        if inv.payment_terms.is_some() || inv.due_date.is_some() {
            x.element("ram:SpecifiedTradePaymentTerms", &[], |x| {
                x.optional("ram:Description", inv.payment_terms.as_deref());
                if let Some(due) = inv.due_date {
                    date_time(x, "ram:DueDateDateTime", due);
                }
            });
        }
        x.element(
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            &[],
            |x| {
                x.leaf("ram:LineTotalAmount", &[], &amount(inv.line_total));
                if !inv.allowances.is_empty() {
                    x.leaf(
                        "ram:AllowanceTotalAmount",
                        &[],
                        &amount(inv.allowance_total),
                    );
                }
                x.leaf("ram:TaxBasisTotalAmount", &[], &amount(inv.net));
                x.leaf(
                    "ram:TaxTotalAmount",
                    &[("currencyID", &inv.currency)],
                    &amount(inv.tax),
                );
                x.leaf("ram:GrandTotalAmount", &[], &amount(inv.gross));
                x.leaf("ram:DuePayableAmount", &[], &amount(inv.gross));
            },
        );
    });
}

/// `TypeCode`, `CategoryCode` and `RateApplicablePercent` of a line or an
/// allowance.
fn vat_category(x: &mut Xml, vat: Vat) {
    x.leaf("ram:TypeCode", &[], "VAT");
    x.leaf("ram:CategoryCode", &[], vat.category.code());
    x.leaf("ram:RateApplicablePercent", &[], &vat.percent.to_string());
}

fn period(x: &mut Xml, (start, end): (Date, Date)) {
    x.element("ram:BillingSpecifiedPeriod", &[], |x| {
        date_time(x, "ram:StartDateTime", start);
        date_time(x, "ram:EndDateTime", end);
    });
}

/// A date in UN/CEFACT format 102 (`YYYYMMDD`).
fn date_time(x: &mut Xml, name: &str, d: Date) {
    x.element(name, &[], |x| {
        x.leaf(
            "udt:DateTimeString",
            &[("format", "102")],
            &d.strftime("%Y%m%d").to_string(),
        );
    });
}
