//! iDenfy's wire format: the bodies of `POST /api/v2/token` and `POST /kyb/tokens/`, the rules
//! iDenfy documents for their values, and the responses; the webhook bodies and the answers of
//! the status endpoints.
//!
//! Sources, named by the short names used below:
//! - the current token reference: iDenfy's "Create Verification Session" page
//!   (<https://documentation.idenfy.com/kyc/generate-token>);
//! - the older token reference: the older, longer page with every constraint
//!   (<https://documentation.idenfy.com/API/GeneratingIdentificationToken>);
//! - the OpenAPI: iDenfy's published `kyc.yaml`
//!   (<https://documentation.idenfy.com/openapi/kyc.yaml>) and, for KYB tokens, its API reference
//!   (<https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kyc_adapter::decode::{lenient, lenient_text, lenient_time, lenient_u64};
use kyc_adapter::shadowed_keys;
use kyc_core::{Field, FieldError, Flow, Locale, SessionRequest, VerificationKind};

use crate::options::{IdenfyOptions, KybTokenType, OPTIONS_KEY, TokenType};

/// What a name may hold besides letters. The current token reference says "letters only"; the
/// older token reference says "not digits" and none of `~!@#$%^*()_+={}[]|:;",<>/?`. Both
/// apply, the stricter winning: letters, plus the separators real names need, which the older
/// reference's list allows and its own example uses ("John Tom").
const NAME_SEPARATORS: &str = " -'.";

/// The identity body's own keys, with what sets each: a raw option may not set them behind the
/// neutral request's or the typed options' back.
const TOKEN_KEYS: &[(&str, &str)] = &[
    ("clientId", "the request's clientId"),
    ("personScanRef", "the request's clientId"),
    ("firstName", "the request's person.firstName"),
    ("lastName", "the request's person.lastName"),
    ("dateOfBirth", "the request's person.dateOfBirth"),
    ("sex", "the request's person.sex"),
    ("nationality", "the request's person.nationality"),
    ("address", "the request's person.address"),
    ("externalRef", "the request's externalRef"),
    ("country", "the request's document.country"),
    ("documents", "the request's document.types"),
    ("documentNumber", "the request's document.number"),
    ("personalNumber", "the request's person.personalNumber"),
    ("dateOfExpiry", "the request's document.expiryDate"),
    ("dateOfIssue", "the request's document.issueDate"),
    ("locale", "the request's locale"),
    ("successUrl", "the request's redirects.success"),
    ("errorUrl", "the request's redirects.failure"),
    ("unverifiedUrl", "the request's redirects.cancel"),
    ("callbackUrl", "the request's webhookUrl"),
    ("expiryTime", "the request's linkValiditySeconds"),
    ("sessionLength", "the request's sessionDurationSeconds"),
    ("tokenType", "the flow, or the typed option tokenType"),
    ("countries", "the typed option countries"),
    ("kyb", "the typed option kyb"),
];

/// The KYB body's own keys (`tokenType` is the `kyb.tokenType` option).
const KYB_KEYS: &[(&str, &str)] = &[
    ("tokenType", "the typed option kyb.tokenType"),
    ("clientId", "the request's clientId"),
    ("lifetime", "the request's linkValiditySeconds"),
    ("externalRef", "the request's externalRef"),
    ("locale", "the request's locale"),
    ("tags", "the request's tags"),
];

/// `POST /api/v2/token`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenRequest<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nationality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Countries<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    documents: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    personal_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_of_expiry: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_of_issue: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    success_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unverified_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<TokenType>,
    #[serde(flatten)]
    options: Map<String, Value>,
}

/// `country`: one code, or (the current token reference) a list of them.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Countries<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
}

