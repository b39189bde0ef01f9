//! The provider-neutral heart of [`kyc`](https://docs.rs/kyc): the [`VerificationSession`] trait
//! every identity-verification vendor implements, the [`SessionRequest`] an application fills in
//! once, the normalized [`Session`] it gets back, what each provider can honour
//! ([`Capabilities`]), and the one [`Error`] type that failover and callers read without knowing
//! any vendor.
//!
//! Adapters (`kyc-idenfy`, `kyc-veriff`) translate a [`SessionRequest`] into their vendor's wire
//! format; nothing in this crate carries a vendor's casing or field names.
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
//! - `test-util`: the [`conformance`] suite every provider runs in its own tests.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breaker;
mod capabilities;
pub mod config;
#[cfg(feature = "test-util")]
pub mod conformance;
mod decision;
pub mod decode;
mod error;
mod failover;
pub mod http;
#[cfg(feature = "mock")]
pub mod mocking;
mod model;
pub mod policy;
mod provider;
pub mod redact;
mod request;
mod router;
mod session;
mod stub;
mod validate;

pub use breaker::{BreakerConfig, BreakerState, CircuitBreaker};
pub use capabilities::{Capabilities, Feature, KindCapabilities};
pub use decision::{
    Decision, Reason, Status, VerificationResults, WEBHOOK_BODY_CAP, verify_hex_hmac,
};
pub use error::{Error, ErrorKind, FieldError, Outcome};
pub use failover::{Failover, FailoverPolicy};
pub use model::{
    ClientId, CountryCode, DocumentType, Flow, Locale, Sex, VerificationKind, is_uuid,
};
pub use policy::OnUnknownOutcome;
#[cfg(any(test, feature = "mock"))]
pub use provider::MockVerificationSession;
pub use provider::{DynVerificationSession, VerificationSession};
pub use request::{ExpectedDocument, Field, Person, Redirects, SessionRequest};
pub use router::{Router, Rule};
pub use session::{Attempt, Session};
pub use stub::StubProvider;
