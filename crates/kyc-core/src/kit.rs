//! The hooks the adapter kit (`kyc-adapter`) builds on: constructing and refining [`Error`]s,
//! the loopback rule, and resolving a request's provider options over a provider's defaults.
//!
//! Not part of the application API: an application reads errors, it never makes them, so the
//! constructors live behind a trait an application has no reason to import. Adapters (and
//! tests that script a stub or a mock) reach them through `kyc_adapter::ErrorExt`, or
//! `kyc::testing::ErrorExt` with the `test-util` feature. Hidden from these docs; documented
//! and versioned there.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use url::{Host, Url};

use crate::capabilities::Feature;
use crate::error::{BoxError, Denial, Error, ErrorKind, FieldError, Inner, Leftover, Outcome};
use crate::options::ProviderOptions;
use crate::request::SessionRequest;

/// Making and refining [`Error`]s: what only a provider implementation (or a test scripting
/// one) does. Each constructor fixes the kind and the outcome, so a provider cannot report a
/// combination the table on [`Error`] does not have.
pub trait ErrorExt: Sized {
    /// The request breaks these rules (give all of them, not just the first). Nothing was sent.
    fn invalid_request(fields: Vec<FieldError>) -> Self;

    /// `provider` cannot honour `feature`. Nothing was sent.
    fn unsupported(provider: impl Into<String>, feature: Feature) -> Self;

    /// `provider` answered (HTTP `status`) that it cannot honour `feature` for this account, such
    /// as business verification missing from the contract.
    fn unsupported_by_provider(provider: impl Into<String>, feature: Feature, status: u16) -> Self;

    /// The client for `provider` is misconfigured; `detail` says how (never a secret's value).
    fn config(provider: impl Into<String>, detail: impl Into<String>) -> Self;

    /// `provider` refused the credentials or the permission (HTTP `status`).
    fn unauthenticated(provider: impl Into<String>, status: u16) -> Self;

    /// Accepted credentials whose account may not do this, and why.
    fn forbidden(provider: impl Into<String>, denial: Denial, status: u16) -> Self;

    /// An account out of credit or over its spending limit.
    fn out_of_funds(provider: impl Into<String>, status: u16) -> Self;

    /// A refusal because of the session's state now (`detail` says which, in this library's
    /// words, never the vendor's).
    fn conflict(provider: impl Into<String>, status: u16, detail: impl Into<String>) -> Self;

    /// An answer (with HTTP `status`) whose signature does not match: it may not come from the
    /// provider, and the request may have been processed.
    fn invalid_response_signature(provider: impl Into<String>, status: u16) -> Self;

    /// A webhook claiming to come from `provider` has a missing or wrong signature.
    fn invalid_signature(provider: impl Into<String>) -> Self;

    /// `provider` asked to slow down, for `retry_after` when it said.
    fn rate_limited(provider: impl Into<String>, retry_after: Option<Duration>) -> Self;

    /// This process refused to call `provider` again so soon (a vendor that restricts accounts
    /// which poll too often): nothing was sent; try after `retry_after`.
    fn throttled_locally(provider: impl Into<String>, retry_after: Duration) -> Self;

    /// `provider` refused the request with HTTP `status`; add its code and message with
    /// [`with_vendor_code`](Self::with_vendor_code) and
    /// [`with_vendor_message`](Self::with_vendor_message).
    fn rejected(provider: impl Into<String>, status: u16) -> Self;

    /// `provider` answered that it is failing (HTTP `status`, 5xx). Only a 503 says that
    /// nothing was processed; any other 5xx may come after the work was done.
    fn unavailable(provider: impl Into<String>, status: u16) -> Self;

    /// `provider` was not tried: its circuit breaker is open after repeated failures. Nothing
    /// was sent; it may be tried again after `retry_after`.
    fn circuit_open(provider: impl Into<String>, retry_after: Duration) -> Self;

    /// A store this process keeps (a ledger's database) failed before anything was sent to a
    /// vendor; `detail` says how. Retryable, nothing sent.
    fn store_unavailable(provider: impl Into<String>, detail: impl Into<String>) -> Self;

    /// An earlier attempt of the same creation (the same idempotency key) may have created a
    /// session at `provider`, and nothing answers whether it did: not sent again. `Conflict`
    /// with an unknown outcome; `detail` says where to look.
    fn unresolved_attempt(provider: impl Into<String>, detail: impl Into<String>) -> Self;

    /// The connection to `provider` failed; `sent` says whether the request may have got out.
    fn transport(provider: impl Into<String>, sent: bool) -> Self;

    /// `provider` did not answer in time; `sent` says whether the request may have got out.
    fn timeout(provider: impl Into<String>, sent: bool) -> Self;

    /// `provider`'s answer (HTTP `status`) could not be understood; `detail` says what was
    /// wrong with it in our words (never the body itself).
    fn decode(provider: impl Into<String>, status: u16, detail: impl Into<String>) -> Self;

