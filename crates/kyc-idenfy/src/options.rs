//! Typed iDenfy options: every documented token parameter that has no neutral
//! [`SessionRequest`](kyc_core::SessionRequest) field, under iDenfy's own names.
//!
//! Set them as adapter defaults ([`IdenfyBuilder::with_default_options`]) or per request in the
//! builder chain (`SessionRequest::with_options`, stored in
//! `SessionRequest::provider_options["idenfy"]`); a request's options override the defaults key
//! by key. Sources, named by the short names used below: iDenfy's current parameter reference,
//! "the current token reference" (<https://documentation.idenfy.com/kyc/generate-token>); its
//! older, longer reference with the "extra settings", "the older token reference"
//! (<https://documentation.idenfy.com/API/GeneratingIdentificationToken>); and its published
//! OpenAPI, "the OpenAPI" (<https://documentation.idenfy.com/openapi/kyc.yaml>; for KYB,
//! <https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>), for the
//! parameters both lack.
//!
//! [`IdenfyBuilder::with_default_options`]: crate::IdenfyBuilder::with_default_options

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use kyc_adapter::{SetFields, is_uuid};
use kyc_core::{CountryCode, FieldError, ProviderOptions};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "idenfy";

/// iDenfy-only token parameters. Unset fields are left out of the request body, so the
/// dashboard's defaults apply.
///
/// Fields are public; the struct is `#[non_exhaustive]` because iDenfy keeps adding settings,
/// so start from `IdenfyOptions::default()`:
///
/// ```
/// use kyc_idenfy::IdenfyOptions;
/// let options = IdenfyOptions::default().with_check_aml(true).with_max_attempt_count(2);
/// # assert_eq!(options.check_aml, Some(true));
/// ```
///
/// Anything iDenfy adds tomorrow goes in [`extra`](Self::extra), sent as is.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdenfyOptions {
    /// `tokenType` beyond the neutral flow: the video-call variants (the older token
    /// reference). Conflicts with a neutral `flow` that says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<TokenType>,
    /// Several accepted document countries: sent as `country` in its array form (the current
    /// token reference). Not together with the neutral `document.country`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryCode>,
    /// `showInstructions`: instruction screens before capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_instructions: Option<bool>,
    /// `generateDigitString`: an 8-digit code for iDenfy's mobile app (kept in the session's
    /// `vendor_fields["digitString"]`). Its `expiryTime` may not exceed the contract's
    /// digit-string maximum, which only iDenfy knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_digit_string: Option<bool>,
    /// `videoCallQuestions`: questions for the video-call agent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub video_call_questions: Vec<String>,
    /// `utilityBill`: a utility bill as an extra step; not together with `additionalSteps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utility_bill: Option<bool>,
    /// `additionalSteps`: extra document uploads (a JSON object, see iDenfy's "additional
    /// steps" page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_steps: Option<Value>,
    /// `additionalData`: data for COMPARE-type additional steps; needs `additionalSteps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// `questionnaire`: a questionnaire key; `Some(None)` sends `null`, which disables the
    /// dashboard's default questionnaire.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub questionnaire: Option<Option<String>>,
    /// `questionnaireRequired` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire_required: Option<bool>,
    /// `riskAssessmentProfile`: an integer id in the current token reference, a UUID in the
    /// OpenAPI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment_profile: Option<RiskAssessmentProfile>,
    /// `theme`: a UI theme id (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// `registryCentersCountries` (OpenAPI).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry_centers_countries: Vec<CountryCode>,
    /// `verifyEmail`: an email verification step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// `verifyPhone`: an SMS verification step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_phone: Option<bool>,
    /// `verifyAddress`: proof-of-address verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_address: Option<bool>,
    /// `verifyBank`: bank verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_bank: Option<bool>,
    /// `verifyBankAccounts` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_bank_accounts: Option<bool>,
    /// `verifyBankBalances` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_bank_balances: Option<bool>,
    /// `verifyBankTransactions` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_bank_transactions: Option<bool>,
    /// `bankCardVerification` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_card_verification: Option<bool>,
    /// `bankCardPdfUpload` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_card_pdf_upload: Option<bool>,
    /// `nfcRequired`: NFC chip reading required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfc_required: Option<bool>,
    /// `nfcOptional`: NFC chip reading offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfc_optional: Option<bool>,
    /// `ageLimit`: the minimum age; younger people are `SUSPECTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_limit: Option<u32>,
    /// `ageMax`: the maximum age; older people are `SUSPECTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<u32>,
    /// `driverLicenseBack`: both sides of a driver's licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_license_back: Option<bool>,
    /// `checkLiveness`: active 3D liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_liveness: Option<bool>,
    /// `idLiveFaceValidation`: passive face liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_live_face_validation: Option<bool>,
    /// `idLiveDocumentValidation`: passive document liveness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_live_document_validation: Option<bool>,
    /// `checkAml`: add to AML monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_aml: Option<bool>,
    /// `autoAmlMonitoring` (the older token reference's name for the same idea).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_aml_monitoring: Option<bool>,
    /// `checkIpProxy`: VPN and proxy detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_ip_proxy: Option<bool>,
    /// `checkFaceBlacklist`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_face_blacklist: Option<bool>,
    /// `checkDocFaceBlacklist`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_doc_face_blacklist: Option<bool>,
    /// `checkDuplicateFaces`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_duplicate_faces: Option<bool>,
    /// `checkDuplicateDocFaces`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_duplicate_doc_faces: Option<bool>,
    /// `checkDuplicatePersonalData`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_duplicate_personal_data: Option<bool>,
    /// `checkBlurAndGlare`: image quality checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_blur_and_glare: Option<bool>,
    /// `checkCriminal` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_criminal: Option<bool>,
    /// `checkPersonBlacklist` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_person_blacklist: Option<bool>,
    /// `checkDriverLicense` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_driver_license: Option<bool>,
    /// `checkLid` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_lid: Option<bool>,
    /// `checkUrjanet`: utility address check (the older token reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_urjanet: Option<bool>,
    /// `allowBsnMasking` (OpenAPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_bsn_masking: Option<bool>,
    /// `autoFaceMatching`: false turns off every face check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_face_matching: Option<bool>,
    /// `reviewFailed`: manual review of failed sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_failed: Option<bool>,
    /// `reviewSuccessful`: manual review of successful sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_successful: Option<bool>,
    /// `maxAttemptCount`: retries allowed after a failed automatic check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempt_count: Option<u32>,
    /// `fraudServices` (the older token reference).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fraud_services: Vec<FraudService>,
    /// `faceMatchingThresholdModifier`: face matching sensitivity (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_matching_threshold_modifier: Option<f64>,
    /// `levenshteinTextMatchRatio`: 0 to 1 (default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levenshtein_text_match_ratio: Option<f64>,
    /// `levenshteinMrzMatchRatio`: 0 to 1 (default 0.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levenshtein_mrz_match_ratio: Option<f64>,
    /// `detectionTypes`: selfie detection priority on mobile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detection_types: Vec<DetectionType>,
    /// `dummyStatus`: an instant dummy result; iDenfy's DEV environment only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dummy_status: Option<DummyStatus>,
    /// KYB token options, for business requests.
    #[serde(default, skip_serializing_if = "KybOptions::is_empty")]
    pub kyb: KybOptions,
    /// Parameters this crate does not know yet, sent as they are (identity requests).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Options of `POST /kyb/tokens/` with no neutral field.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct KybOptions {
    /// `tokenType`: `FORM` (the default) or a government-register flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<KybTokenType>,
    /// `flow`: the dashboard workflow (a UUID) the session follows.
    #[serde(default, rename = "flow", skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// `theme`: the UI theme (a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// `questionnaire`: a questionnaire key (ignored by iDenfy when `flow` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<String>,
    /// `questionnaireRequired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire_required: Option<bool>,
    /// `scanRefs`: existing verifications to link to the company.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scan_refs: Vec<String>,
    /// Parameters this crate does not know yet, sent as they are (business requests).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl std::fmt::Debug for KybOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KybOptions").field("set", &SetFields(self)).finish()
    }
}

