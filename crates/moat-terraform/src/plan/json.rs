//! A strict JSON parser (RFC 8259) that keeps the line and column of every value, for plan
//! files: serde_json has no positions, and findings must point into the plan.
//!
//! Bounded: nesting deeper than [`MAX_DEPTH`] and collections longer than the caller's limit
//! are errors, never a stack overflow or an unbounded allocation. Errors carry the 1-based line
//! and column where the text stops being JSON.

/// Deepest nesting accepted (real plans nest a dozen levels).
pub(crate) const MAX_DEPTH: usize = 256;

/// A parsed JSON value with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct J {
    pub kind: Kind,
    pub line: u32,
    pub column: u32,
}

/// The value itself. Objects keep their members in written order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<J>),
    Object(Vec<(String, J)>),
}

impl J {
    /// A member of an object (the last one when a key is repeated, as serde_json does).
    pub fn get(&self, key: &str) -> Option<&J> {
        match &self.kind {
            Kind::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[J]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, J)]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_true(&self) -> bool {
        matches!(self.kind, Kind::Bool(true))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// What kind of value this is, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// Number of values in this tree (itself included).
    pub fn size(&self) -> u64 {
        match &self.kind {
            Kind::Array(a) => 1 + a.iter().map(J::size).sum::<u64>(),
            Kind::Object(m) => 1 + m.iter().map(|(_, v)| v.size()).sum::<u64>(),
            _ => 1,
        }
    }
}

/// Where and why the text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parse a whole document. `max_len` bounds every array and object.
pub(crate) fn parse(text: &str, max_len: usize) -> Result<J, ParseError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        col: 1,
        max_len,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    col: u32,
    max_len: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ParseError {
        ParseError {
            line: self.line,
            column: self.col,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Advance over one byte (a continuation byte of UTF-8 does not count as a column).
    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.col += 1;
            }
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        for w in word.bytes() {
            if self.peek() != Some(w) {
                return Err(self.error(&format!("expected `{word}`")));
            }
            self.bump();
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<J, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let (line, column) = (self.line, self.col);
        let kind = match self.peek() {
            None => return Err(self.error("unexpected end of file")),
            Some(b'n') => {
                self.expect_word("null")?;
                Kind::Null
            }
            Some(b't') => {
                self.expect_word("true")?;
                Kind::Bool(true)
            }
            Some(b'f') => {
                self.expect_word("false")?;
                Kind::Bool(false)
            }
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(b'[') => {
                self.bump();
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.bump();
                } else {
                    loop {
                        self.skip_ws();
                        if items.len() >= self.max_len {
                            return Err(self.error(&format!(
                                "array longer than the limit `max_collection_len` ({})",
                                self.max_len
                            )));
                        }
                        items.push(self.value(depth + 1)?);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.bump(),
                            Some(b']') => {
                                self.bump();
                                break;
                            }
                            None => return Err(self.error("unexpected end of file in an array")),
                            Some(_) => return Err(self.error("expected `,` or `]`")),
                        }
                    }
                }
                Kind::Array(items)
            }
            Some(b'{') => {
                self.bump();
                let mut members = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.bump();
                } else {
                    loop {
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(if self.peek().is_none() {
                                self.error("unexpected end of file in an object")
                            } else {
                                self.error("expected a string key")
                            });
                        }
                        if members.len() >= self.max_len {
                            return Err(self.error(&format!(
                                "object larger than the limit `max_collection_len` ({})",
                                self.max_len
                            )));
                        }
                        let key = self.string()?;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(self.error("expected `:`"));
                        }
                        self.bump();
                        self.skip_ws();
                        let v = self.value(depth + 1)?;
                        members.push((key, v));
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.bump(),
                            Some(b'}') => {
                                self.bump();
                                break;
                            }
                            None => return Err(self.error("unexpected end of file in an object")),
                            Some(_) => return Err(self.error("expected `,` or `}`")),
                        }
                    }
                }
                Kind::Object(members)
            }
            Some(_) => return Err(self.error("expected a JSON value")),
        };
        Ok(J { kind, line, column })
    }

    fn number(&mut self) -> Result<f64, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.bump();
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.bump();
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.bump();
            }
        }
        self.text
            .get(start..self.pos)
            .and_then(|s| s.parse::<f64>().ok())
            .ok_or_else(|| self.error("invalid number"))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.error("invalid `\\u` escape"))?;
            v = v * 16 + d;
            self.bump();
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        // At the opening quote.
        self.bump();
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.bump();
            }
            if let Some(s) = self.text.get(start..self.pos) {
                out.push_str(s);
            }
            match self.peek() {
                None => return Err(self.error("unexpected end of file in a string")),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump();
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.peek() != Some(b'\\') {
                                    return Err(self.error("lone surrogate in a `\\u` escape"));
                                }
                                self.bump();
                                if self.peek() != Some(b'u') {
                                    return Err(self.error("lone surrogate in a `\\u` escape"));
                                }
                                self.bump();
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("lone surrogate in a `\\u` escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(code)
                                .ok_or_else(|| self.error("invalid `\\u` escape"))?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in a string")),
                    };
                    self.bump();
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_values() {
        let j = parse(
            "{\n  \"a\": [1, \"x\\u00e9\\ud83d\\ude00\"],\n  \"b\": null\n}",
            100,
        )
        .unwrap();
        let a = j.get("a").unwrap();
        assert_eq!((a.line, a.column), (2, 8));
        let items = a.as_array().unwrap();
        assert_eq!(items[1].as_str(), Some("xé😀"));
        assert!(j.get("b").unwrap().is_null());
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("{\n  \"a\": [1,\n", 100).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("end of file"), "{e:?}");
        let e = parse("{\"a\": 1,}", 100).unwrap_err();
        assert_eq!((e.line, e.column), (1, 9));
        let deep = "[".repeat(10_000);
        assert!(parse(&deep, 100).unwrap_err().message.contains("deeper"));
        assert!(parse("[1,2,3]", 2)
            .unwrap_err()
            .message
            .contains("max_collection_len"));
        assert!(parse("01", 10).is_err());
        assert!(parse("\"\\ud800\"", 10).is_err());
    }
}