impl<'a> TokenRequest<'a> {
    /// The body for `request`, already checked by [`value_rules`] and [`option_conflicts`].
    pub(crate) fn new(request: &'a SessionRequest, options: &'a IdenfyOptions) -> Self {
        let person = &request.person;
        let document = &request.document;
        let country = match &document.country {
            Some(country) => Some(Countries::One(country.as_str())),
            None if !options.countries.is_empty() => {
                Some(Countries::Many(options.countries.iter().map(|c| c.as_str()).collect()))
            }
            None => None,
        };
        // Most requests set no iDenfy option: skip turning 50 empty fields into JSON.
        let mut extra = match options.is_unset() {
            true => Map::new(),
            false => option_map(options),
        };
        for key in ["kyb", "tokenType", "countries"] {
            extra.remove(key);
        }
        Self {
            client_id: request.client_id.as_str(),
            first_name: person.first_name.as_deref(),
            last_name: person.last_name.as_deref(),
            date_of_birth: person.date_of_birth,
            sex: person.sex.map(kyc_core::Sex::document_code),
            nationality: person.nationality.as_ref().map(|c| c.as_str()),
            address: person.address.as_deref(),
            external_ref: request.external_ref.as_deref(),
            country,
            // The neutral names are iDenfy's (the older token reference's list), in snake case.
            documents: document.types.iter().map(|t| t.as_ref().to_ascii_uppercase()).collect(),
            document_number: document.number.as_deref(),
            personal_number: person.personal_number.as_deref(),
            date_of_expiry: document.expiry_date,
            date_of_issue: document.issue_date,
            locale: request.locale.map(identity_locale),
            success_url: request.redirects.success.as_ref().map(|u| u.as_str()),
            error_url: request.redirects.failure.as_ref().map(|u| u.as_str()),
            unverified_url: request.redirects.cancel.as_ref().map(|u| u.as_str()),
            callback_url: request.webhook_url.as_ref().map(|u| u.as_str()),
            expiry_time: request.link_validity.map(|d| d.as_secs()),
            session_length: request.session_duration.map(|d| d.as_secs()),
            token_type: options.token_type.or(request.flow.map(token_type_of)),
            options: extra,
        }
    }
}

/// iDenfy's code for an identity session's UI language: the table in the crate's docs. Where
/// iDenfy's list (<https://documentation.idenfy.com/resources/supported-languages>) departs
/// from ISO 639-1 it is followed: `SI` for Slovenian, `ZH_TW` for Traditional Chinese, and `NO`
/// for Norwegian, whose Bokmål is ISO's `nb`. The page writes codes in capitals, every example
/// and the OpenAPI in lower case, which is what is sent.
pub(crate) fn identity_locale(locale: Locale) -> &'static str {
    match locale {
        Locale::Sl => "si",
        Locale::ZhHant => "zh_tw",
        Locale::Nb | Locale::No => "no",
        other => other.into(),
    }
}

fn token_type_of(flow: Flow) -> TokenType {
    match flow {
        Flow::DocumentOnly => TokenType::Document,
        _ => TokenType::Identification,
    }
}

/// The options as a JSON object, flattened into a body.
fn option_map<T: Serialize>(options: &T) -> Map<String, Value> {
    match serde_json::to_value(options) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// `POST /kyb/tokens/` (OpenAPI `KybFormTokenRequest`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KybTokenRequest<'a> {
    token_type: KybTokenType,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(flatten)]
    options: Map<String, Value>,
}

impl<'a> KybTokenRequest<'a> {
    /// The body for a business `request`, already checked by [`value_rules`] and [`option_conflicts`].
    pub(crate) fn new(request: &'a SessionRequest, options: &'a IdenfyOptions) -> Self {
        let mut extra = option_map(&options.kyb);
        extra.remove("tokenType");
        Self {
            // The OpenAPI makes tokenType required; FORM is the dashboard's form.
            token_type: options.kyb.token_type.unwrap_or(KybTokenType::Form),
            client_id: request.client_id.as_str(),
            lifetime: request.link_validity.map(|d| d.as_secs()),
            external_ref: request.external_ref.as_deref(),
            locale: request.locale.as_ref().map(|l| l.as_ref()),
            tags: &request.tags,
            options: extra,
        }
    }
}

