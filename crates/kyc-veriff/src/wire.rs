//! Veriff's wire format: the `POST /v1/sessions` body (the `verification` object) and the rules
//! Veriff documents for its values, its answer (<https://devdocs.veriff.com/apidocs/v1sessions>,
//! <https://devdocs.veriff.com/docs/how-to-generate-sessions-manually>), the decision and event
//! payloads, and error answers (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kyc_adapter::decode::{lenient, lenient_text, lenient_time};
use kyc_adapter::shadowed_keys;
use kyc_core::{DocumentType, FieldError, Locale, SessionRequest, Sex};

use crate::options::{Consent, IdCardType, MaritalStatus, OPTIONS_KEY, VeriffOptions};

/// `verification` keys the neutral request sets: an option may not set them behind its back.
const VERIFICATION_KEYS: &[(&str, &str)] = &[
    ("callback", "the request's redirects.success"),
    ("person", "the request's person"),
    ("document", "the request's document"),
    ("address", "the request's person.address"),
    ("vendorData", "the request's clientId"),
    ("lang", "the request's locale"),
];

/// The body: `{"verification": {...}}`.
#[derive(Debug, Serialize)]
pub(crate) struct CreateSession<'a> {
    verification: Verification<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Verification<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
    #[serde(skip_serializing_if = "Person::is_empty")]
    person: Person<'a>,
    #[serde(skip_serializing_if = "Document::is_empty")]
    document: Document<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<Address<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proof_of_address: Option<ProofOfAddress<'a>>,
    vendor_data: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Consent]>::is_empty")]
    consents: &'a [Consent],
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    features: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Person<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marital_status: Option<MaritalStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_deceased: Option<bool>,
}

impl Person<'_> {
    fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.id_number.is_none()
            && self.gender.is_none()
            && self.date_of_birth.is_none()
            && self.email.is_none()
            && self.phone_number.is_none()
            && self.marital_status.is_none()
            && self.is_deceased.is_none()
    }
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    document_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_card_type: Option<IdCardType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_issue: Option<NaiveDate>,
}

impl Document<'_> {
    fn is_empty(&self) -> bool {
        self.number.is_none()
            && self.document_type.is_none()
            && self.country.is_none()
            && self.id_card_type.is_none()
            && self.first_issue.is_none()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Address<'a> {
    full_address: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProofOfAddress<'a> {
    acceptable_types: Vec<AcceptableType<'a>>,
}

#[derive(Debug, Serialize)]
struct AcceptableType<'a> {
    name: &'a str,
}

/// Veriff's name for a document type it supports
/// (<https://devdocs.veriff.com/v1/docs/supported-document-types>).
pub(crate) fn document_type_name(document_type: DocumentType) -> Option<&'static str> {
    Some(match document_type {
        DocumentType::Passport => "PASSPORT",
        DocumentType::IdCard => "ID_CARD",
        DocumentType::DriverLicense => "DRIVERS_LICENSE",
        DocumentType::ResidencePermit => "RESIDENCE_PERMIT",
        DocumentType::Visa => "VISA",
        _ => return None,
    })
}

impl<'a> CreateSession<'a> {
    /// The body for `request`, already checked by [`value_rules`], [`option_conflicts`] and the capabilities
    /// (which allow at most one supported document type).
    pub(crate) fn new(request: &'a SessionRequest, options: &'a VeriffOptions) -> Self {
        let person = &request.person;
        let document = &request.document;
        let proof_of_address =
            (!options.proof_of_address_types.is_empty()).then(|| ProofOfAddress {
                acceptable_types: options
                    .proof_of_address_types
                    .iter()
                    .map(|name| AcceptableType { name })
                    .collect(),
            });
        Self {
            verification: Verification {
                callback: request.redirects.success.as_ref().map(|url| url.as_str()),
                person: Person {
                    first_name: person.first_name.as_deref(),
                    last_name: person.last_name.as_deref(),
                    id_number: person.personal_number.as_deref(),
                    gender: person.sex.map(Sex::document_code),
                    date_of_birth: person.date_of_birth,
                    email: person.email.as_deref(),
                    phone_number: person.phone.as_deref(),
                    marital_status: options.marital_status,
                    is_deceased: options.is_deceased,
                },
                document: Document {
                    number: document.number.as_deref(),
                    document_type: document.types.first().copied().and_then(document_type_name),
                    country: document.country.as_ref().map(|c| c.as_str()),
                    id_card_type: options.id_card_type,
                    first_issue: options.first_issue,
                },
                address: person.address.as_deref().map(|full_address| Address { full_address }),
                proof_of_address,
                vendor_data: request.client_id.as_str(),
                end_user_id: options.end_user_id.as_deref(),
                consents: &options.consents,
                lang: request.locale.map(lang_code),
                features: &options.features,
                // Veriff's own format (code 1202): RFC 3339 with milliseconds and `Z`.
                timestamp: options
                    .timestamp
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                extra: &options.extra,
            },
        }
    }
}

