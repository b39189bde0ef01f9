//! The provider-neutral request for a verification session, and its one JSON shape.
//!
//! Everything both vendors' create calls can express in common lives here, typed; what only one
//! vendor can do is reached through that adapter's typed options, carried in
//! [`SessionRequest::provider_options`]. The JSON shape is documented on [`SessionRequest`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, FieldError};
use crate::kit::{ErrorExt, SetFields};
use crate::model::{ClientId, CountryCode, DocumentType, Flow, Locale, Sex, VerificationKind};
use crate::options::{OptionChecks, ProviderOptions};

/// A request for one verification session, in provider-neutral terms.
///
/// Only [`client_id`](Self::client_id) is required; every unset field is left to the provider's
/// defaults (its dashboard settings). Build one with [`SessionRequest::new`] and the `with_*`
/// setters, or read it from JSON with [`SessionRequest::from_json`] (the shape is below).
///
/// Providers check it with [`validate`](Self::validate) (neutral rules, every broken rule
/// reported at once) and their [`Capabilities::check`](crate::Capabilities::check) before
/// anything is sent.
///
/// `Debug` shows which personal fields are set, never their values.
///
/// # JSON shape
/// camelCase field names; vocabularies in snake_case (`"document_only"`, `"id_card"`); dates as
/// `YYYY-MM-DD`; durations as whole seconds in `linkValiditySeconds` and
/// `sessionDurationSeconds`; unknown fields are refused. Every field but `clientId` may be left out:
///
#[doc = concat!("```json\n", include_str!("../fixtures/full-request.json"), "```")]
///
/// ```
/// use kyc_core::SessionRequest;
/// let request = SessionRequest::from_json(r#"{
///     "clientId": "user-123",
///     "person": {"firstName": "Jonas", "dateOfBirth": "1990-05-15"},
///     "document": {"types": ["passport"], "country": "lt"},
///     "linkValiditySeconds": 3600
/// }"#)?;
/// assert_eq!(request.document.country.unwrap().as_str(), "LT");
/// assert_eq!(SessionRequest::from_json(&request.to_json())?, request);
/// # Ok::<(), kyc_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SessionRequest {
    /// Your id for the person or company (echoed back in every result).
    pub client_id: ClientId,
    /// Identity (KYC, the default) or business (KYB) verification.
    #[serde(default, skip_serializing_if = "is_identity")]
    pub kind: VerificationKind,
    /// What you already know about the person, for the vendor to match against the document.
    #[serde(default, skip_serializing_if = "Person::is_empty")]
    pub person: Person,
    /// The document you expect the person to show.
    #[serde(default, skip_serializing_if = "ExpectedDocument::is_empty")]
    pub document: ExpectedDocument,
    /// The language of the verification UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Document and selfie, or the document alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<Flow>,
    /// Where the person is sent when they finish.
    #[serde(default, skip_serializing_if = "Redirects::is_empty")]
    pub redirects: Redirects,
    /// Where this session's results are posted, instead of the account-wide webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<Url>,
    /// How long the link may wait before it is opened.
    #[serde(
        default,
        rename = "linkValiditySeconds",
        with = "whole_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub link_validity: Option<Duration>,
    /// How long the person has to finish once they started.
    #[serde(
        default,
        rename = "sessionDurationSeconds",
        with = "whole_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_duration: Option<Duration>,
    /// Your own reference (an order or case number), shown in the vendor's dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// Labels for sorting sessions in the vendor's dashboard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Per-provider options, keyed by provider name: what only one vendor can do, written by
    /// that adapter's typed options (or raw JSON for a field a vendor adds tomorrow). Providers
    /// ignore the keys of others.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provider_options: BTreeMap<String, serde_json::Value>,
    /// The checks of the options added with [`with_options`](Self::with_options).
    #[serde(skip)]
    pub(crate) option_checks: OptionChecks,
}

fn is_identity(kind: &VerificationKind) -> bool {
    *kind == VerificationKind::Identity
}

impl SessionRequest {
    /// A request with only the required client id.
    pub fn new(client_id: ClientId) -> Self {
        Self {
            client_id,
            kind: VerificationKind::default(),
            person: Person::default(),
            document: ExpectedDocument::default(),
            locale: None,
            flow: None,
            redirects: Redirects::default(),
            webhook_url: None,
            link_validity: None,
            session_duration: None,
            external_ref: None,
            tags: Vec::new(),
            provider_options: BTreeMap::new(),
            option_checks: OptionChecks::default(),
        }
    }