/// iDenfy's rules for the neutral values of `request`, beyond the neutral rules and the declared
/// capabilities: every broken one. Another provider may take these values.
pub(crate) fn value_rules(request: &SessionRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, name) in [
        (Field::FirstName, &request.person.first_name),
        (Field::LastName, &request.person.last_name),
    ] {
        let Some(name) = name else { continue };
        if name.chars().any(char::is_numeric) {
            errors.push(FieldError::new(field.as_ref(), "must not contain digits (iDenfy)"));
        } else if !name.chars().all(|c| c.is_alphabetic() || NAME_SEPARATORS.contains(c)) {
            errors.push(FieldError::new(
                field.as_ref(),
                "must contain only letters, spaces, hyphens, apostrophes and periods (iDenfy)",
            ));
        }
    }
    if request.kind == VerificationKind::Business {
        // OpenAPI `KybFormTokenRequest.tags`: pattern `^[^,]+$`.
        for (i, tag) in request.tags.iter().enumerate() {
            if tag.contains(',') {
                errors.push(FieldError::new(
                    format!("tags[{i}]"),
                    "must not contain commas (iDenfy)",
                ));
            }
        }
    }
    errors
}

/// Where the options are in a request, as errors name them (a constant: no allocation for
/// the checks that find nothing).
const OPTIONS_FIELD: &str = "providerOptions.idenfy";

/// Options that contradict the request or each other: the caller's mistake, whichever
/// provider serves, so reported as an invalid request. Every one found.
pub(crate) fn option_conflicts(
    request: &SessionRequest,
    options: &IdenfyOptions,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let option = |name: &str| format!("{OPTIONS_FIELD}.{name}");
    // Over the client's defaults: a request may bring the data for steps its defaults set.
    if options.additional_data.is_some() && options.additional_steps.is_none() {
        errors.push(FieldError::new(option("additionalData"), "must be used with additionalSteps"));
    }
    // Options of the other kind would be dropped from the body: refuse them instead. (Default
    // options serve both kinds, so only the request's own are checked.)
    if let Some(Value::Object(own)) = request.provider_options.get(OPTIONS_KEY) {
        for key in own.keys() {
            let business_only = key == "kyb";
            match request.kind {
                VerificationKind::Business if !business_only => {
                    errors.push(FieldError::new(option(key), "applies to identity sessions only"))
                }
                VerificationKind::Identity if business_only => {
                    errors.push(FieldError::new(option(key), "applies to business sessions only"))
                }
                _ => {}
            }
        }
    }
    match request.kind {
        VerificationKind::Business => {
            errors.extend(shadowed_keys(&options.kyb.extra, KYB_KEYS, &option("kyb")));
        }
        _ => {
            if let (Some(flow), Some(token_type)) = (request.flow, options.token_type)
                && token_type_of(flow) != token_type
            {
                errors.push(FieldError::new(option("tokenType"), "conflicts with flow"));
            }
            if request.document.country.is_some() && !options.countries.is_empty() {
                errors.push(FieldError::new(
                    option("countries"),
                    "cannot be used together with document.country",
                ));
            }
            errors.extend(shadowed_keys(&options.extra, TOKEN_KEYS, OPTIONS_FIELD));
        }
    }
    errors
}

/// The `201` of `POST /api/v2/token` (the current token reference's "Response", the older one's
/// "Receiving response"). Only
/// `authToken` and `scanRef` are required; everything else is read leniently.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    /// The OpenAPI's newer rendering calls it `tokenString`.
    #[serde(alias = "tokenString")]
    pub(crate) auth_token: String,
    pub(crate) scan_ref: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) client_id: Option<String>,
    /// The current token reference has it; the older token reference's examples do not.
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) redirect_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) digit_string: Option<String>,
    /// Seconds the token stays valid (OpenAPI: "not a timestamp").
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) expiry_time: Option<u64>,
}

