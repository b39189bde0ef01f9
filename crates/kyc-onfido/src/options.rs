//! Typed Onfido options: what the applicant and the workflow run take that the neutral
//! [`SessionRequest`](kyc_core::SessionRequest) has no field for
//! (<https://documentation.onfido.com/api/latest/#create-applicant>,
//! <https://documentation.onfido.com/api/latest/#create-workflow-run>).
//!
//! Set them as adapter defaults ([`OnfidoBuilder::with_default_options`]) or per request
//! (`SessionRequest::with_options`, stored in `SessionRequest::provider_options["onfido"]`); a
//! request's options override the defaults key by key.
//!
//! [`OnfidoBuilder::with_default_options`]: crate::OnfidoBuilder::with_default_options

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use kyc_adapter::is_uuid;
use kyc_core::{FieldError, ProviderOptions};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "onfido";

/// Characters Onfido refuses in an address line (`^[^!$%^*=<>]*$`,
/// <https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/address/definitions.yaml>).
pub(crate) const ADDRESS_LINE_REFUSES: &[char] = &['!', '$', '%', '^', '*', '=', '<', '>'];

/// Onfido-only settings. Unset fields are left out of the requests. `Debug` never prints the
/// address or the location (personal data), only whether they are set.
///
/// ```
/// use kyc_onfido::{OnfidoAddress, OnfidoOptions};
/// let options = OnfidoOptions::default()
///     .with_address(OnfidoAddress::new("SW4 6EH", "GBR").with_town("London"))
///     .with_expired_redirect_url("https://app.example.com/kyc/expired".into());
/// assert!(!format!("{options:?}").contains("SW4"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct OnfidoOptions {
    /// `workflow_id` for this request instead of the configured one: a Studio workflow of the
    /// token's account, which must be active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// The applicant's `address`. Onfido's address is structured and needs a postcode and an
    /// ISO 3166-1 alpha-3 country, so the neutral one-line `person.address` is not taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<OnfidoAddress>,
    /// The applicant's `location`: required by Onfido before a check runs since API v3.4
    /// (<https://documentation.onfido.com/guide/onfido-privacy-notices-and-consent>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<OnfidoLocation>,
    /// `link.expired_redirect_url`: where the person goes from an expired link, instead of
    /// Onfido's error page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_redirect_url: Option<String>,
    /// `custom_data`: input the Studio workflow reads ("Custom Input Data").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Map<String, Value>>,
    /// The applicant's `consents`: for a person in the US, Onfido requires the biometric
    /// consent through the API
    /// (<https://documentation.onfido.com/guide/onfido-privacy-notices-and-consent>).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<OnfidoConsent>,
}

/// One of the applicant's `consents`
/// (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/applicants/definitions.yaml>).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OnfidoConsent {
    /// What was consented to.
    pub name: ConsentName,
    /// Whether the person granted it.
    pub granted: bool,
}

impl OnfidoConsent {
    /// The person's answer `granted` to `name`.
    pub fn new(name: ConsentName, granted: bool) -> Self {
        Self { name, granted }
    }
}

/// The consents Onfido takes, under its names (`privacy_notices_read`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsentName {
    /// `privacy_notices_read`: the person read Onfido's privacy notices (and, in the US, gave
    /// the biometric consent).
    PrivacyNoticesRead,
    /// `ssn_verification`.
    SsnVerification,
    /// `phone_number_verification`.
    PhoneNumberVerification,
}

kyc_adapter::option_setters!(OnfidoOptions {
    one: {
        with_workflow_id: workflow_id: String,
        with_address: address: OnfidoAddress,
        with_location: location: OnfidoLocation,
        with_expired_redirect_url: expired_redirect_url: String,
        with_custom_data: custom_data: Map<String, Value>,
    },
    many: {
        with_consents: consents: OnfidoConsent,
    },
});

