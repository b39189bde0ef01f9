//! iDenfy's error answers, mapped once to the neutral [`Error`].
//!
//! iDenfy answers `{identifier, message}` with "HTTP 400 (or the appropriate status code)"
//! (<https://documentation.idenfy.com/resources/error-messages>), and some errors with no
//! identifier at all: 401 "Invalid authorization credentials", 402 "Action not allowed due to
//! lack of funds or exceeded limit", 403 "Partner inactive" or "not available for {ENV}
//! partners" (<https://documentation.idenfy.com/kyc/id-error-messages>). The identifier decides
//! when there is one (it "never changes"); the status otherwise (`kyc_core::http::status_error`).
//!
//! | identifier | neutral kind |
//! |---|---|
//! | `UNAUTHORIZED` | unauthenticated |
//! | `TOO_MANY_REQUESTS` | rate limited (default limit 10,000 requests an hour) |
//! | `PERMISSIONS_ERROR` "… token limit" | rejected: out of credits, not a rate limit |
//! | `PERMISSIONS_ERROR` "… not available for … partners" | unauthenticated: keys of another environment |
//! | `PERMISSIONS_ERROR` otherwise | rejected |
//! | `BAD_VALUE`, `MISSING_VALUE`, `VALIDATION_ERROR`, `JSON_ERROR`, `ENCODING_ERROR` | rejected |
//! | `PARTNER_CONTRACT_ERROR` on a KYB request | unsupported: KYB is not in the contract |
//! | `INTERNAL_ERROR` | unavailable |
//! | anything else, or none | by status: 401/403 unauthenticated, 429 rate limited, 5xx unavailable, else rejected |

use std::time::Duration;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::{Error, Feature, VerificationKind};

use crate::wire::ErrorBody;

/// The neutral error for a non-2xx answer to a token request of `kind`.
pub(crate) fn error_from_response(
    provider: &str,
    kind: VerificationKind,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not iDenfy's JSON (an HTML error page, a proxy's text, nothing): the status decides.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let message = parsed.message.or(parsed.detail).or(excerpt).filter(|m| !m.is_empty());
    let lowercase = message.as_deref().unwrap_or_default().to_ascii_lowercase();
    let code = parsed.identifier.as_deref();
    let refined = match code {
        Some("UNAUTHORIZED") => Error::unauthenticated(provider, status),
        Some("TOO_MANY_REQUESTS") => {
            Error::rate_limited(provider, retry_after).with_http_status(status)
        }
        Some("PERMISSIONS_ERROR") if lowercase.contains("not available for") => {
            Error::unauthenticated(provider, status)
        }
        Some(
            "PERMISSIONS_ERROR" | "BAD_VALUE" | "MISSING_VALUE" | "VALIDATION_ERROR" | "JSON_ERROR"
            | "ENCODING_ERROR",
        ) => Error::rejected(provider, status),
        Some("PARTNER_CONTRACT_ERROR") if kind == VerificationKind::Business => {
            Error::unsupported_by_provider(provider, Feature::Kind(kind), status)
        }
        Some("INTERNAL_ERROR") => Error::unavailable(provider, status),
        // Unknown identifiers, and answers with none: the status decides.
        _ => status_error(provider, status, None, retry_after),
    };
    with_vendor_details(refined, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{KybTokenResponse, TokenResponse};
    use proptest::prelude::*;

    proptest! {
        /// Whatever comes back, decoding never panics and an error always says who and why.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = serde_json::from_slice::<TokenResponse>(&body);
            let _ = serde_json::from_slice::<KybTokenResponse>(&body);
            for kind in [VerificationKind::Identity, VerificationKind::Business] {
                let error = error_from_response("idenfy", kind, status, None, &body);
                prop_assert_eq!(error.provider(), Some("idenfy"));
                prop_assert!(!error.to_string().is_empty());
            }
        }

        /// Arbitrary JSON objects with iDenfy's keys and any values.
        #[test]
        fn arbitrary_error_bodies_never_panic(identifier in ".{0,40}", message in ".{0,200}", status in 100u16..600) {
            let body = serde_json::json!({"identifier": identifier, "message": message}).to_string();
            let error = error_from_response("idenfy", VerificationKind::Identity, status, None, body.as_bytes());
            let printed = format!("{error} {error:?}");
            // The vendor's message is kept, never printed (it may quote personal data).
            if message.chars().count() >= 12 {
                prop_assert!(!printed.contains(&message));
            }
        }
    }
}
