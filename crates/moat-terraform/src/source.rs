//! Source files and byte offset -> line/column conversion.

use std::sync::Arc;

use moat_model::Loc;

/// One scanned file: its path relative to the scanned root, its text, and where lines start.
#[derive(Debug)]
pub(crate) struct SrcFile {
    pub rel: Arc<str>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SrcFile {
    pub fn new(rel: Arc<str>, text: Arc<str>) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SrcFile {
            rel,
            text,
            line_starts,
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(idx).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset.min(self.text.len()))
            .map(|s| s.chars().count())
            .unwrap_or(offset.saturating_sub(start));
        ((idx + 1) as u32, (col + 1) as u32)
    }

    pub fn loc(&self, offset: usize) -> Loc {
        let (line, column) = self.line_col(offset);
        Loc {
            file: self.rel.clone(),
            line,
            column,
        }
    }

    pub fn file_loc(&self) -> Loc {
        Loc {
            file: self.rel.clone(),
            line: 1,
            column: 1,
        }
    }
}
