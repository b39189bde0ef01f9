//! The Veriff client: configuration, and one async call per endpoint.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc_core::config::Vars;
use kyc_core::decode::{seconds_after, undecodable};
use kyc_core::http::{Answer, endpoint, parse_base_url, send, trusted_link};
use kyc_core::{Capabilities, ClientId, Error, Session, SessionRequest, VerificationSession};

use crate::error::error_from_response;
use crate::options::VeriffOptions;
use crate::signature::signature;
use crate::wire::{self, CreateSession, CreateSessionResponse};
use crate::{PROVIDER, SESSION_LIFETIME, capabilities};

/// The API host of Veriff's legacy documentation, used by most integrations. Newer
/// integrations show their own API URL in Veriff's Customer Portal: pass it to
/// [`VeriffBuilder::with_base_url`].
pub const DEFAULT_BASE_URL: &str = "https://stationapi.veriff.com";

pub(crate) const AUTH_CLIENT: HeaderName = HeaderName::from_static("x-auth-client");
pub(crate) const HMAC_SIGNATURE: HeaderName = HeaderName::from_static("x-hmac-signature");
const INTEGRATION_ID: HeaderName = HeaderName::from_static("vrf-integration-id");

/// What a request's `X-HMAC-SIGNATURE` covers: a POST's exact body bytes, or for data retrieval
/// the session id (§4.1).
pub(crate) enum Signed<'a> {
    Body(Vec<u8>),
    SessionId(&'a str),
}

/// A client for Veriff's verification sessions.
///
/// Cheap to clone: clones share one connection pool. Build one with [`Veriff::new`],
/// [`Veriff::builder`] or [`Veriff::from_env`].
///
/// ```no_run
/// use kyc_core::{ClientId, SessionRequest, VerificationSession};
/// use kyc_veriff::Veriff;
///
/// # async fn run() -> Result<(), kyc_core::Error> {
/// let veriff = Veriff::from_env()?; // VERIFF_API_KEY, VERIFF_SHARED_SECRET, VERIFF_BASE_URL
/// let session = veriff.create_session(&SessionRequest::new(ClientId::new("user-1")?)).await?;
/// println!("{}", session.url);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Veriff {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) name: String,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) api_key: SecretString,
    pub(crate) shared_secrets: Vec<SecretString>,
    integration_id: Option<String>,
    defaults: VeriffOptions,
    capabilities: Capabilities,
    pub(crate) accept_unsigned_webhooks: bool,
}

/// Configuration for [`Veriff`]; nothing is checked until [`build`](Self::build).
#[derive(Clone)]
pub struct VeriffBuilder {
    name: String,
    api_key: SecretString,
    shared_secrets: Vec<SecretString>,
    base_url: String,
    integration_id: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    defaults: VeriffOptions,
    accept_unsigned_webhooks: bool,
}

impl Veriff {
    /// A client with the default settings and no shared secret.
    ///
    /// # Errors
    /// As [`VeriffBuilder::build`].
    pub fn new(api_key: impl Into<SecretString>) -> Result<Self, Error> {
        Self::builder(api_key).build()
    }

    /// A builder, for shared secrets, a base URL, an integration id, timeouts or default
    /// options.
    pub fn builder(api_key: impl Into<SecretString>) -> VeriffBuilder {
        VeriffBuilder {
            name: PROVIDER.to_owned(),
            api_key: api_key.into(),
            shared_secrets: Vec::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            integration_id: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            defaults: VeriffOptions::default(),
            accept_unsigned_webhooks: false,
        }
    }

    /// A client configured from the process environment (see [`VeriffBuilder::from_vars`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming the variable that is missing
    /// or wrong.
    pub fn from_env() -> Result<Self, Error> {
        VeriffBuilder::from_env()?.build()
    }

    /// The base URL requests go to (`/v1/...` is appended to it).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The options every request starts from.
    pub fn default_options(&self) -> &VeriffOptions {
        &self.inner.defaults
    }

    /// Checks `request` and resolves its options, sending nothing.
    fn prepare(&self, request: &SessionRequest) -> Result<VeriffOptions, Error> {
        let defaults = &self.inner.defaults;
        self.inner.capabilities.preflight(request, |broken| {
            let options = VeriffOptions::resolve(defaults, request);
            if let Ok(options) = &options {
                broken.extend(wire::rule_violations(request, options));
            }
            options
        })
    }
}

