//! One error type for every provider, answering the two questions failover and callers ask:
//! is another try worth it ([`Error::is_retryable`]) and may a session (and a vendor credit)
//! exist now ([`Error::outcome`]).
//!
//! Shaped after reqwest's and lettre's errors: a boxed interior (a `Result<Session, Error>` stays
//! small), predicates instead of public variants (new kinds are not breaking), lowercase one-line
//! messages that leave the cause to [`source`](std::error::Error::source). An error never holds a
//! raw response body, a URL with a token, a credential or personal data.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use strum::{AsRefStr, Display, EnumIter, IntoStaticStr};

use crate::capabilities::Feature;
use crate::session::Attempt;

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// What went wrong, in provider-neutral terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Display, AsRefStr, IntoStaticStr, EnumIter)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request broke a rule ([`Error::invalid_fields`] lists every one). Nothing was sent.
    InvalidRequest,
    /// The provider cannot honour something the request asks for
    /// ([`Error::unsupported_feature`]). Nothing was sent; another provider may serve it.
    Unsupported,
    /// The client is misconfigured (missing credential, bad base URL). Nothing was sent.
    Config,
    /// The provider refused the credentials.
    Unauthenticated,
    /// The credentials were accepted, but the account may not do this:
    /// [`Error::denial`] says why (an inactive account, a feature not in the contract, keys of
    /// another environment). The operator fixes it with the vendor; another provider may serve.
    Forbidden,
    /// The account has no credit left, or hit its spending limit (iDenfy's 402 "lack of funds
    /// or exceeded limit"). Nothing was created; another provider may serve.
    OutOfFunds,
    /// A webhook's signature is missing or does not match: it may not come from the provider.
    InvalidSignature,
    /// The provider asked to slow down ([`Error::retry_after`] when it said how long).
    RateLimited,
    /// The provider refused the request ([`Error::http_status`], [`Error::vendor_code`]).
    Rejected,
    /// The session is not in a state that allows this yet: iDenfy erases a session's data only
    /// once its link has expired; Veriff refuses media once a session is submitted. Asking
    /// again later, when the state has changed, may succeed; asking again now will not.
    Conflict,
    /// The provider answered that it is failing or unavailable (5xx).
    Unavailable,
    /// The connection failed; [`Error::outcome`] tells whether the request got out.
    Transport,
    /// No answer in time; [`Error::outcome`] tells whether the request got out.
    Timeout,
    /// The provider answered with something that could not be understood.
    Decode,
}

impl ErrorKind {
    /// Whether a later attempt (here or at another provider) may succeed.
    ///
    /// True for [`RateLimited`](Self::RateLimited), [`Unavailable`](Self::Unavailable),
    /// [`Transport`](Self::Transport) and [`Timeout`](Self::Timeout); false for the rest, which
    /// would fail the same way again.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::Unavailable | Self::Transport | Self::Timeout)
    }
}

/// May a session exist at the provider after this error? (Every session costs a credit.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Display, AsRefStr, IntoStaticStr, EnumIter)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The request never left this process, or never reached the provider (connection refused,
    /// DNS failure). Safe to send again anywhere.
    NotSent,
    /// The provider received the request and said no: no session was created.
    Rejected,
    /// The request may have been processed (timeout after sending, connection lost mid-answer, a
    /// 500, an unreadable success). A session may exist: sending again may cost a second credit.
    Unknown,
}

impl Outcome {
    /// Whether a session, and so a credit, may have been created.
    pub fn may_have_created_session(self) -> bool {
        self == Self::Unknown
    }
}

/// Why an account may not do what was asked ([`ErrorKind::Forbidden`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Display, AsRefStr, IntoStaticStr, EnumIter)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum Denial {
    /// The account is disabled or suspended (iDenfy "Partner inactive", Veriff 1804
    /// "Integration … is not active").
    AccountInactive,
    /// The feature is not enabled for the account (iDenfy's 403 "feature not enabled", Veriff
    /// deleting sessions, which is off by default).
    FeatureNotEnabled,
    /// The keys belong to another environment than the endpoint (iDenfy "This endpoint is not
    /// available for {ENV} partners": test keys on production, a dummy result outside DEV).
    WrongEnvironment,
    /// The vendor did not say why.
    Unspecified,
}

