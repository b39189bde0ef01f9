//! The normalized result of creating a session: where to send the person, and what to store.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::capabilities::Feature;
use crate::error::{Error, ErrorKind, Leftover};
use crate::model::{ClientId, VerificationKind};

/// A verification session a provider created.
///
/// Store [`id`](Self::id) (every webhook and decision names it) and send the person to
/// [`url`](Self::url). The URL embeds the session's token at both vendors, so treat it like a
/// password until the session ends: `Debug` prints only its origin, and
/// [`token`](Self::token) is a [`SecretString`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Session {
    /// The provider that created it.
    pub provider: String,
    /// The provider's id for it (iDenfy `scanRef`, or `companyId` for a business session;
    /// Veriff `verification.id`).
    pub id: String,
    /// Identity or business: with [`id`](Self::id), what names the session to
    /// [`SessionRef`] (iDenfy keeps the two apart, so results and erasure need both).
    pub kind: VerificationKind,
    /// Where to send the person.
    pub url: Url,
    /// The session token for SDKs and iframes (iDenfy `authToken`, Veriff `sessionToken`).
    pub token: Option<SecretString>,
    /// Your client id, as the provider echoed it.
    pub client_id: ClientId,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the link stops working, when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// Vendor values worth keeping that have no neutral field (iDenfy `digitString`, Veriff
    /// `host`), under the vendor's names. Some are secrets (a `digitString` starts the session
    /// in iDenfy's app): `Debug` prints the keys only.
    pub vendor_fields: BTreeMap<String, String>,
    /// How a failover chain came to this session: every attempt in order, the last one the
    /// provider that created it. Empty when a provider was called directly.
    pub attempts: Vec<Attempt>,
}

impl Session {
    /// A session created now, without token or expiry; set those fields as the provider gives
    /// them.
    pub fn new(
        provider: impl Into<String>,
        id: impl Into<String>,
        url: Url,
        client_id: ClientId,
    ) -> Self {
        Self {
            provider: provider.into(),
            id: id.into(),
            kind: VerificationKind::Identity,
            url,
            token: None,
            client_id,
            created_at: Utc::now(),
            expires_at: None,
            vendor_fields: BTreeMap::new(),
            attempts: Vec::new(),
        }
    }

    /// Sets the kind of verification (identity unless set).
    pub fn with_kind(mut self, kind: VerificationKind) -> Self {
        self.kind = kind;
        self
    }

    /// The reference that polls or erases this session.
    pub fn reference(&self) -> SessionRef {
        SessionRef::new(self.kind, &self.id)
    }

    /// Sets the token.
    pub fn with_token(mut self, token: SecretString) -> Self {
        self.token = Some(token);
        self
    }

    /// Sets when it was created.
    pub fn with_created_at(mut self, created_at: DateTime<Utc>) -> Self {
        self.created_at = created_at;
        self
    }

    /// Sets when the link stops working.
    pub fn with_expires_at(mut self, expires_at: DateTime<Utc>) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Keeps a vendor value under its vendor name.
    pub fn with_vendor_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vendor_fields.insert(name.into(), value.into());
        self
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("kind", &self.kind)
            // The path or query carries the token: print where it points, not the link.
            .field("url", &format_args!("{}/<redacted>", self.url.origin().ascii_serialization()))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("client_id", &self.client_id)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("vendor_fields", &self.vendor_fields.keys().collect::<Vec<_>>())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// Which session to poll or erase: the provider's id and the kind of verification.
///
/// The kind matters at iDenfy, where an identity session (its `scanRef`) and a business one
/// (its `companyId`) live under different endpoints; a provider with one kind refuses the other
/// as [`Unsupported`](crate::ErrorKind::Unsupported). A bare id is an identity session's.
///
/// ```
/// use kyc_core::{SessionRef, VerificationKind};
///
/// let identity = SessionRef::from("328c6766-934e-11ed-bb9b-025ad99a18e7");
/// assert_eq!(identity.kind, VerificationKind::Identity);
/// let company = SessionRef::business("6ef1a1d0-company");
/// assert_eq!((company.kind, company.id.as_str()), (VerificationKind::Business, "6ef1a1d0-company"));
/// assert_eq!(company.to_string(), "business session 6ef1a1d0-company");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRef {
    /// Identity or business.
    pub kind: VerificationKind,
    /// The provider's id for it ([`Session::id`]).
    pub id: String,
}

impl SessionRef {
    /// A session of `kind` by its provider id.
    pub fn new(kind: VerificationKind, id: impl Into<String>) -> Self {
        Self { kind, id: id.into() }
    }

    /// An identity (KYC) session.
    pub fn identity(id: impl Into<String>) -> Self {
        Self::new(VerificationKind::Identity, id)
    }

