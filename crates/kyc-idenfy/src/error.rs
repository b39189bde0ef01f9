//! iDenfy's error answers, mapped once to the neutral [`Error`], for every call the adapter
//! makes (creating, polling and erasing sessions).
//!
//! iDenfy answers `{identifier, message}` with "HTTP 400 (or the appropriate status code)"
//! (<https://documentation.idenfy.com/resources/error-messages>), and some errors with no
//! identifier at all: 401 "Invalid authorization credentials", 402 "Action not allowed due to
//! lack of funds or exceeded limit", 403 "Partner inactive" or "This endpoint is not available
//! for {ENV} partners." (<https://documentation.idenfy.com/kyc/id-error-messages>, which shows
//! no body for them). Its error-handling guide lists "403 forbidden (feature not enabled)"
//! (<https://documentation.idenfy.com/guides/error-handling>). The message is read from
//! `message` (a string), `message.detail` (the nested form of the KYB OpenAPI's
//! `KybInfoUnauthorized`, <https://documentation.idenfy.com/openapi/kyb.yaml>) or `detail` (the
//! framework's own errors), whichever is there. The identifier decides when there is one (it
//! "never changes"); then the message for the documented texts; then the status
//! ([`status_error`]).
//!
//! | identifier | message | neutral kind |
//! |---|---|---|
//! | `UNAUTHORIZED` | | unauthenticated |
//! | `TOO_MANY_REQUESTS` | | rate limited (default limit 10,000 requests an hour) |
//! | `PERMISSIONS_ERROR` or none | "… token limit", "… lack of funds …" | out of funds: no credits left, not a rate limit |
//! | `PERMISSIONS_ERROR` or none | "… not available for … partners" | forbidden: keys of another environment |
//! | `PERMISSIONS_ERROR` or none | "Partner inactive" | forbidden: the account is inactive |
//! | `PERMISSIONS_ERROR`, HTTP 402 | anything else | out of funds |
//! | `PERMISSIONS_ERROR`, HTTP 403 | anything else | forbidden, iDenfy not saying why |
//! | `PERMISSIONS_ERROR`, other status | anything else | rejected |
//! | `BAD_VALUE`, `MISSING_VALUE`, `VALIDATION_ERROR`, `JSON_ERROR`, `ENCODING_ERROR` | | rejected |
//! | `PARTNER_CONTRACT_ERROR`, on a KYB call | | unsupported: KYB is not in the contract |
//! | `PARTNER_CONTRACT_ERROR`, otherwise | | forbidden: the feature is not enabled |
//! | `PARTNER_ERROR`, erasing an identity session | "Token has not expired yet." | conflict: erased only once the link expired |
//! | `INTERNAL_ERROR` | | unavailable |
//! | none, HTTP 403 | anything else | forbidden: the feature is not enabled |
//! | anything else, or none | | by status: 401 unauthenticated, 402 out of funds, 429 rate limited, 5xx unavailable, else rejected |

use std::time::Duration;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::{Denial, Error, Feature, VerificationKind};

use crate::wire::ErrorBody;

/// What a request to iDenfy was for: one answer means different things per call (a
/// `PARTNER_ERROR` refuses an erasure for the session's state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// Creating a session of this kind.
    Create(VerificationKind),
    /// Asking where a session of this kind stands.
    Poll(VerificationKind),
    /// Erasing a session of this kind.
    Erase(VerificationKind),
}

impl Call {
    fn kind(self) -> VerificationKind {
        match self {
            Self::Create(kind) | Self::Poll(kind) | Self::Erase(kind) => kind,
        }
    }
}

/// Why an erasure is refused while iDenfy answers `PARTNER_ERROR` "Token has not expired yet."
/// (<https://documentation.idenfy.com/kyc/deletion>), in this library's words.
const NOT_EXPIRED_YET: &str = "iDenfy erases a session's data only once its link has expired";

