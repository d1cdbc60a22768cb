//! The statement's charts as inline SVG, written by hand (no plotting
//! library: those pull system fonts or a JavaScript engine). Every chart
//! has a `<title>` and `role="img"`, and the figures are also in the
//! statement's tables.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::html::escape;

const WIDTH: u32 = 640;
const BAR: &str = "#3b6fb6";
const MISS: &str = "#c2452d";
const LINE: &str = "#1d2433";
/// Segment colours of stacked bars, in order.
const PALETTE: [&str; 8] = [
    "#3b6fb6", "#e0a526", "#5aa469", "#c2452d", "#8a63b3", "#3aa6b9", "#b5651d", "#7a869a",
];

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Its label under the axis.
    pub label: String,
    /// Its value; `None` draws no bar and labels it "no data".
    pub value: Option<Decimal>,
    /// Drawn in the warning colour.
    pub alert: bool,
}

fn open(out: &mut String, height: u32, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" font-family=\"system-ui,sans-serif\" font-size=\"12\"><title>{t}</title>",
        t = escape(title)
    );
}

/// A fraction of `max` scaled to `span` pixels, to one decimal.
fn scale(value: Decimal, max: Decimal, span: u32) -> Decimal {
    if max <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    (value.max(Decimal::ZERO).min(max) * Decimal::from(span) / max).round_dp(1)
}

/// Vertical bars from 0 to `max`, with an optional reference line (the
/// objective) and value labels formatted by `show`.
pub fn bars(
    title: &str,
    bars: &[Bar],
    max: Decimal,
    reference: Option<(Decimal, String)>,
    show: impl Fn(Decimal) -> String,
) -> String {
    let (top, plot, left) = (16u32, 160u32, 40u32);
    let height = top + plot + 40;
    let mut out = String::new();
    open(&mut out, height, title);
    let base = top + plot;
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"{LINE}\"/>"
    );
    let n = u32::try_from(bars.len().max(1)).unwrap_or(1);
    let slot = (WIDTH - left) / n;
    let width = (slot * 6 / 10).max(4);
    for (i, b) in bars.iter().enumerate() {
        let x = left + slot * u32::try_from(i).unwrap_or(0) + (slot - width) / 2;
        let centre = x + width / 2;
        match b.value {
            Some(v) => {
                let h = scale(v, max, plot);
                let y = Decimal::from(base) - h;
                let colour = if b.alert { MISS } else { BAR };
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{h}\" fill=\"{colour}\"><title>{}: {}</title></rect><text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    escape(&b.label),
                    escape(&show(v)),
                    y - Decimal::from(4),
                    escape(&show(v))
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" fill=\"#7a869a\">no data</text>",
                    base - 4
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            base + 16,
            escape(&b.label)
        );
    }
    if let Some((r, label)) = reference {
        let y = Decimal::from(base) - scale(r, max, plot);
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{WIDTH}\" y2=\"{y}\" stroke=\"{MISS}\" stroke-dasharray=\"6 4\"/><text x=\"2\" y=\"{}\" fill=\"{MISS}\">{}</text>",
            y + Decimal::from(4),
            escape(&label)
        );
    }
    out.push_str("</svg>");
    out
}

/// One horizontal bar split into labelled segments (e.g. paused time by
/// reason beside provider time), with a legend.
pub fn stacked(
    title: &str,
    segments: &[(String, Decimal)],
    show: impl Fn(Decimal) -> String,
) -> String {
    let total: Decimal = segments.iter().map(|(_, v)| *v).sum();
    let rows = u32::try_from(segments.len()).unwrap_or(0);
    let height = 40 + 18 * rows;
    let mut out = String::new();
    open(&mut out, height, title);
    let mut x = Decimal::ZERO;
    for (i, (label, v)) in segments.iter().enumerate() {
        let w = scale(*v, total, WIDTH);
        let colour = PALETTE[i % PALETTE.len()];
        if w > Decimal::ZERO {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"4\" width=\"{w}\" height=\"24\" fill=\"{colour}\"><title>{}: {}</title></rect>",
                escape(label),
                escape(&show(*v))
            );
        }
        x += w;
        let y = 46 + 18 * u32::try_from(i).unwrap_or(0);
        let _ = write!(
            out,
            "<rect x=\"0\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"18\" y=\"{}\">{}: {}</text>",
            y - 10,
            y,
            escape(label),
            escape(&show(*v))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_maximum_and_mark_missing_data() {
        let svg = bars(
            "t",
            &[
                Bar {
                    label: "a".into(),
                    value: Some(Decimal::ONE),
                    alert: false,
                },
                Bar {
                    label: "b".into(),
                    value: None,
                    alert: false,
                },
            ],
            Decimal::ONE,
            None,
            |d| d.to_string(),
        );
        assert!(svg.contains("height=\"160\""), "{svg}");
        assert!(svg.contains(">no data<"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn stacked_segments_fill_the_width_in_proportion() {
        let svg = stacked(
            "t",
            &[
                ("x".into(), Decimal::from(1)),
                ("y".into(), Decimal::from(3)),
            ],
            |d| d.to_string(),
        );
        assert!(svg.contains("x=\"0\" y=\"4\" width=\"160\""), "{svg}");
        assert!(svg.contains("x=\"160\" y=\"4\" width=\"480\""), "{svg}");
    }
}
