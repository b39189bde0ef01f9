//! The trait every identity-verification provider implements.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::kit::ErrorExt;
use crate::request::SessionRequest;
use crate::session::Session;

/// A provider of identity-verification sessions: a vendor adapter, or a wrapper (failover,
/// routing) that is itself made of providers.
///
/// Object-safe: hold providers as `Arc<dyn VerificationSession>` ([`DynVerificationSession`])
/// and switch vendors by configuration.
///
/// # Behavior
/// Every implementation, checked by the conformance suite (feature `test-util`):
/// - checks [`SessionRequest::validate`], then [`Capabilities::check`], then its own options and
///   rules before sending anything (an adapter runs `kyc_adapter::preflight`), so an invalid or
///   unsupported request never reaches a vendor: a caller's mistake is `InvalidRequest`, what
///   only this provider cannot take is `Unsupported`;
/// - sends at most one create request per call: it never retries on its own after the request
///   may have reached the vendor (each vendor session costs a credit);
/// - returns a [`Session`] whose `provider` is [`provider`](Self::provider), whose `client_id`
///   is the request's, and whose `url` is http(s).
///
/// # Errors
/// [`Error`], classified so that [`Error::is_retryable`] and [`Error::outcome`] answer
/// without knowing the vendor: `InvalidRequest` and `Unsupported` before sending; `Config`
/// for a client that cannot work; the rest from the vendor's answer or its absence.
#[async_trait]
pub trait VerificationSession: Debug + Send + Sync {
    /// The provider's name (`"idenfy"`, `"veriff"`), as it appears in sessions and errors.
    fn provider(&self) -> &str;

    /// What this provider can honour (the adapter's published table, or the union a wrapper's
    /// members declare).
    fn capabilities(&self) -> &Capabilities;

    /// Every check [`create_session`](Self::create_session) makes before sending, without
    /// sending anything: to refuse a form or a request file early, with the error
    /// `create_session` would give. Options read from JSON (which [`SessionRequest::validate`]
    /// cannot type) and the provider's defaults are checked here too.
    ///
    /// The default checks [`SessionRequest::validate`] and [`Capabilities::check`]; a provider
    /// with options or rules of its own overrides it with all of its checks.
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`, `Config`.
    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        request.validate()?;
        self.capabilities()
            .check(request)
            .map_err(|feature| Error::unsupported(self.provider(), feature))
    }

    /// Creates a verification session for `request`.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error>;
}

#[cfg(any(test, feature = "mock"))]
mockall::mock! {
    /// A mock of [`VerificationSession`] (mockall), for testing code that sits above the trait.
    ///
    /// `provider`, `capabilities` and `create_session` are mocked; `preflight` keeps the
    /// trait's own checks (the neutral rules and the declared capabilities), so a mock in a
    /// [`Failover`](crate::Failover) or a [`Router`](crate::Router) needs no expectation for it.
    pub VerificationSession {}

    #[async_trait]
    impl VerificationSession for VerificationSession {
        fn provider(&self) -> &str;
        fn capabilities(&self) -> &Capabilities;
        async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error>;
    }
}

// A mock's `Debug` is not an expectation to set: it names the mock.
#[cfg(any(test, feature = "mock"))]
impl Debug for MockVerificationSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockVerificationSession").finish_non_exhaustive()
    }
}

/// A provider behind a pointer, chosen at run time.
pub type DynVerificationSession = dyn VerificationSession;

macro_rules! forward_impl {
    ($ptr:ident) => {
        #[async_trait]
        impl<T: VerificationSession + ?Sized> VerificationSession for $ptr<T> {
            fn provider(&self) -> &str {
                (**self).provider()
            }

            fn capabilities(&self) -> &Capabilities {
                (**self).capabilities()
            }

            fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
                (**self).preflight(request)
            }

            async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
                (**self).create_session(request).await
            }
        }
    };
}

forward_impl!(Arc);
forward_impl!(Box);

#[cfg(test)]
mod tests {
    use super::*;

    // Fails to compile if the trait stops being object-safe.
    fn _object_safe(_: &dyn VerificationSession) {}

    #[test]
    fn mock_implements_debug() {
        let mock = MockVerificationSession::new();
        assert!(format!("{mock:?}").contains("MockVerificationSession"));
    }
}