/// The neutral error for a non-2xx answer to `call`.
pub(crate) fn error_from_response(
    provider: &str,
    call: Call,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not iDenfy's JSON (an HTML error page, a proxy's text, nothing): the status decides.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let code = parsed.identifier.clone();
    let message = parsed.message().or(excerpt).filter(|m| !m.trim().is_empty());
    let lowercase = message.as_deref().unwrap_or_default().to_ascii_lowercase();
    let wrong_environment =
        lowercase.contains("not available for") && lowercase.contains("partners");
    let out_of_funds = lowercase.contains("token limit") || lowercase.contains("lack of funds");
    let refined = match code.as_deref() {
        Some("UNAUTHORIZED") => Error::unauthenticated(provider, status),
        Some("TOO_MANY_REQUESTS") => {
            Error::rate_limited(provider, retry_after).with_http_status(status)
        }
        Some("PERMISSIONS_ERROR") | None if out_of_funds => Error::out_of_funds(provider, status),
        Some("PERMISSIONS_ERROR") | None if wrong_environment => {
            Error::forbidden(provider, Denial::WrongEnvironment, status)
        }
        Some("PERMISSIONS_ERROR") | None if lowercase.contains("partner inactive") => {
            Error::forbidden(provider, Denial::AccountInactive, status)
        }
        // "Insufficient permissions" with the status that says which: never weaker than an
        // identifier this library does not know, which the status classifies.
        Some("PERMISSIONS_ERROR") if status == 402 => Error::out_of_funds(provider, status),
        Some("PERMISSIONS_ERROR") if status == 403 => {
            Error::forbidden(provider, Denial::Unspecified, status)
        }
        Some(
            "PERMISSIONS_ERROR" | "BAD_VALUE" | "MISSING_VALUE" | "VALIDATION_ERROR" | "JSON_ERROR"
            | "ENCODING_ERROR",
        ) => Error::rejected(provider, status),
        Some("PARTNER_CONTRACT_ERROR") => match call.kind() {
            VerificationKind::Business => {
                Error::unsupported_by_provider(provider, Feature::Kind(call.kind()), status)
            }
            _ => Error::forbidden(provider, Denial::FeatureNotEnabled, status),
        },
        // The one refusal the deletion page documents; another PARTNER_ERROR is not known to
        // pass with time, so it is not reported as if it would.
        Some("PARTNER_ERROR")
            if call == Call::Erase(VerificationKind::Identity) && lowercase.contains("expired") =>
        {
            Error::conflict(provider, status, NOT_EXPIRED_YET)
        }
        Some("INTERNAL_ERROR") => Error::unavailable(provider, status),
        None if status == 403 => Error::forbidden(provider, Denial::FeatureNotEnabled, status),
        // Unknown identifiers, and other answers with none: the status decides.
        _ => status_error(provider, status, None, retry_after),
    };
    with_vendor_details(refined, code.as_deref(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{KybTokenResponse, TokenResponse};
    use proptest::prelude::*;

    const CALLS: [Call; 6] = [
        Call::Create(VerificationKind::Identity),
        Call::Create(VerificationKind::Business),
        Call::Poll(VerificationKind::Identity),
        Call::Poll(VerificationKind::Business),
        Call::Erase(VerificationKind::Identity),
        Call::Erase(VerificationKind::Business),
    ];

    proptest! {
        /// Whatever comes back, decoding never panics and an error always says who and why.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = serde_json::from_slice::<TokenResponse>(&body);
            let _ = serde_json::from_slice::<KybTokenResponse>(&body);
            for call in CALLS {
                let error = error_from_response("idenfy", call, status, None, &body);
                prop_assert_eq!(error.provider(), Some("idenfy"));
                prop_assert!(!error.to_string().is_empty());
            }
        }

        /// Arbitrary JSON objects with iDenfy's keys and any values, in every place a message
        /// may be.
        #[test]
        fn arbitrary_error_bodies_never_panic(identifier in ".{0,40}", message in ".{0,200}", status in 100u16..600) {
            for body in [
                serde_json::json!({"identifier": identifier, "message": message}),
                serde_json::json!({"identifier": identifier, "message": {"detail": message}}),
                serde_json::json!({"detail": message}),
            ] {
                let body = body.to_string();
                for call in CALLS {
                    let error = error_from_response("idenfy", call, status, None, body.as_bytes());
                    let printed = format!("{error} {error:?}");
                    // The vendor's message is kept, never printed (it may quote personal data).
                    if message.chars().count() >= 12 {
                        prop_assert!(!printed.contains(&message));
                    }
                }
            }
        }
    }
}