    /// A payload claiming to come from `provider` (a webhook delivery, received rather than
    /// asked for) that is not what the vendor sends; `detail` says what was wrong, in our
    /// words. No HTTP status, and nothing sent anywhere.
    fn invalid_payload(provider: impl Into<String>, detail: impl Into<String>) -> Self;

    /// Adds the vendor's own error code (`BAD_VALUE`, `1102`).
    fn with_vendor_code(self, code: impl Into<String>) -> Self;

    /// Adds the vendor's message. It is kept for [`Error::vendor_message`] only and printed by
    /// neither `Display` nor `Debug`: vendors may quote submitted values.
    fn with_vendor_message(self, message: impl Into<String>) -> Self;

    /// Adds the provider's HTTP status (for kinds whose constructor does not take one).
    fn with_http_status(self, status: u16) -> Self;

    /// Adds how long the provider asked to wait.
    fn with_retry_after(self, retry_after: Duration) -> Self;

    /// Adds the underlying cause, returned by `source()`. It must not print secrets or personal
    /// data (strip URLs from reqwest errors first).
    fn with_source(self, source: impl Into<BoxError>) -> Self;

    /// Adds a sentence the message ends with, for kinds whose constructor takes none (a 401
    /// naming the region the client is configured for). Printed by `Unauthenticated`,
    /// `Rejected`, `Config`, `Conflict`, `RateLimited`, `Unavailable` and `Decode`; the other
    /// kinds' messages are fixed. Never a secret or personal data.
    fn with_detail(self, detail: impl Into<String>) -> Self;

    /// Adds what a creation in two calls left at the provider ([`Error::leftover`]).
    fn with_leftover(self, leftover: Leftover) -> Self;

    /// Says that no session exists after all: the provider was asked afterwards and holds none
    /// for this request (Onfido, whose applicant lists no workflow run after a 500), so the
    /// outcome of an `Unavailable` error becomes `Rejected` and failover may move on without
    /// paying twice. Other kinds and outcomes are left as they are.
    fn confirmed_not_created(self) -> Self;
}

fn blank(kind: ErrorKind, outcome: Outcome, provider: Option<String>) -> Error {
    Error {
        inner: Box::new(Inner {
            kind,
            outcome,
            provider,
            fields: Vec::new(),
            feature: None,
            denial: None,
            status: None,
            vendor_code: None,
            vendor_message: None,
            retry_after: None,
            detail: None,
            leftover: None,
            attempts: Vec::new(),
            source: None,
        }),
    }
}

fn from(kind: ErrorKind, outcome: Outcome, provider: impl Into<String>) -> Error {
    blank(kind, outcome, Some(provider.into()))
}

impl ErrorExt for Error {
    fn invalid_request(fields: Vec<FieldError>) -> Self {
        let mut error = blank(ErrorKind::InvalidRequest, Outcome::NotSent, None);
        error.inner.fields = fields;
        error
    }

    fn unsupported(provider: impl Into<String>, feature: Feature) -> Self {
        let mut error = from(ErrorKind::Unsupported, Outcome::NotSent, provider);
        error.inner.feature = Some(feature);
        error
    }

    fn unsupported_by_provider(provider: impl Into<String>, feature: Feature, status: u16) -> Self {
        let mut error = Self::unsupported(provider, feature);
        error.inner.outcome = Outcome::Rejected;
        error.inner.status = Some(status);
        error
    }

    fn config(provider: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut error = from(ErrorKind::Config, Outcome::NotSent, provider);
        error.inner.detail = Some(detail.into());
        error
    }

    fn unauthenticated(provider: impl Into<String>, status: u16) -> Self {
        from(ErrorKind::Unauthenticated, Outcome::Rejected, provider).with_http_status(status)
    }

    fn forbidden(provider: impl Into<String>, denial: Denial, status: u16) -> Self {
        let mut error = from(ErrorKind::Forbidden, Outcome::Rejected, provider);
        error.inner.denial = Some(denial);
        error.with_http_status(status)
    }

    fn out_of_funds(provider: impl Into<String>, status: u16) -> Self {
        from(ErrorKind::OutOfFunds, Outcome::Rejected, provider).with_http_status(status)
    }

    fn conflict(provider: impl Into<String>, status: u16, detail: impl Into<String>) -> Self {
        let mut error = from(ErrorKind::Conflict, Outcome::Rejected, provider);
        error.inner.detail = Some(detail.into());
        error.with_http_status(status)
    }

    fn invalid_response_signature(provider: impl Into<String>, status: u16) -> Self {
        from(ErrorKind::InvalidSignature, Outcome::Unknown, provider).with_http_status(status)
    }

    fn invalid_signature(provider: impl Into<String>) -> Self {
        from(ErrorKind::InvalidSignature, Outcome::NotSent, provider)
    }

    fn rate_limited(provider: impl Into<String>, retry_after: Option<Duration>) -> Self {
        let mut error = from(ErrorKind::RateLimited, Outcome::Rejected, provider);
        error.inner.retry_after = retry_after;
        error
    }