impl KybOptions {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `tokenType` of an identity token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum TokenType {
    /// Document and selfie (the neutral `Flow::DocumentAndSelfie`).
    Identification,
    /// Document only (the neutral `Flow::DocumentOnly`).
    Document,
    /// A video call.
    VideoCall,
    /// A video call with photos.
    VideoCallPhotos,
    /// A video call with identification.
    VideoCallIdentification,
}

/// `tokenType` of a KYB token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum KybTokenType {
    /// The KYB form (the default).
    Form,
    /// Government register flow 1.
    Gov1,
    /// Government register flow 2.
    Gov2,
}

/// `fraudServices` values (the older token reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)] // iDenfy's names
pub enum FraudService {
    AmlNamesCheck,
    Lid,
    AmlNews,
}

/// `detectionTypes` values (the older token reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)] // iDenfy's names
pub enum DetectionType {
    Face,
    Eyes,
}

/// `dummyStatus` values (iDenfy's dummy-results page; DEV environment only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)] // iDenfy's names
pub enum DummyStatus {
    Approved,
    Denied,
    Suspected,
    Expired,
}

/// `riskAssessmentProfile`: the current token reference documents an integer, the OpenAPI a
/// UUID string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RiskAssessmentProfile {
    /// A numeric profile id.
    Number(u64),
    /// A profile id string (UUID).
    Id(String),
}

