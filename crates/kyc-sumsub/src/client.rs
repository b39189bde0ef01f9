//! The Sumsub client: configuration, request signing, and the `websdkLink` call.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc_adapter::config::Vars;
use kyc_adapter::decode::{seconds_after, undecodable};
use kyc_adapter::http::{Answer, sensitive_header, trusted_link};
use kyc_adapter::{ErrorExt, Findings, HttpClient, Settings, preflight};
use kyc_core::{
    Capabilities, Error, Feature, FieldError, Session, SessionRef, SessionRequest,
    VerificationKind, VerificationSession,
};

use crate::error::error_from_response;
use crate::options::SumsubOptions;
use crate::results::{SumsubWebhooks, WEBHOOK_SECRET_VAR};
use crate::signature::signature;
use crate::wire::{self, ApplicantIdentifiers, Redirect, WebsdkLink, WebsdkLinkAnswer};
use crate::{DEFAULT_LINK_VALIDITY, PROVIDER, capabilities_for};

/// Sumsub's one API host, for sandbox and production alike: the app token decides which
/// (<https://docs.sumsub.com/reference/authentication>).
pub const DEFAULT_BASE_URL: &str = "https://api.sumsub.com";

/// The level a client verifies identities against unless told otherwise: the name of the level
/// a new Sumsub account starts with (<https://docs.sumsub.com/reference/generate-access-token>).
pub const DEFAULT_LEVEL: &str = "basic-kyc-level";

const APP_TOKEN: HeaderName = HeaderName::from_static("x-app-token");
const ACCESS_TS: HeaderName = HeaderName::from_static("x-app-access-ts");
const ACCESS_SIG: HeaderName = HeaderName::from_static("x-app-access-sig");

/// The path of the link call: the level travels in the body, so `-` stands in for it
/// (<https://docs.sumsub.com/reference/generate-websdk-external-link>).
const WEBSDK_LINK: &str = "/resources/sdkIntegrations/levels/-/websdkLink";

/// A client for Sumsub's hosted verification links.
///
/// Cheap to clone: clones share one connection pool. Build one with [`Sumsub::builder`] or
/// [`Sumsub::from_env`].
///
/// ```no_run
/// use kyc_core::{ClientId, SessionRequest, VerificationSession};
/// use kyc_sumsub::Sumsub;
///
/// # async fn run() -> Result<(), kyc_core::Error> {
/// let sumsub = Sumsub::from_env()?; // SUMSUB_APP_TOKEN, SUMSUB_SECRET_KEY, SUMSUB_LEVEL_NAME, ...
/// let session = sumsub.create_session(&SessionRequest::new(ClientId::new("user-1")?)).await?;
/// println!("{}", session.url);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Sumsub {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    /// `X-App-Token`, built once.
    app_token: HeaderValue,
    sandbox: bool,
    secret_key: SecretString,
    level: String,
    kyb_level: Option<String>,
    defaults: SumsubOptions,
    capabilities: Capabilities,
    pub(crate) webhooks: SumsubWebhooks,
}

/// Configuration for [`Sumsub`]; nothing is checked until [`build`](Self::build).
#[derive(Clone)]
pub struct SumsubBuilder {
    /// The webhook keys are the webhook secrets (set per webhook in the dashboard, not per
    /// app token).
    settings: Settings<SumsubOptions>,
    app_token: SecretString,
    secret_key: SecretString,
    level: String,
    kyb_level: Option<String>,
    allow_sha1_webhooks: bool,
}

kyc_adapter::builder_settings!(SumsubBuilder, SumsubOptions);

impl Sumsub {
    /// A builder for the app token and its secret key (Dev space → App Tokens), verifying
    /// identities against [`DEFAULT_LEVEL`] until [`with_level`](SumsubBuilder::with_level)
    /// says otherwise.
    pub fn builder(
        app_token: impl Into<SecretString>,
        secret_key: impl Into<SecretString>,
    ) -> SumsubBuilder {
        SumsubBuilder {
            settings: Settings::new(PROVIDER, DEFAULT_BASE_URL),
            app_token: app_token.into(),
            secret_key: secret_key.into(),
            level: DEFAULT_LEVEL.to_owned(),
            kyb_level: None,
            allow_sha1_webhooks: false,
        }
    }