impl Denial {
    fn describe(self) -> &'static str {
        match self {
            Self::AccountInactive => "the account is not active",
            Self::FeatureNotEnabled => "the feature is not enabled for the account",
            Self::WrongEnvironment => "the keys belong to another environment",
            Self::Unspecified => "the account may not do this",
        }
    }
}

/// A record a provider made for a session that was then not created, and what became of it.
///
/// A vendor that creates a session in two calls can fail between them: Onfido makes the person
/// (an *applicant*) first and the session (a *workflow run*) second, so a refused second call
/// leaves an applicant behind. The adapter deletes it and says so here; the error's
/// [`outcome`](Error::outcome) still says whether a session may exist. It names the record by
/// the vendor's id only, which is not personal data.
///
/// ```
/// # use kyc_core::{Error, LeftoverState};
/// fn report(error: &Error) {
///     if let Some(leftover) = error.leftover() {
///         match leftover.state() {
///             LeftoverState::Deleted => {}
///             _ => eprintln!("clean up {} {} at {}", leftover.resource(), leftover.id(),
///                 error.provider().unwrap_or_default()),
///         }
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    resource: String,
    id: String,
    state: LeftoverState,
}

/// What became of a [`Leftover`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeftoverState {
    /// Deleted after the failure: nothing of the attempt remains at the provider.
    Deleted,
    /// Kept on purpose: a session may exist for it (the second call timed out), and deleting
    /// the record would delete that session's data as well.
    Kept,
    /// Deleting it failed too: it remains at the provider.
    DeletionFailed {
        /// How the deletion failed.
        kind: ErrorKind,
        /// The deletion error's message (its `Display`: no secret, no personal data).
        message: String,
    },
}

impl LeftoverState {
    /// The state of a record whose deletion failed with `error`.
    pub fn deletion_failed(error: &Error) -> Self {
        Self::DeletionFailed { kind: error.kind(), message: error.to_string() }
    }
}

impl Leftover {
    /// `resource` (the vendor's word: `applicant`) `id`, in `state`.
    pub fn new(resource: impl Into<String>, id: impl Into<String>, state: LeftoverState) -> Self {
        Self { resource: resource.into(), id: id.into(), state }
    }

    /// What the record is, in the vendor's word (`applicant`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The vendor's id of the record.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What became of it.
    pub fn state(&self) -> &LeftoverState {
        &self.state
    }

    /// Whether it remains at the provider.
    pub fn remains(&self) -> bool {
        !matches!(self.state, LeftoverState::Deleted)
    }
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { resource, id, state } = self;
        match state {
            LeftoverState::Deleted => write!(f, "the {resource} {id} made for it was deleted"),
            LeftoverState::Kept => {
                write!(f, "the {resource} {id} made for it is kept (a session may exist for it)")
            }
            LeftoverState::DeletionFailed { message, .. } => {
                write!(f, "the {resource} {id} made for it remains: deleting it failed ({message})")
            }
        }
    }
}

/// One rule one field of a request breaks: `person.firstName: must not be empty`.
///
/// Names the field by its path in the request's JSON shape and states the rule; it never quotes
/// the value (which may be personal data).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldError {
    field: String,
    rule: String,
}

impl FieldError {
    /// A broken `rule` (lowercase, no trailing period) of `field` (a JSON path such as
    /// `person.dateOfBirth` or `tags[2]`).
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { field: field.into(), rule: rule.into() }
    }

    /// A JSON document (`what`: `json`, `providerOptions.idenfy`) that did not parse, placed by
    /// line and column.
    ///
    /// serde's messages quote the offending value (`invalid type: string "Jonas", expected
    /// u64`); only what was expected is kept, so the error never echoes personal data.
    pub fn from_json(what: &str, error: &serde_json::Error) -> Self {
        // `from_value` errors have no position (line 0).
        let field = match error.line() {
            0 => what.to_owned(),
            line => format!("{what} (line {line}, column {})", error.column()),
        };
        Self::new(field, redact_serde_message(&error.to_string()))
    }

    /// The field's path in the request's JSON shape.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule it breaks.
    pub fn rule(&self) -> &str {
        &self.rule
    }
}

