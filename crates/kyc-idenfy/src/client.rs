//! The iDenfy client: configuration, and one async call per endpoint.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc_adapter::config::Vars;
use kyc_adapter::decode::{seconds_after, undecodable};
use kyc_adapter::http::{basic_authorization, parse_base_url, trusted_link};
use kyc_adapter::{ErrorExt, Findings, HttpClient, Settings, preflight};
use kyc_core::{
    Capabilities, Error, FieldError, Session, SessionRef, SessionRequest, VerificationKind,
    VerificationSession,
};

use crate::error::{Call, error_from_response};
use crate::options::IdenfyOptions;
use crate::results::{IdenfyWebhooks, WEBHOOK_KEY_VAR};
use crate::wire::{self, KybTokenRequest, KybTokenResponse, TokenRequest, TokenResponse};
use crate::{PROVIDER, capabilities};

/// iDenfy's API host; every environment (DEV, DEMO, TEST, PROD) is served there, the key pair
/// picks the environment.
pub const DEFAULT_BASE_URL: &str = "https://ivs.idenfy.com";

/// The KYB UI, which takes the token in `authToken`
/// (<https://documentation.idenfy.com/kyb/generate-token>).
pub const DEFAULT_KYB_UI_URL: &str = "https://kyb.ui.idenfy.com/welcome";

/// Where identity tokens are made (<https://documentation.idenfy.com/kyc/generate-token>).
const TOKEN_PATH: &str = "/api/v2/token";

/// Where KYB tokens are made (<https://documentation.idenfy.com/kyb/generate-token>).
const KYB_TOKEN_PATH: &str = "/kyb/tokens/";

/// `expiryTime` defaults to 86400 seconds (<https://documentation.idenfy.com/kyc/generate-token>).
const DEFAULT_EXPIRY_TIME: u64 = 86_400;

/// OpenAPI `KybFormTokenRequest.lifetime`: defaults to 3600 seconds.
const DEFAULT_KYB_LIFETIME: u64 = 3_600;

/// A client for iDenfy's identity (KYC) and business (KYB) verification tokens.
///
/// Cheap to clone: clones share one connection pool. Build one with [`Idenfy::new`],
/// [`Idenfy::builder`] or [`Idenfy::from_env`].
///
/// ```no_run
/// use kyc_core::{ClientId, SessionRequest, VerificationSession};
/// use kyc_idenfy::Idenfy;
///
/// # async fn run() -> Result<(), kyc_core::Error> {
/// let idenfy = Idenfy::from_env()?; // IDENFY_API_KEY, IDENFY_API_SECRET
/// let session = idenfy.create_session(&SessionRequest::new(ClientId::new("user-1")?)).await?;
/// println!("{}", session.url);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Idenfy {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    kyb_ui_url: Url,
    /// Basic authentication with the key pair, built once.
    authorization: HeaderValue,
    defaults: IdenfyOptions,
    capabilities: Capabilities,
    pub(crate) webhooks: IdenfyWebhooks,
    pub(crate) polls: crate::results::PollGuard,
}

/// Configuration for [`Idenfy`]; nothing is checked until [`build`](Self::build).
#[derive(Clone)]
pub struct IdenfyBuilder {
    settings: Settings<IdenfyOptions>,
    api_key: SecretString,
    api_secret: SecretString,
    kyb_ui_url: String,
    min_poll_interval: Duration,
}

kyc_adapter::builder_settings!(IdenfyBuilder, IdenfyOptions);

impl Idenfy {
    /// A client with the default settings.
    ///
    /// # Errors
    /// As [`IdenfyBuilder::build`].
    pub fn new(
        api_key: impl Into<SecretString>,
        api_secret: impl Into<SecretString>,
    ) -> Result<Self, Error> {
        Self::builder(api_key, api_secret).build()
    }

    /// A builder, for a base URL (a proxy, the emulator), timeouts or default options.
    pub fn builder(
        api_key: impl Into<SecretString>,
        api_secret: impl Into<SecretString>,
    ) -> IdenfyBuilder {
        IdenfyBuilder {
            settings: Settings::new(PROVIDER, DEFAULT_BASE_URL),
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            kyb_ui_url: DEFAULT_KYB_UI_URL.to_owned(),
            min_poll_interval: crate::results::DEFAULT_MIN_POLL_INTERVAL,
        }
    }