/// Keeps an explicit `null` apart from an absent key.
fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Names the options set, never their values: some carry personal data (`additionalData`,
/// raw `extra` fields).
impl std::fmt::Debug for IdenfyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdenfyOptions").field("set", &SetFields(self)).finish()
    }
}

kyc_adapter::option_setters!(IdenfyOptions {
    one: {
        with_token_type: token_type: TokenType,
        with_show_instructions: show_instructions: bool,
        with_generate_digit_string: generate_digit_string: bool,
        with_utility_bill: utility_bill: bool,
        with_additional_steps: additional_steps: Value,
        with_additional_data: additional_data: Value,
        with_questionnaire_required: questionnaire_required: bool,
        with_risk_assessment_profile: risk_assessment_profile: RiskAssessmentProfile,
        with_theme: theme: String,
        with_verify_email: verify_email: bool,
        with_verify_phone: verify_phone: bool,
        with_verify_address: verify_address: bool,
        with_verify_bank: verify_bank: bool,
        with_verify_bank_accounts: verify_bank_accounts: bool,
        with_verify_bank_balances: verify_bank_balances: bool,
        with_verify_bank_transactions: verify_bank_transactions: bool,
        with_bank_card_verification: bank_card_verification: bool,
        with_bank_card_pdf_upload: bank_card_pdf_upload: bool,
        with_nfc_required: nfc_required: bool,
        with_nfc_optional: nfc_optional: bool,
        with_age_limit: age_limit: u32,
        with_age_max: age_max: u32,
        with_driver_license_back: driver_license_back: bool,
        with_check_liveness: check_liveness: bool,
        with_id_live_face_validation: id_live_face_validation: bool,
        with_id_live_document_validation: id_live_document_validation: bool,
        with_check_aml: check_aml: bool,
        with_auto_aml_monitoring: auto_aml_monitoring: bool,
        with_check_ip_proxy: check_ip_proxy: bool,
        with_check_face_blacklist: check_face_blacklist: bool,
        with_check_doc_face_blacklist: check_doc_face_blacklist: bool,
        with_check_duplicate_faces: check_duplicate_faces: bool,
        with_check_duplicate_doc_faces: check_duplicate_doc_faces: bool,
        with_check_duplicate_personal_data: check_duplicate_personal_data: bool,
        with_check_blur_and_glare: check_blur_and_glare: bool,
        with_check_criminal: check_criminal: bool,
        with_check_person_blacklist: check_person_blacklist: bool,
        with_check_driver_license: check_driver_license: bool,
        with_check_lid: check_lid: bool,
        with_check_urjanet: check_urjanet: bool,
        with_allow_bsn_masking: allow_bsn_masking: bool,
        with_auto_face_matching: auto_face_matching: bool,
        with_review_failed: review_failed: bool,
        with_review_successful: review_successful: bool,
        with_max_attempt_count: max_attempt_count: u32,
        with_face_matching_threshold_modifier: face_matching_threshold_modifier: f64,
        with_levenshtein_text_match_ratio: levenshtein_text_match_ratio: f64,
        with_levenshtein_mrz_match_ratio: levenshtein_mrz_match_ratio: f64,
        with_dummy_status: dummy_status: DummyStatus,
    },
    many: {
        with_countries: countries: CountryCode,
        with_video_call_questions: video_call_questions: String,
        with_registry_centers_countries: registry_centers_countries: CountryCode,
        with_fraud_services: fraud_services: FraudService,
        with_detection_types: detection_types: DetectionType,
    },
});

kyc_adapter::option_setters!(KybOptions {
    one: {
        with_token_type: token_type: KybTokenType,
        with_workflow: workflow: String,
        with_theme: theme: String,
        with_questionnaire: questionnaire: String,
        with_questionnaire_required: questionnaire_required: bool,
    },
    many: {
        with_scan_refs: scan_refs: String,
    },
});

impl IdenfyOptions {
    /// Sets `questionnaire` to `null`, which disables the dashboard's default questionnaire.
    pub fn without_questionnaire(mut self) -> Self {
        self.questionnaire = Some(None);
        self
    }

