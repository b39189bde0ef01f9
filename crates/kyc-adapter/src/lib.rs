//! The adapter kit of [`kyc`](https://docs.rs/kyc): what every vendor adapter builds on, and
//! what the application API ([`kyc_core`]) leaves out. The iDenfy and Veriff adapters are
//! written on it, and so is a third party's adapter for its own vendor (the repository's
//! `examples/custom_provider/` and the guide, `docs/writing-a-provider.md`).
//!
//! - [`settings`]: one [`Settings`] type for a builder's name, base URL, timeouts, default
//!   options and webhook keys, read from the environment by [`Settings::read_vars`], with the
//!   builder setters written once by [`builder_settings!`];
//! - [`http`]: the [`HttpClient`] an adapter keeps (one connection pool, no redirects), its
//!   send (timed, logged, capped body, the vendor's error mapping on a refusal), and the one
//!   classification of HTTP statuses ([`http::status_error`]) and transport failures
//!   ([`http::transport_error`]);
//! - [`decode`]: lenient decoding of vendor answers, and error bodies that may be HTML;
//! - [`webhook`]: HMAC verification over the raw body, with a size cap and rotation of keys;
//! - [`ErrorExt`]: constructing the neutral [`kyc_core::Error`];
//! - [`preflight`]: every check before sending, in order, and [`resolve_options`] for a
//!   request's typed options over the adapter's defaults;
//! - [`config::Vars`]: environment variables through a pure function of a key-value list.

pub mod config;
pub mod decode;
pub mod http;
pub mod settings;
pub mod webhook;

use kyc_core::{Capabilities, Error, Feature, FieldError, ProviderOptions, SessionRequest};

pub use http::HttpClient;
// The crates the kit's API speaks, so an adapter needs no versions of its own to agree with it.
pub use ::http as http_types;
#[doc(inline)]
pub use kyc_core::kit::{ErrorExt, SetFields, is_loopback, lower_hex, resolve_options};
pub use reqwest;
pub use secrecy;
// What the macros name, whatever the using crate calls kyc-core.
#[doc(hidden)]
pub use kyc_core as __core;
pub use settings::Settings;

/// What a provider's own rules find in a request, once its options are resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Findings {
    /// Options that contradict the request or each other: the caller's mistake, whichever
    /// provider serves, reported as `InvalidRequest` (failover stops).
    pub conflicts: Vec<FieldError>,
    /// Neutral values only this provider refuses (iDenfy takes no digits in names, Veriff no
    /// hyphen in document numbers): reported as `Unsupported` with [`Feature::Rules`], since
    /// another provider may take them (failover moves on without sending).
    pub refused: Vec<FieldError>,
}

impl Findings {
    /// What `conflicts` and `refused` found.
    pub fn new(conflicts: Vec<FieldError>, refused: Vec<FieldError>) -> Self {
        Self { conflicts, refused }
    }
}