impl fmt::Debug for OnfidoOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnfidoOptions")
            .field("workflow_id", &self.workflow_id)
            .field("address", &self.address.as_ref().map(|_| "<redacted>"))
            .field("location", &self.location.as_ref().map(|_| "<redacted>"))
            .field("expired_redirect_url", &self.expired_redirect_url)
            .field("custom_data", &self.custom_data.as_ref().map(|data| data.len()))
            .field("consents", &self.consents)
            .finish()
    }
}

/// An applicant's address, as Onfido structures it
/// (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/address/definitions.yaml>):
/// `postcode` and `country` are required; the rest is optional. `Debug` prints nothing of it:
/// it is personal data.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct OnfidoAddress {
    /// `postcode` (ZIP code in the US).
    pub postcode: String,
    /// `country`: ISO 3166-1 alpha-3 (`GBR`, `USA`).
    pub country: String,
    /// `flat_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_number: Option<String>,
    /// `building_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// `building_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_name: Option<String>,
    /// `street`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// `sub_street`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_street: Option<String>,
    /// `town`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// `state`: a US state's USPS abbreviation (`CA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `line1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// `line2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// `line3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line3: Option<String>,
}

impl OnfidoAddress {
    /// An address with its two required parts.
    pub fn new(postcode: impl Into<String>, country: impl Into<String>) -> Self {
        Self { postcode: postcode.into(), country: country.into(), ..Self::default() }
    }

    /// Sets `town`.
    pub fn with_town(mut self, town: impl Into<String>) -> Self {
        self.town = Some(town.into());
        self
    }

    /// Sets `street` and `building_number`.
    pub fn with_street(mut self, street: impl Into<String>, number: impl Into<String>) -> Self {
        self.street = Some(street.into());
        self.building_number = Some(number.into());
        self
    }

    /// Sets `line1`.
    pub fn with_line1(mut self, line: impl Into<String>) -> Self {
        self.line1 = Some(line.into());
        self
    }

    /// Every rule it breaks, named under `prefix` (`address`).
    fn violations(&self, prefix: &str) -> Vec<FieldError> {
        let mut found = Vec::new();
        if self.postcode.trim().is_empty() {
            found.push(FieldError::new(format!("{prefix}.postcode"), "must not be empty"));
        }
        if !is_alpha3(&self.country) {
            found.push(FieldError::new(
                format!("{prefix}.country"),
                "must be an ISO 3166-1 alpha-3 country code (three capital letters)",
            ));
        }
        for (name, line) in [("line1", &self.line1), ("line2", &self.line2), ("line3", &self.line3)]
        {
            if line.as_deref().is_some_and(|line| line.contains(ADDRESS_LINE_REFUSES)) {
                found.push(FieldError::new(
                    format!("{prefix}.{name}"),
                    "must not contain any of ! $ % ^ * = < > (Onfido's rule)",
                ));
            }
        }
        found
    }
}

/// An applicant's `location`
/// (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/location/definitions.yaml>).
/// `Debug` prints nothing of it: an IP address is personal data.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct OnfidoLocation {
    /// `ip_address`: the person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// `country_of_residence`: ISO 3166-1 alpha-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_residence: Option<String>,
}

impl OnfidoLocation {
    /// A location from the person's IP address and country of residence (alpha-3).
    pub fn new(ip_address: impl Into<String>, country_of_residence: impl Into<String>) -> Self {
        Self {
            ip_address: Some(ip_address.into()),
            country_of_residence: Some(country_of_residence.into()),
        }
    }
}

/// Personal data: nothing of it is printed.
impl fmt::Debug for OnfidoAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnfidoAddress(<redacted>)")
    }
}

/// Personal data: nothing of it is printed.
impl fmt::Debug for OnfidoLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnfidoLocation(<redacted>)")
    }
}

