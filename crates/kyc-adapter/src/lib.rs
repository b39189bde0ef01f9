//! The adapter kit of [`kyc`](https://docs.rs/kyc): what every vendor adapter builds on, and
//! what the application API ([`kyc_core`]) leaves out. The iDenfy and Veriff adapters are
//! written on it, and so is a third party's adapter for its own vendor (the repository's
//! `examples/custom_provider.rs` and `docs/writing-a-provider.md`).
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
//! - [`ErrorExt`]: constructing the neutral [`Error`](kyc_core::Error);
//! - [`preflight`]: every check before sending, in order, and [`resolve_options`] for a
//!   request's typed options over the adapter's defaults;
//! - [`config::Vars`]: environment variables through a pure function of a key-value list.

pub mod config;
pub mod decode;
pub mod http;
pub mod settings;
pub mod webhook;

use kyc_core::{Capabilities, Error, Feature, FieldError, SessionRequest};

pub use http::HttpClient;
#[doc(inline)]
pub use kyc_core::kit::{ErrorExt, SetFields, is_loopback, resolve_options};
pub use settings::Settings;

/// Every check a provider runs before sending, in order: the neutral rules
/// ([`SessionRequest::validate`], every broken one reported at once), then its
/// [`Capabilities::check`], then `rules`: the provider's own, which resolve what it needs (its
/// options, with [`resolve_options`]) and push the values its rules refuse.
///
/// A value only this provider refuses (iDenfy takes no digits in names, Veriff no hyphen in
/// document numbers) is reported as [`Feature::Rules`], not as an invalid request: another
/// provider may take it, so failover moves on instead of giving up. An error `rules` returns
/// (options that do not decode, or break their own rules) is the caller's mistake and comes
/// back as it is: an invalid request, which stops failover.
///
/// ```
/// use kyc_adapter::ErrorExt;
/// use kyc_core::{
///     Capabilities, ClientId, ErrorKind, Feature, FieldError, KindCapabilities, Person,
///     SessionRequest,
/// };
///
/// let caps = Capabilities::new().with_identity(KindCapabilities::everything());
/// let request = SessionRequest::new(ClientId::new("u1")?)
///     .with_person(Person::default().with_first_name("J0hn"));
/// let error = kyc_adapter::preflight("p", &caps, &request, |broken| {
///     broken.push(FieldError::new("person.firstName", "must not contain digits (p)"));
///     Ok(())
/// })
/// .unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::Unsupported);
/// assert!(matches!(error.unsupported_feature(), Some(Feature::Rules(rules)) if rules.len() == 1));
/// # Ok::<(), kyc_core::Error>(())
/// ```
///
/// # Errors
/// `InvalidRequest` with every broken neutral rule, or as `rules` returns it; `Unsupported`
/// with the first feature the provider lacks, or with every value it refuses.
pub fn preflight<T>(
    provider: &str,
    capabilities: &Capabilities,
    request: &SessionRequest,
    rules: impl FnOnce(&mut Vec<FieldError>) -> Result<T, Error>,
) -> Result<T, Error> {
    request.validate()?;
    capabilities.check(request).map_err(|feature| Error::unsupported(provider, feature))?;
    let mut refused = Vec::new();
    let resolved = rules(&mut refused)?;
    match refused.is_empty() {
        true => Ok(resolved),
        false => Err(Error::unsupported(provider, Feature::Rules(refused))),
    }
}

/// Whether `value` is a UUID in its canonical textual form (`8-4-4-4-12` hexadecimal digits,
/// either case), as vendors use for session, workflow and end-user ids.
///
/// ```
/// assert!(kyc_adapter::is_uuid("f04bdb47-d3be-4b28-b028-a652feb060b5"));
/// assert!(!kyc_adapter::is_uuid("f04bdb47d3be4b28b028a652feb060b5"));
/// ```
pub fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        })
}
