//! Acme's wire format: the body of `POST /v2/checks`, Acme's own rules for neutral values, and
//! the answers. Private serde structs: the neutral model never carries a vendor's field names.
//!
//! Answers are read leniently (`kyc_adapter::decode::lenient_text` for text, `lenient_time` for
//! times, `lenient` for anything else): only what a session cannot do without (`check_id`,
//! `link`; a check's `status`) is required, an optional field of the wrong type counts as
//! missing, and unknown fields are ignored, so a vendor adding or changing a field does not
//! break sessions that are fine.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use kyc::{Field, FieldError, SessionRequest};

use super::options::{AcmeOptions, OPTIONS_KEY, Workflow};

/// The body of `POST /v2/checks`. No `Debug`: it holds the person's names.
#[derive(Serialize)]
pub(crate) struct CreateCheck<'a> {
    reference: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    family_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_attempts: Option<u32>,
}

impl<'a> CreateCheck<'a> {
    /// The body for `request`, already checked by the preflight: every field set is one the
    /// capabilities declare, within their limits.
    pub(crate) fn new(request: &'a SessionRequest, options: &AcmeOptions) -> Self {
        Self {
            reference: request.client_id.as_str(),
            given_name: request.person.first_name.as_deref(),
            family_name: request.person.last_name.as_deref(),
            language: request.locale.as_ref().map(|locale| locale.as_ref()),
            return_url: request.redirects.success.as_ref().map(|url| url.as_str()),
            expires_in: request.link_validity.map(|validity| validity.as_secs()),
            workflow: options.workflow.map(|workflow| workflow.as_str()),
            max_attempts: options.max_attempts,
        }
    }
}

/// Acme's rules for neutral values, beyond the neutral rules and the capability table: every
/// value broken. Another vendor may take these values, so the preflight reports them as
/// `Unsupported` (`Feature::Rules`) and failover moves on.
pub(crate) fn value_rules(request: &SessionRequest) -> Vec<FieldError> {
    let person = &request.person;
    [(Field::FirstName, &person.first_name), (Field::LastName, &person.last_name)]
        .into_iter()
        .filter(|(_, name)| name.as_deref().is_some_and(|name| !is_acme_name(name)))
        .map(|(field, _)| {
            FieldError::new(
                field.as_ref(),
                "may hold only letters, spaces, hyphens, apostrophes and periods (Acme)",
            )
        })
        .collect()
}

/// Options that contradict the request: the caller's mistake whichever vendor serves (the
/// caller asked Acme for something it did not give Acme the means to do), so the preflight
/// reports them as `InvalidRequest` and failover stops. Every one found.
pub(crate) fn option_conflicts(request: &SessionRequest, options: &AcmeOptions) -> Vec<FieldError> {
    let person = &request.person;
    let mut conflicts = Vec::new();
    if options.workflow == Some(Workflow::Enhanced)
        && (person.first_name.is_none() || person.last_name.is_none())
    {
        conflicts.push(FieldError::new(
            format!("providerOptions.{OPTIONS_KEY}.workflow"),
            "enhanced needs person.firstName and person.lastName (matched to the liveness video)",
        ));
    }
    conflicts
}

/// Acme's rule for `given_name` and `family_name` (it refuses digits, which other vendors take).
pub(crate) fn is_acme_name(name: &str) -> bool {
    name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
}

/// The answer to `POST /v2/checks`.
#[derive(Debug, Deserialize)]
pub(crate) struct CheckCreated {
    pub(crate) check_id: String,
    pub(crate) link: String,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_time")]
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

/// A check's state: the answer to `GET /v2/checks/{id}`, and the body of a webhook (which adds
/// `event`).
#[derive(Debug, Deserialize)]
pub(crate) struct CheckState {
    pub(crate) check_id: String,
    pub(crate) status: String,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_text")]
    pub(crate) event: Option<String>,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_text")]
    pub(crate) reference: Option<String>,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_time")]
    pub(crate) decided_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_text")]
    pub(crate) reason: Option<String>,
}

/// `{error: {code, message, field?}}`. Everything optional: an error answer is classified by
/// its status when the body is not what Acme documents.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient")]
    pub(crate) error: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_text")]
    pub(crate) code: Option<String>,
    #[serde(default, deserialize_with = "kyc_adapter::decode::lenient_text")]
    pub(crate) message: Option<String>,
}
