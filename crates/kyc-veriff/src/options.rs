//! Typed Veriff options: the `POST /v1/sessions` fields with no neutral
//! [`SessionRequest`](kyc_core::SessionRequest) field, under Veriff's own names
//! (<https://devdocs.veriff.com/apidocs/v1sessions>).
//!
//! Set them as adapter defaults ([`VeriffBuilder::with_default_options`]) or per request in the
//! builder chain (`SessionRequest::with_options`, stored in
//! `SessionRequest::provider_options["veriff"]`); a request's options override the defaults key
//! by key.
//!
//! [`VeriffBuilder::with_default_options`]: crate::VeriffBuilder::with_default_options

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kyc_adapter::{SetFields, is_uuid};
use kyc_core::{FieldError, ProviderOptions};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "veriff";

/// Veriff-only session fields. Unset fields are left out of the request body.
///
/// ```
/// use kyc_veriff::{Consent, ConsentType, VeriffOptions};
/// let options = VeriffOptions::default()
///     .with_end_user_id("fa820aba-019f-455a-ae81-cfca8075bc3f".into())
///     .with_consents([Consent::new(ConsentType::Ine, true)]);
/// # assert_eq!(options.consents.len(), 1);
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
    /// `features`: the legacy flow selector (`["selfid"]`,
    /// <https://devdocs.veriff.com/docs/how-to-generate-sessions-manually>).
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

/// Names the options set, never their values: some carry personal data (`endUserId`, `consents`,
/// raw `extra` fields).
impl std::fmt::Debug for VeriffOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VeriffOptions").field("set", &SetFields(self)).finish()
    }
}

kyc_adapter::option_setters!(VeriffOptions {
    one: {
        with_end_user_id: end_user_id: String,
        with_marital_status: marital_status: MaritalStatus,
        with_is_deceased: is_deceased: bool,
        with_id_card_type: id_card_type: IdCardType,
        with_first_issue: first_issue: chrono::NaiveDate,
        with_timestamp: timestamp: DateTime<Utc>,
    },
    many: {
        with_consents: consents: Consent,
        with_proof_of_address_types: proof_of_address_types: String,
        with_features: features: String,
    },
});

impl VeriffOptions {
    /// Adds a field this crate does not know yet, sent inside `verification` as it is.
    pub fn with_extra(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }
}

/// `providerOptions.veriff`.
impl ProviderOptions for VeriffOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY];

    /// The documented constraints on these options, every broken one.
    fn rule_violations(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.end_user_id.as_deref().is_some_and(|id| !is_uuid(id)) {
            errors.push(FieldError::new("endUserId", "must be a UUID"));
        }
        // "For INE, approved:true is mandatory, otherwise the session is not created"
        // (https://devdocs.veriff.com/apidocs/v1sessions).
        if self.consents.iter().any(|c| c.consent_type == ConsentType::Ine && !c.approved) {
            errors.push(FieldError::new("consents", "an INE consent must be approved"));
        }
        if self.proof_of_address_types.iter().any(|name| name.trim().is_empty()) {
            errors.push(FieldError::new("proofOfAddressTypes", "must not contain empty names"));
        }
        errors
    }

    fn unknown_keys(&self) -> Vec<String> {
        self.extra.keys().cloned().collect()
    }
}

#[cfg(test)]
// Outside this crate `#[non_exhaustive]` allows no struct literal: test the way users write it.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use kyc_core::{ClientId, SessionRequest};
    use serde_json::json;

    fn resolve(
        defaults: &VeriffOptions,
        request: &SessionRequest,
    ) -> Result<VeriffOptions, kyc_core::Error> {
        kyc_adapter::resolve_options(request, defaults)
    }

    #[test]
    fn options_round_trip_and_override_defaults() {
        let defaults =
            VeriffOptions::default().with_features(["selfid".to_owned()]).with_is_deceased(false);
        let options = VeriffOptions::default()
            .with_consents([Consent::new(ConsentType::Bipa, true)])
            .with_id_card_type(IdCardType::Cc)
            .with_is_deceased(true);
        let request =
            SessionRequest::new(ClientId::new("u1").unwrap()).with_options(options.clone());
        assert_eq!(
            request.provider_options["veriff"],
            json!({"consents": [{"type": "bipa", "approved": true}], "isDeceased": true, "idCardType": "CC"})
        );
        let resolved = resolve(&defaults, &request).unwrap();
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
        let error = resolve(&VeriffOptions::default(), &request).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.veriff.consents: unknown variant, expected one of \
             `ine`, `bipa`, `aadhaar`"
        );
    }
}
