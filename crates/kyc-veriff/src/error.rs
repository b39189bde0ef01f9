//! Veriff's error answers, mapped once to the neutral [`Error`].
//!
//! Veriff answers `{status: "fail", code, message}`
//! (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>), `code` a string or a
//! number, both read. Match on the code, never on the message, which Veriff calls an opaque
//! string that may change.
//!
//! | answer | neutral kind |
//! |---|---|
//! | 401, or any `18xx` code (API key, integration, signature) | unauthenticated |
//! | 400 with a `1xxx`/`2xxx` code (1102 missing parameters, 1302 non-HTTPS callback, 1500/1501 vendorData, ...) | rejected |
//! | 404, 409 | rejected |
//! | 429 | rate limited |
//! | 5xx | unavailable |
//! | a body that is not Veriff's JSON (HTML, empty) | by status, as above |

use std::time::Duration;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::Error;

use crate::wire::ErrorBody;

/// The neutral error for a non-2xx answer.
pub(crate) fn error_from_response(
    provider: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not Veriff's JSON (an HTML error page, a proxy's text, nothing): the status decides.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let code = parsed.code();
    let credential_code = code.as_deref().is_some_and(|c| c.len() == 4 && c.starts_with("18"));
    let error = match credential_code && status < 500 {
        true => Error::unauthenticated(provider, status),
        false => status_error(provider, status, None, retry_after),
    };
    with_vendor_details(error, code.as_deref(), parsed.message.or(excerpt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::CreateSessionResponse;
    use proptest::prelude::*;

    proptest! {
        /// Whatever comes back, decoding never panics and an error always says who and why.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = serde_json::from_slice::<CreateSessionResponse>(&body);
            let error = error_from_response("veriff", status, None, &body);
            prop_assert_eq!(error.provider(), Some("veriff"));
            prop_assert!(!error.to_string().is_empty());
        }

        /// Codes of any JSON type and any text.
        #[test]
        fn arbitrary_codes_never_panic(code in prop_oneof![any::<i64>().prop_map(serde_json::Value::from), ".{0,12}".prop_map(serde_json::Value::from)], status in 100u16..600) {
            let body = serde_json::json!({"status": "fail", "code": code}).to_string();
            let _ = error_from_response("veriff", status, None, body.as_bytes());
        }
    }
}