    /// Reads a request from its JSON shape.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) saying where the JSON is
    /// wrong; the message never quotes a submitted value. A request that parses still needs
    /// [`validate`](Self::validate).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        serde_json::from_str(json)
            .map_err(|e| Error::invalid_request(vec![FieldError::from_json("json", &e)]))
    }

    /// The request in its JSON shape.
    pub fn to_json(&self) -> String {
        // Every field serializes infallibly: strings, numbers, dates and maps of JSON values.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Sets identity or business verification.
    pub fn with_kind(mut self, kind: VerificationKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets what is known about the person.
    pub fn with_person(mut self, person: Person) -> Self {
        self.person = person;
        self
    }

    /// Sets the expected document.
    pub fn with_document(mut self, document: ExpectedDocument) -> Self {
        self.document = document;
        self
    }

    /// Sets the UI language.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Sets the flow.
    pub fn with_flow(mut self, flow: Flow) -> Self {
        self.flow = Some(flow);
        self
    }

    /// Sets the redirect URLs.
    pub fn with_redirects(mut self, redirects: Redirects) -> Self {
        self.redirects = redirects;
        self
    }

    /// Sets this session's webhook URL.
    pub fn with_webhook_url(mut self, url: Url) -> Self {
        self.webhook_url = Some(url);
        self
    }

    /// Sets how long the link stays valid before it is opened.
    pub fn with_link_validity(mut self, validity: Duration) -> Self {
        self.link_validity = Some(validity);
        self
    }

    /// Sets how long the person has once they started.
    pub fn with_session_duration(mut self, duration: Duration) -> Self {
        self.session_duration = Some(duration);
        self
    }

    /// Sets your own reference.
    pub fn with_external_ref(mut self, reference: impl Into<String>) -> Self {
        self.external_ref = Some(reference.into());
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Sets the options for `provider` (normally through that adapter's typed options).
    pub fn with_provider_options(
        mut self,
        provider: impl Into<String>,
        options: serde_json::Value,
    ) -> Self {
        self.provider_options.insert(provider.into(), options);
        self
    }

    /// Adds a provider's typed options, merged key by key over what the request already
    /// carries for that provider (a later call wins for each key it sets). They are checked by
    /// [`validate`](Self::validate), naming the field.
    ///
    /// ```
    /// # use kyc_core::{ClientId, ProviderOptions, SessionRequest};
    /// # #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    /// # #[serde(rename_all = "camelCase")]
    /// # struct AcmeOptions {
    /// #     #[serde(default, skip_serializing_if = "Option::is_none")] check_aml: Option<bool>,
    /// #     #[serde(default, skip_serializing_if = "Option::is_none")] max_attempts: Option<u32>,
    /// # }
    /// # impl ProviderOptions for AcmeOptions { const PATH: &'static [&'static str] = &["acme"]; }
    /// let request = SessionRequest::new(ClientId::new("user-1")?)
    ///     .with_options(AcmeOptions { check_aml: Some(true), ..Default::default() })
    ///     .with_options(AcmeOptions { max_attempts: Some(2), ..Default::default() });
    /// let both = request.options::<AcmeOptions>()?.unwrap();
    /// assert_eq!((both.check_aml, both.max_attempts), (Some(true), Some(2)));
    /// # Ok::<(), kyc_core::Error>(())
    /// ```
    pub fn with_options<O: ProviderOptions>(mut self, options: O) -> Self {
        crate::options::write(&mut self, &options);
        self.option_checks.add::<O>();
        self
    }

    /// The options of type `O` this request carries (without any provider's defaults), when it
    /// carries some.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) naming
    /// `providerOptions.<provider>.<key>` for every key that does not fit `O` (the message never
    /// quotes a value).
    pub fn options<O: ProviderOptions>(&self) -> Result<Option<O>, Error> {
        crate::options::read(self)
    }
}

impl fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRequest")
            .field("kind", &self.kind)
            .field("fields", &crate::field::Fields(self))
            // Option values may carry personal data (iDenfy `additionalData`): keys only.
            .field("provider_options", &self.provider_options.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What is known about the person being verified. Every field is personal data: `Debug` prints
/// only which are set.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Person {
    /// Given name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Sex as on the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<CountryCode>,
    /// National identification number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    /// Postal address, on one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, international format preferred (`+37060000000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Person {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the given name(s).
    pub fn with_first_name(mut self, name: impl Into<String>) -> Self {
        self.first_name = Some(name.into());
        self
    }

    /// Sets the family name(s).
    pub fn with_last_name(mut self, name: impl Into<String>) -> Self {
        self.last_name = Some(name.into());
        self
    }

    /// Sets the date of birth.
    pub fn with_date_of_birth(mut self, date: NaiveDate) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Sets the sex.
    pub fn with_sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// Sets the nationality.
    pub fn with_nationality(mut self, country: CountryCode) -> Self {
        self.nationality = Some(country);
        self
    }

    /// Sets the national identification number.
    pub fn with_personal_number(mut self, number: impl Into<String>) -> Self {
        self.personal_number = Some(number.into());
        self
    }

    /// Sets the postal address.
    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// Sets the email address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone number.
    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person").field("set", &SetFields(self)).finish()
    }
}

/// The identity document the person is expected to show.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ExpectedDocument {
    /// The document types accepted; empty means the provider's default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<DocumentType>,
    /// The issuing country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// The expected document number (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The expected date of issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// The expected date of expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<NaiveDate>,
}

impl ExpectedDocument {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Adds an accepted document type.
    pub fn with_type(mut self, document_type: DocumentType) -> Self {
        self.types.push(document_type);
        self
    }

    /// Sets the issuing country.
    pub fn with_country(mut self, country: CountryCode) -> Self {
        self.country = Some(country);
        self
    }

    /// Sets the expected document number.
    pub fn with_number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }

    /// Sets the expected date of issue.
    pub fn with_issue_date(mut self, date: NaiveDate) -> Self {
        self.issue_date = Some(date);
        self
    }

    /// Sets the expected date of expiry.
    pub fn with_expiry_date(mut self, date: NaiveDate) -> Self {
        self.expiry_date = Some(date);
        self
    }
}

