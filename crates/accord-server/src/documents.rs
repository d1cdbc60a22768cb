//! Documents the service stores and serves (invoices, statements, the
//! appendix) as PDF. The PDF engine (typst, in `accord-pdf`) is heavy, so
//! the server does not link it: the binary installs it once at start-up
//! with [`install_pdf_renderer`], the way a logger is installed. Without
//! one, asking for a PDF is a clear error, never a silent HTML stand-in.

use std::sync::OnceLock;

use accord_docs::Document;

/// Renders a document to PDF bytes, or says why it cannot.
pub type PdfRenderer = fn(&Document) -> Result<Vec<u8>, String>;

static PDF: OnceLock<PdfRenderer> = OnceLock::new();

/// Installs the process's PDF renderer; later calls keep the first one.
pub fn install_pdf_renderer(render: PdfRenderer) {
    let _ = PDF.set(render);
}

/// Whether a PDF renderer is installed.
pub fn can_render_pdf() -> bool {
    PDF.get().is_some()
}

/// `doc` as PDF through the installed renderer.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, PdfUnavailable> {
    let render = PDF.get().ok_or(PdfUnavailable::NotInstalled)?;
    render(doc).map_err(PdfUnavailable::Failed)
}

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfUnavailable {
    /// This build of the server has no PDF engine.
    #[error("this server was built without PDF output (the binary's `pdf` feature)")]
    NotInstalled,
    /// The engine failed on this document.
    #[error("the PDF could not be rendered: {0}")]
    Failed(String),
}
