//! A provider that calls no vendor: scripted answers, and a record of the requests that reached
//! it. For tests of code above the trait, for examples, and as the reference the conformance
//! suite is checked against. (lettre ships `StubTransport` the same way.)

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use secrecy::SecretString;
use url::Url;

use crate::capabilities::{Capabilities, KindCapabilities};
use crate::error::Error;
use crate::kit::ErrorExt;
use crate::provider::VerificationSession;
use crate::request::SessionRequest;
use crate::session::Session;

/// How long a stub link stays valid when the request does not say.
const DEFAULT_LINK_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// A [`VerificationSession`] that answers from a script instead of a vendor.
///
/// It behaves like a conforming provider: it validates and capability-checks every request
/// (those that fail are not recorded, as a real adapter would not send them), then answers
/// with the next scripted result, or a new session when the script is empty.
///
/// Scripted errors are made with [`testing::ErrorExt`](crate::testing::ErrorExt) (feature
/// `test-util`).
///
/// ```
/// use kyc_core::testing::ErrorExt;
/// use kyc_core::{ClientId, Error, ErrorKind, SessionRequest, StubProvider, VerificationSession};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let stub = StubProvider::new("stub");
/// stub.push_error(Error::unavailable("stub", 503));
///
/// let request = SessionRequest::new(ClientId::new("user-1").unwrap());
/// let first = stub.create_session(&request).await.unwrap_err();
/// assert_eq!(first.kind(), ErrorKind::Unavailable);
/// let second = stub.create_session(&request).await.unwrap();
/// assert_eq!(second.provider, "stub");
/// assert_eq!(stub.requests().len(), 2);
/// # }
/// ```
#[derive(Debug)]
pub struct StubProvider {
    name: String,
    capabilities: Capabilities,
    script: Mutex<VecDeque<Option<Error>>>,
    requests: Mutex<Vec<SessionRequest>>,
    created: AtomicU64,
}

impl StubProvider {
    /// A stub named `name` that supports everything, for identity and business verification.
    pub fn new(name: impl Into<String>) -> Self {
        let capabilities = Capabilities::new()
            .with_identity(KindCapabilities::everything())
            .with_business(KindCapabilities::everything());
        Self {
            name: name.into(),
            capabilities,
            script: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            created: AtomicU64::new(0),
        }
    }

    /// Declares narrower capabilities.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Queues a success.
    pub fn push_ok(&self) {
        self.lock_script().push_back(None);
    }

    /// Queues a failure.
    pub fn push_error(&self, error: Error) {
        self.lock_script().push_back(Some(error));
    }

    /// The requests that reached the stub (passed validation and capability checks), in order.
    pub fn requests(&self) -> Vec<SessionRequest> {
        self.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn lock_script(&self) -> std::sync::MutexGuard<'_, VecDeque<Option<Error>>> {
        // A panicking test thread must not hide the script from the others.
        self.script.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn new_session(&self, request: &SessionRequest) -> Session {
        let n = self.created.fetch_add(1, Ordering::Relaxed) + 1;
        let name = &self.name;
        let token = format!("stub-token-{n}");
        let url = Url::parse("https://stub.invalid/verify/")
            .and_then(|base| base.join(&token))
            .expect("static URL");
        let validity = request
            .link_validity
            .or_else(|| {
                self.capabilities.for_kind(request.kind).and_then(|caps| caps.default_link_validity)
            })
            .unwrap_or(DEFAULT_LINK_VALIDITY);
        let created_at = Utc::now();
        let mut session =
            Session::new(name.clone(), format!("{name}-{n}"), url, request.client_id.clone())
                .with_token(SecretString::from(token))
                .with_created_at(created_at);
        session.expires_at = chrono::TimeDelta::from_std(validity)
            .ok()
            .and_then(|validity| created_at.checked_add_signed(validity));
        session
    }
}

#[async_trait]
impl VerificationSession for StubProvider {
    fn provider(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        request.validate()?;
        self.capabilities.check(request).map_err(|f| Error::unsupported(&self.name, f))?;
        self.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(request.clone());
        match self.lock_script().pop_front().flatten() {
            Some(error) => Err(error),
            None => Ok(self.new_session(request)),
        }
    }
}
