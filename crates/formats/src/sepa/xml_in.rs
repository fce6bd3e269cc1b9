//! A bounded pull parser over quick-xml shared by the SEPA readers.
//!
//! It turns the XML into `Open`/`Close` steps while keeping the element path (local names, so
//! prefixed and unprefixed files read alike), the text of the element just closed, and the
//! byte position. Limits: nesting depth, bytes per tag or text run, characters per text field.
//! Errors name the path and position, never the content.

use std::io::{BufRead, Read};

use ixorg_domain::Cents;
use quick_xml::Reader;
use quick_xml::events::Event;
use quick_xml::name::PrefixDeclaration;
use time::{Date, Month};

use super::error::{ReadProblem, SepaReadError};

/// Deepest element nesting accepted; real files stay below 15.
pub const DEPTH_MAX: usize = 64;

/// Most bytes one tag or text run may take; keeps the parse buffer bounded.
pub const EVENT_BYTES_MAX: u64 = 1024 * 1024;

/// Longest text of one element, in characters.
pub const TEXT_CHARS_MAX: usize = 1_000;

/// Longest amount text looked at (an `i64` of cents has 19 digits).
const AMOUNT_TEXT_BYTES_MAX: usize = 24;

/// Elements that repeat; the path shows their 1-based number (`Ntry[17]`).
const REPEATING: [&str; 9] = [
    "Stmt",
    "Bal",
    "Ntry",
    "NtryDtls",
    "TxDtls",
    "OrgnlPmtInfAndSts",
    "TxInfAndSts",
    "StsRsnInf",
    "Ustrd",
];

/// Counts the bytes quick-xml consumes for one event and refuses more than
/// [`EVENT_BYTES_MAX`], so a tag without an end cannot grow the buffer without bound.
struct Guarded<R> {
    inner: R,
    consumed_bytes: u64,
    tripped: bool,
}

impl<R: BufRead> Read for Guarded<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Guarded<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.consumed_bytes > EVENT_BYTES_MAX {
            self.tripped = true;
            return Err(std::io::Error::other("a single XML event is too large"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.consumed_bytes = self.consumed_bytes.saturating_add(n as u64);
        self.inner.consume(n);
    }
}

/// One element of the open path.
#[derive(Debug, Default)]
struct Seg {
    name: String,
    index: u64,
    last_child: String,
    last_child_count: u64,
}

/// A step of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// An element was opened; [`XmlPull::is`] matches its path.
    Open,
    /// An element was closed; its path is still current and [`XmlPull::text`] is its text.
    Close,
}

/// The pull parser; see the module documentation.
pub(crate) struct XmlPull<R: BufRead> {
    reader: Reader<Guarded<R>>,
    buf: Vec<u8>,
    /// Segments `0..depth` are the open path; later ones are kept for their allocations.
    segs: Vec<Seg>,
    depth: usize,
    pop_pending: bool,
    text: String,
    text_chars: usize,
    /// `Some(false)` when the element just opened carries a `Ccy` other than `EUR`.
    currency_is_eur: Option<bool>,
    root_namespace: Option<String>,
    root_seen: bool,
    root_closed: bool,
    position: u64,
}

impl<R: BufRead> XmlPull<R> {
    /// A parser over `input`.
    pub(crate) fn new(input: R) -> XmlPull<R> {
        let mut reader = Reader::from_reader(Guarded {
            inner: input,
            consumed_bytes: 0,
            tripped: false,
        });
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        XmlPull {
            reader,
            buf: Vec::new(),
            segs: Vec::new(),
            depth: 0,
            pop_pending: false,
            text: String::new(),
            text_chars: 0,
            currency_is_eur: None,
            root_namespace: None,
            root_seen: false,
            root_closed: false,
            position: 0,
        }
    }

    /// The next step, or `None` after the root element closed and the input ended.
    pub(crate) fn next(&mut self) -> Result<Option<Node>, SepaReadError> {
        // The buffer leaves `self` while events borrow it, so no event has to be copied.
        let mut buf = std::mem::take(&mut self.buf);
        let step = self.next_with(&mut buf);
        self.buf = buf;
        step
    }

