//! One entry point for results in a multi-vendor setup: an application that fails over receives
//! webhooks from any of its vendors and polls sessions any of them created, and asks one
//! [`Results`] by the provider's name.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::decision::{Decision, VerificationResults, WebhookEvent, WebhookVerifier};
use crate::error::Error;
use crate::kit::ErrorExt;
use crate::provider::VerificationSession;
use crate::session::{Session, SessionRef};

/// The results side of every provider an application uses, by the name its sessions carry
/// ([`Session::provider`], so a renamed provider, `with_name("idenfy-eu")`, is found by its new
/// name).
///
/// Built from the same clients that create sessions ([`with`](Self::with)), from a results
/// client under a name ([`with_results`](Self::with_results)), or, for an endpoint that only
/// receives webhooks, from a verifier built from the webhook secret alone
/// ([`with_webhooks`](Self::with_webhooks)). One name, one provider: a later entry under a
/// name replaces the earlier one, so give two accounts of one vendor their own names
/// (`with_name` on the client, and the same on its verifier, whose decisions carry it).
///
/// ```
/// use std::sync::Arc;
/// use kyc_core::{
///     Decision, Error, ErrorKind, Results, SessionRef, Status, VerificationResults, WebhookEvent,
///     WebhookVerifier,
/// };
///
/// /// A stand-in for an adapter's results side (in an application: `Idenfy`, `VeriffWebhooks`).
/// #[derive(Debug)]
/// struct Approves;
///
/// impl WebhookVerifier for Approves {
///     fn verify_webhook(&self, _: &http::HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
///         let id = String::from_utf8_lossy(body).into_owned();
///         Ok(Decision::new("veriff-eu", id, Status::Approved, "approved", true).into())
///     }
/// }
///
/// #[async_trait::async_trait]
/// impl VerificationResults for Approves {
///     async fn poll_decision(&self, session: &SessionRef) -> Result<Option<Decision>, Error> {
///         Ok(Some(Decision::new("veriff-eu", &session.id, Status::Approved, "approved", true)))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let results = Results::new()
///     .with_results("veriff-eu", Arc::new(Approves))
///     .with_webhooks("idenfy", Arc::new(Approves));
///
/// let session = SessionRef::identity("f04bdb47-d3be-4b28-b028-a652feb060b5");
/// let polled = results.poll_decision("veriff-eu", &session).await?;
/// assert_eq!(polled.unwrap().status, Status::Approved);
/// let hook = results.verify_webhook("idenfy", &http::HeaderMap::new(), b"scan-1")?;
/// assert_eq!(hook.session_id(), Some("scan-1"));
/// let scan = SessionRef::identity("scan-1");
/// assert_eq!(results.poll_decision("idenfy", &scan).await.unwrap_err().kind(), ErrorKind::Config);
/// assert_eq!(results.poll_decision("acme", &scan).await.unwrap_err().kind(), ErrorKind::Config);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Results {
    providers: BTreeMap<String, Side>,
}

#[derive(Clone)]
enum Side {
    /// Webhooks and polling.
    Full(Arc<dyn VerificationResults>),
    /// Webhooks only: built from the webhook secret, without API credentials.
    Webhooks(Arc<dyn WebhookVerifier>),
}

impl Results {
    /// No provider yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `provider`'s results under the name it gives its sessions.
    pub fn with<P>(self, provider: Arc<P>) -> Self
    where
        P: VerificationSession + VerificationResults + 'static,
    {
        let name = provider.provider().to_owned();
        self.with_results(name, provider)
    }

    /// Adds a results client (webhooks and polling) under `name`.
    pub fn with_results(
        mut self,
        name: impl Into<String>,
        results: Arc<dyn VerificationResults>,
    ) -> Self {
        self.providers.insert(name.into(), Side::Full(results));
        self
    }

    /// Adds a webhook verifier alone under `name`: its webhooks are verified, its sessions
    /// cannot be polled.
    pub fn with_webhooks(
        mut self,
        name: impl Into<String>,
        verifier: Arc<dyn WebhookVerifier>,
    ) -> Self {
        self.providers.insert(name.into(), Side::Webhooks(verifier));
        self
    }

    /// The names results are kept under, in order.
    pub fn providers(&self) -> impl Iterator<Item = &str> {
        self.providers.keys().map(String::as_str)
    }

    /// Verifies a webhook `provider` sent (its raw `body` and headers, as received) and
    /// normalizes it.
    ///
    /// # Errors
    /// `Config` for a provider not configured here; otherwise as
    /// [`WebhookVerifier::verify_webhook`].
    pub fn verify_webhook(
        &self,
        provider: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, Error> {
        match self.side(provider)? {
            Side::Full(results) => results.verify_webhook(headers, body),
            Side::Webhooks(verifier) => verifier.verify_webhook(headers, body),
        }
    }

    /// Asks `provider` where `session` stands; `None` while there is nothing to report.
    ///
    /// # Errors
    /// `Config` for a provider not configured here, or configured for webhooks only; otherwise
    /// as [`VerificationResults::poll_decision`].
    pub async fn poll_decision(
        &self,
        provider: &str,
        session: &SessionRef,
    ) -> Result<Option<Decision>, Error> {
        match self.side(provider)? {
            Side::Full(results) => results.poll_decision(session).await,
            Side::Webhooks(_) => Err(Error::config(
                provider,
                "only its webhooks are configured here: add its results client to poll",
            )),
        }
    }

    /// Asks the provider that created `session` where it stands.
    ///
    /// # Errors
    /// As [`poll_decision`](Self::poll_decision).
    pub async fn poll_session(&self, session: &Session) -> Result<Option<Decision>, Error> {
        self.poll_decision(&session.provider, &session.reference()).await
    }

    fn side(&self, provider: &str) -> Result<&Side, Error> {
        self.providers
            .get(provider)
            .ok_or_else(|| Error::config(provider, "no results are configured for this provider"))
    }
}

impl fmt::Debug for Results {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sides: BTreeMap<&str, &str> = self
            .providers
            .iter()
            .map(|(name, side)| {
                let kind = match side {
                    Side::Full(_) => "webhooks and polling",
                    Side::Webhooks(_) => "webhooks",
                };
                (name.as_str(), kind)
            })
            .collect();
        f.debug_struct("Results").field("providers", &sides).finish()
    }
}