impl fmt::Debug for ExpectedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectedDocument").field("set", &SetFields(self)).finish()
    }
}

/// Where the person is sent when they leave the verification UI.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Redirects {
    /// After a successful verification (or, for providers with a single return URL, always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<Url>,
    /// After a failed verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Url>,
    /// When the person gives up before the verification could be analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Url>,
}

impl Redirects {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the success URL.
    pub fn with_success(mut self, url: Url) -> Self {
        self.success = Some(url);
        self
    }

    /// Sets the failure URL.
    pub fn with_failure(mut self, url: Url) -> Self {
        self.failure = Some(url);
        self
    }

    /// Sets the cancel URL.
    pub fn with_cancel(mut self, url: Url) -> Self {
        self.cancel = Some(url);
        self
    }
}

mod whole_seconds {
    //! `Option<Duration>` as a whole number of seconds.
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => serializer.serialize_u64(duration.as_secs()),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(deserializer)?.map(Duration::from_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    #[test]
    fn json_errors_name_the_place_but_never_the_value() {
        let error = SessionRequest::from_json(
            r#"{"clientId": "u1", "person": {"firstName": 12}, "linkValiditySeconds": "Jonas"}"#,
        )
        .unwrap_err();
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("Jonas"), "{printed}");
        assert!(printed.contains("expected"), "{printed}");

        let error =
            SessionRequest::from_json(r#"{"clientId": "u1", "fristName": "Jonas"}"#).unwrap_err();
        assert!(error.to_string().contains("unknown field `fristName`"), "{error}");

        let error = SessionRequest::from_json(r#"{"clientId": ""}"#).unwrap_err();
        assert!(error.to_string().contains("must not be empty"), "{error}");

        for json in [
            r#"{"clientId": "u1", "person": {"sex": "Jonas Jonaitis"}}"#,
            r#"{"clientId": "u1", "locale": "Jonas Jonaitis"}"#,
            r#"{"clientId": "u1", "document": {"types": ["Jonas Jonaitis"]}}"#,
            r#"{"clientId": "u1", "person": {"dateOfBirth": "Jonas Jonaitis"}}"#,
            r#"{"clientId": "u1", "webhookUrl": "Jonas Jonaitis"}"#,
            r#"{"clientId": "u1", "person": {"nationality": "Jonas Jonaitis"}}"#,
            r#"{"clientId": " Jonas Jonaitis"}"#,
        ] {
            let error = SessionRequest::from_json(json).unwrap_err();
            let printed = format!("{error} {error:?}");
            assert!(!printed.contains("Jonas"), "{printed}");
            assert!(printed.starts_with("invalid request: json (line "), "{printed}");
        }
        let error =
            SessionRequest::from_json(r#"{"clientId": "u1", "flow": "Jonas"}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("unknown variant, expected `document_and_selfie` or `document_only`"),
            "{error}"
        );
    }

    #[test]
    fn unset_fields_are_left_out_of_json() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap());
        assert_eq!(request.to_json(), "{\n  \"clientId\": \"u1\"\n}");
    }

    #[test]
    fn fields_set_and_text_agree() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_person(Person::default().with_first_name("A").with_email("a@b.example"))
            .with_tag("t");
        assert_eq!(
            request.fields_set().collect::<Vec<_>>(),
            vec![Field::ClientId, Field::FirstName, Field::Email, Field::Tags]
        );
        assert_eq!(request.text(Field::FirstName), Some("A"));
        assert_eq!(request.text(Field::Tags), None);
    }
}