    fn next_with(&mut self, buf: &mut Vec<u8>) -> Result<Option<Node>, SepaReadError> {
        loop {
            if self.pop_pending {
                self.pop_pending = false;
                self.depth = self.depth.saturating_sub(1);
                self.text.clear();
                self.text_chars = 0;
            }
            self.reader.get_mut().consumed_bytes = 0;
            buf.clear();
            let event = match self.reader.read_event_into(buf) {
                Ok(event) => event,
                Err(error) => {
                    self.position = self.reader.error_position();
                    let problem = self.xml_problem(&error);
                    return Err(self.error(problem));
                }
            };
            self.position = self.reader.buffer_position();
            match event {
                Event::Start(start) => {
                    if self.root_closed || (self.depth == 0 && self.root_seen) {
                        return Err(self.error(ReadProblem::OutsideRoot));
                    }
                    if self.depth >= DEPTH_MAX {
                        return Err(self.error(ReadProblem::TooDeep { max: DEPTH_MAX }));
                    }
                    let name = start.local_name();
                    let name: &str = name.as_ref();
                    self.currency_is_eur = None;
                    if self.depth == 0 {
                        self.root_seen = true;
                        self.root_namespace = root_namespace(&start);
                    } else if name.ends_with("Amt") {
                        for attribute in start.attributes().flatten() {
                            if attribute.key.local_name().as_ref() == "Ccy" {
                                self.currency_is_eur = Some(attribute.value.trim() == "EUR");
                            }
                        }
                    }
                    self.push(name);
                    self.text.clear();
                    self.text_chars = 0;
                    return Ok(Some(Node::Open));
                }
                Event::End(_) => {
                    if self.depth == 0 {
                        return Err(self.error(ReadProblem::MalformedXml("unexpected end tag")));
                    }
                    self.pop_pending = true;
                    if self.depth == 1 {
                        self.root_closed = true;
                    }
                    return Ok(Some(Node::Close));
                }
                Event::Empty(_) => {
                    // `expand_empty_elements` turns `<a/>` into Start + End.
                    return Err(self.error(ReadProblem::MalformedXml("unexpected empty element")));
                }
                Event::Text(text) => {
                    let content = text.xml10_content();
                    self.append(&content)?;
                }
                Event::CData(data) => {
                    let content = data.xml10_content();
                    if self.depth == 0 {
                        return Err(self.error(ReadProblem::OutsideRoot));
                    }
                    self.append(&content)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) => c,
                            _ => {
                                return Err(self.error(ReadProblem::MalformedXml(
                                    "invalid character reference",
                                )));
                            }
                        }
                    } else {
                        match reference.as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "apos" => '\'',
                            "quot" => '"',
                            _ => {
                                return Err(self
                                    .error(ReadProblem::MalformedXml("unknown entity reference")));
                            }
                        }
                    };
                    if self.depth == 0 {
                        return Err(self.error(ReadProblem::OutsideRoot));
                    }
                    let mut buffer = [0_u8; 4];
                    self.append(resolved.encode_utf8(&mut buffer))?;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => {
                    if !self.root_seen || self.depth > 0 {
                        return Err(self.error(ReadProblem::UnexpectedEnd));
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn xml_problem(&self, error: &quick_xml::Error) -> ReadProblem {
        match error {
            quick_xml::Error::Io(io) => {
                if self.reader.get_ref().tripped {
                    ReadProblem::TooLarge {
                        max_bytes: EVENT_BYTES_MAX,
                    }
                } else {
                    ReadProblem::Io(io.kind())
                }
            }
            quick_xml::Error::Syntax(_) => ReadProblem::MalformedXml("syntax error"),
            quick_xml::Error::IllFormed(_) => {
                ReadProblem::MalformedXml("mismatched or unexpected tags")
            }
            quick_xml::Error::InvalidAttr(_) => ReadProblem::MalformedXml("invalid attribute"),
            quick_xml::Error::Encoding(_) => ReadProblem::MalformedXml("invalid UTF-8"),
            quick_xml::Error::Escape(_) => ReadProblem::MalformedXml("invalid escape"),
            quick_xml::Error::Namespace(_) => ReadProblem::MalformedXml("invalid namespace"),
        }
    }

    fn push(&mut self, name: &str) {
        let index = match self.depth.checked_sub(1).and_then(|p| self.segs.get_mut(p)) {
            Some(parent) => {
                if parent.last_child == name {
                    parent.last_child_count = parent.last_child_count.saturating_add(1);
                } else {
                    parent.last_child.clear();
                    parent.last_child.push_str(name);
                    parent.last_child_count = 1;
                }
                parent.last_child_count
            }
            None => 1,
        };
        if self.segs.len() <= self.depth {
            self.segs.push(Seg::default());
        }
        if let Some(seg) = self.segs.get_mut(self.depth) {
            seg.name.clear();
            seg.name.push_str(name);
            seg.index = index;
            seg.last_child.clear();
            seg.last_child_count = 0;
        }
        self.depth += 1;
    }

    fn append(&mut self, content: &str) -> Result<(), SepaReadError> {
        if self.depth == 0 {
            if content.trim().is_empty() {
                return Ok(());
            }
            return Err(self.error(ReadProblem::OutsideRoot));
        }
        if self.text.is_empty() && content.trim().is_empty() {
            return Ok(());
        }
        self.text_chars = self.text_chars.saturating_add(content.chars().count());
        if self.text_chars > TEXT_CHARS_MAX {
            return Err(self.error(ReadProblem::TextTooLong {
                max_chars: TEXT_CHARS_MAX,
            }));
        }
        self.text.push_str(content);
        Ok(())
    }

    /// True when the current path is exactly `names` (local names from the root).
    pub(crate) fn is(&self, names: &[&str]) -> bool {
        // Compared leaf first: paths that differ usually differ at the end.
        names.len() == self.depth
            && self
                .segs
                .iter()
                .take(self.depth)
                .rev()
                .zip(names.iter().rev())
                .all(|(seg, name)| seg.name == *name)
    }

    /// True when the current path starts with `prefix` and continues with `rest` exactly.
    pub(crate) fn is_under(&self, prefix: &[&str], rest: &[&str]) -> bool {
        // Compared leaf first: paths that differ usually differ at the end.
        prefix.len() + rest.len() == self.depth
            && self
                .segs
                .iter()
                .take(self.depth)
                .rev()
                .zip(rest.iter().rev().chain(prefix.iter().rev()))
                .all(|(seg, name)| seg.name == *name)
    }

    /// The number of open elements.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The local name of the element at `level` (0 is the root).
    pub(crate) fn name_at(&self, level: usize) -> Option<&str> {
        (level < self.depth)
            .then(|| self.segs.get(level).map(|seg| seg.name.as_str()))
            .flatten()
    }

    /// The trimmed text of the element just closed.
    pub(crate) fn text(&self) -> &str {
        self.text
            .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
    }

    /// The text of the element just closed, or `None` when it is empty.
    pub(crate) fn optional_text(&self) -> Option<String> {
        let text = self.text();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// Whether the element just opened has a `Ccy` attribute other than `EUR`.
    pub(crate) fn currency_is_not_eur(&self) -> bool {
        self.currency_is_eur == Some(false)
    }

    /// The namespace the root element is in, when declared.
    pub(crate) fn root_namespace(&self) -> Option<&str> {
        self.root_namespace.as_deref()
    }

    /// The current path as text: `Document/BkToCstmrStmt/Stmt[1]/Ntry[17]/Amt`.
    pub(crate) fn path(&self) -> String {
        self.path_upto(self.depth)
    }

    /// The path of the first `levels` open elements.
    fn path_upto(&self, levels: usize) -> String {
        let mut path = String::new();
        for seg in self.segs.iter().take(levels.min(self.depth)) {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(&seg.name);
            if REPEATING.contains(&seg.name.as_str()) {
                path.push_str(&format!("[{}]", seg.index));
            }
        }
        path
    }

    /// An error at the current path.
    pub(crate) fn error(&self, problem: ReadProblem) -> SepaReadError {
        SepaReadError {
            position: self.position,
            path: self.path(),
            problem,
        }
    }

    /// An error about `child` (a relative path) below the current element.
    pub(crate) fn child_error(&self, child: &str, problem: ReadProblem) -> SepaReadError {
        let mut path = self.path();
        path.push('/');
        path.push_str(child);
        SepaReadError {
            position: self.position,
            path,
            problem,
        }
    }

    /// An error about `child` below the open element at depth `levels` (1 is the root).
    pub(crate) fn error_below(
        &self,
        levels: usize,
        child: &str,
        problem: ReadProblem,
    ) -> SepaReadError {
        let mut path = self.path_upto(levels);
        path.push('/');
        path.push_str(child);
        SepaReadError {
            position: self.position,
            path,
            problem,
        }
    }

    /// The byte position of the last step.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// The closed element's text as an amount; see [`parse_amount`].
    pub(crate) fn amount(&self) -> Result<Cents, SepaReadError> {
        parse_amount(self.text()).ok_or_else(|| self.error(ReadProblem::InvalidAmount))
    }

    /// The closed element's text as a date; see [`parse_date`].
    pub(crate) fn date(&self) -> Result<Date, SepaReadError> {
        parse_date(self.text()).ok_or_else(|| self.error(ReadProblem::InvalidDate))
    }
}

/// The namespace bound to the root element's own prefix (or the default namespace).
fn root_namespace(start: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    let name = start.name();
    let prefix = name.prefix();
    let prefix: Option<&str> = prefix.as_ref().map(AsRef::as_ref);
    for attribute in start.attributes().flatten() {
        let bound = match attribute.key.as_namespace_binding() {
            Some(PrefixDeclaration::Default) => prefix.is_none(),
            Some(PrefixDeclaration::Named(named)) => prefix == Some(named),
            None => false,
        };
        if bound {
            return Some(attribute.value.trim().chars().take(100).collect());
        }
    }
    None
}

/// Parses an amount strictly: ASCII digits, optionally a `.` and one or two decimals.
/// No sign, no comma, no exponent; `None` otherwise or on overflow.
#[must_use]
pub fn parse_amount(text: &str) -> Option<Cents> {
    if text.is_empty() || text.len() > AMOUNT_TEXT_BYTES_MAX {
        return None;
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !fraction.is_none_or(|f| digits(f) && f.len() <= 2) {
        return None;
    }
    let mut cents: i64 = 0;
    for byte in whole.bytes() {
        cents = cents.checked_mul(10)?.checked_add(i64::from(byte - b'0'))?;
    }
    let fraction = fraction.unwrap_or("");
    let mut fraction_cents: i64 = 0;
    for byte in fraction.bytes() {
        fraction_cents = fraction_cents * 10 + i64::from(byte - b'0');
    }
    if fraction.len() == 1 {
        fraction_cents *= 10;
    }
    Some(Cents::new(
        cents.checked_mul(100)?.checked_add(fraction_cents)?,
    ))
}

/// Parses `YYYY-MM-DD`, or the date part of a date-time `YYYY-MM-DDThh:mm:ss…`.
#[must_use]
pub fn parse_date(text: &str) -> Option<Date> {
    let date = match text.split_once('T') {
        Some((date, _time)) => date,
        None => text,
    };
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let part = date.get(range)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = i32::from(number(0..4)?);
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_with_up_to_two_decimals_parse_to_cents() {
        assert_eq!(parse_amount("12.30"), Some(Cents::new(1230)));
        assert_eq!(parse_amount("12.3"), Some(Cents::new(1230)));
        assert_eq!(parse_amount("12"), Some(Cents::new(1200)));
        assert_eq!(parse_amount("0.05"), Some(Cents::new(5)));
    }

    #[test]
    fn amounts_outside_the_strict_form_or_range_are_refused() {
        for bad in [
            "",
            "1.234",
            "1,23",
            "-1",
            "+1",
            ".5",
            "5.",
            "1e3",
            " 1",
            "92233720368547758.08",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_and_date_times_parse_to_their_date() {
        let expected = Date::from_calendar_date(2026, Month::December, 1).ok();
        assert_eq!(parse_date("2026-12-01"), expected);
        assert_eq!(parse_date("2026-12-01T09:30:00+01:00"), expected);
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-12-01",
            "2026/12/01",
            "2026-1-01",
            "+026-12-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_non_negative_amount_parses_back_from_its_text(cents in 0_i64..=i64::MAX) {
            prop_assert_eq!(parse_amount(&Cents::new(cents).to_string()), Some(Cents::new(cents)));
        }

        #[test]
        fn arbitrary_text_never_panics_the_amount_and_date_parsers(text in "\\PC{0,30}") {
            let _ = parse_amount(&text);
            let _ = parse_date(&text);
        }
    }
}
