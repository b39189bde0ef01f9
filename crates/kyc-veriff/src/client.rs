//! The Veriff client: configuration, and one async call per endpoint.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc_adapter::config::Vars;
use kyc_adapter::decode::{seconds_after, undecodable};
use kyc_adapter::http::{sensitive_header, trusted_link};
use kyc_adapter::webhook::verify_hex_hmac;
use kyc_adapter::{ErrorExt, Findings, HttpClient, Settings, is_uuid, preflight};
use kyc_core::{
    Capabilities, ClientId, Error, Feature, FieldError, Session, SessionRef, SessionRequest,
    VerificationKind, VerificationSession,
};

use crate::error::error_from_response;
use crate::options::VeriffOptions;
use crate::results::{SHARED_SECRET_VAR, VeriffWebhooks};
use crate::signature::signature;
use crate::wire::{self, CreateSession, CreateSessionResponse};
use crate::{PROVIDER, SESSION_LIFETIME, capabilities};

/// The API host of Veriff's legacy documentation, used by most integrations. Newer
/// integrations show their own API URL in Veriff's Customer Portal: pass it to
/// [`VeriffBuilder::with_base_url`].
pub const DEFAULT_BASE_URL: &str = "https://stationapi.veriff.com";

pub(crate) const AUTH_CLIENT: HeaderName = HeaderName::from_static("x-auth-client");
/// Where sessions are made (<https://devdocs.veriff.com/apidocs/v1sessions>).
const SESSIONS_PATH: &str = "/v1/sessions";

pub(crate) const HMAC_SIGNATURE: HeaderName = HeaderName::from_static("x-hmac-signature");
/// The other name Veriff gives its signature
/// (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
const VRF_HMAC_SIGNATURE: HeaderName = HeaderName::from_static("vrf-hmac-signature");
const INTEGRATION_ID: HeaderName = HeaderName::from_static("vrf-integration-id");

/// What a request's `X-HMAC-SIGNATURE` covers: a POST's exact body bytes, or for data retrieval
/// the session id (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
pub(crate) enum Signed<'a> {
    Body(Vec<u8>),
    SessionId(&'a str),
}

/// An answer from Veriff: 2xx, and its signature checked when it carries one.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
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
    pub(crate) http: HttpClient,
    /// `X-AUTH-CLIENT` with the API key, built once.
    api_key: HeaderValue,
    /// Signs requests: the first shared secret, when one is configured.
    pub(crate) signing_secret: Option<SecretString>,
    integration_id: Option<String>,
    defaults: VeriffOptions,
    capabilities: Capabilities,
    pub(crate) webhooks: VeriffWebhooks,
}

/// Configuration for [`Veriff`]; nothing is checked until [`build`](Self::build).
#[derive(Clone)]
pub struct VeriffBuilder {
    /// The shared secrets are its webhook keys: Veriff signs both ways with them.
    settings: Settings<VeriffOptions>,
    api_key: SecretString,
    integration_id: Option<String>,
}

kyc_adapter::builder_settings!(VeriffBuilder, VeriffOptions);

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
            settings: Settings::new(PROVIDER, DEFAULT_BASE_URL),
            api_key: api_key.into(),
            integration_id: None,
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
        self.inner.http.base_url()
    }

    /// This client's webhook verifier (the same as one built from the shared secrets alone).
    pub fn webhooks(&self) -> &VeriffWebhooks {
        &self.inner.webhooks
    }

    /// The options every request starts from.
    pub fn default_options(&self) -> &VeriffOptions {
        &self.inner.defaults
    }

    /// Checks `request` and resolves its options, sending nothing.
    fn prepare(&self, request: &SessionRequest) -> Result<VeriffOptions, Error> {
        let inner = &*self.inner;
        preflight(inner.http.name(), &inner.capabilities, request, &inner.defaults, |options| {
            Findings::new(wire::option_conflicts(request, options), wire::value_rules(request))
        })
    }
}

