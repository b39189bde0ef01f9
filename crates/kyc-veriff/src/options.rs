//! Typed Veriff options: the `POST /v1/sessions` fields with no neutral
//! [`SessionRequest`](kyc_core::SessionRequest) field, under Veriff's own names
//! (devdocs.veriff.com/apidocs/v1sessions; reference/veriff.md §3.1).
//!
//! Set them as adapter defaults ([`VeriffBuilder::with_default_options`]) or per request
//! ([`VeriffOptions::apply_to`], stored in `SessionRequest::provider_options["veriff"]`); a
//! request's options override the defaults key by key.
//!
//! [`VeriffBuilder::with_default_options`]: crate::VeriffBuilder::with_default_options

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kyc_core::{Error, SessionRequest};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "veriff";

/// Veriff-only session fields. Unset fields are left out of the request body.
///
/// ```
/// use kyc_veriff::{Consent, ConsentType, VeriffOptions};
/// let mut options = VeriffOptions::default();
/// options.end_user_id = Some("fa820aba-019f-455a-ae81-cfca8075bc3f".into());
/// options.consents = vec![Consent::new(ConsentType::Ine, true)];
/// ```
///
/// Anything Veriff adds tomorrow goes in [`extra`](Self::extra), sent inside `verification`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VeriffOptions {
    /// `endUserId`: your UUID for the person, echoed in decisions and webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_user_id: Option<String>,
    /// `consents`: consents the person gave (INE requires one that is approved).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<Consent>,
    /// `person.maritalStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marital_status: Option<MaritalStatus>,
    /// `person.isDeceased`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deceased: Option<bool>,
    /// `document.idCardType`: Colombia only (`CC`, `CE`, `TI`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card_type: Option<IdCardType>,
    /// `document.firstIssue`: the date the document was first issued (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_issue: Option<chrono::NaiveDate>,
    /// `proofOfAddress.acceptableTypes[].name` (`BANK_STATEMENT`, `UTILITY_BILL`, ...), for
    /// proof-of-address integrations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proof_of_address_types: Vec<String>,
    /// `features`: the legacy flow selector (`["selfid"]`, seed 003).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// `timestamp`: legacy; Veriff refuses one older than an hour (code 1201).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    /// Fields this crate does not know yet, sent inside `verification` as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One consent in `consents`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Consent {
    /// What was consented to.
    #[serde(rename = "type")]
    pub consent_type: ConsentType,
    /// Whether the person approved.
    pub approved: bool,
}

impl Consent {
    /// A consent of `consent_type`, approved or not.
    pub fn new(consent_type: ConsentType, approved: bool) -> Self {
        Self { consent_type, approved }
    }
}

/// `consents[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ConsentType {
    /// Mexico's INE registry check: must be approved or no session is created.
    Ine,
    /// Illinois' Biometric Information Privacy Act.
    Bipa,
    /// India's Aadhaar.
    Aadhaar,
}

/// `person.maritalStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
#[allow(missing_docs)] // Veriff's names
pub enum MaritalStatus {
    Single,
    Married,
    Divorced,
    Widowed,
}

/// `document.idCardType` (Colombia).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum IdCardType {
    /// Cédula de ciudadanía.
    Cc,
    /// Cédula de extranjería.
    Ce,
    /// Tarjeta de identidad.
    Ti,
}

/// Names the options set, never their values: some carry personal data (`additionalData`,
/// raw `extra` fields).
impl std::fmt::Debug for VeriffOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VeriffOptions").field("set", &kyc_core::redact::SetFields(self)).finish()
    }
}

impl VeriffOptions {
    /// Stores these options in `request.provider_options["veriff"]`, replacing what was there.
    pub fn apply_to(&self, request: &mut SessionRequest) {
        request.set_provider_options(OPTIONS_KEY, self);
    }

    /// `defaults` overridden, key by key, by the options in `request`.
    pub(crate) fn resolve(defaults: &Self, request: &SessionRequest) -> Result<Self, Error> {
        request.provider_options_over(OPTIONS_KEY, defaults, &[])
    }
}

#[cfg(test)]
// Outside this crate `#[non_exhaustive]` allows no struct literal: test the way users write it.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use kyc_core::ClientId;
    use serde_json::json;

    #[test]
    fn options_round_trip_and_override_defaults() {
        let mut defaults = VeriffOptions::default();
        defaults.features = vec!["selfid".into()];
        defaults.is_deceased = Some(false);
        let mut request = SessionRequest::new(ClientId::new("u1").unwrap());
        let mut options = VeriffOptions::default();
        options.consents = vec![Consent::new(ConsentType::Bipa, true)];
        options.id_card_type = Some(IdCardType::Cc);
        options.is_deceased = Some(true);
        options.apply_to(&mut request);
        assert_eq!(
            request.provider_options["veriff"],
            json!({"consents": [{"type": "bipa", "approved": true}], "isDeceased": true, "idCardType": "CC"})
        );
        let resolved = VeriffOptions::resolve(&defaults, &request).unwrap();
        assert_eq!(resolved.features, ["selfid"]);
        assert_eq!(resolved.is_deceased, Some(true));
        assert_eq!(resolved.consents, options.consents);
    }

    #[test]
    fn malformed_options_name_the_place() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap()).with_provider_options(
            "veriff",
            json!({"consents": [{"type": "gdpr", "approved": true}]}),
        );
        let error = VeriffOptions::resolve(&VeriffOptions::default(), &request).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.veriff.consents: unknown variant, expected one of \
             `ine`, `bipa`, `aadhaar`"
        );
    }
}
