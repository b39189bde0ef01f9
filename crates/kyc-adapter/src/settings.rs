//! The settings every adapter's builder shares, and its setters written once.
//!
//! An adapter's builder keeps a [`Settings`] in a field named `settings` and invokes
//! [`builder_settings!`](crate::builder_settings) for the setters every adapter has; it adds
//! only what is its vendor's (credentials, vendor-only URLs). `from_vars` reads the shared
//! variables through [`Settings::read_vars`].

use std::fmt;
use std::time::Duration;

use kyc_core::Error;

use crate::ErrorExt;
use crate::config::Vars;
use crate::http::HttpClient;
use crate::webhook::WebhookKeys;

/// The default deadline of a whole exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default deadline for connecting.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What every adapter's builder holds: the provider's name, where its API is, how long to
/// wait, the options every request starts from (`O`, the adapter's typed options), and the
/// keys its webhooks are signed with. Nothing is checked until [`http_client`](Self::http_client).
///
/// `Debug` never prints a key.
#[derive(Clone)]
#[non_exhaustive]
pub struct Settings<O> {
    /// The provider's name in sessions, errors and logs (default: the adapter's).
    pub name: String,
    /// The API's base URL (a vendor's sandbox, a proxy, the emulator).
    pub base_url: String,
    /// The deadline of a whole exchange, answer included.
    pub timeout: Duration,
    /// The deadline for connecting; failing to connect means nothing was sent.
    pub connect_timeout: Duration,
    /// The options every request starts from; a request's own override them key by key.
    pub defaults: O,
    /// The keys webhooks are signed with.
    pub webhooks: WebhookKeys,
}

impl<O: Default> Settings<O> {
    /// The defaults of an adapter named `name` whose vendor's API is at `base_url`: 30 s for
    /// an exchange, 10 s to connect, default options, no webhook key.
    pub fn new(name: &str, base_url: &str) -> Self {
        Self {
            name: name.to_owned(),
            base_url: base_url.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            defaults: O::default(),
            webhooks: WebhookKeys::new(name),
        }
    }
}

impl<O> Settings<O> {
    /// Takes the shared settings from environment variables: the base URL from `base_url_var`
    /// and webhook keys, comma-separated, from `webhook_keys_var`, each when set and not blank.
    pub fn read_vars(&mut self, vars: &Vars, base_url_var: &str, webhook_keys_var: &str) {
        if let Some(url) = vars.optional(base_url_var) {
            self.base_url = url;
        }
        if let Some(keys) = vars.optional(webhook_keys_var) {
            self.webhooks = self.webhooks.clone().with_keys_from_list(&keys);
        }
    }

    /// Checks the name and the base URL, and builds the HTTP client (`user_agent` names the
    /// adapter and its version).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an empty name, a base URL that is not
    /// https (or http on loopback), or an HTTP client that cannot be built.
    pub fn http_client(&self, user_agent: &str) -> Result<HttpClient, Error> {
        if self.name.trim().is_empty() {
            return Err(Error::config(self.webhooks.provider(), "the provider name is empty"));
        }
        HttpClient::new(&self.name, &self.base_url, user_agent, self.timeout, self.connect_timeout)
    }

    /// The webhook keys, under the provider's name.
    pub fn webhook_keys(&self) -> WebhookKeys {
        self.webhooks.clone().renamed(&self.name)
    }
}

impl<O> fmt::Debug for Settings<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("name", &self.name)
            .field("base_url", &printable_url(&self.base_url))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

/// A configured URL as `Debug` may show it: unchecked until `build()`, it may still carry
/// credentials (`https://user:password@host`), which are never printed.
pub fn printable_url(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Setting these fails only for URLs that cannot have credentials at all.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            format!("{parsed} (credentials removed)")
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) if url.contains('@') => "<not a URL>".to_owned(),
        Err(_) => url.to_owned(),
    }
}

