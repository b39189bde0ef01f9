#![doc = include_str!("../README.md")]

// The application API, named one by one: what an application holds, fills in and reads.
// Constructing errors, HTTP plumbing and the other adapter-only helpers live in the adapter
// kit (`kyc-adapter`), which an application never needs.
pub use kyc_core::{
    Attempt, BreakerConfig, BreakerState, Capabilities, ClientId, CountryCode, Decision, Denial,
    DocumentType, DynVerificationSession, Error, ErrorKind, ExpectedDocument, Failover,
    FailoverPolicy, Feature, Field, FieldError, FieldKind, Flow, KindCapabilities, Leftover,
    LeftoverState, Locale, Notice, OnUnknownOutcome, Outcome, Person, ProviderOptions, Reason,
    Redirects, Results, Router, Rule, Session, SessionErasure, SessionRef, SessionRequest, Sex,
    Status, StubProvider, VerificationKind, VerificationResults, VerificationSession, WebhookEvent,
    WebhookVerifier,
};

/// The conformance suite a provider runs in its own tests (feature `test-util`).
#[cfg(feature = "test-util")]
pub use kyc_core::conformance;

/// Mocking the trait in your own tests (feature `mock`).
#[cfg(feature = "mock")]
pub use kyc_core::{MockVerificationResults, MockVerificationSession, mocking};

/// Scripting a stub's or a mock's errors in tests (feature `test-util` or `mock`).
#[cfg(any(feature = "test-util", feature = "mock"))]
pub use kyc_core::testing;

/// The iDenfy adapter (feature `idenfy`, on by default).
#[cfg(feature = "idenfy")]
pub mod idenfy {
    pub use kyc_idenfy::{
        DEFAULT_BASE_URL, DEFAULT_KYB_UI_URL, DetectionType, DummyStatus, FraudService, Idenfy,
        IdenfyBuilder, IdenfyOptions, IdenfyWebhooks, KybOptions, KybTokenType, OPTIONS_KEY,
        PROVIDER, RiskAssessmentProfile, TokenType, capabilities,
    };
}

#[cfg(feature = "idenfy")]
pub use kyc_idenfy::{Idenfy, IdenfyBuilder, IdenfyOptions, IdenfyWebhooks};

/// The Veriff adapter (feature `veriff`, on by default).
#[cfg(feature = "veriff")]
pub mod veriff {
    pub use kyc_veriff::{
        Consent, ConsentType, DEFAULT_BASE_URL, FULL_AUTO, IdCardType, MaritalStatus, OPTIONS_KEY,
        PROVIDER, SESSION_LIFETIME, UNKNOWN_EVENT, Veriff, VeriffBuilder, VeriffOptions,
        VeriffWebhooks, WATCHLIST_SCREENING, capabilities, signature,
    };
}

#[cfg(feature = "veriff")]
pub use kyc_veriff::{Veriff, VeriffBuilder, VeriffOptions, VeriffWebhooks};

/// The Sumsub adapter (feature `sumsub`, on by default).
#[cfg(feature = "sumsub")]
pub mod sumsub {
    pub use kyc_sumsub::{
        DEFAULT_BASE_URL, DEFAULT_LEVEL, DEFAULT_LINK_VALIDITY, LINK_VALIDITY, OPTIONS_KEY,
        PROVIDER, SIGNATURE_MISMATCH, STALE_TIMESTAMP, Sumsub, SumsubBuilder, SumsubOptions,
        SumsubWebhooks, capabilities, capabilities_with_kyb, correlation_id, signature,
    };
}

#[cfg(feature = "sumsub")]
pub use kyc_sumsub::{Sumsub, SumsubBuilder, SumsubOptions, SumsubWebhooks};

/// The Onfido adapter (feature `onfido`, on by default).
#[cfg(feature = "onfido")]
pub mod onfido {
    pub use kyc_onfido::{
        API_VERSION, ConsentName, DEFAULT_LINK_VALIDITY, DELETION_INCOMPLETE_CHECKS, LINK_VALIDITY,
        OPTIONS_KEY, Onfido, OnfidoAddress, OnfidoBuilder, OnfidoConsent, OnfidoLocation,
        OnfidoOptions, OnfidoWebhooks, PROVIDER, RESOURCE_NOT_FOUND, Region, VALIDATION_ERROR,
        capabilities,
    };
}

#[cfg(feature = "onfido")]
pub use kyc_onfido::{Onfido, OnfidoBuilder, OnfidoOptions, OnfidoWebhooks};
