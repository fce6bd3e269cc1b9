//! A small JSON reader and writer for FHIR resources, written for exact decimals.
//!
//! `serde_json` (without its `arbitrary_precision` feature) turns `12.34` into a binary float,
//! which is wrong for money. This reader keeps every number as the text it was written as,
//! so amounts become cents exactly, and it is bounded: input size, nesting depth and the
//! number of values all have a named limit. The writer keeps the order of properties (so
//! `resourceType` comes first) and writes numbers from text, never from a float.

use std::fmt::Write as _;

/// The deepest nesting of arrays and objects the reader accepts. A FHIR `Claim` nests about
/// eight levels; 32 leaves room for extensions without letting a hostile input recurse deep.
pub const DEPTH_MAX: usize = 32;

/// The most values (of any kind) one document may hold, so that a megabyte of `[0,0,0,…]`
/// cannot build a huge tree.
pub const VALUES_MAX: usize = 100_000;

/// One JSON value. Numbers keep their text exactly as written (already checked against the
/// JSON number grammar); objects keep their properties in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The name of the value's JSON type, for "expected …, found …" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

/// Why the bytes are not one JSON document; `offset` is the 0-based byte where reading
/// stopped. The message never repeats the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) expected: &'static str,
}

/// Reads one JSON document (a leading UTF-8 byte order mark is skipped).
pub(crate) fn parse(bytes: &[u8]) -> Result<Json, SyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|error| SyntaxError {
        offset: error.valid_up_to(),
        expected: "UTF-8 text",
    })?;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: start,
        values: 0,
    };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at < parser.bytes.len() {
        return Err(parser.error("the end of the document"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    values: usize,
}

impl Parser<'_> {
    fn error(&self, expected: &'static str) -> SyntaxError {
        SyntaxError {
            offset: self.at,
            expected,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, SyntaxError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        self.skip_whitespace();
        self.values += 1;
        if self.values > VALUES_MAX {
            return Err(self.error("fewer values (the document holds too many)"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("a JSON value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth > DEPTH_MAX {
            return Err(self.error("less nesting (the document is nested too deep)"));
        }
        self.at += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("a property name in double quotes"));
            }
            let key_at = self.at;
            let key = self.string()?;
            if members.iter().any(|(existing, _)| *existing == key) {
                return Err(SyntaxError {
                    offset: key_at,
                    expected: "a property name not used before in this object",
                });
            }
            self.skip_whitespace();
            if !self.eat(b':') {
                return Err(self.error("`:` after the property name"));
            }
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            if self.eat(b'}') {
                return Ok(Json::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error("`,` or `}`"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth > DEPTH_MAX {
            return Err(self.error("less nesting (the document is nested too deep)"));
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Ok(Json::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("`,` or `]`"));
            }
        }
    }

    /// Reads a string starting at the opening quote. The input is valid UTF-8 and every split
    /// happens at an ASCII byte, so each copied slice is whole characters.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.at += 1;
        let mut out = String::new();
        let mut run_start = self.at;
        loop {
            match self.peek() {
                None => return Err(self.error("the closing `\"` of the string")),
                Some(b'"') => {
                    out.push_str(&self.text[run_start..self.at]);
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run_start..self.at]);
                    self.at += 1;
                    out.push(self.escape()?);
                    run_start = self.at;
                }
                Some(0x00..=0x1f) => {
                    return Err(self.error("no control character inside a string"));
                }
                Some(_) => self.at += 1,
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error("an escape character"))?;
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => {
                self.at -= 1;
                return Err(self.error("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("four hex digits"))?;
        let mut value = 0_u32;
        for &digit in digits {
            let nibble = char::from(digit)
                .to_digit(16)
                .ok_or_else(|| self.error("four hex digits"))?;
            value = value * 16 + nibble;
        }
        self.at += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !(self.eat(b'\\') && self.eat(b'u')) {
                return Err(self.error("the low surrogate of a surrogate pair"));
            }
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(self.error("the low surrogate of a surrogate pair"));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("a Unicode scalar value"))
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.at;
        self.eat(b'-');
        let first = self.peek();
        let whole = self.digits();
        if whole == 0 || (first == Some(b'0') && whole > 1) {
            return Err(SyntaxError {
                offset: start,
                expected: "a number without leading zeros",
            });
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("digits after the decimal point"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            // The exponent's sign is optional.
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error("digits in the exponent"));
            }
        }
        Ok(Json::Number(self.text[start..self.at].to_owned()))
    }
}

/// A value to write. Property names are element names known at compile time; numbers are
/// written from their text (for example `Cents` as `12.34`), never from a float.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Out {
    Str(String),
    Number(String),
    Array(Vec<Out>),
    Object(Vec<(&'static str, Out)>),
}

impl Out {
    pub(crate) fn str(text: impl Into<String>) -> Out {
        Out::Str(text.into())
    }

    /// Writes the value as compact JSON.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Out::Str(text) => write_string(text, out),
            Out::Number(text) => out.push_str(text),
            Out::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Out::Object(members) => {
                out.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                write!(out, "\\u{:04x}", u32::from(c)).expect("BUG: writing to a String fails");
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_exactly() {
        let value = parse(br#"{"a": 12.345678901234567890123, "b": -0.10, "c": 1E+2}"#);
        let expected = Json::Object(vec![
            ("a".into(), Json::Number("12.345678901234567890123".into())),
            ("b".into(), Json::Number("-0.10".into())),
            ("c".into(), Json::Number("1E+2".into())),
        ]);
        assert_eq!(value, Ok(expected));
    }

    #[test]
    fn strings_decode_escapes_and_surrogate_pairs() {
        let value = parse(br#""a\"\\\/\n\u00e9\ud83d\ude00""#);
        assert_eq!(value, Ok(Json::String("a\"\\/\n\u{e9}\u{1f600}".into())));
    }

    #[test]
    fn malformed_documents_are_refused_with_the_offset() {
        for (text, offset) in [
            (&b"{"[..], 1),
            (b"[1,]", 3),
            (b"01", 0),
            (b"1.", 2),
            (b"\"\\ud800\"", 7),
            (b"{\"a\":1,\"a\":2}", 7),
            (b"[1] x", 4),
            (b"\"\x01\"", 1),
            (b"\xff", 0),
            (b"nul", 0),
        ] {
            assert_eq!(parse(text).map_err(|e| e.offset), Err(offset), "{text:?}");
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let deep = "[".repeat(DEPTH_MAX + 1) + &"]".repeat(DEPTH_MAX + 1);
        assert!(parse(deep.as_bytes()).is_err());
        let ok = "[".repeat(DEPTH_MAX) + &"]".repeat(DEPTH_MAX);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn the_writer_escapes_and_keeps_property_order() {
        let out = Out::Object(vec![
            ("z", Out::str("a\"b\u{1}")),
            (
                "a",
                Out::Array(vec![Out::Number("1.50".into()), Out::str("")]),
            ),
        ]);
        assert_eq!(out.to_json(), r#"{"z":"a\"b\u0001","a":[1.50,""]}"#);
    }
}
