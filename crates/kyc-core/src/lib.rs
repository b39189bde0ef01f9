//! The provider-neutral heart of [`kyc`](https://docs.rs/kyc): the [`VerificationSession`] trait
//! every identity-verification vendor implements, the [`SessionRequest`] an application fills in
//! once, the normalized [`Session`] it gets back, what each provider can honour
//! ([`Capabilities`]), and the one [`Error`] type that failover and callers read without knowing
//! any vendor.
//!
//! This crate is the application API: what an application holds, fills in and reads. It has no
//! HTTP client and no cryptography. Adapters (`kyc-idenfy`, `kyc-veriff`, or your own) build
//! on the adapter kit, `kyc-adapter`, and translate a [`SessionRequest`] into their vendor's
//! wire format; nothing in this crate carries a vendor's casing or field names.
//!
//! ```
//! use std::sync::Arc;
//! use kyc_core::{ClientId, Locale, SessionRequest, StubProvider, VerificationSession};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), kyc_core::Error> {
//! // Any provider: an adapter, a failover chain, or (here) the stub.
//! let provider: Arc<dyn VerificationSession> = Arc::new(StubProvider::new("stub"));
//!
//! let request = SessionRequest::new(ClientId::new("user-123")?).with_locale(Locale::En);
//! let session = provider.create_session(&request).await?;
//! println!("send the user to {}", session.url);
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//! - `mock`: [`MockVerificationSession`], a mockall mock of the trait for testing code that sits
//!   above it (not for pretending an adapter works).
//! - `test-util`: the [`conformance`] suite every provider runs in its own tests, and
//!   [`testing::ErrorExt`] to script the errors a [`StubProvider`] or a mock returns.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breaker;
mod capabilities;
#[cfg(any(test, feature = "test-util"))]
pub mod conformance;
mod decision;
mod error;
mod failover;
mod field;
#[doc(hidden)]
pub mod kit;
#[cfg(feature = "mock")]
pub mod mocking;
mod model;
mod options;
mod policy;
mod provider;
mod request;
mod results;
mod router;
mod session;
mod stub;
mod validate;

pub use breaker::{BreakerConfig, BreakerState};
pub use capabilities::{Capabilities, Feature, KindCapabilities};
#[cfg(any(test, feature = "mock"))]
pub use decision::MockVerificationResults;
pub use decision::{
    Decision, Notice, Reason, SessionErasure, Status, VerificationResults, WebhookEvent,
    WebhookVerifier,
};
pub use error::{Denial, Error, ErrorKind, FieldError, Leftover, LeftoverState, Outcome};
pub use failover::{Failover, FailoverPolicy};
pub use field::{Field, FieldKind};
pub use model::{ClientId, CountryCode, DocumentType, Flow, Locale, Sex, VerificationKind};
pub use options::ProviderOptions;
pub use policy::OnUnknownOutcome;
#[cfg(any(test, feature = "mock"))]
pub use provider::MockVerificationSession;
pub use provider::{DynVerificationSession, VerificationSession};
pub use request::{ExpectedDocument, Person, Redirects, SessionRequest};
pub use results::Results;
pub use router::{Router, Rule};
pub use session::{Attempt, Session, SessionRef};
pub use stub::StubProvider;

/// Scripting errors in tests (feature `test-util` or `mock`): a [`StubProvider`] or a mock returns the
/// errors a vendor would, made with [`ErrorExt`](testing::ErrorExt).
///
/// ```
/// use kyc_core::testing::ErrorExt;
/// use kyc_core::{Error, ErrorKind, StubProvider};
///
/// let stub = StubProvider::new("stub");
/// stub.push_error(Error::unavailable("stub", 503));
/// assert_eq!(Error::timeout("stub", true).kind(), ErrorKind::Timeout);
/// ```
#[cfg(any(test, feature = "test-util", feature = "mock"))]
pub mod testing {
    pub use crate::kit::ErrorExt;
}