    /// A client configured from the process environment (see [`IdenfyBuilder::from_vars`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming the variable that is missing
    /// or wrong.
    pub fn from_env() -> Result<Self, Error> {
        IdenfyBuilder::from_vars(std::env::vars())?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        self.inner.http.base_url()
    }

    /// This client's webhook verifier (the same as one built from the signing keys alone).
    pub fn webhooks(&self) -> &IdenfyWebhooks {
        &self.inner.webhooks
    }

    /// The options every request starts from.
    pub fn default_options(&self) -> &IdenfyOptions {
        &self.inner.defaults
    }

    /// Checks `request` and resolves its options, sending nothing.
    fn prepare(&self, request: &SessionRequest) -> Result<IdenfyOptions, Error> {
        let inner = &*self.inner;
        preflight(inner.http.name(), &inner.capabilities, request, &inner.defaults, |options| {
            Findings::new(wire::option_conflicts(request, options), wire::value_rules(request))
        })
    }

    /// `{method} {base}{path}` with Basic auth and, when there is one, a JSON `body`: the one
    /// place every call to iDenfy is sent from. The status and body of a 2xx answer, or the
    /// neutral error for `call`. One request, never retried.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        call: Call,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), Error> {
        let inner = &*self.inner;
        let http = &inner.http;
        // The Authorization header is marked sensitive, so it never appears in reqwest's Debug
        // output or logs.
        let mut request = http
            .request(method, http.endpoint(path))
            .header(AUTHORIZATION, inner.authorization.clone())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let answer = http
            .exchange(request, |answer| {
                let (status, wait) = (answer.status, answer.retry_after);
                error_from_response(http.name(), call, status, wait, &answer.body)
            })
            .await?;
        Ok((answer.status, answer.body))
    }

    /// What iDenfy would receive for `request`, after every check: the endpoint's path
    /// (`/api/v2/token`, or `/kyb/tokens/` for a business request) and the JSON body. Nothing is
    /// sent; [`create_session`](VerificationSession::create_session) is this, one POST, and
    /// [`decode`](Self::decode).
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`.
    pub fn encode(&self, request: &SessionRequest) -> Result<(&'static str, Vec<u8>), Error> {
        let options = self.prepare(request)?;
        let name = self.inner.http.name();
        let serialized = match request.kind {
            VerificationKind::Business => {
                (KYB_TOKEN_PATH, serde_json::to_vec(&KybTokenRequest::new(request, &options)))
            }
            _ => (TOKEN_PATH, serde_json::to_vec(&TokenRequest::new(request, &options))),
        };
        match serialized {
            (path, Ok(body)) => Ok((path, body)),
            (_, Err(_)) => Err(Error::config(name, "the request body could not be serialized")),
        }
    }

    /// The normalized session from iDenfy's success answer (`status`, `body`) to `request`,
    /// created at `created_at`.
    ///
    /// A business session is named by the token's `companyId`, the id KYB webhooks and
    /// `GET /kyb/companies/{id}/` use, and has [`kind`](Session::kind) business.
    ///
    /// # Errors
    /// `Decode` when the answer is not the documented one, or a KYB answer has no `companyId`
    /// (the token exists then: the error's outcome says a session may have been created).
    pub fn decode(
        &self,
        request: &SessionRequest,
        status: u16,
        body: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        match request.kind {
            VerificationKind::Business => self.business_session(request, status, body, created_at),
            _ => self.identity_session(request, status, body, created_at),
        }
    }

    fn identity_session(
        &self,
        request: &SessionRequest,
        status: u16,
        body: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = self.inner.http.name();
        let token: TokenResponse =
            serde_json::from_slice(body).map_err(|e| undecodable(name, status, &e))?;
        if token.scan_ref.trim().is_empty() || token.auth_token.trim().is_empty() {
            return Err(Error::decode(name, status, "empty scanRef or authToken"));
        }
        warn_on_other_client(token.client_id.as_deref(), request);
        // A plain-http link (off loopback) would expose the token: build the documented one.
        let url = token
            .redirect_url
            .as_deref()
            .and_then(trusted_link)
            .unwrap_or_else(|| self.redirect_url(&token.auth_token));
        let validity = token
            .expiry_time
            .or(request.link_validity.map(|d| d.as_secs()))
            .unwrap_or(DEFAULT_EXPIRY_TIME);
        let mut session = Session::new(name, token.scan_ref, url, request.client_id.clone())
            .with_token(SecretString::from(token.auth_token))
            .with_created_at(created_at);
        session.expires_at = seconds_after(created_at, validity);
        if let Some(digits) = token.digit_string {
            session = session.with_vendor_field("digitString", digits);
        }
        Ok(session)
    }

    fn business_session(
        &self,
        request: &SessionRequest,
        status: u16,
        body: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = self.inner.http.name();
        let token: KybTokenResponse =
            serde_json::from_slice(body).map_err(|e| undecodable(name, status, &e))?;
        if token.token_string.trim().is_empty() {
            return Err(Error::decode(name, status, "empty tokenString"));
        }
        warn_on_other_client(token.client_id.as_deref(), request);
        // The company is what KYB webhooks and `/kyb/companies/{id}/` name, so it is the
        // session's id; the token is a secret and names nothing else. Without it the session
        // exists (and cost a credit) but could never be matched to a result: a decode error,
        // whose outcome says a session may exist.
        let Some(id) = token.company_id.filter(|id| !id.trim().is_empty()) else {
            return Err(Error::decode(
                name,
                status,
                "no companyId: a KYB token was created, but without the company it verifies",
            ));
        };
        let mut url = self.inner.kyb_ui_url.clone();
        url.query_pairs_mut().append_pair("authToken", &token.token_string);
        let mut session = Session::new(name, id, url, request.client_id.clone())
            .with_kind(VerificationKind::Business)
            .with_token(SecretString::from(token.token_string))
            .with_created_at(created_at);
        let lifetime = request.link_validity.map_or(DEFAULT_KYB_LIFETIME, |d| d.as_secs());
        session.expires_at = token.expiration.or_else(|| seconds_after(created_at, lifetime));
        Ok(session)
    }

    /// `{base}/api/v2/redirect?authToken=…`, for answers without `redirectUrl` (the examples of
    /// the older token reference,
    /// <https://documentation.idenfy.com/API/GeneratingIdentificationToken>, have none;
    /// <https://documentation.idenfy.com/kyc/iframe-redirect>).
    fn redirect_url(&self, auth_token: &str) -> Url {
        let mut url = self.inner.http.endpoint("/api/v2/redirect");
        url.query_pairs_mut().append_pair("authToken", auth_token);
        url
    }
}

#[async_trait]
impl VerificationSession for Idenfy {
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

    /// Identity requests go to `POST /api/v2/token`, business requests to
    /// `POST /kyb/tokens/`. One request at most, never retried: every token costs a credit.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let span = tracing::info_span!(
            "kyc.create_session",
            provider = %self.inner.http.name(),
            kind = %request.kind,
        );
        async {
            let (path, body) = self.encode(request)?;
            let created_at = Utc::now();
            let call = Call::Create(request.kind);
            let (status, answer) = self.send(Method::POST, path, call, Some(body)).await?;
            self.decode(request, status, &answer, created_at)
        }
        .instrument(span)
        .await
    }
}

impl fmt::Debug for Idenfy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Idenfy")
            .field("name", &self.inner.http.name())
            .field("base_url", &self.base_url().as_str())
            .field("kyb_ui_url", &self.inner.kyb_ui_url.as_str())
            .finish_non_exhaustive()
    }
}

impl IdenfyBuilder {
    /// Reads the configuration from environment variables, given as a list so it can be tested
    /// without touching the process environment:
    ///
    /// | variable | |
    /// |---|---|
    /// | `IDENFY_API_KEY` | required |
    /// | `IDENFY_API_SECRET` | required |
    /// | `IDENFY_BASE_URL` | optional, default `https://ivs.idenfy.com` |
    /// | `IDENFY_KYB_UI_URL` | optional, default `https://kyb.ui.idenfy.com/welcome` |
    /// | `IDENFY_WEBHOOK_KEY` | optional; webhook signing keys, separated by commas |
    ///
    /// ```
    /// use kyc_idenfy::IdenfyBuilder;
    /// let vars = [("IDENFY_API_KEY", "key"), ("IDENFY_API_SECRET", "secret")];
    /// let idenfy = IdenfyBuilder::from_vars(vars)?.build()?;
    /// assert_eq!(idenfy.base_url().as_str(), "https://ivs.idenfy.com/");
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
            [
                "IDENFY_API_KEY",
                "IDENFY_API_SECRET",
                "IDENFY_BASE_URL",
                "IDENFY_KYB_UI_URL",
                WEBHOOK_KEY_VAR,
            ],
            vars,
        );
        let mut builder =
            Idenfy::builder(vars.required("IDENFY_API_KEY")?, vars.required("IDENFY_API_SECRET")?);
        builder.settings.read_vars(&vars, "IDENFY_BASE_URL", WEBHOOK_KEY_VAR);
        if let Some(url) = vars.optional("IDENFY_KYB_UI_URL") {
            builder = builder.with_kyb_ui_url(url);
        }
        Ok(builder)
    }

    /// Builds KYB links on `url` instead of `https://kyb.ui.idenfy.com/welcome`.
    pub fn with_kyb_ui_url(mut self, url: impl Into<String>) -> Self {
        self.kyb_ui_url = url.into();
        self
    }

    /// Adds a webhook signing key (Dashboard → Settings → Notifications → Headers → Signing
    /// key; accounts from before 2022 sign with the API secret). Every key added is accepted, so
    /// keys can be rotated.
    pub fn with_webhook_key(mut self, key: impl Into<SecretString>) -> Self {
        self.settings.webhooks = self.settings.webhooks.with_key(key);
        self
    }

    /// The shortest time between two status polls of one session (default 60 s): iDenfy
    /// "does not support regular polling and may restrict your access".
    pub fn with_min_poll_interval(mut self, interval: Duration) -> Self {
        self.min_poll_interval = interval;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an empty key or secret, a key with
    /// `:` (it cannot travel in Basic auth), a base URL that is not https (or http on
    /// loopback), or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Idenfy, Error> {
        let name = &self.settings.name;
        for (what, value) in [("API key", &self.api_key), ("API secret", &self.api_secret)] {
            let value = value.expose_secret();
            if value.trim().is_empty() {
                return Err(Error::config(name, format!("the {what} is empty")));
            }
            if value.chars().any(char::is_control) {
                return Err(Error::config(name, format!("the {what} has control characters")));
            }
        }
        if self.api_key.expose_secret().contains(':') {
            return Err(Error::config(name, "the API key must not contain ':'"));
        }
        let http = self
            .settings
            .http_client(concat!("kyc-idenfy/", env!("CARGO_PKG_VERSION")))?
            .with_endpoints(&[TOKEN_PATH, KYB_TOKEN_PATH]);
        let kyb_ui_url = parse_base_url(http.name(), "KYB UI URL", &self.kyb_ui_url)?;
        let authorization = basic_authorization(
            http.name(),
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
        )?;
        Ok(Idenfy {
            inner: Arc::new(Inner {
                kyb_ui_url,
                authorization,
                capabilities: capabilities(),
                webhooks: IdenfyWebhooks::from_keys(self.settings.webhook_keys()),
                defaults: self.settings.defaults,
                polls: crate::results::PollGuard::new(self.min_poll_interval),
                http,
            }),
        })
    }
}