    /// A client configured from the process environment (see [`SumsubBuilder::from_vars`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming the variable that is missing
    /// or wrong.
    pub fn from_env() -> Result<Self, Error> {
        SumsubBuilder::from_env()?.build()
    }

    /// The base URL requests go to (`/resources/...` is appended to it).
    pub fn base_url(&self) -> &Url {
        self.inner.http.base_url()
    }

    /// The level identity sessions are verified against.
    pub fn level(&self) -> &str {
        &self.inner.level
    }

    /// The level business sessions are verified against, when one is configured.
    pub fn kyb_level(&self) -> Option<&str> {
        self.inner.kyb_level.as_deref()
    }

    /// Whether the app token is a sandbox token (`sbx:...`,
    /// <https://docs.sumsub.com/docs/app-tokens>).
    pub fn is_sandbox(&self) -> bool {
        self.inner.sandbox
    }

    /// This client's webhook verifier (the same as one built from the webhook secrets alone).
    pub fn webhooks(&self) -> &SumsubWebhooks {
        &self.inner.webhooks
    }

    /// The options every request starts from.
    pub fn default_options(&self) -> &SumsubOptions {
        &self.inner.defaults
    }

    /// Checks `request` and resolves its options, sending nothing.
    fn prepare(&self, request: &SessionRequest) -> Result<SumsubOptions, Error> {
        let inner = &*self.inner;
        preflight(inner.http.name(), &inner.capabilities, request, &inner.defaults, |_| {
            Findings::default()
        })
    }

    /// The level `request` is verified against: its options' `levelName`, else the configured
    /// level of its kind.
    fn level_for<'a>(&'a self, request: &SessionRequest, options: &'a SumsubOptions) -> &'a str {
        if let Some(level) = &options.level_name {
            return level;
        }
        match request.kind {
            VerificationKind::Business => self.inner.kyb_level.as_deref().unwrap_or_default(),
            _ => &self.inner.level,
        }
    }

