//! The structure every document is built as, independent of output format.

/// A titled document: an ordered list of blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The title, shown once at the top.
    pub title: String,
    /// A line under the title (parties, version), if any.
    pub subtitle: Option<String>,
    /// The content.
    pub blocks: Vec<Block>,
}

/// One block of content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading; level 1 is a top section, 2 a subsection.
    Heading {
        /// 1 or 2.
        level: u8,
        /// The heading text.
        text: String,
    },
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// A table with a header row; every row has as many cells as the header.
    Table {
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List(Vec<Vec<Inline>>),
}

/// A run of text inside a paragraph or list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasised text (bold).
    Strong(String),
}

impl Document {
    /// An empty document titled `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            subtitle: None,
            blocks: Vec::new(),
        }
    }

    /// Appends a heading.
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
        });
    }

    /// Appends a paragraph of plain text.
    pub fn para(&mut self, text: impl Into<String>) {
        self.blocks
            .push(Block::Paragraph(vec![Inline::Text(text.into())]));
    }

    /// Appends a paragraph of mixed runs.
    pub fn rich(&mut self, runs: Vec<Inline>) {
        self.blocks.push(Block::Paragraph(runs));
    }

    /// Appends a table.
    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table {
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows,
        });
    }

    /// Appends a bulleted list of plain items.
    pub fn list(&mut self, items: impl IntoIterator<Item = String>) {
        self.blocks.push(Block::List(
            items.into_iter().map(|i| vec![Inline::Text(i)]).collect(),
        ));
    }
}

/// Shorthand for a plain run.
pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// Shorthand for a bold run.
pub fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}