impl fmt::Debug for IdenfyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdenfyBuilder")
            .field("settings", &self.settings)
            .field("kyb_ui_url", &kyc_adapter::settings::printable_url(&self.kyb_ui_url))
            .finish_non_exhaustive()
    }
}

/// `session`'s id, once it is one iDenfy could have issued. It travels in a URL path
/// (`/kyb/companies/{id}/`) or a body: iDenfy's ids are UUIDs and alphanumerics, so one outside
/// RFC 3986's unreserved characters (`/`, `?`, `%`...), or a dot segment, is a caller's mistake
/// that could send the request elsewhere. Refused before sending.
pub(crate) fn checked_id(session: &SessionRef) -> Result<&str, Error> {
    let id = session.id.as_str();
    let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    if id.is_empty() || id == "." || id == ".." || !id.chars().all(unreserved) {
        return Err(Error::invalid_request(vec![FieldError::new(
            "sessionId",
            "must be an iDenfy id: letters, digits, '-', '_', '.' and '~' only",
        )]));
    }
    Ok(id)
}

/// iDenfy echoes the client id; another one means a misrouted answer worth a log line. The
/// request's id stays the truth (no id is printed: it may be personal).
fn warn_on_other_client(echoed: Option<&str>, request: &SessionRequest) {
    if echoed.is_some_and(|echoed| echoed != request.client_id.as_str()) {
        tracing::warn!("idenfy echoed another clientId than the request's");
    }
}