    /// The URL (with its query) and the exact body Sumsub would receive for `request`
    /// (`POST /resources/sdkIntegrations/levels/-/websdkLink`), after every check. Nothing is
    /// sent; [`create_session`](VerificationSession::create_session) is this, one signed POST,
    /// and [`decode`](Self::decode).
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`.
    pub fn encode(&self, request: &SessionRequest) -> Result<(Url, Vec<u8>), Error> {
        self.encode_with_options(request).map(|(url, body, _)| (url, body))
    }

    /// [`encode`](Self::encode), and the options it resolved (for [`Self::session_from`]).
    fn encode_with_options(
        &self,
        request: &SessionRequest,
    ) -> Result<(Url, Vec<u8>, SumsubOptions), Error> {
        let options = self.prepare(request)?;
        let name = self.inner.http.name();
        let redirects = &request.redirects;
        let redirect =
            (redirects.success.is_some() || redirects.failure.is_some()).then(|| Redirect {
                success_url: redirects.success.as_ref().map(Url::as_str),
                reject_url: redirects.failure.as_ref().map(Url::as_str),
            });
        let body = WebsdkLink {
            level_name: self.level_for(request, &options),
            user_id: request.client_id.as_str(),
            applicant_identifiers: ApplicantIdentifiers {
                email: request.person.email.as_deref(),
                phone: request.person.phone.as_deref(),
            },
            ttl_in_secs: link_validity(request).as_secs(),
            redirect,
        };
        let body = serde_json::to_vec(&body)
            .map_err(|_| Error::config(name, "the request body could not be serialized"))?;
        let mut url = self.inner.http.endpoint(WEBSDK_LINK);
        let query: Vec<(&str, &str)> = [
            ("lang", request.locale.and_then(wire::lang_code)),
            ("customizationName", options.customization_name.as_deref()),
            ("translationName", options.translation_name.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key, value)))
        .collect();
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok((url, body, options))
    }

    /// The normalized session from Sumsub's success answer (`status`, `body`) to `request`,
    /// created at `created_at`: its id is the request's client id (the `userId` Sumsub keys the
    /// applicant by, and every webhook carries as `externalUserId`), and it expires after the
    /// link validity sent as `ttlInSecs`.
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
        let options =
            kyc_adapter::resolve_options(request, &self.inner.defaults).unwrap_or_default();
        self.session_from(request, &options, status, body, created_at)
    }

    /// [`decode`](Self::decode) with the options `request` resolved to.
    fn session_from(
        &self,
        request: &SessionRequest,
        options: &SumsubOptions,
        status: u16,
        body: &[u8],
        created_at: chrono::DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = self.inner.http.name();
        let answer: WebsdkLinkAnswer =
            serde_json::from_slice(body).map_err(|e| undecodable(name, status, &e))?;
        // A plain-http link (off loopback) would expose the link's token.
        let url = trusted_link(&answer.url)
            .ok_or_else(|| Error::decode(name, status, "url is not an https URL"))?;
        let id = request.client_id.as_str().to_owned();
        let mut session = Session::new(name, id, url, request.client_id.clone())
            .with_kind(request.kind)
            .with_created_at(created_at);
        session.expires_at = seconds_after(created_at, link_validity(request).as_secs());
        let level = self.level_for(request, options).to_owned();
        Ok(session.with_vendor_field("levelName", level))
    }

    /// Sends a request to `url` with `method` and, for a POST, `body` (its exact bytes), signed
    /// as Sumsub requires: `X-App-Token`, `X-App-Access-Ts` (Unix seconds, fresh for every
    /// request) and `X-App-Access-Sig` over the timestamp, the method, the path and query as
    /// sent (a base URL's own path included) and the body. The 2xx answer, or what `refusal`
    /// makes of any other. The one place every call goes through.
    pub(crate) async fn exchange_with(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        refusal: impl FnOnce(&Answer) -> Error,
    ) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let ts = Utc::now().timestamp();
        let sig = signature(
            inner.secret_key.expose_secret().as_bytes(),
            ts,
            method.as_str(),
            &path_and_query,
            body.as_deref().unwrap_or_default(),
        );
        let mut http = inner
            .http
            .request(method, url)
            .header(APP_TOKEN, inner.app_token.clone())
            .header(ACCESS_TS, ts.to_string())
            .header(ACCESS_SIG, sensitive_header(PROVIDER, "the signature", &sig)?)
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            http = http.header(CONTENT_TYPE, "application/json").body(body);
        }
        inner.http.exchange(http, refusal).await
    }

    /// [`exchange_with`](Self::exchange_with) with Sumsub's error table.
    pub(crate) async fn exchange(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Error> {
        let name = self.inner.http.name().to_owned();
        self.exchange_with(method, url, body, |refused| {
            error_from_response(&name, refused.status, refused.retry_after, &refused.body)
        })
        .await
    }

    /// `GET {base}/resources/applicants/-;externalUserId={id}/one` for `session`
    /// (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>), its answer
    /// when the applicant exists, `None` when Sumsub answers that it does not (a 404 in
    /// Sumsub's JSON: the link was not opened yet). The id is percent-encoded (every byte but
    /// letters, digits and `-._~`), and signed so, as Sumsub requires.
    pub(crate) async fn applicant(&self, session: &SessionRef) -> Result<Option<Answer>, Error> {
        let inner = &*self.inner;
        let name = inner.http.name().to_owned();
        if session.kind == VerificationKind::Business && inner.kyb_level.is_none() {
            return Err(Error::unsupported(&name, Feature::Kind(session.kind)));
        }
        if session.id.trim().is_empty() {
            let rule = "must be the session's id (the client id it was created for)";
            return Err(Error::invalid_request(vec![FieldError::new("sessionId", rule)]));
        }
        let mut url = inner.http.endpoint("/resources/applicants");
        let path = format!("{}/-;externalUserId={}/one", url.path(), percent_encode(&session.id));
        url.set_path(&path);
        let not_found = AtomicBool::new(false);
        let answer = self
            .exchange_with(Method::GET, url, None, |refused| {
                let (parsed, _) = kyc_adapter::decode::error_body::<wire::ErrorBody>(&refused.body);
                if refused.status == 404
                    && (parsed.code == Some(404) || parsed.description.is_some())
                {
                    not_found.store(true, Ordering::Relaxed);
                }
                error_from_response(&name, refused.status, refused.retry_after, &refused.body)
            })
            .await;
        match answer {
            Ok(answer) => Ok(Some(answer)),
            Err(_) if not_found.load(Ordering::Relaxed) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// The link validity `request` asks for, or the default.
fn link_validity(request: &SessionRequest) -> Duration {
    request.link_validity.unwrap_or(DEFAULT_LINK_VALIDITY)
}

/// `text` percent-encoded for a path: every byte but ASCII letters, digits and `-._~` (RFC 3986
/// unreserved), so `@`, `+`, `;`, `/` and spaces cannot change what the path means.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[async_trait]
impl VerificationSession for Sumsub {
    fn provider(&self) -> &str {
        self.inner.http.name()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Every check before sending: the neutral rules, the capability table, the options over
    /// this client's defaults.
    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        self.prepare(request).map(drop)
    }

    /// `POST {base}/resources/sdkIntegrations/levels/-/websdkLink`, signed. One request at
    /// most, never retried on its own: Sumsub has no idempotency key (minting another link for
    /// the same `userId` reuses the same applicant, but the caller decides).
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!("kyc.create_session", provider = %inner.http.name());
        async {
            // Serialized once: these exact bytes are signed and sent.
            let (url, body, options) = self.encode_with_options(request)?;
            let created_at = Utc::now();
            let answer = self.exchange(Method::POST, url, Some(body)).await?;
            self.session_from(request, &options, answer.status, &answer.body, created_at)
        }
        .instrument(span)
        .await
    }
}

impl fmt::Debug for Sumsub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sumsub")
            .field("name", &self.inner.http.name())
            .field("base_url", &self.base_url().as_str())
            .field("level", &self.inner.level)
            .field("kyb_level", &self.inner.kyb_level)
            .field("sandbox", &self.is_sandbox())
            .field("webhooks", &self.inner.webhooks)
            .finish_non_exhaustive()
    }
}

impl SumsubBuilder {
    /// Reads the configuration from environment variables, given as a list so it can be tested
    /// without touching the process environment:
    ///
    /// | variable | |
    /// |---|---|
    /// | `SUMSUB_APP_TOKEN` | required (`sbx:...` for the sandbox) |
    /// | `SUMSUB_SECRET_KEY` | required: the app token's secret key |
    /// | `SUMSUB_LEVEL_NAME` | optional, default `basic-kyc-level` |
    /// | `SUMSUB_KYB_LEVEL_NAME` | optional: a company level, for business sessions |
    /// | `SUMSUB_BASE_URL` | optional, default `https://api.sumsub.com` |
    /// | `SUMSUB_WEBHOOK_SECRET` | optional; several, separated by commas, for rotation |
    ///
    /// ```
    /// use kyc_sumsub::SumsubBuilder;
    /// let vars = [("SUMSUB_APP_TOKEN", "sbx:public.private"), ("SUMSUB_SECRET_KEY", "k")];
    /// let sumsub = SumsubBuilder::from_vars(vars)?.build()?;
    /// assert_eq!(sumsub.base_url().as_str(), "https://api.sumsub.com/");
    /// assert_eq!(sumsub.level(), "basic-kyc-level");
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
                "SUMSUB_APP_TOKEN",
                "SUMSUB_SECRET_KEY",
                "SUMSUB_LEVEL_NAME",
                "SUMSUB_KYB_LEVEL_NAME",
                "SUMSUB_BASE_URL",
                WEBHOOK_SECRET_VAR,
            ],
            vars,
        );
        let mut builder = Sumsub::builder(
            vars.required("SUMSUB_APP_TOKEN")?,
            vars.required("SUMSUB_SECRET_KEY")?,
        );
        builder.settings.read_vars(&vars, "SUMSUB_BASE_URL", WEBHOOK_SECRET_VAR);
        if let Some(level) = vars.optional("SUMSUB_LEVEL_NAME") {
            builder = builder.with_level(level.trim());
        }
        if let Some(level) = vars.optional("SUMSUB_KYB_LEVEL_NAME") {
            builder = builder.with_kyb_level(level.trim());
        }
        Ok(builder)
    }

    /// The level identity sessions are verified against (default [`DEFAULT_LEVEL`]).
    /// Case-sensitive; it must exist in the token's environment.
    pub fn with_level(mut self, level: impl Into<String>) -> Self {
        self.level = level.into();
        self
    }

    /// A company level: business (KYB) sessions are offered only with one.
    pub fn with_kyb_level(mut self, level: impl Into<String>) -> Self {
        self.kyb_level = Some(level.into());
        self
    }

    /// Adds a webhook secret (set per webhook in the dashboard's webhook manager); every one
    /// added is accepted, so secrets can be rotated.
    pub fn with_webhook_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.settings.webhooks = self.settings.webhooks.with_key(secret);
        self
    }

    /// Also accepts webhooks signed with legacy `HMAC_SHA1_HEX`, refused by default (see
    /// [`SumsubWebhooks::allow_legacy_sha1`]).
    pub fn allow_legacy_sha1_webhooks(mut self) -> Self {
        self.allow_sha1_webhooks = true;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an empty app token or secret key, an
    /// app token that is not a valid header value, an empty level name or one with surrounding
    /// whitespace, an empty webhook secret, a base URL that is not https (or http on loopback),
    /// or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Sumsub, Error> {
        let name = &self.settings.name;
        let token = self.app_token.expose_secret().trim();
        if token.is_empty() || HeaderValue::from_str(token).is_err() {
            return Err(Error::config(name, "the app token is empty or not a valid header value"));
        }
        // Whitespace pasted into a secret gives 4003 on every call: refused here instead.
        let secret = self.secret_key.expose_secret();
        if secret.trim().is_empty() || secret.trim() != secret {
            return Err(Error::config(name, "the secret key is empty or has surrounding spaces"));
        }
        for (what, level) in [("level", Some(&self.level)), ("KYB level", self.kyb_level.as_ref())]
        {
            if let Some(level) = level
                && (level.trim().is_empty() || level.trim() != level)
            {
                return Err(Error::config(name, format!("the {what} name is empty or padded")));
            }
        }
        let secrets = self.settings.webhooks.keys();
        if secrets.iter().any(|s| s.expose_secret().trim().is_empty()) {
            return Err(Error::config(name, "a webhook secret is empty"));
        }
        let http = self
            .settings
            .http_client(concat!("kyc-sumsub/", env!("CARGO_PKG_VERSION")))?
            .with_endpoints(&[WEBSDK_LINK]);
        let app_token = sensitive_header(name, "the app token", token)?;
        let mut webhooks = SumsubWebhooks::from_keys(self.settings.webhook_keys());
        if self.allow_sha1_webhooks {
            webhooks = webhooks.allow_legacy_sha1();
        }
        Ok(Sumsub {
            inner: Arc::new(Inner {
                app_token,
                sandbox: token.starts_with("sbx:"),
                secret_key: self.secret_key,
                capabilities: capabilities_for(self.kyb_level.is_some()),
                level: self.level,
                kyb_level: self.kyb_level,
                webhooks,
                defaults: self.settings.defaults,
                http,
            }),
        })
    }
}

impl fmt::Debug for SumsubBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SumsubBuilder")
            .field("settings", &self.settings)
            .field("level", &self.level)
            .field("kyb_level", &self.kyb_level)
            .field("webhook_secrets", &self.settings.webhooks.keys().len())
            .field("allow_sha1_webhooks", &self.allow_sha1_webhooks)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_percent_encoded_for_the_path() {
        assert_eq!(percent_encode("user-42"), "user-42");
        assert_eq!(percent_encode("user@example.com"), "user%40example.com");
        assert_eq!(percent_encode("a b+c;d/e=f"), "a%20b%2Bc%3Bd%2Fe%3Df");
        assert_eq!(percent_encode("ū"), "%C5%AB");
        assert_eq!(percent_encode(".."), "..");
    }
}