    /// A business (KYB) session.
    pub fn business(id: impl Into<String>) -> Self {
        Self::new(VerificationKind::Business, id)
    }
}

impl From<&str> for SessionRef {
    fn from(id: &str) -> Self {
        Self::identity(id)
    }
}

impl From<String> for SessionRef {
    fn from(id: String) -> Self {
        Self::identity(id)
    }
}

impl From<&Session> for SessionRef {
    fn from(session: &Session) -> Self {
        session.reference()
    }
}

impl fmt::Display for SessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} session {}", self.kind, self.id)
    }
}

/// One try at one provider, or one provider passed over, recorded by failover and routing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// The provider tried, or passed over.
    pub provider: String,
    /// How it failed; `None` when it created the session. `Unsupported` for a provider passed
    /// over without a call ([`skipped`](Self::skipped) says why).
    pub error: Option<ErrorKind>,
    /// Why the provider was passed over without a call: what the request asks that its
    /// capabilities lack. `None` for a provider that was called.
    pub skipped: Option<Feature>,
    /// Whether it may have left a session (and a spent credit) behind: always for the attempt
    /// that created the session; for a failed one, when its outcome is unknown.
    pub may_have_created_session: bool,
    /// How long it took.
    pub elapsed: Duration,
    /// What a failed creation in two calls left at the provider ([`Error::leftover`]): kept
    /// here because failover may move on and the error itself is then not returned.
    pub leftover: Option<Leftover>,
}

/// Only failover records attempts: a trail an application reads is one it could not have forged.
impl Attempt {
    /// An attempt that failed with `error`.
    pub(crate) fn failed(
        provider: impl Into<String>,
        error: ErrorKind,
        may_have_created_session: bool,
        elapsed: Duration,
    ) -> Self {
        let provider = provider.into();
        Self {
            provider,
            error: Some(error),
            skipped: None,
            may_have_created_session,
            elapsed,
            leftover: None,
        }
    }

    /// The attempt that created the session.
    pub(crate) fn succeeded(provider: impl Into<String>, elapsed: Duration) -> Self {
        let provider = provider.into();
        Self {
            provider,
            error: None,
            skipped: None,
            may_have_created_session: true,
            elapsed,
            leftover: None,
        }
    }

    /// A provider passed over without a call: its capabilities lack `feature`.
    pub(crate) fn passed_over(provider: impl Into<String>, feature: Feature) -> Self {
        Self {
            provider: provider.into(),
            error: Some(ErrorKind::Unsupported),
            skipped: Some(feature),
            may_have_created_session: false,
            elapsed: Duration::ZERO,
            leftover: None,
        }
    }

    /// Adds to `trail` the success of a call that returned `session`, and hands the trail to
    /// the session: a nested wrapper's session carries its own attempts (its success
    /// included), which are kept rather than summarized; otherwise one attempt, named by the
    /// provider that created the session (a router's choice, not the router).
    pub(crate) fn record_success(
        mut trail: Vec<Attempt>,
        session: &mut Session,
        elapsed: Duration,
    ) {
        match session.attempts.is_empty() {
            true => trail.push(Self::succeeded(&session.provider, elapsed)),
            false => trail.append(&mut session.attempts),
        }
        session.attempts = trail;
    }

    /// Adds to `trail` a call to `provider` that failed with `error`: a nested wrapper's own
    /// attempts when its error carries some, otherwise one attempt.
    pub(crate) fn record_failure(
        trail: &mut Vec<Attempt>,
        provider: &str,
        error: &Error,
        elapsed: Duration,
    ) {
        match error.attempts() {
            [] => trail.push(Self {
                leftover: error.leftover().cloned(),
                ..Self::failed(
                    provider,
                    error.kind(),
                    error.outcome().may_have_created_session(),
                    elapsed,
                )
            }),
            inner => trail.extend_from_slice(inner),
        }
    }

    /// Whether the provider was called (not passed over).
    pub fn was_called(&self) -> bool {
        self.skipped.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_token_and_link() {
        let url =
            Url::parse("https://ivs.idenfy.com/api/v2/redirect?authToken=SeCrEtToKeN").unwrap();
        let session = Session::new("idenfy", "scan-1", url, ClientId::new("u1").unwrap())
            .with_token(SecretString::from("SeCrEtToKeN"))
            .with_vendor_field("digitString", "48236570");
        let printed = format!("{session:?} {session:#?}");
        assert!(!printed.contains("SeCrEtToKeN"), "{printed}");
        assert!(!printed.contains("48236570"), "{printed}");
        assert!(printed.contains("digitString"), "{printed}");
        assert!(printed.contains("https://ivs.idenfy.com/<redacted>"), "{printed}");
        assert!(printed.contains("scan-1"));
    }
}