    /// Sets `questionnaire`.
    pub fn with_questionnaire(mut self, key: impl Into<String>) -> Self {
        self.questionnaire = Some(Some(key.into()));
        self
    }

    /// Sets the KYB token options, for business requests.
    pub fn with_kyb(mut self, kyb: KybOptions) -> Self {
        self.kyb = kyb;
        self
    }

    /// Adds a parameter this crate does not know yet, sent as it is.
    pub fn with_extra(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    /// Whether no option is set.
    pub(crate) fn is_unset(&self) -> bool {
        *self == Self::default()
    }
}

/// `providerOptions.idenfy`; its `kyb` object is merged key by key like the options themselves.
impl ProviderOptions for IdenfyOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY];
    const NESTED: &'static [&'static str] = &["kyb"];

    /// The documented constraints between and on these options, every broken one
    /// (<https://documentation.idenfy.com/kyc/generate-token>).
    fn rule_violations(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut fail = |name: &str, rule: &str| {
            errors.push(FieldError::new(name, rule));
        };
        if self.utility_bill == Some(true) && self.additional_steps.is_some() {
            fail("utilityBill", "cannot be used together with additionalSteps");
        }
        for (name, value) in
            [("additionalSteps", &self.additional_steps), ("additionalData", &self.additional_data)]
        {
            if value.as_ref().is_some_and(|v| !v.is_object()) {
                fail(name, "must be a JSON object");
            }
        }
        if let (Some(min), Some(max)) = (self.age_limit, self.age_max)
            && min > max
        {
            fail("ageLimit", "must not exceed ageMax");
        }
        for (name, ratio) in [
            ("levenshteinTextMatchRatio", self.levenshtein_text_match_ratio),
            ("levenshteinMrzMatchRatio", self.levenshtein_mrz_match_ratio),
        ] {
            if ratio.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
                fail(name, "must be between 0 and 1");
            }
        }
        if self.face_matching_threshold_modifier.is_some_and(|m| !(m.is_finite() && m > 0.0)) {
            fail("faceMatchingThresholdModifier", "must be a positive number");
        }
        if self.video_call_questions.iter().any(|q| q.trim().is_empty()) {
            fail("videoCallQuestions", "must not contain empty questions");
        }
        if self.theme.as_deref().is_some_and(|t| !is_uuid(t)) {
            fail("theme", "must be a UUID");
        }
        errors.extend(
            self.kyb
                .rule_violations()
                .into_iter()
                .map(|broken| FieldError::new(format!("kyb.{}", broken.field()), broken.rule())),
        );
        errors
    }

    fn unknown_keys(&self) -> Vec<String> {
        let kyb = self.kyb.unknown_keys().into_iter().map(|key| format!("kyb.{key}"));
        self.extra.keys().cloned().chain(kyb).collect()
    }
}