#[async_trait]
impl VerificationSession for Veriff {
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

    /// `POST {base}/v1/sessions`, signed when a shared secret is configured. One request at
    /// most, never retried: Veriff has no idempotency key and every session may be billed.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!("kyc.create_session", provider = %inner.http.name());
        async {
            // Serialized once: these exact bytes are signed and sent.
            let body = self.encode(request)?;
            let mut http = inner
                .http
                .request(Method::POST, inner.http.endpoint(SESSIONS_PATH))
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
    /// signs); the 2xx answer, its signature checked (see the crate docs), or the neutral error.
    /// The one place every call goes through.
    pub(crate) async fn exchange(
        &self,
        http: reqwest::RequestBuilder,
        signed: Signed<'_>,
    ) -> Result<Reply, Error> {
        let inner = &*self.inner;
        let mut http =
            http.header(AUTH_CLIENT, inner.api_key.clone()).header(ACCEPT, "application/json");
        if let Some(secret) = &inner.signing_secret {
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
        let name = inner.http.name();
        let answer = inner
            .http
            .exchange(http, |refused| {
                error_from_response(name, refused.status, refused.retry_after, &refused.body)
            })
            .await?;
        let signature = [HMAC_SIGNATURE, VRF_HMAC_SIGNATURE]
            .iter()
            .find_map(|header| answer.headers.get(header))
            .map(|value| value.to_str().unwrap_or_default());
        self.check_answer_signature(answer.status, signature, &answer.body)?;
        Ok(Reply { status: answer.status, body: answer.body })
    }

    /// Checks a successful answer's signature, hex HMAC-SHA256 of its raw body, against every
    /// configured shared secret (in constant time, either case), before anything reads it.
    /// Without a secret there is nothing to check with; without a signature the answer is
    /// taken, since Veriff documents signing its answers to signed requests, not every answer
    /// (<https://devdocs.veriff.com/docs/general-faq>). Refusals are not checked: a refusal
    /// cannot make this library act on a forged session, and Veriff's answer to a request
    /// signed with the wrong secret (1818, 1819) must read as the credential problem it is,
    /// not as a forgery.
    fn check_answer_signature(
        &self,
        status: u16,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<(), Error> {
        let name = self.inner.http.name();
        let secrets = self.inner.webhooks.keys().keys();
        if secrets.is_empty() {
            return Ok(());
        }
        let Some(signature) = signature else {
            tracing::debug!(provider = %name, status, "answer without x-hmac-signature, accepted");
            return Ok(());
        };
        let secrets: Vec<&[u8]> = secrets.iter().map(|s| s.expose_secret().as_bytes()).collect();
        match verify_hex_hmac(&secrets, body, signature) {
            true => Ok(()),
            false => Err(Error::invalid_response_signature(name, status)),
        }
    }

    /// `{base}/v1/sessions/{id}` followed by `tail`, for a call about `session` signed with its
    /// id (polling, deleting). Refused before anything is sent: a business session (Veriff
    /// verifies identities only), an id that cannot be one of Veriff's (they are UUIDs, so
    /// never empty and never with a `/`), and a client without a shared secret to sign with.
    pub(crate) fn session_endpoint(
        &self,
        session: &SessionRef,
        tail: &[&str],
    ) -> Result<Url, Error> {
        let inner = &*self.inner;
        let name = inner.http.name();
        if session.kind != VerificationKind::Identity {
            return Err(Error::unsupported(name, Feature::Kind(session.kind)));
        }
        // Veriff's session ids are UUIDs ("UUID v4 which identifies the verification session",
        // https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1); anything else could only
        // reach another endpoint (`..` is a path segment the URL resolves away).
        if !is_uuid(&session.id) {
            let rule = "must be a Veriff session id (a UUID)";
            return Err(Error::invalid_request(vec![FieldError::new("sessionId", rule)]));
        }
        if inner.signing_secret.is_none() {
            return Err(Error::config(
                name,
                "calls about a session are signed: set a shared secret",
            ));
        }
        let mut url = inner.http.endpoint(SESSIONS_PATH);
        url.path_segments_mut()
            .map_err(|()| Error::config(name, "the base URL cannot take a path"))?
            .push(&session.id)
            .extend(tail);
        Ok(url)
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
            Error::config(self.inner.http.name(), "the request body could not be serialized")
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
        let name = self.inner.http.name();
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
        // Sessions end 7 days after creation unless decided
        // (<https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
        session.expires_at = seconds_after(created_at, SESSION_LIFETIME.as_secs());
        if let Some(host) = created.host.or(created.base_url) {
            session = session.with_vendor_field("host", host);
        }
        Ok(session)
    }
}

impl fmt::Debug for Veriff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Veriff")
            .field("name", &self.inner.http.name())
            .field("base_url", &self.base_url().as_str())
            .field("signs_requests", &self.inner.signing_secret.is_some())
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
    pub fn from_vars(
        vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
    ) -> Result<Self, Error> {
        let vars = Vars::pick(
            PROVIDER,
            ["VERIFF_API_KEY", SHARED_SECRET_VAR, "VERIFF_BASE_URL", "VERIFF_INTEGRATION_ID"],
            vars,
        );
        let mut builder = Veriff::builder(vars.required("VERIFF_API_KEY")?);
        builder.settings.read_vars(&vars, "VERIFF_BASE_URL", SHARED_SECRET_VAR);
        if let Some(id) = vars.optional("VERIFF_INTEGRATION_ID") {
            builder = builder.with_integration_id(id);
        }
        Ok(builder)
    }

    /// Adds a shared secret key. The first one signs requests (`X-HMAC-SIGNATURE`); all of them
    /// are accepted when verifying Veriff's signatures, so keys can be rotated.
    pub fn with_shared_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.settings.webhooks = self.settings.webhooks.with_key(secret);
        self
    }

    /// Sends `vrf-integration-id` (needed with Veriff's "flexible API keys").
    pub fn with_integration_id(mut self, id: impl Into<String>) -> Self {
        self.integration_id = Some(id.into());
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an API key that is not a UUID
    /// (Veriff's code 1802), an empty shared secret, a base URL that is not https (or http on
    /// loopback), or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Veriff, Error> {
        let name = &self.settings.name;
        if !is_uuid(self.api_key.expose_secret().trim()) {
            return Err(Error::config(name, "the API key is not a UUID"));
        }
        let secrets = self.settings.webhooks.keys();
        if secrets.iter().any(|s| s.expose_secret().trim().is_empty()) {
            return Err(Error::config(name, "a shared secret is empty"));
        }
        if let Some(id) = &self.integration_id
            && (id.trim().is_empty() || HeaderValue::from_str(id).is_err())
        {
            return Err(Error::config(name, "the integration id is not a valid header value"));
        }
        let http = self
            .settings
            .http_client(concat!("kyc-veriff/", env!("CARGO_PKG_VERSION")))?
            .with_endpoints(&[SESSIONS_PATH]);
        let api_key = sensitive_header(name, "the API key", self.api_key.expose_secret().trim())?;
        Ok(Veriff {
            inner: Arc::new(Inner {
                api_key,
                signing_secret: secrets.first().cloned(),
                integration_id: self.integration_id,
                capabilities: capabilities(),
                webhooks: VeriffWebhooks::from_keys(self.settings.webhook_keys()),
                defaults: self.settings.defaults,
                http,
            }),
        })
    }
}

impl fmt::Debug for VeriffBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VeriffBuilder")
            .field("settings", &self.settings)
            .field("shared_secrets", &self.settings.webhooks.keys().len())
            .field("integration_id", &self.integration_id)
            .finish_non_exhaustive()
    }
}
