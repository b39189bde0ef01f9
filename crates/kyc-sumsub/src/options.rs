//! Typed Sumsub options: what the `websdkLink` call takes that the neutral
//! [`SessionRequest`](kyc_core::SessionRequest) has no field for
//! (<https://docs.sumsub.com/reference/generate-websdk-external-link>).
//!
//! Set them as adapter defaults ([`SumsubBuilder::with_default_options`]) or per request
//! (`SessionRequest::with_options`, stored in `SessionRequest::provider_options["sumsub"]`); a
//! request's options override the defaults key by key.
//!
//! [`SumsubBuilder::with_default_options`]: crate::SumsubBuilder::with_default_options

use serde::{Deserialize, Serialize};

use kyc_core::{FieldError, ProviderOptions};

/// The key under which the options travel in `SessionRequest::provider_options`.
pub const OPTIONS_KEY: &str = "sumsub";

/// Sumsub-only link settings. Unset fields are left out of the request.
///
/// ```
/// use kyc_sumsub::SumsubOptions;
/// let options = SumsubOptions::default()
///     .with_level_name("enhanced-kyc-level".into())
///     .with_customization_name("dark".into());
/// # assert_eq!(options.level_name.as_deref(), Some("enhanced-kyc-level"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SumsubOptions {
    /// `levelName` for this request instead of the configured one (`with_level` for identity,
    /// `with_kyb_level` for business). Case-sensitive, and it must exist in the token's
    /// environment (<https://docs.sumsub.com/reference/create-applicant>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_name: Option<String>,
    /// The `customizationName` query parameter: a WebSDK look configured in the dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization_name: Option<String>,
    /// The `translationName` query parameter: a set of custom WebSDK texts configured in the
    /// dashboard (<https://docs.sumsub.com/docs/supported-sdk-languages>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_name: Option<String>,
}

kyc_adapter::option_setters!(SumsubOptions {
    one: {
        with_level_name: level_name: String,
        with_customization_name: customization_name: String,
        with_translation_name: translation_name: String,
    },
    many: {},
});

/// `providerOptions.sumsub`.
impl ProviderOptions for SumsubOptions {
    const PATH: &'static [&'static str] = &[OPTIONS_KEY];

    /// Every name set must be non-blank, without surrounding whitespace or control characters.
    fn rule_violations(&self) -> Vec<FieldError> {
        [
            ("levelName", &self.level_name),
            ("customizationName", &self.customization_name),
            ("translationName", &self.translation_name),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value.as_deref()?;
            let bad = value.trim().is_empty()
                || value.trim() != value
                || value.chars().any(char::is_control);
            bad.then(|| {
                FieldError::new(field, "must be a name: not blank, no surrounding whitespace")
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ClientId, SessionRequest};
    use serde_json::json;

    #[test]
    fn options_round_trip_and_are_checked() {
        let request = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_options(SumsubOptions::default().with_level_name("vip-level".into()));
        assert_eq!(request.provider_options["sumsub"], json!({"levelName": "vip-level"}));
        let blank = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_options(SumsubOptions::default().with_translation_name(" ".into()));
        assert_eq!(
            blank.validate().unwrap_err().to_string(),
            "invalid request: providerOptions.sumsub.translationName: must be a name: not blank, \
             no surrounding whitespace"
        );
        let unknown = SessionRequest::new(ClientId::new("u1").unwrap())
            .with_provider_options("sumsub", json!({"source": "api"}));
        let error = kyc_adapter::resolve_options(&unknown, &SumsubOptions::default()).unwrap_err();
        assert!(error.to_string().contains("providerOptions.sumsub"), "{error}");
    }
}