/// The `201` of `POST /kyb/tokens/` (OpenAPI `KybFormToken`,
/// <https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KybTokenResponse {
    #[serde(alias = "authToken")]
    pub(crate) token_string: String,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) expiration: Option<DateTime<Utc>>,
    /// Required but nullable in the OpenAPI: the company being verified, the id its webhooks
    /// and `/kyb/companies/{id}/` use ("Keep tokenString and companyId from the response —
    /// every following step uses them", <https://documentation.idenfy.com/kyb/pre-fill>).
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) company_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) client_id: Option<String>,
}

/// iDenfy's error body: `{identifier, message}`, where the message may also be nested
/// (`message.detail`) or, from the framework's own errors, `detail`; see [`crate::error`].
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) identifier: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    message: Option<ErrorMessage>,
    #[serde(default, deserialize_with = "lenient_text")]
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorMessage {
    Text(String),
    /// The KYB OpenAPI's `KybInfoUnauthorized`: `{"message": {"detail": "...", ...}}`.
    Nested {
        detail: String,
    },
}

impl ErrorBody {
    /// The message, wherever it was.
    pub(crate) fn message(self) -> Option<String> {
        let message = self.message.map(|message| match message {
            ErrorMessage::Text(text) | ErrorMessage::Nested { detail: text } => text,
        });
        message.filter(|text| !text.trim().is_empty()).or(self.detail)
    }
}

// Results: the bodies of webhooks and of the answers polled, read leniently (iDenfy adds
// fields and enum values every year, <https://documentation.idenfy.com/kyc/webhooks>). Only
// what names the session and its outcome is required.

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScanRefRequest<'a> {
    scan_ref: &'a str,
}

/// The body of `POST /api/v2/status` (<https://documentation.idenfy.com/kyc/data-retrieval>)
/// and `POST /api/v2/delete` (<https://documentation.idenfy.com/kyc/deletion>):
/// `{"scanRef": …}`.
pub(crate) fn scan_ref_body(scan_ref: &str) -> Vec<u8> {
    // One string field: serializing it cannot fail.
    serde_json::to_vec(&ScanRefRequest { scan_ref }).unwrap_or_default()
}

/// `IdentificationWebhook`, the body of every `IDENTIFICATION*` event
/// (<https://documentation.idenfy.com/kyc/webhooks>).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentificationWebhook {
    pub(crate) scan_ref: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) client_id: Option<String>,
    /// Absent from payloads before 2022.
    #[serde(default, rename = "final", deserialize_with = "lenient")]
    pub(crate) is_final: Option<bool>,
    pub(crate) status: WebhookStatus,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) finish_time: Option<i64>,
    #[serde(default)]
    pub(crate) data: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookStatus {
    pub(crate) overall: String,
    #[serde(flatten)]
    pub(crate) checks: StatusChecks,
}

/// The answer of `POST /api/v2/status`: the overall status is the top-level string `status`
/// there (<https://documentation.idenfy.com/kyc/data-retrieval>).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusAnswer {
    pub(crate) scan_ref: String,
    pub(crate) status: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) client_id: Option<String>,
    /// "From the API, check the top-level `final` boolean"
    /// (<https://documentation.idenfy.com/kyc/status-handling>); the documented sample has none.
    #[serde(default, rename = "final", deserialize_with = "lenient")]
    pub(crate) is_final: Option<bool>,
    #[serde(flatten)]
    pub(crate) checks: StatusChecks,
}

/// Tags and check results, in the webhook's `status` and at the top of the status answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusChecks {
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) fraud_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) mismatch_tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) auto_document: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) auto_face: Option<String>,
    /// "Empty if not reviewed yet" (<https://documentation.idenfy.com/kyc/data-retrieval>).
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) manual_document: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) manual_face: Option<String>,
}

/// `CompanySubmitWebhook` and `CompanyReviewWebhook` of the KYB OpenAPI
/// (<https://documentation.idenfy.com/openapi/kyb.yaml>), which name the company `id`; only a
/// review carries `approvalStatus` and `denyReason`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompanyWebhook {
    pub(crate) id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) submission_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) approval_status: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) deny_reason: Option<String>,
}

