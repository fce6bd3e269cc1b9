//! JSON request bodies read into typed requests, with our own error text: which field, what was
//! expected and where (line and column), never the value that was sent.
//!
//! serde's messages quote what they could not read (``invalid type: integer `111222333`,
//! expected a string``), so they are never passed on. [`read`] keeps only the parts that come
//! from the target type: the field path and serde's "expected …" (`a string`, `one of …`).
//!
//! The field path names the struct fields on the way to the problem. A type read this way must
//! therefore not hold maps keyed by what the client sends; the one key a client chooses that can
//! appear, an unknown field's name, is left out.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_path_to_error::Segment;

use crate::api::problem::{FieldProblem, Problem};

/// The longest field name repeated in a path; a longer one (or one with other characters than
/// letters, digits and `_`) is shown as `?`.
const FIELD_NAME_CHARS_MAX: usize = 40;

/// A JSON body (`application/json` or `application/…+json`) read into `T`; refused with a
/// problem-details answer (415, 413, 400 for unreadable JSON, 422 for the wrong shape).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported Media Type",
                "Send the body as `application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| unreadable_body(rejection.status()))?;
        read(&bytes).map(JsonBody)
    }
}

/// Whether the `Content-Type` is `application/json` or `application/<something>+json`.
#[must_use]
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(media) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    media
        .strip_prefix("application/")
        .is_some_and(|sub| sub == "json" || sub.ends_with("+json"))
}

/// The problem of a body that could not be received (too large, or cut off).
#[must_use]
pub fn unreadable_body(status: StatusCode) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            status,
            "too-large",
            "Payload Too Large",
            "The request body is larger than this path accepts.",
        )
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "The request body could not be read",
            "The request body could not be received completely.",
        )
    }
}

/// Reads `bytes` as one JSON document of type `T`.
///
/// # Errors
/// A 400 problem when the bytes are not JSON, a 422 problem naming the field and what it should
/// be when the JSON does not fit `T`. Neither repeats anything that was sent.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let inner = e.inner();
        match inner.classify() {
            Category::Data => wrong_shape(e.path(), inner),
            Category::Syntax | Category::Eof | Category::Io => not_json(inner),
        }
    })?;
    deserializer.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

/// Where a `serde_json` error is, as text.
fn position(e: &serde_json::Error) -> String {
    format!("line {}, column {}", e.line(), e.column())
}

/// A 400: the bytes are not one JSON document.
fn not_json(e: &serde_json::Error) -> Problem {
    let detail = match e.classify() {
        Category::Eof => format!(
            "The body ends before its JSON document does ({}).",
            position(e)
        ),
        _ => format!(
            "The body is not valid JSON: reading stopped at {}.",
            position(e)
        ),
    };
    Problem::new(
        StatusCode::BAD_REQUEST,
        "malformed-request",
        "The request body is not valid JSON",
        detail,
    )
}

/// A 422: valid JSON of the wrong shape.
fn wrong_shape(path: &serde_path_to_error::Path, e: &serde_json::Error) -> Problem {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let (code, expectation, unknown_field) = expectation(message);
    let field = field_path(path, unknown_field);
    let at = if field.is_empty() {
        "the body".to_owned()
    } else {
        format!("`{field}`")
    };
    let detail = format!("{expectation} ({})", position(e));
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "malformed-request",
        "The request body does not have the expected shape",
        format!("{at}: {detail}."),
    );
    problem.errors = vec![FieldProblem {
        field,
        code: code.to_owned(),
        detail,
    }];
    problem
}

/// The stable code and our sentence for serde's `message`, and whether it is about an unknown
/// field (whose name the path must not repeat). Only serde's "expected …" part is kept: it comes
/// from the target type. Whatever else the message holds may be the client's value.
fn expectation(message: &str) -> (&'static str, String, bool) {
    const EXPECTED: &str = ", expected ";
    // The value (if any) comes before serde's last ", expected ", so the text after it is the
    // type's own description even when the value holds the same words.
    let expected = message
        .rfind(EXPECTED)
        .map(|i| plain(&message[i + EXPECTED.len()..]));
    if message.starts_with("unknown field ") {
        let known = expected
            .filter(|_| !message.ends_with(", there are no fields"))
            .map(|e| format!("; expected {e}"))
            .unwrap_or_default();
        let text = format!("holds a field that is not known{known}");
        return ("json.unknown_field", text, true);
    }
    for (prefix, code) in [
        ("missing field `", "json.missing_field"),
        ("duplicate field `", "json.duplicate_field"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The name is the type's own field name, never the client's.
            let name = rest.split('`').next().unwrap_or_default();
            let what = if code == "json.missing_field" {
                "is required"
            } else {
                "is given twice"
            };
            return (code, format!("field `{name}` {what}"), false);
        }
    }
    let typed = [
        "invalid type: ",
        "invalid value: ",
        "invalid length ",
        "unknown variant ",
    ]
    .iter()
    .any(|p| message.starts_with(p));
    match expected {
        Some(expected) if typed => ("json.invalid", format!("expected {expected}"), false),
        _ => (
            "json.invalid",
            "holds a value that could not be read".to_owned(),
            false,
        ),
    }
}

