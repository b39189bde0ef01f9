//! Typed Acme options: the `POST /v2/checks` fields with no neutral
//! [`SessionRequest`](kyc::SessionRequest) field.
//!
//! A request carries them as JSON under `providerOptions.acme` (so a request file can hold them),
//! written in the builder chain with `SessionRequest::with_options` and read back, merged over
//! the client's defaults, by [`kyc_adapter::resolve_options`]. [`SessionRequest::validate`] runs
//! [`rule_violations`](ProviderOptions::rule_violations) before any provider is called, so
//! options that break Acme's rules are the caller's mistake (`InvalidRequest`, which stops
//! failover), not a reason to try the next vendor.
//!
//! [`SessionRequest::validate`]: kyc::SessionRequest::validate

use serde::{Deserialize, Serialize};

use kyc::{FieldError, ProviderOptions};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "acme";

/// The most attempts Acme lets a person make on one check.
const MAX_ATTEMPTS: u32 = 5;

/// Acme-only check fields. Unset fields are left out of the request body, and out of the
/// serialized options: merging options key by key must keep what another call set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcmeOptions {
    /// `workflow`: which checks Acme runs (default: the account's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Workflow>,
    /// `max_attempts`: how often the person may retry a rejected capture, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
}

/// Acme's workflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workflow {
    /// The document and a selfie.
    Standard,
    /// `standard` plus a liveness video; enabled per account (else `403 workflow_not_enabled`).
    Enhanced,
}

impl Workflow {
    /// The word Acme's API uses.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Enhanced => "enhanced",
        }
    }
}

impl ProviderOptions for AcmeOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY];

    /// Every rule broken, each named relative to the options (`maxAttempts`): the kit prefixes
    /// `providerOptions.acme.`.
    fn rule_violations(&self) -> Vec<FieldError> {
        let mut broken = Vec::new();
        if let Some(attempts) = self.max_attempts
            && !(1..=MAX_ATTEMPTS).contains(&attempts)
        {
            broken.push(FieldError::new("maxAttempts", format!("must be 1 to {MAX_ATTEMPTS}")));
        }
        broken
    }
}

kyc_adapter::option_setters!(AcmeOptions {
    one: {
        with_workflow: workflow: Workflow,
        with_max_attempts: max_attempts: u32,
    },
    many: {},
});
