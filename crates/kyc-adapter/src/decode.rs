//! Helpers for decoding vendor responses leniently: vendors add fields, change types and send
//! `null` where they documented a value, and an optional field gone wrong must not fail a
//! response whose essential fields are fine (Veriff adds fields without notice:
//! <https://devdocs.veriff.com/docs/backwards-compatible-changes>).

use serde::de::DeserializeOwned;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
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

/// [`lenient`] for text, read straight from the answer: a string is taken, any other value
/// (a number, an object, `null`) is skipped as `None`. What every adapter reads on each session
/// (ids, links, tokens) goes through this rather than a JSON value built and converted. A
/// skipped list or object is read through as serde reads an unknown field (its strings are not
/// checked for lone surrogates, say), so a malformed value there is `None`, not an error.
pub fn lenient_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Lenient(|text: &str| Some(text.to_owned())))
}

/// [`lenient`] for a time in RFC 3339 (`"2025-03-11T10:00:00Z"`), read straight from the
/// answer: a string that is not one, or any other value, is `None`.
pub fn lenient_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    deserializer.deserialize_any(Lenient(|text: &str| text.parse().ok()))
}

/// [`lenient`] for an object of text fields (a time is text too), read straight from the
/// answer: `set` gets each key and its value as [`lenient_text`] reads it, in the answer's
/// order, so a repeated key ends with its last value, as a JSON value would have it (a derived
/// struct would refuse the whole answer). Anything but an object is `None`.
///
/// ```
/// #[derive(Default)]
/// struct Link { url: Option<String> }
/// fn link<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Link>, D::Error> {
///     kyc_adapter::decode::lenient_text_object(d, |link: &mut Link, key, value| {
///         if key == "url" { link.url = value }
///     })
/// }
/// #[derive(serde::Deserialize)]
/// struct Run { #[serde(default, deserialize_with = "link")] link: Option<Link> }
/// let run: Run = serde_json::from_str(r#"{"link": {"url": "a", "url": "b", "n": [1]}}"#).unwrap();
/// assert_eq!(run.link.unwrap().url.as_deref(), Some("b"));
/// let run: Run = serde_json::from_str(r#"{"link": "b"}"#).unwrap();
/// assert!(run.link.is_none());
/// ```
pub fn lenient_text_object<'de, D, T>(
    deserializer: D,
    set: fn(&mut T, &str, Option<String>),
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Default,
{
    struct Object<T>(fn(&mut T, &str, Option<String>));
    impl<'de, T: Default> Visitor<'de> for Object<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut object = T::default();
            while let Some(Key(key)) = map.next_key()? {
                let LenientText(value) = map.next_value()?;
                (self.0)(&mut object, &key, value);
            }
            Ok(Some(object))
        }
        skip_other_values!();
    }
    deserializer.deserialize_any(Object(set))
}

/// An object's key, borrowed from the answer when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Borrowed(key)))
            }
            fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// A value as [`lenient_text`] reads it.
struct LenientText(Option<String>);

impl<'de> Deserialize<'de> for LenientText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient_text(deserializer).map(LenientText)
    }
}

/// A visitor that takes a string through its function and skips every other value as `None`.
struct Lenient<F>(F);

impl<'de, T, F: FnOnce(&str) -> Option<T>> Visitor<'de> for Lenient<F> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok((self.0)(text))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    skip_other_values!(str);
}

/// The `visit_*` methods of a lenient visitor for the values it does not take: each is
/// `None` (a list or object is read through and dropped).
macro_rules! skip_other_values {
    () => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        skip_other_values!(str);
    };
    (str) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}
use skip_other_values;

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

    #[derive(Deserialize)]
    struct Typed {
        #[serde(default, deserialize_with = "lenient_text")]
        text: Option<String>,
        #[serde(default, deserialize_with = "lenient_time")]
        time: Option<chrono::DateTime<chrono::Utc>>,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Pair {
        #[serde(default, deserialize_with = "lenient_text")]
        a: Option<String>,
        #[serde(default, deserialize_with = "lenient_text")]
        b: Option<String>,
    }

    fn pair<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Pair>, D::Error> {
        lenient_text_object(deserializer, |pair: &mut Pair, key, value| match key {
            "a" => pair.a = value,
            "b" => pair.b = value,
            _ => {}
        })
    }

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "pair")]
        pair: Option<Pair>,
    }

    /// An object of text fields reads as a JSON value would have it (last repeated key wins);
    /// anything but an object is `None`.
    #[test]
    fn text_objects_agree_with_lenient_for_objects() {
        let values = [
            r#"{"a": "x", "b": "y"}"#,
            r#"{"a": "x", "a": "z"}"#,
            r#"{"a": "x", "a": 3}"#,
            r#"{"a\u0062": "x", "b": {"c": [1, "d"]}, "e": null}"#,
            r#"{"b": "\u00e9\n"}"#,
            "{}",
        ];
        for value in values {
            let json = format!(r#"{{"pair": {value}, "after": 1}}"#);
            let read: Holder =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let whole: serde_json::Value = serde_json::from_str(value).unwrap();
            assert_eq!(read.pair, Some(serde_json::from_value::<Pair>(whole).unwrap()), "{value}");
        }
        for value in [r#""x""#, "3", "null", r#"["x", "y"]"#, "true"] {
            let json = format!(r#"{{"pair": {value}}}"#);
            assert_eq!(serde_json::from_str::<Holder>(&json).unwrap().pair, None, "{value}");
        }
    }

    /// The typed readers take what [`lenient`] takes, and skip what it skips.
    #[test]
    fn typed_lenient_fields_agree_with_lenient() {
        let values = [
            r#""x""#,
            r#""2025-03-11T10:00:00Z""#,
            r#""2025-03-11 10:00:00+02:00""#,
            r#""soon""#,
            "3",
            "-1.5",
            "true",
            "null",
            r#"["x", {"a": [1]}]"#,
            r#"{"url": "https://a.example", "other": [1, {"b": null}]}"#,
            r#"{"url": 7}"#,
            "{}",
        ];
        for value in values {
            let json =
                format!(r#"{{"text": {value}, "time": {value}, "inner": {value}, "after": 1}}"#);
            let typed: Typed =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let whole: serde_json::Value = serde_json::from_str(value).unwrap();
            assert_eq!(typed.text, serde_json::from_value(whole.clone()).ok(), "{value}");
            assert_eq!(typed.time, serde_json::from_value(whole).ok(), "{value}");
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
