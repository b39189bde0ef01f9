//! The Acme client: its builder over the kit's shared [`Settings`], and `create_session` as the
//! kit's three steps: [`preflight`] (every check, nothing sent), one
//! [`HttpClient::exchange`] (Acme's error mapping on a refusal), and the answer normalized into a
//! [`Session`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc::{Capabilities, Error, Session, SessionRequest, VerificationSession};
use kyc_adapter::config::Vars;
use kyc_adapter::decode::{seconds_after, undecodable};
use kyc_adapter::http::{Answer, sensitive_header, trusted_link};
use kyc_adapter::{ErrorExt, Findings, HttpClient, Settings, preflight};

use super::error::error_from_response;
use super::options::AcmeOptions;
use super::results::{AcmeWebhooks, WEBHOOK_KEYS_VAR};
use super::wire::{self, CheckCreated, CreateCheck};
use super::{DEFAULT_LINK_VALIDITY, PROVIDER, capabilities};

/// Acme's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.acme-id.example";

/// The variables [`AcmeBuilder::from_vars`] reads, besides [`WEBHOOK_KEYS_VAR`].
const API_KEY_VAR: &str = "ACME_API_KEY";
const BASE_URL_VAR: &str = "ACME_BASE_URL";

/// A client for Acme ID checks.
///
/// Cheap to clone: clones share one connection pool. Build one with [`Acme::builder`] or
/// [`AcmeBuilder::from_vars`]. `Debug` never prints a key.
#[derive(Clone)]
pub struct Acme {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    /// `Bearer <key>`, built once by `build()`, not on every request.
    authorization: HeaderValue,
    defaults: AcmeOptions,
    capabilities: Capabilities,
    pub(crate) webhooks: AcmeWebhooks,
}

/// Configuration for [`Acme`]; nothing is checked until [`build`](Self::build).
///
/// The settings every adapter shares (name, base URL, timeouts, default options, webhook keys)
/// live in the kit's [`Settings`], with their setters written once by
/// [`kyc_adapter::builder_settings!`]; the builder adds only what is Acme's: the API key.
#[derive(Clone)]
pub struct AcmeBuilder {
    settings: Settings<AcmeOptions>,
    api_key: SecretString,
}

kyc_adapter::builder_settings!(AcmeBuilder, AcmeOptions);

impl Acme {
    /// A builder with Acme's defaults: the production API, 30 s per exchange, no webhook key.
    pub fn builder(api_key: impl Into<SecretString>) -> AcmeBuilder {
        AcmeBuilder { settings: Settings::new(PROVIDER, DEFAULT_BASE_URL), api_key: api_key.into() }
    }

    /// The base URL requests go to (`/v2/...` is appended to its path).
    pub fn base_url(&self) -> &Url {
        self.inner.http.base_url()
    }

    /// This client's webhook verifier (the same as one built from the signing keys alone).
    pub fn webhooks(&self) -> &AcmeWebhooks {
        &self.inner.webhooks
    }

    /// Every check before sending, in the kit's order: the neutral rules, the capability table,
    /// then Acme's own. Returns the options to send: the request's over the client's defaults.
    fn prepare(&self, request: &SessionRequest) -> Result<AcmeOptions, Error> {
        let inner = &*self.inner;
        // Options that do not decode, break their rules or contradict the request come back as
        // `InvalidRequest` (the caller's mistake, whichever vendor serves); names only Acme
        // refuses as `Unsupported` (another vendor may take them).
        preflight(inner.http.name(), &inner.capabilities, request, &inner.defaults, |options| {
            Findings::new(wire::option_conflicts(request, options), wire::value_rules(request))
        })
    }

    /// Sends `http` with the API key and reads the 2xx answer; any other answer becomes the
    /// neutral error through Acme's mapping.
    pub(crate) async fn exchange(&self, http: reqwest::RequestBuilder) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let name = inner.http.name();
        let http = http
            .header(AUTHORIZATION, inner.authorization.clone())
            .header(ACCEPT, "application/json");
        inner
            .http
            .exchange(http, |answer| {
                error_from_response(name, answer.status, answer.retry_after, &answer.body)
            })
            .await
    }

    /// The session from Acme's `201` to `request`, created at `created_at`.
    fn decode(
        &self,
        request: &SessionRequest,
        answer: &Answer,
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = self.inner.http.name();
        let status = answer.status;
        // After a success status a check exists whatever the body: a `Decode` error here has an
        // unknown outcome, and failover stops rather than pay for a second check.
        let created: CheckCreated =
            serde_json::from_slice(&answer.body).map_err(|e| undecodable(name, status, &e))?;
        let id = created.check_id.trim();
        if id.is_empty() {
            return Err(Error::decode(name, status, "empty check_id"));
        }
        // A plain-http link off loopback would carry the check's token in clear.
        let url = trusted_link(&created.link)
            .ok_or_else(|| Error::decode(name, status, "link is not an https URL"))?;
        // Acme's own expiry when it is sane; a missing or clock-skewed one is computed from
        // what was asked for.
        let validity = request.link_validity.unwrap_or(DEFAULT_LINK_VALIDITY);
        let expires_at = created
            .expires_at
            .filter(|at| *at > created_at)
            .or_else(|| seconds_after(created_at, validity.as_secs()));
        let mut session =
            Session::new(name, id, url, request.client_id.clone()).with_created_at(created_at);
        session.expires_at = expires_at;
        Ok(session)
    }
}

