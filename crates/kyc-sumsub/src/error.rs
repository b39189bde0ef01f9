//! Sumsub's error answers, mapped once to the neutral [`Error`], as the table in the crate docs
//! says. The body is `{description, code, correlationId, errorCode, errorName}`
//! (<https://docs.sumsub.com/reference/error-codes-description>); `errorCode` and `errorName`
//! are optional, and the match is on `errorCode`, never on `errorName` or the description.

use std::time::Duration;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::Error;

use crate::wire::ErrorBody;

/// `errorCode` for a request whose `X-App-Access-Ts` is outside Sumsub's one-minute window
/// (`app-token-request-expired`, <https://docs.sumsub.com/reference/authentication>).
pub const STALE_TIMESTAMP: u64 = 4004;
/// `errorCode` for a request whose `X-App-Access-Sig` does not match
/// (`app-token-signature mismatch`, <https://docs.sumsub.com/reference/error-codes-description>).
pub const SIGNATURE_MISMATCH: u64 = 4003;

/// The wait after a 429 without `Retry-After`, which Sumsub does not document: its limits
/// count requests per 5 seconds (<https://docs.sumsub.com/reference/rate-limits>).
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// What [`Error::vendor_message`] says after the description when Sumsub sent a
/// `correlationId`; [`correlation_id`] reads it back.
const CORRELATION: &str = " (correlationId: ";

/// The neutral error for a non-2xx answer.
pub(crate) fn error_from_response(
    provider: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not Sumsub's JSON (an HTML error page, a proxy's text, nothing): the status decides.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let error = match (status, parsed.error_code) {
        // A failing server decides by its status whatever code it sends.
        (500.., _) => status_error(provider, status, None, retry_after),
        // The clock, not the credentials: told apart so nobody rotates a working token. A
        // configuration problem of the host running this client, refused before Sumsub did
        // anything (so nothing exists there); no retry would help until the clock is fixed.
        (_, Some(STALE_TIMESTAMP)) => Error::config(
            provider,
            "Sumsub refused the request timestamp (X-App-Access-Ts) as more than a minute away \
             from its clock: this machine's clock is wrong; synchronise it (NTP)",
        )
        .with_http_status(status),
        // 4000-4007: a malformed or unknown token, a secret key that is not the token's, a
        // signature that does not match, missing or invalid auth headers.
        (_, Some(4000..=4099)) => Error::unauthenticated(provider, status),
        // Deactivated applicants keep their external user id (1008, "applicant-marked-as-deleted"),
        // and a final rejection stands (1009): the state of the person's applicant, not the
        // request's form (<https://docs.sumsub.com/reference/error-codes-description>).
        (_, Some(1008)) => {
            Error::conflict(provider, status, "the applicant of this user id is deactivated")
        }
        (_, Some(1009)) => Error::conflict(
            provider,
            status,
            "the applicant of this user id was rejected for good (FINAL)",
        ),
        (409, _) => Error::conflict(
            provider,
            status,
            "the applicant of this user id is not in a state that allows this",
        ),
        (429, _) => Error::rate_limited(provider, retry_after.or(Some(RATE_WINDOW)))
            .with_http_status(status),
        // 401 without a code, 402, 403 (a token without the permission: "Create applicants",
        // "View applicants", <https://docs.sumsub.com/docs/app-tokens>), 400 (validation),
        // 404, 405, 415: the shared classification.
        _ => status_error(provider, status, None, retry_after),
    };
    let code = parsed.error_code.map(|code| code.to_string());
    let message = match (parsed.description.or(excerpt), parsed.correlation_id) {
        (Some(text), Some(id)) => Some(format!("{text}{CORRELATION}{id})")),
        (None, Some(id)) => Some(format!("{CORRELATION}{id})").trim_start().to_owned()),
        (text, None) => text,
    };
    with_vendor_details(error, code.as_deref(), message)
}

/// The `correlationId` Sumsub gave a refusal, for a support ticket: kept at the end of
/// [`Error::vendor_message`] (which is printed by neither `Display` nor `Debug`, since the
/// description may quote what was sent).
///
/// ```
/// # use kyc_adapter::ErrorExt;
/// let error = kyc_core::Error::unauthenticated("sumsub", 401).with_vendor_message(
///     "Request signature mismatch (correlationId: c0b20cfbbf674ce5aeaf479e72d33af8)",
/// );
/// assert_eq!(kyc_sumsub::correlation_id(&error), Some("c0b20cfbbf674ce5aeaf479e72d33af8"));
/// ```
pub fn correlation_id(error: &Error) -> Option<&str> {
    let message = error.vendor_message()?;
    let marker = CORRELATION.trim_start();
    let start = message.rfind(marker)? + marker.len();
    message[start..].strip_suffix(')').filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Applicant, WebhookBody, WebsdkLinkAnswer};
    use proptest::prelude::*;

    proptest! {
        /// Whatever comes back, decoding never panics and an error always says who and why.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = serde_json::from_slice::<WebsdkLinkAnswer>(&body);
            let _ = serde_json::from_slice::<Applicant>(&body);
            let _ = serde_json::from_slice::<WebhookBody>(&body);
            let error = error_from_response("sumsub", status, None, &body);
            prop_assert_eq!(error.provider(), Some("sumsub"));
            prop_assert!(!error.to_string().is_empty());
        }

        /// Fields of any JSON type and any text.
        #[test]
        fn arbitrary_error_fields_never_panic(
            code in prop_oneof![any::<i64>().prop_map(serde_json::Value::from), ".{0,12}".prop_map(serde_json::Value::from), Just(serde_json::Value::Null)],
            description in prop_oneof![".{0,40}".prop_map(serde_json::Value::from), any::<bool>().prop_map(serde_json::Value::from)],
            status in 100u16..600,
        ) {
            let body = serde_json::json!({"errorCode": code, "code": code, "description": description, "correlationId": code}).to_string();
            let error = error_from_response("sumsub", status, None, body.as_bytes());
            let _ = correlation_id(&error);
        }
    }
}
