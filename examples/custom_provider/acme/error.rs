//! Acme's error answers, mapped once onto the neutral [`Error`].
//!
//! The kit's [`status_error`] classifies by HTTP status first (401 unauthenticated, 402 out of
//! funds, 403 forbidden, 429 rate limited with `Retry-After`, 5xx unavailable, other 4xx
//! rejected); Acme's `error.code` refines it only where the code says more than the status.
//! Match on the code, never on the message, which Acme may reword.
//!
//! | answer | neutral kind | failover |
//! |---|---|---|
//! | 400 `invalid_json`, `invalid_field`; 415 `unsupported_media_type` | rejected (status) | stops: the request's content |
//! | 401 `invalid_api_key` | unauthenticated (status) | moves on |
//! | 400 `api_key_expired` | **unauthenticated** (refined: Acme answers an expired key with 400) | moves on |
//! | 402 `quota_exceeded` | out of funds (status) | moves on: the account, not the request |
//! | 403 `workflow_not_enabled` | **unsupported**, answered by Acme (refined: not a credential problem) | moves on |
//! | 404 `check_not_found` | rejected (status) | |
//! | 429 `rate_limited`, `Retry-After` | rate limited (status) | retries later |
//! | 503 `maintenance`, other 5xx | unavailable (status) | retries / moves on |
//! | a body that is not Acme's JSON (a CDN's HTML page, nothing) | by status, with a redacted excerpt | as above |

use std::time::Duration;

use kyc::{Error, Feature, FieldError};
use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};

use super::options::OPTIONS_KEY;
use super::wire::ErrorBody;

/// The neutral error for a non-2xx answer from Acme.
pub(crate) fn error_from_response(
    provider: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not Acme's JSON (an HTML page from the CDN, a proxy's text, nothing): the status decides,
    // and a redacted excerpt stands in for the message.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let detail = parsed.error.unwrap_or_default();
    let code = detail.code.as_deref().map(str::trim).filter(|code| !code.is_empty());
    // A 5xx is Acme failing, whatever its body says: only a refusal's code refines.
    let refusal = status < 500;
    let error = match code {
        Some("api_key_expired") if refusal => Error::unauthenticated(provider, status),
        Some("workflow_not_enabled") if refusal => {
            let rule = FieldError::new(
                format!("providerOptions.{OPTIONS_KEY}.workflow"),
                "is not enabled for this Acme account",
            );
            Error::unsupported_by_provider(provider, Feature::Rules(vec![rule]), status)
        }
        _ => status_error(provider, status, None, retry_after),
    };
    // The code and the message travel with the error; the message is never printed.
    with_vendor_details(error, code, detail.message.or(excerpt))
}
