//! Veriff's error answers, mapped once to the neutral [`Error`], as the table in the crate docs
//! says. Match on the code, never on the message, which Veriff calls an opaque string that may
//! change (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>).

use std::time::Duration;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::{Denial, Error};

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
    let error = match (status, code.as_deref()) {
        // A failing server decides by its status whatever code it sends.
        (500.., _) => status_error(provider, status, None, retry_after),
        // "Integration with the API key is not active": deactivated, suspended or unpaid
        // (<https://devdocs.veriff.com/docs/credentials-and-authorization-codes-table>).
        (_, Some("1804")) => Error::forbidden(provider, Denial::AccountInactive, status),
        // The other 18xx codes: a missing, unknown or malformed key, or a signature that does
        // not match (<https://devdocs.veriff.com/docs/credentials-and-authorization-codes-table>).
        (_, Some(code)) if code.len() == 4 && code.starts_with("18") => {
            Error::unauthenticated(provider, status)
        }
        // Deleting: "Session is not in a completed status." and a session in progress
        // (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>).
        (_, Some("1305")) => {
            Error::conflict(provider, status, "Veriff deletes a session only once it is completed")
        }
        (_, Some("1306")) => Error::conflict(provider, status, "the session is in progress"),
        // Veriff's status table has no 403 (<https://devdocs.veriff.com/v1/docs/common-http-status-codes>):
        // credentials it refuses get 401 and an 18xx code. What an accepted key may lack is a
        // feature Veriff enables per integration, such as deleting sessions ("The endpoint is
        // not available by default", <https://devdocs.veriff.com/apidocs/v1sessionsid-3>).
        (403, _) => Error::forbidden(provider, Denial::FeatureNotEnabled, status),
        // 429 included: deleting is limited to 5 sessions per hour and 10 per 24 hours
        // (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>); Retry-After is kept when sent.
        _ => status_error(provider, status, None, retry_after),
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