/// Every check a provider runs before sending, in order, and its resolved options: the neutral
/// rules ([`SessionRequest::validate`], every broken one reported at once), its
/// [`Capabilities::check`], the request's options for `O` over the provider's `defaults`
/// ([`resolve_options`]: options that do not decode or break their own rules), then the
/// provider's own `rules` over the resolved options ([`Findings`]).
///
/// ```
/// use kyc_core::{
///     Capabilities, ClientId, ErrorKind, Feature, FieldError, KindCapabilities, Person,
///     ProviderOptions, SessionRequest,
/// };
/// use kyc_adapter::Findings;
///
/// #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
/// struct Options {}
/// impl ProviderOptions for Options {
///     const PATH: &'static [&'static str] = &["p"];
/// }
///
/// let caps = Capabilities::new().with_identity(KindCapabilities::everything());
/// let request = SessionRequest::new(ClientId::new("u1")?)
///     .with_person(Person::default().with_first_name("J0hn"));
/// let error = kyc_adapter::preflight("p", &caps, &request, &Options::default(), |_| {
///     let digits = FieldError::new("person.firstName", "must not contain digits (p)");
///     Findings::new(Vec::new(), vec![digits])
/// })
/// .unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::Unsupported);
/// assert!(matches!(error.unsupported_feature(), Some(Feature::Rules(rules)) if rules.len() == 1));
/// # Ok::<(), kyc_core::Error>(())
/// ```
///
/// # Errors
/// `InvalidRequest` with every broken neutral rule, every option that does not fit, or every
/// conflict; `Unsupported` with the first feature the provider lacks, or with every value it
/// refuses.
pub fn preflight<O: ProviderOptions>(
    provider: &str,
    capabilities: &Capabilities,
    request: &SessionRequest,
    defaults: &O,
    rules: impl FnOnce(&O) -> Findings,
) -> Result<O, Error> {
    request.validate()?;
    capabilities.check(request).map_err(|feature| Error::unsupported(provider, feature))?;
    let options = resolve_options(request, defaults)?;
    // The request's own keys only: defaults an operator chose would warn on every call. The
    // name only: the value may be personal data.
    for key in
        request.options::<O>().ok().flatten().map(|own| own.unknown_keys()).unwrap_or_default()
    {
        tracing::warn!(provider, option = %key, "an option this adapter does not know; sent as is");
    }
    let Findings { conflicts, refused } = rules(&options);
    if !conflicts.is_empty() {
        return Err(Error::invalid_request(conflicts));
    }
    if !refused.is_empty() {
        return Err(Error::unsupported(provider, Feature::Rules(refused)));
    }
    Ok(options)
}

/// Raw options (an options struct's catch-all `extra` map, sent as it is) that would overwrite
/// a key of the vendor's body that the neutral request or a typed option sets: each `keys`
/// entry is a body key and what sets it, and each key found in `extra` is reported under
/// `prefix` (`providerOptions.acme`).
///
/// ```
/// let extra = serde_json::json!({"lang": "de", "brandNew": true});
/// let extra = extra.as_object().unwrap();
/// let found = kyc_adapter::shadowed_keys(extra, &[("lang", "the request's locale")], "providerOptions.acme");
/// assert_eq!(found[0].to_string(), "providerOptions.acme.lang: is set through the request's locale");
/// ```
pub fn shadowed_keys(
    extra: &serde_json::Map<String, serde_json::Value>,
    keys: &[(&str, &str)],
    prefix: &str,
) -> Vec<FieldError> {
    keys.iter()
        .filter(|(key, _)| extra.contains_key(*key))
        .map(|(key, set_by)| {
            FieldError::new(format!("{prefix}.{key}"), format!("is set through {set_by}"))
        })
        .collect()
}

/// Whether `value` is a UUID in its canonical textual form (`8-4-4-4-12` hexadecimal digits,
/// either case), as vendors use for session, workflow and end-user ids.
///
/// ```
/// assert!(kyc_adapter::is_uuid("f04bdb47-d3be-4b28-b028-a652feb060b5"));
/// assert!(!kyc_adapter::is_uuid("f04bdb47d3be4b28b028a652feb060b5"));
/// assert!(kyc_adapter::is_uuid("F04BDB47-D3BE-4B28-B028-A652FEB060B5"));
/// for not in [
///     "f04bdb47-d3be-4b28-b028-a652feb060b",    // too short
///     "f04bdb47-d3be-4b28-b028-a652feb060b5a",  // too long
///     "f04bdb4-7d3be-4b28-b028-a652feb060b5",   // a hyphen out of place
///     "f04bdb47-d3be-4b28-b028-a652feb060g5",   // not hexadecimal
///     "f04bdb47-d3be-4b28-b028-a652feb06é5",    // 36 bytes, not 36 digits
///     "------------------------------------",
/// ] {
///     assert!(!kyc_adapter::is_uuid(not), "{not}");
/// }
/// ```
pub fn is_uuid(value: &str) -> bool {
    // Byte by byte, without splitting: ids are checked on every session.
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(at, byte)| match at {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}