/// `providerOptions.idenfy.kyb`.
impl ProviderOptions for KybOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY, "kyb"];

    fn rule_violations(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (name, id) in [("flow", &self.workflow), ("theme", &self.theme)] {
            if id.as_deref().is_some_and(|id| !is_uuid(id)) {
                errors.push(FieldError::new(name, "must be a UUID"));
            }
        }
        // OpenAPI `KybFormTokenRequest.scanRefs`: strings of at most 40 characters.
        if self.scan_refs.iter().any(|r| r.trim().is_empty() || r.chars().count() > 40) {
            errors.push(FieldError::new(
                "scanRefs",
                "must hold scan references of 1 to 40 characters",
            ));
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
        defaults: &IdenfyOptions,
        request: &SessionRequest,
    ) -> Result<IdenfyOptions, kyc_core::Error> {
        kyc_adapter::resolve_options(request, defaults)
    }

    fn request_with(options: Value) -> SessionRequest {
        SessionRequest::new(ClientId::new("u1").unwrap()).with_provider_options("idenfy", options)
    }

    #[test]
    fn request_options_override_defaults_key_by_key() {
        let mut defaults = IdenfyOptions::default();
        defaults.check_aml = Some(true);
        defaults.max_attempt_count = Some(1);
        defaults.kyb.theme = Some("3fa85f64-5717-4562-b3fc-2c963f66afa6".into());
        let request = request_with(json!({
            "maxAttemptCount": 3,
            "questionnaire": null,
            "kyb": {"flow": "0f8fad5b-d9cb-469f-a165-70867728950e"},
            "brandNewSwitch": true
        }));
        let resolved = resolve(&defaults, &request).unwrap();
        assert_eq!(resolved.check_aml, Some(true));
        assert_eq!(resolved.max_attempt_count, Some(3));
        assert_eq!(resolved.questionnaire, Some(None));
        assert_eq!(resolved.kyb.theme, defaults.kyb.theme);
        assert_eq!(resolved.kyb.workflow.as_deref(), Some("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert_eq!(resolved.extra.get("brandNewSwitch"), Some(&json!(true)));
    }

    #[test]
    fn options_in_the_builder_chain_round_trip_and_merge() {
        let options = IdenfyOptions::default()
            .with_token_type(TokenType::VideoCall)
            .with_fraud_services([FraudService::AmlNews])
            .with_risk_assessment_profile(RiskAssessmentProfile::Number(7));
        let request = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_options(options.clone())
            .with_options(KybOptions::default().with_scan_refs(["scan-1".to_owned()]))
            .with_options(IdenfyOptions::default().with_check_aml(true));
        assert_eq!(
            request.provider_options["idenfy"],
            json!({"tokenType": "VIDEO_CALL", "fraudServices": ["AML_NEWS"], "riskAssessmentProfile": 7,
                   "kyb": {"scanRefs": ["scan-1"]}, "checkAml": true})
        );
        let read: IdenfyOptions = request.options().unwrap().unwrap();
        assert_eq!(read.check_aml, Some(true));
        assert_eq!(read.token_type, options.token_type);
        assert_eq!(read.kyb.scan_refs, ["scan-1"]);
        let kyb: KybOptions = request.options().unwrap().unwrap();
        assert_eq!(kyb.scan_refs, ["scan-1"]);
        assert_eq!(resolve(&IdenfyOptions::default(), &request).unwrap(), read);
        assert!(request.validate().is_ok());
    }

    #[test]
    fn unknown_keys_are_named() {
        let request =
            request_with(json!({"checkAml": true, "brandNewSwitch": 1, "kyb": {"other": 2}}));
        let options: IdenfyOptions = request.options().unwrap().unwrap();
        assert_eq!(options.unknown_keys(), ["brandNewSwitch", "kyb.other"]);
    }

    #[test]
    fn validate_names_the_broken_option() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_options(IdenfyOptions::default().with_age_limit(30).with_age_max(20))
            .with_options(KybOptions::default().with_workflow("standard".to_owned()));
        let error = request.validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.idenfy.ageLimit: must not exceed ageMax; \
             providerOptions.idenfy.kyb.flow: must be a UUID"
        );
    }

    #[test]
    fn malformed_options_name_the_place() {
        let error = resolve(&IdenfyOptions::default(), &request_with(json!(3))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.idenfy: must be a JSON object"
        );
        let error = resolve(
            &IdenfyOptions::default(),
            &request_with(json!({"ageLimit": "eighteen", "checkAml": true, "tokenType": "VIDEO"})),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: providerOptions.idenfy.ageLimit: invalid type, expected u32; \
             providerOptions.idenfy.tokenType: unknown variant, expected one of `IDENTIFICATION`, \
             `DOCUMENT`, `VIDEO_CALL`, `VIDEO_CALL_PHOTOS`, `VIDEO_CALL_IDENTIFICATION`"
        );
    }

    #[test]
    fn rules_of_the_options() {
        let mut options = IdenfyOptions::default();
        options.utility_bill = Some(true);
        options.additional_steps = Some(json!({"ALL": {"UTILITY_BILL": {"type": "EXTRA"}}}));
        options.age_limit = Some(30);
        options.age_max = Some(20);
        options.levenshtein_mrz_match_ratio = Some(1.5);
        options.face_matching_threshold_modifier = Some(f64::NAN);
        options.kyb.workflow = Some("standard".into());
        options.kyb.scan_refs = vec!["x".repeat(41)];
        let fields: Vec<String> =
            options.rule_violations().iter().map(|e| e.field().to_owned()).collect();
        assert_eq!(
            fields,
            [
                "utilityBill",
                "ageLimit",
                "levenshteinMrzMatchRatio",
                "faceMatchingThresholdModifier",
                "kyb.flow",
                "kyb.scanRefs",
            ]
        );
        // A rule that other options could satisfy is no rule of these options alone: the
        // adapter checks it over the client's defaults (`wire::option_conflicts`).
        let mut options = IdenfyOptions::default();
        options.additional_data = Some(json!({"ssn": "1"}));
        assert!(options.rule_violations().is_empty());
    }
}