/// serde's description of a type in the words of JSON.
fn plain(expected: &str) -> String {
    let whole = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    match expected {
        "a string" | "a borrowed string" => "a JSON string".to_owned(),
        "a sequence" => "a JSON array".to_owned(),
        "a map" => "a JSON object".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        e if whole.contains(&e) => "a whole number".to_owned(),
        e if e.starts_with("struct ") => "a JSON object".to_owned(),
        e => e.to_owned(),
    }
}

/// The path of fields and indexes to the problem (`members[0].bsn`), without the last key when
/// it is an unknown field's name.
fn field_path(path: &serde_path_to_error::Path, unknown_field: bool) -> String {
    let mut segments: Vec<&Segment> = path.iter().collect();
    if unknown_field && matches!(segments.last(), Some(Segment::Map { .. })) {
        segments.pop();
    }
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let plain = key.len() <= FIELD_NAME_CHARS_MAX
                    && !key.is_empty()
                    && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if plain { key } else { "?" });
            }
            Segment::Unknown => out.push_str(if out.is_empty() { "?" } else { ".?" }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read")]
    struct Member {
        bsn: String,
        quantity: u16,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read")]
    struct Body {
        members: Vec<Member>,
    }

    fn refused(json: &str) -> Problem {
        read::<Body>(json.as_bytes()).expect_err("refused")
    }

    #[test]
    fn a_wrong_type_names_the_field_and_what_was_expected_but_not_the_value() {
        let p = refused(r#"{"members": [{"bsn": 111222333, "quantity": 1}]}"#);
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "members[0].bsn");
        assert_eq!(
            p.errors[0].detail,
            "expected a JSON string (line 1, column 30)"
        );
        assert!(!format!("{p:?}").contains("111222333"));
    }

    #[test]
    fn a_value_holding_serdes_own_words_does_not_fool_the_reader() {
        let p = refused(r#"{"members": [{"bsn": "x", "quantity": "ECHO, expected ECHO"}]}"#);
        assert_eq!(p.errors[0].field, "members[0].quantity");
        assert!(p.errors[0].detail.starts_with("expected a whole number"));
        assert!(!format!("{p:?}").contains("ECHO"));
    }

    #[test]
    fn an_unknown_field_is_reported_at_its_object_without_its_name() {
        let p = refused(r#"{"members": [{"ECHO7f3a": 1}]}"#);
        assert_eq!(p.errors[0].field, "members[0]");
        assert!(
            p.errors[0].detail.contains("expected `bsn` or `quantity`"),
            "{p:?}"
        );
        assert!(!format!("{p:?}").contains("ECHO"));
        let p = refused(r#"{"ECHO7f3a": 1}"#);
        assert_eq!(p.errors[0].field, "");
        assert!(
            p.detail
                .starts_with("the body: holds a field that is not known")
        );
    }

    #[test]
    fn syntax_errors_say_where_reading_stopped_and_nothing_else() {
        let p = refused(r#"{"members": [ECHO7f3a]}"#);
        assert_eq!(p.status, 400);
        assert_eq!(
            p.detail,
            "The body is not valid JSON: reading stopped at line 1, column 14."
        );
        let p = refused(r#"{"members": [] } "ECHO7f3a""#);
        assert_eq!(p.status, 400);
        assert!(!p.detail.contains("ECHO"));
        let p = refused("");
        assert!(p.detail.starts_with("The body ends before"), "{}", p.detail);
    }

    #[test]
    fn a_missing_field_is_named_from_the_type() {
        let p = refused(r#"{"members": [{"bsn": "1"}]}"#);
        assert_eq!(p.errors[0].field, "members[0]");
        assert!(
            p.errors[0]
                .detail
                .starts_with("field `quantity` is required")
        );
    }
}