fn is_alpha3(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

/// `providerOptions.onfido`.
impl ProviderOptions for OnfidoOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY];
    const NESTED: &'static [&'static str] = &["address", "location"];

    /// `workflowId` a UUID, the address with a postcode and an alpha-3 country and lines Onfido
    /// takes, `location.countryOfResidence` alpha-3, `expiredRedirectUrl` an http(s) URL.
    fn rule_violations(&self) -> Vec<FieldError> {
        let mut found = Vec::new();
        if self.workflow_id.as_deref().is_some_and(|id| !is_uuid(id)) {
            found.push(FieldError::new("workflowId", "must be a UUID (the Studio workflow's id)"));
        }
        if let Some(address) = &self.address {
            found.extend(address.violations("address"));
        }
        let residence = self.location.as_ref().and_then(|l| l.country_of_residence.as_deref());
        if residence.is_some_and(|code| !is_alpha3(code)) {
            found.push(FieldError::new(
                "location.countryOfResidence",
                "must be an ISO 3166-1 alpha-3 country code (three capital letters)",
            ));
        }
        let redirect = self.expired_redirect_url.as_deref();
        if redirect.is_some_and(|url| {
            !Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "https" | "http"))
        }) {
            found.push(FieldError::new("expiredRedirectUrl", "must be an http or https URL"));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ClientId, SessionRequest};
    use serde_json::json;

    fn rules(options: OnfidoOptions) -> Vec<String> {
        options.rule_violations().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn options_round_trip_in_the_request() {
        let options = OnfidoOptions::default()
            .with_workflow_id("b42cf165-031f-4792-a57e-eea4fa10c4e2".into())
            .with_address(OnfidoAddress::new("SW4 6EH", "GBR").with_street("Main Street", "100"));
        let request =
            SessionRequest::new(ClientId::new("u1").unwrap()).with_options(options.clone());
        assert_eq!(
            request.provider_options["onfido"],
            json!({"workflowId": "b42cf165-031f-4792-a57e-eea4fa10c4e2",
                   "address": {"postcode": "SW4 6EH", "country": "GBR", "buildingNumber": "100",
                               "street": "Main Street"}})
        );
        assert_eq!(request.options::<OnfidoOptions>().unwrap(), Some(options));
    }

    #[test]
    fn every_rule_names_its_field() {
        assert_eq!(rules(OnfidoOptions::default()), Vec::<String>::new());
        let bad = OnfidoOptions::default()
            .with_workflow_id("not-a-uuid".into())
            .with_address(OnfidoAddress::new(" ", "UK").with_line1("Flat <3>"))
            .with_location(OnfidoLocation::new("127.0.0.1", "gbr"))
            .with_expired_redirect_url("ftp://example.com".into());
        assert_eq!(
            rules(bad),
            [
                "workflowId: must be a UUID (the Studio workflow's id)",
                "address.postcode: must not be empty",
                "address.country: must be an ISO 3166-1 alpha-3 country code (three capital letters)",
                "address.line1: must not contain any of ! $ % ^ * = < > (Onfido's rule)",
                "location.countryOfResidence: must be an ISO 3166-1 alpha-3 country code (three capital letters)",
                "expiredRedirectUrl: must be an http or https URL",
            ]
        );
    }

    #[test]
    fn an_address_without_its_required_parts_does_not_decode() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_provider_options("onfido", json!({"address": {"town": "London"}}));
        let error = kyc_adapter::resolve_options(&request, &OnfidoOptions::default()).unwrap_err();
        assert!(error.to_string().contains("providerOptions.onfido"), "{error}");
    }

    #[test]
    fn debug_hides_the_address_and_location() {
        let options = OnfidoOptions::default()
            .with_address(OnfidoAddress::new("SW4 6EH", "GBR").with_town("Clapham"))
            .with_location(OnfidoLocation::new("203.0.113.7", "GBR"));
        let printed = format!("{options:?}");
        for secret in ["SW4", "Clapham", "203.0.113.7"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }
}