#[async_trait]
impl VerificationSession for Veriff {
    fn provider(&self) -> &str {
        &self.inner.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// `POST {base}/v1/sessions`, signed when a shared secret is configured. One request at
    /// most, never retried: Veriff has no idempotency key and every session may be billed.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!("kyc.create_session", provider = %inner.name);
        async {
            // Serialized once: these exact bytes are signed and sent.
            let body = self.encode(request)?;
            let mut http = inner
                .http
                .post(endpoint(&inner.base_url, "/v1/sessions"))
                .header(CONTENT_TYPE, "application/json");
            if let Some(id) = &inner.integration_id {
                http = http.header(INTEGRATION_ID, id.as_str());
            }
            let created_at = Utc::now();
            let answer = self.exchange(http, Signed::Body(body)).await?;
            self.decode(request, answer.status, &answer.body, created_at)
        }
        .instrument(span)
        .await
    }
}

impl Veriff {
    /// Sends `http` with the API key, signed when a shared secret is configured (the first one
    /// signs); the 2xx answer, or the neutral error.
    pub(crate) async fn exchange(
        &self,
        http: reqwest::RequestBuilder,
        signed: Signed<'_>,
    ) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let mut http = http
            .header(AUTH_CLIENT, sensitive(inner.api_key.expose_secret())?)
            .header(ACCEPT, "application/json");
        if let Some(secret) = inner.shared_secrets.first() {
            let payload = match &signed {
                Signed::Body(body) => body.as_slice(),
                Signed::SessionId(id) => id.as_bytes(),
            };
            http =
                http.header(HMAC_SIGNATURE, signature(secret.expose_secret().as_bytes(), payload));
        }
        if let Signed::Body(body) = signed {
            http = http.body(body);
        }
        let started = Instant::now();
        let answer = send(&inner.name, http).await?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(status = answer.status, elapsed_ms, "veriff answered");
        if !answer.is_success() {
            let (status, wait) = (answer.status, answer.retry_after);
            return Err(error_from_response(&inner.name, status, wait, &answer.body));
        }
        Ok(answer)
    }

    /// The body Veriff would receive for `request` (`POST /v1/sessions`), after every check.
    /// Nothing is sent; [`create_session`](VerificationSession::create_session) is this, one
    /// signed POST, and [`decode`](Self::decode).
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`.
    pub fn encode(&self, request: &SessionRequest) -> Result<Vec<u8>, Error> {
        let options = self.prepare(request)?;
        serde_json::to_vec(&CreateSession::new(request, &options)).map_err(|_| {
            Error::config(&self.inner.name, "the request body could not be serialized")
        })
    }

    /// The normalized session from Veriff's success answer (`status`, `body`) to `request`,
    /// created at `created_at`.
    ///
    /// # Errors
    /// `Decode` when the answer is not the documented one.
    pub fn decode(
        &self,
        request: &SessionRequest,
        status: u16,
        body: &[u8],
        created_at: chrono::DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = &self.inner.name;
        let created: CreateSessionResponse =
            serde_json::from_slice(body).map_err(|e| undecodable(name, status, &e))?;
        let created = created.verification;
        if created.id.trim().is_empty() {
            return Err(Error::decode(name, status, "empty verification.id"));
        }
        // A plain-http link (off loopback) would expose the session token.
        let url = trusted_link(&created.url)
            .ok_or_else(|| Error::decode(name, status, "verification.url is not an https URL"))?;
        // The echoed vendorData is the client id; the request's stands in when it is missing.
        let client_id = match created.vendor_data.map(ClientId::new) {
            Some(Ok(echoed)) if echoed == request.client_id => echoed,
            Some(_) => {
                tracing::warn!("veriff echoed another vendorData than the request's clientId");
                request.client_id.clone()
            }
            None => request.client_id.clone(),
        };
        let mut session =
            Session::new(name, created.id, url, client_id).with_created_at(created_at);
        session.token = created.session_token.map(SecretString::from);
        // Sessions end 7 days after creation unless decided (reference/veriff.md §8).
        session.expires_at = seconds_after(created_at, SESSION_LIFETIME.as_secs());
        if let Some(host) = created.host.or(created.base_url) {
            session = session.with_vendor_field("host", host);
        }
        Ok(session)
    }
}

/// A header value reqwest keeps out of its `Debug` output.
pub(crate) fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| Error::config(PROVIDER, "the API key is not a valid header value"))?;
    header.set_sensitive(true);
    Ok(header)
}

impl fmt::Debug for Veriff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Veriff")
            .field("name", &self.inner.name)
            .field("base_url", &self.inner.base_url.as_str())
            .field("signs_requests", &!self.inner.shared_secrets.is_empty())
            .field("integration_id", &self.inner.integration_id)
            .finish_non_exhaustive()
    }
}

impl VeriffBuilder {
    /// Reads the configuration from environment variables, given as a list so it can be tested
    /// without touching the process environment:
    ///
    /// | variable | |
    /// |---|---|
    /// | `VERIFF_API_KEY` | required (a UUID) |
    /// | `VERIFF_SHARED_SECRET` | optional; several, separated by commas, for rotation (the first signs) |
    /// | `VERIFF_BASE_URL` | optional, default `https://stationapi.veriff.com` |
    /// | `VERIFF_INTEGRATION_ID` | optional, sent as `vrf-integration-id` |
    ///
    /// ```
    /// use kyc_veriff::VeriffBuilder;
    /// let vars = [("VERIFF_API_KEY", "3fa85f64-5717-4562-b3fc-2c963f66afa6")];
    /// let veriff = VeriffBuilder::from_vars(vars)?.build()?;
    /// assert_eq!(veriff.base_url().as_str(), "https://stationapi.veriff.com/");
    /// # Ok::<(), kyc_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming a missing or empty variable.
    pub fn from_vars<I, K, V>(vars: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let vars = Vars::pick(
            PROVIDER,
            ["VERIFF_API_KEY", "VERIFF_SHARED_SECRET", "VERIFF_BASE_URL", "VERIFF_INTEGRATION_ID"],
            vars,
        );
        let mut builder = Veriff::builder(vars.required("VERIFF_API_KEY")?);
        for secret in vars.optional("VERIFF_SHARED_SECRET").iter().flat_map(|s| s.split(',')) {
            if !secret.trim().is_empty() {
                builder = builder.with_shared_secret(secret.trim().to_owned());
            }
        }
        if let Some(url) = vars.optional("VERIFF_BASE_URL") {
            builder = builder.with_base_url(url);
        }
        if let Some(id) = vars.optional("VERIFF_INTEGRATION_ID") {
            builder = builder.with_integration_id(id);
        }
        Ok(builder)
    }

    /// [`from_vars`](Self::from_vars) over the process environment.
    ///
    /// # Errors
    /// As [`from_vars`](Self::from_vars).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(std::env::vars())
    }

    /// Adds a shared secret key. The first one signs requests (`X-HMAC-SIGNATURE`); all of them
    /// are accepted when verifying Veriff's signatures, so keys can be rotated.
    pub fn with_shared_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.shared_secrets.push(secret.into());
        self
    }

    /// Sends requests to `url` (the integration's API URL from Veriff's Customer Portal, a
    /// proxy, the emulator); `/v1/...` is appended to its path. Plain `http://` is accepted for
    /// loopback hosts only.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Accepts webhooks without a valid signature. Dangerous: anyone who finds the endpoint can
    /// then forge decisions. Only for local experiments without a shared secret.
    pub fn dangerously_accept_unsigned_webhooks(mut self) -> Self {
        self.accept_unsigned_webhooks = true;
        self
    }

    /// Sends `vrf-integration-id` (needed with Veriff's "flexible API keys").
    pub fn with_integration_id(mut self, id: impl Into<String>) -> Self {
        self.integration_id = Some(id.into());
        self
    }

    /// The whole request's deadline, answer included (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The deadline for connecting (default 10 s). Failing to connect means nothing was sent.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Options every request starts from; a request's own options override them key by key.
    pub fn with_default_options(mut self, options: VeriffOptions) -> Self {
        self.defaults = options;
        self
    }

    /// Names this provider in sessions and errors (default `veriff`), to tell two Veriff
    /// integrations apart. Per-request options stay under the `veriff` key.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an API key that is not a UUID
    /// (Veriff's code 1802), an empty shared secret, a base URL that is not https (or http on
    /// loopback), or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Veriff, Error> {
        let name = self.name;
        if name.trim().is_empty() {
            return Err(Error::config(PROVIDER, "the provider name is empty"));
        }
        if !kyc_core::is_uuid(self.api_key.expose_secret().trim()) {
            return Err(Error::config(&name, "the API key is not a UUID"));
        }
        if self.shared_secrets.iter().any(|s| s.expose_secret().trim().is_empty()) {
            return Err(Error::config(&name, "a shared secret is empty"));
        }
        if let Some(id) = &self.integration_id
            && (id.trim().is_empty() || HeaderValue::from_str(id).is_err())
        {
            return Err(Error::config(&name, "the integration id is not a valid header value"));
        }
        let base_url = parse_base_url(&name, "base URL", &self.base_url)?;
        let user_agent = concat!("kyc-veriff/", env!("CARGO_PKG_VERSION"));
        let http = kyc_core::http::client(&name, user_agent, self.timeout, self.connect_timeout)?;
        let capabilities = capabilities(&name);
        let api_key = SecretString::from(self.api_key.expose_secret().trim().to_owned());
        Ok(Veriff {
            inner: Arc::new(Inner {
                name,
                http,
                base_url,
                api_key,
                shared_secrets: self.shared_secrets,
                integration_id: self.integration_id,
                defaults: self.defaults,
                capabilities,
                accept_unsigned_webhooks: self.accept_unsigned_webhooks,
            }),
        })
    }
}

impl fmt::Debug for VeriffBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VeriffBuilder")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("shared_secrets", &self.shared_secrets.len())
            .field("integration_id", &self.integration_id)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}
