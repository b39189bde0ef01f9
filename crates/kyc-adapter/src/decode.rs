//! Helpers for decoding vendor responses leniently: vendors add fields, change types and send
//! `null` where they documented a value, and an optional field gone wrong must not fail a
//! response whose essential fields are fine (Veriff adds fields without notice:
//! <https://devdocs.veriff.com/docs/backwards-compatible-changes>).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use kyc_core::{Error, FieldError};

use crate::ErrorExt;

/// The error for a success answer (HTTP `status`) from `provider` whose body did not decode as
/// documented. Worded like request JSON errors: where, and what was expected, never a value.
pub fn undecodable(provider: &str, status: u16, error: &serde_json::Error) -> Error {
    let place = FieldError::from_json("body", error);
    Error::decode(provider, status, format!("{}: {}", place.field(), place.rule()))
}

/// The error for a webhook body from `provider` that did not decode as documented: worded like
/// [`undecodable`], without an HTTP status (nothing was asked; see `ErrorExt::invalid_payload`).
pub fn undecodable_webhook(provider: &str, error: &serde_json::Error) -> Error {
    let place = FieldError::from_json("body", error);
    Error::invalid_payload(provider, format!("{}: {}", place.field(), place.rule()))
}

/// Seconds after `start`, when representable.
pub fn seconds_after(
    start: chrono::DateTime<chrono::Utc>,
    seconds: u64,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let seconds = i64::try_from(seconds).ok()?;
    start.checked_add_signed(chrono::TimeDelta::try_seconds(seconds)?)
}

/// A `deserialize_with` for optional fields: the value when it has the expected type, `None`
/// when it is missing, `null` or of another type.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Response {
///     #[serde(default, deserialize_with = "kyc_adapter::decode::lenient")]
///     expiry_time: Option<u64>,
/// }
/// let wrong: Response = serde_json::from_str(r#"{"expiry_time": "soon"}"#).unwrap();
/// assert_eq!(wrong.expiry_time, None);
/// let right: Response = serde_json::from_str(r#"{"expiry_time": 600}"#).unwrap();
/// assert_eq!(right.expiry_time, Some(600));
/// ```
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// Like [`lenient`], and also accepts a number sent as a string (`"600"`).
pub fn lenient_u64<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A vendor's error body: parsed as `T` when it is the vendor's JSON, otherwise `T::default()`
/// and a redacted [`excerpt`] of what came instead (an HTML page, a proxy's text, nothing).
pub fn error_body<T: DeserializeOwned + Default>(body: &[u8]) -> (T, Option<String>) {
    match serde_json::from_slice(body) {
        Ok(parsed) => (parsed, None),
        Err(_) => (T::default(), Some(excerpt(body)).filter(|text| !text.is_empty())),
    }
}

/// A short, single-line, redacted excerpt of an unexpected body (an HTML error page, a proxy's
/// text), for [`ErrorExt::with_vendor_message`]: markup
/// dropped, whitespace collapsed, words with `@` (email addresses) and runs of five or more
/// digits (phone, document and personal numbers) masked, at most 160 characters.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut plain = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<String> = plain.split_whitespace().map(redact_word).collect();
    words.join(" ").chars().take(160).collect()
}

fn redact_word(word: &str) -> String {
    if word.contains('@') {
        return "<email>".to_owned();
    }
    let mut out = String::with_capacity(word.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        out.push_str(if digits.len() >= 5 { "<number>" } else { digits });
        digits.clear();
    };
    for c in word.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "lenient_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "lenient")]
        s: Option<String>,
    }

    #[test]
    fn lenient_fields_take_what_fits() {
        let cases = [
            (r#"{"n": 5, "s": "x"}"#, Some(5), Some("x")),
            (r#"{"n": "7", "s": 3}"#, Some(7), None),
            (r#"{"n": null, "s": null}"#, None, None),
            (r#"{"n": -1, "s": ["x"]}"#, None, None),
            (r#"{}"#, None, None),
        ];
        for (json, n, s) in cases {
            let probe: Probe = serde_json::from_str(json).unwrap();
            assert_eq!((probe.n, probe.s.as_deref()), (n, s), "{json}");
        }
    }

    #[test]
    fn excerpts_are_short_plain_text() {
        let page =
            b"<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502</h1></body></html>";
        assert_eq!(excerpt(page), "502 Bad Gateway 502");
        assert_eq!(
            excerpt(b"<p>No match for jonas@example.com, id 38706050000.</p>"),
            "No match for <email> id <number>."
        );
        assert_eq!(excerpt(&[0xff, 0xfe, b'o', b'k']), "\u{fffd}\u{fffd}ok");
        assert_eq!(excerpt("x".repeat(1000).as_bytes()).len(), 160);
    }
}