/// The setters every adapter's builder has, written once: `with_name`, `with_base_url`,
/// `with_timeout`, `with_connect_timeout`, `with_default_options` and
/// `dangerously_accept_unsigned_webhooks`, and `from_env` (its own `from_vars` over the process
/// environment), for a builder with a `settings: Settings<$options>` field and a
/// `from_vars(vars) -> Result<Self, kyc_core::Error>`.
///
/// ```
/// use kyc_adapter::Settings;
///
/// #[derive(Clone, Debug, Default)]
/// pub struct AcmeOptions;
///
/// /// Configuration for the Acme client.
/// #[derive(Debug)]
/// pub struct AcmeBuilder {
///     settings: Settings<AcmeOptions>,
/// }
///
/// impl AcmeBuilder {
///     /// Reads `ACME_BASE_URL`.
///     pub fn from_vars(
///         vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
///     ) -> Result<Self, kyc_core::Error> {
///         let vars = kyc_adapter::config::Vars::pick("acme", ["ACME_BASE_URL"], vars);
///         let mut settings = Settings::new("acme", "https://api.acme.example");
///         settings.read_vars(&vars, "ACME_BASE_URL", "ACME_WEBHOOK_KEYS");
///         Ok(Self { settings })
///     }
/// }
///
/// kyc_adapter::builder_settings!(AcmeBuilder, AcmeOptions);
///
/// let builder = AcmeBuilder { settings: Settings::new("acme", "https://api.acme.example") }
///     .with_timeout(std::time::Duration::from_secs(5))
///     .with_name("acme-eu");
/// assert_eq!(builder.settings.name, "acme-eu");
/// ```
#[macro_export]
macro_rules! builder_settings {
    ($builder:ty, $options:ty) => {
        impl $builder {
            /// The configuration from the process environment: [`from_vars`](Self::from_vars)
            /// over `std::env::vars()`.
            ///
            /// # Errors
            /// As `from_vars`: `Config` naming a missing or empty variable.
            pub fn from_env() -> ::std::result::Result<Self, $crate::__core::Error> {
                Self::from_vars(::std::env::vars())
            }

            /// Names this provider in sessions, errors and logs (default: the vendor's name),
            /// to tell two accounts of one vendor apart. Options stay under the vendor's key.
            pub fn with_name(mut self, name: impl Into<String>) -> Self {
                self.settings.name = name.into();
                self
            }

            /// Sends requests to `url` instead of the vendor's API (a sandbox, a proxy, the
            /// emulator); paths are appended to its own. Plain `http://` is accepted for
            /// loopback hosts only.
            pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
                self.settings.base_url = url.into();
                self
            }

            /// The whole exchange's deadline, answer included (default 30 s).
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.timeout = timeout;
                self
            }

            /// The deadline for connecting (default 10 s). Failing to connect means nothing was
            /// sent.
            pub fn with_connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.connect_timeout = timeout;
                self
            }

            /// Options every request starts from; a request's own options override them key by
            /// key.
            pub fn with_default_options(mut self, options: $options) -> Self {
                self.settings.defaults = options;
                self
            }

            /// Accepts webhooks without a valid signature. Dangerous: anyone who finds the
            /// endpoint can then forge results. Only for local experiments without a key.
            pub fn dangerously_accept_unsigned_webhooks(mut self) -> Self {
                self.settings.webhooks = self.settings.webhooks.dangerously_accept_unsigned();
                self
            }
        }
    };
}

/// Builder-chain setters for an options struct's fields: `Option<T>` fields under `one`
/// (`with_check_aml(true)` sets `Some(true)`), list fields under `many` (`with_countries([..])`
/// replaces the list). Each setter's documentation names the field it sets.
///
/// ```
/// #[derive(Clone, Debug, Default)]
/// pub struct AcmeOptions {
///     pub check_aml: Option<bool>,
///     pub countries: Vec<String>,
/// }
///
/// kyc_adapter::option_setters!(AcmeOptions {
///     one: { with_check_aml: check_aml: bool },
///     many: { with_countries: countries: String },
/// });
///
/// let options = AcmeOptions::default().with_check_aml(true).with_countries(["LT".to_owned()]);
/// assert_eq!((options.check_aml, options.countries.len()), (Some(true), 1));
/// ```
#[macro_export]
macro_rules! option_setters {
    ($options:ty {
        one: { $($setter:ident : $field:ident : $ty:ty),* $(,)? },
        many: { $($list_setter:ident : $list_field:ident : $item:ty),* $(,)? } $(,)?
    }) => {
        impl $options {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $setter(mut self, value: $ty) -> Self {
                    self.$field = Some(value);
                    self
                }
            )*
            $(
                #[doc = concat!("Sets `", stringify!($list_field), "`, replacing the list.")]
                pub fn $list_setter(mut self, values: impl IntoIterator<Item = $item>) -> Self {
                    self.$list_field = values.into_iter().collect();
                    self
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_credentials_in_a_url() {
        let mut settings = Settings::<()>::new("p", "https://ivs.example");
        settings.base_url = "https://user:s3cr3t@proxy.example/p".into();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("s3cr3t") && !printed.contains("user"), "{printed}");
        assert!(printed.contains("https://proxy.example/p"), "{printed}");
        assert_eq!(printable_url("not a url with @ sign"), "<not a URL>");
        assert_eq!(printable_url("https://ivs.idenfy.com"), "https://ivs.idenfy.com/");
    }
}