/// serde's message without the values it quotes: `invalid type: string "Jonas", expected u64`
/// and ``unknown variant `Jonas`, expected `male` or `female` `` keep only their kind and what
/// was expected; double-quoted text anywhere else is dropped too.
fn redact_serde_message(message: &str) -> String {
    // The position is in the field name already.
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    let quotes_value = ["invalid type", "invalid value", "unknown variant", "invalid length"]
        .iter()
        .any(|prefix| message.starts_with(prefix));
    if quotes_value {
        let kind = message.split([':', '`']).next().unwrap_or("invalid value").trim();
        return match message.rfind(", expected ") {
            Some(at) => format!("{kind}, {}", &message[at + 2..]),
            None => kind.to_owned(),
        };
    }
    let mut redacted = String::with_capacity(message.len());
    for (i, part) in message.split('"').enumerate() {
        redacted.push_str(if i % 2 == 0 { part } else { "…" });
    }
    redacted
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// The error of every operation in this workspace.
///
/// Read it through [`kind`](Self::kind), [`is_retryable`](Self::is_retryable) and
/// [`outcome`](Self::outcome); the accessors give the details each kind carries.
///
/// | kind | `is_retryable()` | `outcome()` |
/// |---|---|---|
/// | `InvalidRequest`, `Config` | no | `NotSent` |
/// | `Unsupported` | no | `NotSent`; `Rejected` when the provider answered it |
/// | `Unauthenticated`, `Forbidden`, `OutOfFunds`, `Rejected` | no | `Rejected` |
/// | `Conflict` | no | `Rejected`; `Unknown` when an earlier attempt of the same creation may have made the session (a ledger refusing to resend) |
/// | `InvalidSignature` | no | `NotSent` for a webhook; `Unknown` for an answer (Veriff's signed responses) |
/// | `RateLimited` | yes | `Rejected`; `NotSent` when this process held the call back |
/// | `Unavailable` | yes | `Rejected` for 503, `Unknown` for other 5xx (`Rejected` once the provider confirmed that nothing was created), `NotSent` for an open circuit breaker or a local store that failed |
/// | `Transport`, `Timeout` | yes | `NotSent` before the request got out, else `Unknown` |
/// | `Decode` | no | `Unknown` after a success status, else `Rejected`; `NotSent` for a webhook |
///
/// Before sending a create request again, ask [`is_safe_to_resend`](Self::is_safe_to_resend):
/// `is_retryable()` alone says whether another try may succeed, not whether it is free (after a
/// timeout a session may exist, and a second one costs a second credit).
///
/// Applications read errors; providers make them (through the adapter kit).
pub struct Error {
    pub(crate) inner: Box<Inner>,
}

pub(crate) struct Inner {
    pub(crate) kind: ErrorKind,
    pub(crate) outcome: Outcome,
    pub(crate) provider: Option<String>,
    pub(crate) fields: Vec<FieldError>,
    pub(crate) feature: Option<Feature>,
    pub(crate) denial: Option<Denial>,
    pub(crate) status: Option<u16>,
    pub(crate) vendor_code: Option<String>,
    pub(crate) vendor_message: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) detail: Option<String>,
    pub(crate) leftover: Option<Leftover>,
    pub(crate) attempts: Vec<Attempt>,
    pub(crate) source: Option<BoxError>,
}

impl Error {
    /// Adds the attempts (by failover) that led to this error.
    pub(crate) fn with_attempts(mut self, attempts: Vec<Attempt>) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Whether a later attempt may succeed (see the table on [`Error`]). Not whether it is
    /// free: see [`is_safe_to_resend`](Self::is_safe_to_resend).
    pub fn is_retryable(&self) -> bool {
        self.inner.kind.is_retryable()
    }