/// The `lang` code for `locale`. Veriff takes ISO 639-1 codes and starts the flow in English for
/// one it does not support yet
/// (<https://help.veriff.com/en/articles/3250255-is-it-possible-to-set-a-certain-language-for-a-verification-session>),
/// so every neutral locale is sent. ISO 639-1 has no script: Traditional Chinese (`zh-Hant`) is
/// sent as `zh`, the one Chinese code it has.
pub(crate) fn lang_code(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhHant => "zh",
        other => other.into(),
    }
}

/// Veriff's rules for the neutral values of `request`, beyond the neutral rules and the
/// declared capabilities: every broken one. Another provider may take these values.
pub(crate) fn value_rules(request: &SessionRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // `document.number` takes `[a-zA-Z0-9]` only (<https://devdocs.veriff.com/apidocs/v1sessions>).
    if let Some(number) = &request.document.number
        && !number.chars().all(|c| c.is_ascii_alphanumeric())
    {
        errors.push(FieldError::new(
            "document.number",
            "must contain only letters A-Z and digits (Veriff)",
        ));
    }
    errors
}

/// Options that contradict the request: the caller's mistake, whichever provider serves, so
/// reported as an invalid request. Every one found.
pub(crate) fn option_conflicts(
    request: &SessionRequest,
    options: &VeriffOptions,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let option = |name: &str| format!("providerOptions.{OPTIONS_KEY}.{name}");
    if options.id_card_type.is_some()
        && request.document.country.is_none_or(|country| country.as_str() != "CO")
    {
        errors.push(FieldError::new(
            option("idCardType"),
            "applies to Colombian documents only (document.country CO)",
        ));
    }
    errors.extend(shadowed_keys(
        &options.extra,
        VERIFICATION_KEYS,
        &format!("providerOptions.{OPTIONS_KEY}"),
    ));
    errors
}

/// The answer to `POST /v1/sessions` (<https://devdocs.veriff.com/apidocs/v1sessions>). Only `verification.id` and
/// `verification.url` are required; the rest is read leniently, and unknown fields are ignored
/// (Veriff adds fields without notice).
#[derive(Debug, Deserialize)]
pub(crate) struct CreateSessionResponse {
    pub(crate) verification: CreatedVerification,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedVerification {
    pub(crate) id: String,
    pub(crate) url: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) vendor_data: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) host: Option<String>,
    /// The older name of `host`; an answer may carry both, so it is not a serde alias (which
    /// would refuse the second as a duplicate).
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) base_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) session_token: Option<String>,
}

/// A decision webhook, or the answer to a decision poll: `verification` is `null` while no
/// decision exists (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>,
/// <https://devdocs.veriff.com/docs/decision-webhook>). Only `verification.id` and
/// `verification.status` are required.
#[derive(Debug, Deserialize)]
pub(crate) struct DecisionEnvelope {
    pub(crate) verification: Option<DecisionBody>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DecisionBody {
    pub(crate) id: String,
    pub(crate) status: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) attempt_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) vendor_data: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) reason: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) reason_code: Option<i64>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) decision_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) person: Option<Value>,
    #[serde(default)]
    pub(crate) document: Option<Value>,
    #[serde(default)]
    pub(crate) risk_labels: Option<Value>,
}

/// An event webhook: the person `started` or `submitted`
/// (<https://devdocs.veriff.com/docs/event-webhook>). `id` and `action` are required.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventBody {
    pub(crate) id: String,
    pub(crate) action: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) attempt_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) vendor_data: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) code: Option<i64>,
}

/// An error answer, read leniently because Veriff's pages disagree on its shape: `status` is
/// `"fail"` (<https://devdocs.veriff.com/v1/docs/common-http-status-codes>) or the number 400
/// (deleting, <https://devdocs.veriff.com/apidocs/v1sessionsid-3>), and is not read; `code` is a
/// string or a number; `message` may be missing.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub(crate) code: Option<Value>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) message: Option<String>,
}

impl ErrorBody {
    /// The code as text, whichever JSON type it came as.
    pub(crate) fn code(&self) -> Option<String> {
        match &self.code {
            Some(Value::String(code)) if !code.trim().is_empty() => Some(code.trim().to_owned()),
            Some(Value::Number(code)) => Some(code.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use kyc_core::ClientId;
    use proptest::prelude::*;

    proptest! {
        /// Any text in any field: Veriff's own rules never panic, and each broken one names a field.
        #[test]
        fn arbitrary_values_never_panic(number in any::<String>(), end_user in any::<String>(), name in any::<String>()) {
            let mut request = SessionRequest::new(ClientId::new("u").unwrap());
            request.document.number = Some(number);
            request.person.first_name = Some(name);
            let options = VeriffOptions { end_user_id: Some(end_user), ..VeriffOptions::default() };
            for broken in value_rules(&request).into_iter().chain(option_conflicts(&request, &options)) {
                prop_assert!(!broken.field().is_empty() && !broken.rule().is_empty());
            }
            let _ = serde_json::to_vec(&CreateSession::new(&request, &options));
        }
    }
}
