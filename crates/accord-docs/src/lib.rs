//! Accord's documents. Each document is built once as a small structured
//! [`Document`] (headings, paragraphs, tables, lists) and then rendered to
//! HTML, Markdown or — in `accord-pdf` — PDF, so the words never differ
//! between formats (SPEC §2: "the words signed and the clocks measured never
//! drift apart").

pub mod appendix;
pub mod diff;
pub mod document;
pub mod einvoice;
pub mod html;
pub mod invoice;
pub mod invoice_output;
pub mod markdown;
pub mod openslo;
pub mod statement;
pub mod xml;

pub use appendix::appendix;
pub use document::{Block, Document, Inline};