    fn throttled_locally(provider: impl Into<String>, retry_after: Duration) -> Self {
        let mut error = from(ErrorKind::RateLimited, Outcome::NotSent, provider);
        error.inner.retry_after = Some(retry_after);
        error.inner.detail = Some("called again too soon; nothing was sent".into());
        error
    }

    fn rejected(provider: impl Into<String>, status: u16) -> Self {
        from(ErrorKind::Rejected, Outcome::Rejected, provider).with_http_status(status)
    }

    fn unavailable(provider: impl Into<String>, status: u16) -> Self {
        let outcome = if status == 503 { Outcome::Rejected } else { Outcome::Unknown };
        from(ErrorKind::Unavailable, outcome, provider).with_http_status(status)
    }

    fn circuit_open(provider: impl Into<String>, retry_after: Duration) -> Self {
        let mut error = from(ErrorKind::Unavailable, Outcome::NotSent, provider);
        error.inner.retry_after = Some(retry_after);
        error.inner.detail = Some("circuit breaker open".into());
        error
    }

    fn store_unavailable(provider: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut error = from(ErrorKind::Unavailable, Outcome::NotSent, provider);
        error.inner.detail = Some(detail.into());
        error
    }

    fn unresolved_attempt(provider: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut error = from(ErrorKind::Conflict, Outcome::Unknown, provider);
        error.inner.detail = Some(detail.into());
        error
    }

    fn transport(provider: impl Into<String>, sent: bool) -> Self {
        let outcome = if sent { Outcome::Unknown } else { Outcome::NotSent };
        from(ErrorKind::Transport, outcome, provider)
    }

    fn timeout(provider: impl Into<String>, sent: bool) -> Self {
        let outcome = if sent { Outcome::Unknown } else { Outcome::NotSent };
        from(ErrorKind::Timeout, outcome, provider)
    }

    fn decode(provider: impl Into<String>, status: u16, detail: impl Into<String>) -> Self {
        let outcome =
            if (200..300).contains(&status) { Outcome::Unknown } else { Outcome::Rejected };
        let mut error = from(ErrorKind::Decode, outcome, provider).with_http_status(status);
        error.inner.detail = Some(detail.into());
        error
    }

    fn invalid_payload(provider: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut error = from(ErrorKind::Decode, Outcome::NotSent, provider);
        error.inner.detail = Some(detail.into());
        error
    }

    fn with_vendor_code(mut self, code: impl Into<String>) -> Self {
        self.inner.vendor_code = Some(code.into());
        self
    }

    fn with_vendor_message(mut self, message: impl Into<String>) -> Self {
        self.inner.vendor_message = Some(message.into());
        self
    }

    fn with_http_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.inner.retry_after = Some(retry_after);
        self
    }

    fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.inner.detail = Some(detail.into());
        self
    }

    fn with_leftover(mut self, leftover: Leftover) -> Self {
        self.inner.leftover = Some(leftover);
        self
    }

    fn confirmed_not_created(mut self) -> Self {
        if self.inner.kind == ErrorKind::Unavailable && self.inner.outcome == Outcome::Unknown {
            self.inner.outcome = Outcome::Rejected;
        }
        self
    }
}

/// Whether `url` points at this machine (`localhost`, `127.0.0.0/8`, `::1`): where plain http
/// is allowed (an emulator, a test server) because nothing crosses a network.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A provider's options for `request`: `defaults` overridden key by key by what the request
/// carries for `O` (its nested option objects merged the same way, one level deeper).
///
/// # Errors
/// `InvalidRequest` naming `providerOptions.<path>.<key>` for every key that does not fit `O`,
/// or the rules the merged options break (the message never quotes a value).
pub fn resolve_options<O: ProviderOptions>(
    request: &SessionRequest,
    defaults: &O,
) -> Result<O, Error> {
    crate::options::resolve(request, defaults)
}

/// `bytes` in lowercase hexadecimal, two digits a byte (signatures, fingerprints, keys), in one
/// allocation.
///
/// ```
/// assert_eq!(kyc_core::kit::lower_hex(&[0x00, 0x9f, 0xff]), "009fff");
/// ```
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// A `Debug` value that prints the names of the fields `value` sets (its serialized keys with
/// a value, in alphabetical order): `Debug` may say *which* personal fields or options are set,
/// never what they hold.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Options { check_aml: Option<bool>, additional_data: Option<String> }
/// let options = Options { check_aml: Some(true), additional_data: Some("SSN 123".into()) };
/// assert_eq!(
///     format!("{:?}", kyc_core::kit::SetFields(&options)),
///     r#"["additional_data", "check_aml"]"#
/// );
/// ```
pub struct SetFields<'a, T>(pub &'a T);

impl<T: Serialize> fmt::Debug for SetFields<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = match serde_json::to_value(self.0) {
            Ok(serde_json::Value::Object(map)) => {
                map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect()
            }
            _ => Vec::new(),
        };
        f.debug_list().entries(keys).finish()
    }
}