    /// Whether sending the same request again is both useful and free: another try may succeed
    /// ([`is_retryable`](Self::is_retryable)) and nothing may exist at the vendor after this one
    /// (the request never arrived, or the vendor refused it before doing anything). False after
    /// a timeout or a connection lost once the request was out: a session (and a credit) may
    /// exist there.
    ///
    /// ```
    /// # use kyc_core::{ClientId, SessionRequest, VerificationSession};
    /// # async fn sign_up(kyc: &dyn VerificationSession, request: &SessionRequest) -> Result<(), kyc_core::Error> {
    /// match kyc.create_session(request).await {
    ///     Ok(session) => println!("send the person to {}", session.url),
    ///     Err(error) if error.is_safe_to_resend() => println!("try again shortly: {error}"),
    ///     Err(error) => println!("cannot verify now: {error}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_safe_to_resend(&self) -> bool {
        self.is_retryable() && !self.inner.outcome.may_have_created_session()
    }

    /// Whether a session may exist at the provider now.
    pub fn outcome(&self) -> Outcome {
        self.inner.outcome
    }

    /// The provider that failed, when one did.
    pub fn provider(&self) -> Option<&str> {
        self.inner.provider.as_deref()
    }

    /// Every broken rule of an [`ErrorKind::InvalidRequest`]; empty otherwise.
    pub fn invalid_fields(&self) -> &[FieldError] {
        &self.inner.fields
    }

    /// What the provider could not honour, for [`ErrorKind::Unsupported`].
    pub fn unsupported_feature(&self) -> Option<&Feature> {
        self.inner.feature.as_ref()
    }

    /// Why the account may not do this, for [`ErrorKind::Forbidden`].
    pub fn denial(&self) -> Option<Denial> {
        self.inner.denial
    }

    /// The provider's HTTP status, when it answered.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The vendor's own error code.
    pub fn vendor_code(&self) -> Option<&str> {
        self.inner.vendor_code.as_deref()
    }

    /// The vendor's own message. May quote what was submitted: do not log it where personal
    /// data must not go.
    pub fn vendor_message(&self) -> Option<&str> {
        self.inner.vendor_message.as_deref()
    }

    /// How long the provider asked to wait before the next request.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// What a creation in two calls left at the provider when the second one failed
    /// (Onfido's applicant, when its workflow run was not created).
    pub fn leftover(&self) -> Option<&Leftover> {
        self.inner.leftover.as_ref()
    }

    /// The attempts that led to this error, when a failover chain produced it.
    pub fn attempts(&self) -> &[Attempt] {
        &self.inner.attempts
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let provider = inner.provider.as_deref().unwrap_or("the provider");
        match inner.kind {
            ErrorKind::InvalidRequest => {
                f.write_str("invalid request")?;
                for (i, field) in inner.fields.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    fmt::Display::fmt(field, f)?;
                }
                Ok(())
            }
            ErrorKind::Unsupported => match &inner.feature {
                Some(feature) => write!(f, "{provider} does not support {feature}"),
                None => write!(f, "{provider} does not support this request"),
            },
            ErrorKind::Config => {
                write!(f, "invalid {provider} configuration")?;
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            ErrorKind::Unauthenticated => {
                write!(f, "{provider} refused the credentials")?;
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            ErrorKind::Forbidden => {
                let denial = inner.denial.unwrap_or(Denial::Unspecified);
                write!(f, "{provider} refused: {}", denial.describe())
            }
            ErrorKind::OutOfFunds => {
                write!(f, "{provider} refused: the account is out of funds or over its limit")
            }
            ErrorKind::InvalidSignature if inner.status.is_some() => write!(
                f,
                "the signature of {provider}'s answer does not match; the request may have been \
                 processed"
            ),
            ErrorKind::InvalidSignature => {
                write!(f, "the webhook signature is missing or wrong for {provider}")
            }
            ErrorKind::RateLimited => {
                match &inner.detail {
                    Some(detail) => write!(f, "request to {provider} held back: {detail}")?,
                    None => write!(f, "{provider} rate limited the request")?,
                }
                match inner.retry_after {
                    Some(wait) => write!(f, " (retry after {}s)", wait.as_secs()),
                    None => Ok(()),
                }
            }
            ErrorKind::Rejected => {
                write!(f, "{provider} rejected the request")?;
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            ErrorKind::Conflict => {
                write!(f, "{provider} refused for now")?;
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            ErrorKind::Unavailable => {
                write!(f, "{provider} is unavailable")?;
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            ErrorKind::Transport => write!(f, "error sending the request to {provider}"),
            ErrorKind::Timeout => write!(f, "request to {provider} timed out"),
            ErrorKind::Decode => {
                match inner.status {
                    Some(_) => write!(f, "undecodable response from {provider}")?,
                    // Nothing was asked: a delivery (a webhook) came that is not the vendor's.
                    None => write!(f, "undecodable payload from {provider}")?,
                }
                match &inner.detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
        }?;
        if !matches!(inner.kind, ErrorKind::InvalidRequest | ErrorKind::Unsupported) {
            match (inner.status, &inner.vendor_code) {
                (Some(status), Some(code)) => write!(f, " (http {status}, code {code})")?,
                (Some(status), None) => write!(f, " (http {status})")?,
                (None, Some(code)) => write!(f, " (code {code})")?,
                (None, None) => {}
            }
        }
        if let Some(leftover) = &inner.leftover {
            match inner.outcome.may_have_created_session() {
                true => write!(f, "; {leftover}")?,
                false => write!(f, "; no session was created, and {leftover}")?,
            }
        }
        let called = inner.attempts.iter().filter(|a| a.was_called()).count();
        let skipped = inner.attempts.len() - called;
        match (called, skipped) {
            (0, 0) => {}
            (0, 1) => f.write_str(" (1 provider passed over)")?,
            (0, skipped) => write!(f, " ({skipped} providers passed over)")?,
            (1, 0) => f.write_str(" after 1 attempt")?,
            (called, 0) => write!(f, " after {called} attempts")?,
            (called, skipped) => {
                let tried = if called == 1 { "attempt" } else { "attempts" };
                let passed = if skipped == 1 { "provider" } else { "providers" };
                write!(f, " after {called} {tried} ({skipped} {passed} passed over)")?
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut s = f.debug_struct("Error");
        s.field("kind", &inner.kind).field("outcome", &inner.outcome);
        if let Some(provider) = &inner.provider {
            s.field("provider", provider);
        }
        if !inner.fields.is_empty() {
            s.field("fields", &inner.fields);
        }
        if let Some(feature) = &inner.feature {
            s.field("feature", feature);
        }
        if let Some(denial) = inner.denial {
            s.field("denial", &denial);
        }
        if let Some(status) = inner.status {
            s.field("status", &status);
        }
        if let Some(code) = &inner.vendor_code {
            s.field("vendor_code", code);
        }
        if inner.vendor_message.is_some() {
            s.field("vendor_message", &"<redacted>");
        }
        if let Some(wait) = inner.retry_after {
            s.field("retry_after", &wait);
        }
        if let Some(detail) = &inner.detail {
            s.field("detail", detail);
        }
        if let Some(leftover) = &inner.leftover {
            s.field("leftover", leftover);
        }
        if !inner.attempts.is_empty() {
            s.field("attempts", &inner.attempts);
        }
        if let Some(source) = &inner.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::ErrorExt;
    use strum::IntoEnumIterator;

    fn one_of_each() -> Vec<Error> {
        vec![
            Error::invalid_request(vec![FieldError::new("clientId", "must not be empty")]),
            Error::unsupported("veriff", Feature::Kind(crate::VerificationKind::Business)),
            Error::config("idenfy", "IDENFY_API_KEY is not set"),
            Error::unauthenticated("idenfy", 401),
            Error::forbidden("idenfy", Denial::AccountInactive, 403),
            Error::out_of_funds("idenfy", 402),
            Error::invalid_signature("veriff"),
            Error::rate_limited("veriff", Some(Duration::from_secs(30))),
            Error::rejected("idenfy", 400).with_vendor_code("BAD_VALUE"),
            Error::conflict("idenfy", 400, "the session's link has not expired yet")
                .with_vendor_code("PARTNER_ERROR"),
            Error::unavailable("veriff", 503),
            Error::transport("veriff", false),
            Error::timeout("idenfy", true),
            Error::decode("veriff", 201, "missing verification.url"),
        ]
    }

    #[test]
    fn every_kind_is_covered_and_answers_as_documented() {
        let errors = one_of_each();
        let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
        assert_eq!(kinds, ErrorKind::iter().collect::<Vec<_>>());
        let answers: Vec<(ErrorKind, bool, Outcome)> =
            errors.iter().map(|e| (e.kind(), e.is_retryable(), e.outcome())).collect();
        use ErrorKind as K;
        use Outcome as O;
        assert_eq!(
            answers,
            vec![
                (K::InvalidRequest, false, O::NotSent),
                (K::Unsupported, false, O::NotSent),
                (K::Config, false, O::NotSent),
                (K::Unauthenticated, false, O::Rejected),
                (K::Forbidden, false, O::Rejected),
                (K::OutOfFunds, false, O::Rejected),
                (K::InvalidSignature, false, O::NotSent),
                (K::RateLimited, true, O::Rejected),
                (K::Rejected, false, O::Rejected),
                (K::Conflict, false, O::Rejected),
                (K::Unavailable, true, O::Rejected),
                (K::Transport, true, O::NotSent),
                (K::Timeout, true, O::Unknown),
                (K::Decode, false, O::Unknown),
            ]
        );
    }

    #[test]
    fn outcomes_depend_on_what_happened() {
        let kyb = Feature::Kind(crate::VerificationKind::Business);
        let refused = Error::unsupported_by_provider("idenfy", kyb.clone(), 400);
        assert_eq!(
            (refused.kind(), refused.outcome()),
            (ErrorKind::Unsupported, Outcome::Rejected)
        );
        assert_eq!(refused.unsupported_feature(), Some(&kyb));
        assert_eq!(refused.http_status(), Some(400));
        assert_eq!(Error::unavailable("p", 500).outcome(), Outcome::Unknown);
        let open = Error::circuit_open("failover", Duration::from_secs(3));
        assert_eq!((open.kind(), open.outcome()), (ErrorKind::Unavailable, Outcome::NotSent));
        assert_eq!(open.to_string(), "failover is unavailable: circuit breaker open");
        assert_eq!(open.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(Error::unavailable("p", 502).outcome(), Outcome::Unknown);
        assert_eq!(Error::transport("p", true).outcome(), Outcome::Unknown);
        assert_eq!(Error::timeout("p", false).outcome(), Outcome::NotSent);
        assert_eq!(Error::decode("p", 400, "not json").outcome(), Outcome::Rejected);
        assert!(Outcome::Unknown.may_have_created_session());
        assert!(!Outcome::Rejected.may_have_created_session());
    }

    #[test]
    fn messages_are_lowercase_single_lines() {
        let rendered: Vec<String> = one_of_each().iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            vec![
                "invalid request: clientId: must not be empty",
                "veriff does not support business verification",
                "invalid idenfy configuration: IDENFY_API_KEY is not set",
                "idenfy refused the credentials (http 401)",
                "idenfy refused: the account is not active (http 403)",
                "idenfy refused: the account is out of funds or over its limit (http 402)",
                "the webhook signature is missing or wrong for veriff",
                "veriff rate limited the request (retry after 30s)",
                "idenfy rejected the request (http 400, code BAD_VALUE)",
                "idenfy refused for now: the session's link has not expired yet (http 400, code PARTNER_ERROR)",
                "veriff is unavailable (http 503)",
                "error sending the request to veriff",
                "request to idenfy timed out",
                "undecodable response from veriff: missing verification.url (http 201)",
            ]
        );
    }

    #[test]
    fn invalid_request_lists_every_field() {
        let error = Error::invalid_request(vec![
            FieldError::new("person.firstName", "must not be empty"),
            FieldError::new("tags[1]", "must not repeat another tag"),
        ]);
        assert_eq!(
            error.to_string(),
            "invalid request: person.firstName: must not be empty; tags[1]: must not repeat another tag"
        );
        assert_eq!(error.invalid_fields().len(), 2);
    }

    #[test]
    fn vendor_message_is_kept_but_never_printed() {
        let error = Error::rejected("idenfy", 400)
            .with_vendor_code("BAD_VALUE")
            .with_vendor_message("firstName 'Jonas Jonaitis' is invalid");
        assert_eq!(error.vendor_message(), Some("firstName 'Jonas Jonaitis' is invalid"));
        for printed in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert!(!printed.contains("Jonas"), "{printed}");
        }
    }

    #[test]
    fn source_chain_is_kept() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = Error::transport("idenfy", false).with_source(io);
        let source = error.source().expect("source kept");
        assert_eq!(source.to_string(), "refused");
        // The cause is not repeated in Display: reporters walking the chain print it once.
        assert!(!error.to_string().contains("refused"));
    }

    #[test]
    fn safe_to_resend_only_when_nothing_may_exist() {
        let answers: Vec<(Error, bool)> = vec![
            (Error::rate_limited("p", None), true),
            (Error::unavailable("p", 503), true),
            (Error::transport("p", false), true),
            (Error::timeout("p", false), true),
            (Error::circuit_open("p", Duration::from_secs(1)), true),
            (Error::throttled_locally("p", Duration::from_secs(1)), true),
            (Error::timeout("p", true), false),
            (Error::transport("p", true), false),
            (Error::unavailable("p", 500), false),
            (Error::rejected("p", 400), false),
            (Error::decode("p", 201, "x"), false),
            (Error::invalid_signature("p"), false),
        ];
        for (error, safe) in answers {
            assert_eq!(error.is_safe_to_resend(), safe, "{error:?}");
        }
    }

    #[test]
    fn a_forged_answer_says_the_request_may_have_been_processed() {
        let error = Error::invalid_response_signature("veriff", 201);
        assert_eq!(
            (error.kind(), error.outcome()),
            (ErrorKind::InvalidSignature, Outcome::Unknown)
        );
        assert!(error.outcome().may_have_created_session());
        assert_eq!(
            error.to_string(),
            "the signature of veriff's answer does not match; the request may have been \
             processed (http 201)"
        );
        let denied = Error::forbidden("veriff", Denial::FeatureNotEnabled, 403);
        assert_eq!(denied.denial(), Some(Denial::FeatureNotEnabled));
        assert_eq!(Error::rejected("p", 400).denial(), None);
    }

    #[test]
    fn an_undecodable_webhook_has_no_status_and_sent_nothing() {
        let error = Error::invalid_payload("veriff", "body: expected value");
        assert_eq!((error.kind(), error.outcome()), (ErrorKind::Decode, Outcome::NotSent));
        assert_eq!(error.http_status(), None);
        assert_eq!(error.to_string(), "undecodable payload from veriff: body: expected value");
    }

    #[test]
    fn a_call_held_back_locally_says_nothing_was_sent() {
        let error = Error::throttled_locally("idenfy", Duration::from_secs(42));
        assert_eq!((error.kind(), error.outcome()), (ErrorKind::RateLimited, Outcome::NotSent));
        assert_eq!(
            error.to_string(),
            "request to idenfy held back: called again too soon; nothing was sent (retry after 42s)"
        );
    }

    #[test]
    fn error_is_small_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn a_leftover_says_what_exists_after_a_half_done_creation() {
        let applicant = "6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10";
        let deleted = Error::rejected("onfido", 404).with_leftover(Leftover::new(
            "applicant",
            applicant,
            LeftoverState::Deleted,
        ));
        assert_eq!(
            deleted.to_string(),
            format!(
                "onfido rejected the request (http 404); no session was created, and the \
                 applicant {applicant} made for it was deleted"
            )
        );
        assert!(!deleted.leftover().unwrap().remains());
        let cleanup = Error::unavailable("onfido", 500);
        let failed = Error::rejected("onfido", 404).with_leftover(Leftover::new(
            "applicant",
            applicant,
            LeftoverState::deletion_failed(&cleanup),
        ));
        assert!(failed.leftover().unwrap().remains());
        assert!(failed.to_string().ends_with(&format!(
            "the applicant {applicant} made for it remains: deleting it failed (onfido is \
             unavailable (http 500))"
        )));
        let kept = Error::timeout("onfido", true).with_leftover(Leftover::new(
            "applicant",
            applicant,
            LeftoverState::Kept,
        ));
        assert_eq!(
            kept.to_string(),
            format!(
                "request to onfido timed out; the applicant {applicant} made for it is kept (a \
                 session may exist for it)"
            )
        );
        assert!(format!("{kept:?}").contains("leftover"));
    }

    #[test]
    fn only_an_unknown_outcome_can_be_confirmed_as_nothing_created() {
        let confirmed = Error::unavailable("onfido", 500).confirmed_not_created();
        assert_eq!(
            (confirmed.kind(), confirmed.outcome()),
            (ErrorKind::Unavailable, Outcome::Rejected)
        );
        let not_sent = Error::transport("onfido", false).confirmed_not_created();
        assert_eq!(not_sent.outcome(), Outcome::NotSent);
    }
}