/// `CompanyInfoRequestWebhook` and `CompanyDeleteWebhook` of the KYB OpenAPI, which name the
/// company `companyId`; only an information request carries a `status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompanyEvent {
    pub(crate) company_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) date: Option<DateTime<Utc>>,
}

/// The answer of `GET /kyb/companies/{id}/` (KYB OpenAPI `CompanyDetail`): the workflow status
/// is `meta.status`, the decision `meta.approvalStatus`.
#[derive(Debug, Deserialize)]
pub(crate) struct CompanyDetail {
    pub(crate) meta: CompanyMeta,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompanyMeta {
    pub(crate) status: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) approval_status: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) deny_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ClientId, DocumentType};
    use strum::IntoEnumIterator;

    #[test]
    fn the_options_field_is_where_the_options_are() {
        assert_eq!(OPTIONS_FIELD, format!("providerOptions.{OPTIONS_KEY}"));
    }

    #[test]
    fn document_names_are_the_older_references_list() {
        let older_reference = [
            "PASSPORT",
            "ID_CARD",
            "DRIVER_LICENSE",
            "RESIDENCE_PERMIT",
            "VISA",
            "AADHAAR",
            "PAN_CARD",
            "BORDER_CROSSING",
            "ASYLUM",
            "NATIONAL_PASSPORT",
            "INTERNATIONAL_PASSPORT",
            "VOTER_CARD",
            "OLD_ID_CARD",
            "TRAVEL_CARD",
            "PHOTO_CARD",
            "MILITARY_CARD",
            "PROOF_OF_AGE_CARD",
            "DIPLOMATIC_ID",
        ];
        let mut request = SessionRequest::new(ClientId::new("u").unwrap());
        request.document.types = DocumentType::iter().collect();
        let options = IdenfyOptions::default();
        let body = serde_json::to_value(TokenRequest::new(&request, &options)).unwrap();
        assert_eq!(body["documents"], serde_json::json!(older_reference));
    }

    #[test]
    fn names_follow_idenfys_character_rules() {
        let mut request = SessionRequest::new(ClientId::new("u").unwrap());
        request.person.first_name = Some("John Tom".into());
        request.person.last_name = Some("O'Neil-Smith".into());
        assert!(value_rules(&request).is_empty());
        request.person.first_name = Some("J\u{663}hn".into()); // an Arabic-Indic digit
        request.person.last_name = Some("Smith_".into());
        let broken: Vec<String> = value_rules(&request).iter().map(ToString::to_string).collect();
        assert_eq!(
            broken,
            [
                "person.firstName: must not contain digits (iDenfy)",
                "person.lastName: must contain only letters, spaces, hyphens, apostrophes and \
                 periods (iDenfy)",
            ]
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use kyc_core::ClientId;
    use proptest::prelude::*;

    proptest! {
        /// Any text in any field: iDenfy's own rules never panic, and each broken one names a field.
        #[test]
        fn arbitrary_values_never_panic(
            name in any::<String>(),
            tag in any::<String>(),
            reference in any::<String>(),
            business in any::<bool>(),
        ) {
            let mut request = SessionRequest::new(ClientId::new("u").unwrap());
            request.person.first_name = Some(name.clone());
            request.person.last_name = Some(name);
            request.external_ref = Some(reference);
            request.tags = vec![tag];
            if business {
                request.kind = VerificationKind::Business;
            }
            let options = IdenfyOptions::default();
            for broken in value_rules(&request).into_iter().chain(option_conflicts(&request, &options)) {
                prop_assert!(!broken.field().is_empty() && !broken.rule().is_empty());
            }
            let _ = serde_json::to_vec(&TokenRequest::new(&request, &options));
            let _ = serde_json::to_vec(&KybTokenRequest::new(&request, &options));
        }
    }
}