#[async_trait]
impl VerificationSession for Acme {
    fn provider(&self) -> &str {
        self.inner.http.name()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Every check before sending: the neutral rules, the capability table, the options over
    /// this client's defaults, and the vendor's own rules.
    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        self.prepare(request).map(drop)
    }

    /// `POST {base}/v2/checks`. One request at most, never retried: Acme has no idempotency key
    /// and bills every check, so whether to try again is failover's decision, made from the
    /// error's outcome.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!("kyc.create_session", provider = %inner.http.name());
        async {
            let options = self.prepare(request)?;
            let body = serde_json::to_vec(&CreateCheck::new(request, &options)).map_err(|_| {
                Error::config(inner.http.name(), "the request body could not be serialized")
            })?;
            let http = inner
                .http
                .request(Method::POST, inner.http.endpoint(CHECKS_PATH))
                .header(CONTENT_TYPE, "application/json")
                .body(body);
            let created_at = Utc::now();
            let answer = self.exchange(http).await?;
            self.decode(request, &answer, created_at)
        }
        .instrument(span)
        .await
    }
}

/// Where checks are made: its URL is built once, with the client.
const CHECKS_PATH: &str = "/v2/checks";

impl fmt::Debug for Acme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acme")
            .field("name", &self.inner.http.name())
            .field("base_url", &self.base_url().as_str())
            .field("webhooks", &self.inner.webhooks)
            .finish_non_exhaustive()
    }
}

impl AcmeBuilder {
    /// Reads the configuration from environment variables, given as a list so it is tested
    /// without touching the process environment (`from_env` is `from_vars(std::env::vars())`):
    ///
    /// | variable | |
    /// |---|---|
    /// | `ACME_API_KEY` | required (`ak_live_…` or `ak_test_…`) |
    /// | `ACME_BASE_URL` | optional, default `https://api.acme-id.example` |
    /// | `ACME_WEBHOOK_KEYS` | optional; several, comma-separated, for rotation |
    ///
    /// # Errors
    /// `Config` naming a missing or empty variable.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
    ) -> Result<Self, Error> {
        let vars = Vars::pick(PROVIDER, [API_KEY_VAR, BASE_URL_VAR, WEBHOOK_KEYS_VAR], vars);
        let mut builder = Acme::builder(vars.required(API_KEY_VAR)?);
        builder.settings.read_vars(&vars, BASE_URL_VAR, WEBHOOK_KEYS_VAR);
        Ok(builder)
    }

    /// Adds a webhook signing key (Acme dashboard → Webhooks); every key added is accepted, so
    /// keys can be rotated.
    pub fn with_webhook_key(mut self, key: impl Into<SecretString>) -> Self {
        self.settings.webhooks = self.settings.webhooks.with_key(key);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// `Config`: an API key that is not Acme's (`ak_live_…`, `ak_test_…`), an empty webhook key,
    /// a base URL that is not https (or http on loopback), or an HTTP client that cannot be
    /// built.
    pub fn build(self) -> Result<Acme, Error> {
        let name = &self.settings.name;
        let key = self.api_key.expose_secret().trim();
        // Catches the usual mix-up (the webhook key, or another vendor's key, pasted here)
        // before it costs a round trip.
        let acme_key = ["ak_live_", "ak_test_"]
            .iter()
            .any(|prefix| key.len() > prefix.len() && key.starts_with(prefix));
        if !acme_key {
            return Err(Error::config(
                name,
                "the API key is not an Acme key (ak_live_…, ak_test_…)",
            ));
        }
        // Marked sensitive, so reqwest keeps it out of its `Debug` output.
        let authorization = sensitive_header(name, "the API key", &format!("Bearer {key}"))?;
        if self.settings.webhooks.keys().iter().any(|k| k.expose_secret().trim().is_empty()) {
            return Err(Error::config(name, "a webhook signing key is empty"));
        }
        let http = self
            .settings
            .http_client(concat!("kyc-acme/", env!("CARGO_PKG_VERSION")))?
            .with_endpoints(&[CHECKS_PATH]);
        let webhooks = AcmeWebhooks::from_keys(self.settings.webhook_keys());
        Ok(Acme {
            inner: Arc::new(Inner {
                http,
                authorization,
                defaults: self.settings.defaults,
                capabilities: capabilities(),
                webhooks,
            }),
        })
    }
}

impl fmt::Debug for AcmeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcmeBuilder").field("settings", &self.settings).finish_non_exhaustive()
    }
}
