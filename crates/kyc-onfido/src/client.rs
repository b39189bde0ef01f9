//! The Onfido client: configuration, the region
//! (<https://documentation.onfido.com/api/latest/#regions>), and a session in two calls, the
//! applicant (<https://documentation.onfido.com/api/latest/#create-applicant>) then the workflow
//! run (<https://documentation.onfido.com/api/latest/#create-workflow-run>), with the cleanup of
//! an applicant whose run was not created.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use kyc_adapter::config::Vars;
use kyc_adapter::decode::{seconds_after, undecodable};
use kyc_adapter::http::{Answer, sensitive_header, trusted_link};
use kyc_adapter::{ErrorExt, Findings, HttpClient, Settings, is_uuid, preflight};
use kyc_core::{
    Capabilities, Error, Feature, FieldError, Leftover, LeftoverState, Session, SessionRef,
    SessionRequest, VerificationSession,
};

use crate::error::{Call, error_from_response};
use crate::options::OnfidoOptions;
use crate::results::{OnfidoWebhooks, WEBHOOK_TOKEN_VAR};
use crate::wire::{self, Applicant, NewApplicant, NewLink, NewWorkflowRun, WorkflowRun};
use crate::{DEFAULT_LINK_VALIDITY, PROVIDER, capabilities};

/// Characters Onfido refuses in a first or last name (`^[^!#$%*=<>;{}"]*$`,
/// <https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/applicants/definitions.yaml>).
pub(crate) const NAME_REFUSES: &[char] =
    &['!', '#', '$', '%', '*', '=', '<', '>', ';', '{', '}', '"'];

/// What Onfido calls the record a failed creation leaves behind.
const APPLICANT: &str = "applicant";

/// Onfido's regions: separate hosts, separate accounts and data
/// (<https://documentation.onfido.com/api/latest/#regions>). A token works in its own region
/// only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, strum::Display, strum::EnumIter)]
#[strum(serialize_all = "lowercase")]
#[non_exhaustive]
pub enum Region {
    /// Europe, `https://api.eu.onfido.com/v3.6` (Onfido's own default).
    #[default]
    Eu,
    /// The United States, `https://api.us.onfido.com/v3.6`.
    Us,
    /// Canada, `https://api.ca.onfido.com/v3.6`.
    Ca,
}

impl Region {
    /// The API root of the region, version included.
    ///
    /// ```
    /// assert_eq!(kyc_onfido::Region::Us.base_url(), "https://api.us.onfido.com/v3.6");
    /// ```
    pub fn base_url(self) -> String {
        format!("https://api.{self}.onfido.com/{API_VERSION}")
    }

    /// The region a token names by its prefix (`api_sandbox_us.`, `api_live_ca.`), when it
    /// names one: Onfido's prefixes "might vary" by region
    /// (<https://developers.onfido.com/guide/get-started-integrating/>); a token without a
    /// region in its prefix says nothing.
    pub fn named_by_token(token: &str) -> Option<Self> {
        let prefix = token.split('.').next()?;
        let region = prefix.strip_prefix("api_sandbox_").or(prefix.strip_prefix("api_live_"))?;
        region.parse().ok()
    }

    /// The region whose API host `url` is, if it is one of Onfido's.
    fn of_host(url: &Url) -> Option<Self> {
        let host = url.host_str()?;
        host.strip_prefix("api.")?.strip_suffix(".onfido.com")?.parse().ok()
    }
}

impl FromStr for Region {
    type Err = Error;

    /// `eu`, `us` or `ca`, in any case.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "eu" => Ok(Self::Eu),
            "us" => Ok(Self::Us),
            "ca" => Ok(Self::Ca),
            _ => Err(Error::config(PROVIDER, "the region must be eu, us or ca")),
        }
    }
}

/// The API version this adapter speaks, part of every base URL.
pub const API_VERSION: &str = "v3.6";

/// A client for Onfido's Studio workflows with hosted links.
///
/// Cheap to clone: clones share one connection pool. Build one with [`Onfido::builder`] or
/// [`Onfido::from_env`].
///
/// ```no_run
/// use kyc_core::{ClientId, Person, SessionRequest, VerificationSession};
/// use kyc_onfido::Onfido;
///
/// # async fn run() -> Result<(), kyc_core::Error> {
/// let onfido = Onfido::from_env()?; // ONFIDO_API_TOKEN, ONFIDO_WORKFLOW_ID, ONFIDO_REGION, ...
/// let request = SessionRequest::new(ClientId::new("user-1")?)
///     .with_person(Person::default().with_first_name("Jane").with_last_name("Doe"));
/// let session = onfido.create_session(&request).await?;
/// println!("{}", session.url);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Onfido {
    pub(crate) inner: Arc<Inner>,
}

/// Applicants (<https://documentation.onfido.com/api/latest/#applicants>).
const APPLICANTS_PATH: &str = "/applicants";

/// Workflow runs (<https://documentation.onfido.com/api/latest/#workflow-runs>).
const WORKFLOW_RUNS_PATH: &str = "/workflow_runs";

pub(crate) struct Inner {
    pub(crate) http: HttpClient,
    /// `Authorization: Token token=…`, built once.
    authorization: HeaderValue,
    sandbox: bool,
    workflow_id: String,
    /// What a 401 names: the configured region, or the base URL when it is not Onfido's.
    region: String,
    defaults: OnfidoOptions,
    capabilities: Capabilities,
    pub(crate) webhooks: OnfidoWebhooks,
}

/// Configuration for [`Onfido`]; nothing is checked until [`build`](Self::build).
#[derive(Clone)]
pub struct OnfidoBuilder {
    /// The webhook keys are the webhook tokens (one per registered webhook).
    settings: Settings<OnfidoOptions>,
    api_token: SecretString,
    workflow_id: String,
    region: Region,
}

kyc_adapter::builder_settings!(OnfidoBuilder, OnfidoOptions);

impl Onfido {
    /// A builder for an API token (Dashboard → Developers → Tokens) and the Studio workflow
    /// every session runs (its id, from the Workflow Builder), in the EU region until
    /// [`with_region`](OnfidoBuilder::with_region) says otherwise.
    pub fn builder(
        api_token: impl Into<SecretString>,
        workflow_id: impl Into<String>,
    ) -> OnfidoBuilder {
        OnfidoBuilder {
            settings: Settings::new(PROVIDER, &Region::Eu.base_url()),
            api_token: api_token.into(),
            workflow_id: workflow_id.into(),
            region: Region::Eu,
        }
    }

    /// A client configured from the process environment (see [`OnfidoBuilder::from_vars`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming the variable that is missing
    /// or wrong.
    pub fn from_env() -> Result<Self, Error> {
        OnfidoBuilder::from_env()?.build()
    }

    /// The API root requests go to (`/applicants`, `/workflow_runs` are appended to it).
    pub fn base_url(&self) -> &Url {
        self.inner.http.base_url()
    }

    /// The Studio workflow sessions run unless a request's options name another.
    pub fn workflow_id(&self) -> &str {
        &self.inner.workflow_id
    }

    /// Whether the API token is a sandbox token (`api_sandbox…`,
    /// <https://developers.onfido.com/guide/get-started-integrating/>).
    pub fn is_sandbox(&self) -> bool {
        self.inner.sandbox
    }

    /// This client's webhook verifier (the same as one built from the webhook tokens alone).
    pub fn webhooks(&self) -> &OnfidoWebhooks {
        &self.inner.webhooks
    }

    /// The options every request starts from.
    pub fn default_options(&self) -> &OnfidoOptions {
        &self.inner.defaults
    }

    /// Checks `request` and resolves its options, sending nothing.
    fn prepare(&self, request: &SessionRequest) -> Result<OnfidoOptions, Error> {
        let inner = &*self.inner;
        preflight(inner.http.name(), &inner.capabilities, request, &inner.defaults, |_| {
            Findings::new(Vec::new(), refused_names(request))
        })
    }

    /// The URL and the exact body of the first call, `POST /applicants`
    /// (<https://documentation.onfido.com/api/latest/#create-applicant>), after every check.
    /// Nothing is sent.
    ///
    /// ```
    /// use kyc_core::{ClientId, Person, SessionRequest};
    /// let onfido = kyc_onfido::Onfido::builder("api_sandbox.token", "b42cf165-031f-4792-a57e-eea4fa10c4e2").build()?;
    /// let request = SessionRequest::new(ClientId::new("user-42")?)
    ///     .with_person(Person::default().with_first_name("Jane").with_last_name("Doe"));
    /// let (url, body) = onfido.encode_applicant(&request)?;
    /// assert_eq!(url.as_str(), "https://api.eu.onfido.com/v3.6/applicants");
    /// assert_eq!(String::from_utf8(body).unwrap(), r#"{"first_name":"Jane","last_name":"Doe"}"#);
    /// # Ok::<(), kyc_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`.
    pub fn encode_applicant(&self, request: &SessionRequest) -> Result<(Url, Vec<u8>), Error> {
        let options = self.prepare(request)?;
        self.applicant_body(request, &options)
    }

    /// The URL and the exact body of the second call, `POST /workflow_runs`
    /// (<https://documentation.onfido.com/api/latest/#create-workflow-run>), for the applicant
    /// `applicant_id`, with the link expiring after the request's link validity from `now`.
    /// Nothing is sent.
    ///
    /// # Errors
    /// As `create_session` before sending: `InvalidRequest`, `Unsupported`.
    pub fn encode_workflow_run(
        &self,
        request: &SessionRequest,
        applicant_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(Url, Vec<u8>), Error> {
        let options = self.prepare(request)?;
        self.run_body(request, &options, applicant_id, now)
    }

    fn applicant_body(
        &self,
        request: &SessionRequest,
        options: &OnfidoOptions,
    ) -> Result<(Url, Vec<u8>), Error> {
        let person = &request.person;
        let body = NewApplicant {
            // Present: the capabilities require them.
            first_name: person.first_name.as_deref().unwrap_or_default(),
            last_name: person.last_name.as_deref().unwrap_or_default(),
            // `NaiveDate`'s display is `%Y-%m-%d` for the years validation lets through
            // (1900 to 9999), without parsing a format string.
            dob: person.date_of_birth.map(|date| date.to_string()),
            email: person.email.as_deref(),
            phone_number: person.phone.as_deref(),
            address: options.address.as_ref().map(Into::into),
            location: options.location.as_ref().map(Into::into),
            consents: &options.consents,
        };
        let body = serde_json::to_vec(&body).map_err(|_| self.unserializable())?;
        Ok((self.inner.http.endpoint(APPLICANTS_PATH), body))
    }

    fn run_body(
        &self,
        request: &SessionRequest,
        options: &OnfidoOptions,
        applicant_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(Url, Vec<u8>), Error> {
        let name = self.inner.http.name();
        let expires_at = seconds_after(now, link_validity(request).as_secs())
            .ok_or_else(|| Error::config(name, "the link expiry is out of range"))?;
        let body = NewWorkflowRun {
            workflow_id: options.workflow_id.as_deref().unwrap_or(&self.inner.workflow_id),
            applicant_id,
            customer_user_id: request.client_id.as_str(),
            tags: &request.tags,
            link: NewLink {
                completed_redirect_url: request.redirects.success.as_ref().map(Url::as_str),
                expired_redirect_url: options.expired_redirect_url.as_deref(),
                expires_at: expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                language: request.locale.and_then(wire::language),
            },
            custom_data: options.custom_data.as_ref(),
        };
        let body = serde_json::to_vec(&body).map_err(|_| self.unserializable())?;
        Ok((self.inner.http.endpoint(WORKFLOW_RUNS_PATH), body))
    }

    fn unserializable(&self) -> Error {
        Error::config(self.inner.http.name(), "the request body could not be serialized")
    }

    /// The normalized session from Onfido's answer (`status`, `body`) to `POST /workflow_runs`
    /// for `request`, made at `created_at`: its id is the workflow run's `id`, its URL and
    /// expiry the run's `link`, its token the run's `sdk_token`; `vendor_fields` hold
    /// `applicantId`, `workflowId` and `dashboardUrl` (the run in Onfido's dashboard).
    ///
    /// # Errors
    /// `Decode` when the answer is not the documented one (no id, no https link).
    pub fn decode(
        &self,
        request: &SessionRequest,
        status: u16,
        body: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let options =
            kyc_adapter::resolve_options(request, &self.inner.defaults).unwrap_or_default();
        self.session_from(request, &options, status, body, created_at)
    }

    /// [`decode`](Self::decode) with the options `request` resolved to.
    fn session_from(
        &self,
        request: &SessionRequest,
        options: &OnfidoOptions,
        status: u16,
        body: &[u8],
        created_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let name = self.inner.http.name();
        let run: WorkflowRun =
            serde_json::from_slice(body).map_err(|e| undecodable(name, status, &e))?;
        let id = run
            .id
            .filter(|id| is_uuid(id))
            .ok_or_else(|| Error::decode(name, status, "id is missing or not a UUID"))?;
        let link = run.link.unwrap_or_default();
        // A plain-http link (off loopback) would expose the hosted page's token.
        let url = link.url.as_deref().and_then(trusted_link).ok_or_else(|| {
            Error::decode(name, status, "link.url is missing or not an https URL")
        })?;
        let mut session = Session::new(name, id, url, request.client_id.clone())
            .with_kind(request.kind)
            .with_created_at(created_at);
        session.expires_at =
            link.expires_at.or_else(|| seconds_after(created_at, link_validity(request).as_secs()));
        if let Some(token) = run.sdk_token.filter(|token| !token.trim().is_empty()) {
            session = session.with_token(SecretString::from(token));
        }
        if let Some(applicant) = run.applicant_id {
            session = session.with_vendor_field("applicantId", applicant);
        }
        if let Some(dashboard) = run.dashboard_url {
            session = session.with_vendor_field("dashboardUrl", dashboard);
        }
        let workflow = options.workflow_id.as_ref().unwrap_or(&self.inner.workflow_id);
        Ok(session.with_vendor_field("workflowId", workflow.clone()))
    }

    /// Sends a request to `url` with `method` and, for a POST, `body` (its exact bytes), with
    /// `Authorization: Token token=…`; the 2xx answer, or Onfido's refusal of `call` mapped
    /// through the error table. The one place every call goes through.
    pub(crate) async fn exchange(
        &self,
        call: Call,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let mut http = inner
            .http
            .request(method, url)
            .header(AUTHORIZATION, inner.authorization.clone())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            http = http.header(CONTENT_TYPE, "application/json").body(body);
        }
        let name = inner.http.name();
        inner
            .http
            .exchange(http, |refused| {
                error_from_response(
                    name,
                    call,
                    &inner.region,
                    refused.status,
                    refused.retry_after,
                    &refused.body,
                )
            })
            .await
    }

    /// The path of `id` under `collection` (`/workflow_runs`), for an id that is a UUID, as
    /// Onfido's ids are: anything else is refused unsent, naming `sessionId`.
    pub(crate) fn path_of(&self, collection: &str, id: &str) -> Result<Url, Error> {
        if !is_uuid(id) {
            let rule = "must be an Onfido workflow run id (a UUID)";
            return Err(Error::invalid_request(vec![FieldError::new("sessionId", rule)]));
        }
        Ok(self.inner.http.endpoint(&format!("{collection}/{id}")))
    }

    /// `GET /workflow_runs/{id}` for `session`: the run, read leniently.
    pub(crate) async fn workflow_run(
        &self,
        session: &SessionRef,
    ) -> Result<(u16, WorkflowRun), Error> {
        let name = self.inner.http.name();
        if session.kind != kyc_core::VerificationKind::Identity {
            return Err(Error::unsupported(name, Feature::Kind(session.kind)));
        }
        let url = self.path_of(WORKFLOW_RUNS_PATH, &session.id)?;
        let answer = self.exchange(Call::ReadRun, Method::GET, url, None).await?;
        let run: WorkflowRun = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(name, answer.status, &e))?;
        // Asked for one run, answered with another: never report (or erase) someone else's.
        if run.id.as_deref().is_some_and(|id| id != session.id) {
            return Err(Error::decode(name, answer.status, "a workflow run with another id"));
        }
        Ok((answer.status, run))
    }

    /// `DELETE /applicants/{id}` (<https://documentation.onfido.com/api/latest/#delete-applicant>):
    /// 204, or 404 for one already gone, is done.
    pub(crate) async fn delete_applicant(&self, applicant_id: &str) -> Result<(), Error> {
        let url = self.path_of(APPLICANTS_PATH, applicant_id)?;
        match self.exchange(Call::DeleteApplicant, Method::DELETE, url, None).await {
            Err(error) if error.http_status() == Some(404) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Whether Onfido lists no workflow run for the applicant
    /// (`GET /workflow_runs?applicant_id=…`, a bare JSON array,
    /// <https://documentation.onfido.com/api/latest/#list-workflow-runs>).
    async fn has_no_run(&self, applicant_id: &str) -> Result<bool, Error> {
        let name = self.inner.http.name();
        let mut url = self.inner.http.endpoint(WORKFLOW_RUNS_PATH);
        url.query_pairs_mut().append_pair("applicant_id", applicant_id);
        let answer = self.exchange(Call::ReadRun, Method::GET, url, None).await?;
        let runs: Vec<serde_json::Value> = serde_json::from_slice(&answer.body)
            .map_err(|e| undecodable(name, answer.status, &e))?;
        Ok(runs.is_empty())
    }

    /// The error of a session whose applicant `applicant_id` was created and whose workflow run
    /// failed with `error`, after cleaning up what can be (the table in the crate docs): the
    /// applicant is deleted when no run exists for it, and kept when one may.
    async fn after_failed_run(&self, error: Error, applicant_id: &str) -> Error {
        let name = self.inner.http.name();
        let leftover = |state| Leftover::new(APPLICANT, applicant_id, state);
        // Answered with a failure (a 500) after which the run may exist: Onfido is asked.
        let error = match (error.outcome().may_have_created_session(), error.http_status()) {
            (true, Some(500..)) => match self.has_no_run(applicant_id).await {
                Ok(true) => error.confirmed_not_created(),
                _ => error,
            },
            _ => error,
        };
        // A timeout, a lost connection, an unreadable success: a run may exist, and deleting
        // its applicant would delete it too.
        if error.outcome().may_have_created_session() {
            tracing::warn!(provider = %name, applicant_id, "workflow run may exist; applicant kept");
            return error.with_leftover(leftover(LeftoverState::Kept));
        }
        match self.delete_applicant(applicant_id).await {
            Ok(()) => {
                tracing::info!(provider = %name, applicant_id, "workflow run not created; applicant deleted");
                error.with_leftover(leftover(LeftoverState::Deleted))
            }
            Err(cleanup) => {
                tracing::warn!(provider = %name, applicant_id, error = %cleanup, "workflow run not created; deleting the applicant failed");
                error.with_leftover(leftover(LeftoverState::deletion_failed(&cleanup)))
            }
        }
    }
}

/// Onfido refuses some characters in names: another provider may take them, so these are
/// refusals (`Unsupported`), not the caller's mistakes. (Missing names are refused by the
/// capabilities, which require them.)
fn refused_names(request: &SessionRequest) -> Vec<FieldError> {
    let person = &request.person;
    [("person.firstName", &person.first_name), ("person.lastName", &person.last_name)]
        .into_iter()
        .filter(|(_, name)| name.as_deref().is_some_and(|name| name.contains(NAME_REFUSES)))
        .map(|(field, _)| {
            FieldError::new(
                field,
                "must not contain any of ! # $ % * = < > ; { } \" (Onfido's rule)",
            )
        })
        .collect()
}

/// The link validity `request` asks for, or the default.
fn link_validity(request: &SessionRequest) -> Duration {
    request.link_validity.unwrap_or(DEFAULT_LINK_VALIDITY)
}

#[async_trait]
impl VerificationSession for Onfido {
    fn provider(&self) -> &str {
        self.inner.http.name()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// Every check before sending: the neutral rules, the capability table, the options over
    /// this client's defaults, Onfido's name rules.
    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        self.prepare(request).map(drop)
    }

    /// `POST /applicants`, then `POST /workflow_runs` with the applicant's id. Each at most
    /// once, never retried on its own: Onfido has no idempotency key. When the second fails,
    /// the error says what exists ([`Error::leftover`]): the crate docs' table.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let inner = &*self.inner;
        let name = inner.http.name();
        let span = tracing::info_span!("kyc.create_session", provider = %name);
        async {
            let options = self.prepare(request)?;
            let (url, body) = self.applicant_body(request, &options)?;
            let answer =
                self.exchange(Call::CreateApplicant, Method::POST, url, Some(body)).await?;
            let applicant: Applicant = serde_json::from_slice(&answer.body)
                .map_err(|e| undecodable(name, answer.status, &e))?;
            // Its id goes into a path (the cleanup's DELETE): a UUID, as Onfido documents.
            if !is_uuid(&applicant.id) {
                return Err(Error::decode(name, answer.status, "id is not a UUID"));
            }
            tracing::debug!(provider = %name, applicant_id = %applicant.id, "applicant created");
            let created_at = Utc::now();
            // Any failure from here on (a run body that cannot be made included: nothing sent,
            // so the applicant is cleaned up as after a refusal) goes through the cleanup.
            let run = async {
                let (url, body) = self.run_body(request, &options, &applicant.id, created_at)?;
                let answer = self.exchange(Call::CreateRun, Method::POST, url, Some(body)).await?;
                self.session_from(request, &options, answer.status, &answer.body, created_at)
            };
            match run.await {
                Ok(session) => Ok(session),
                Err(error) => Err(self.after_failed_run(error, &applicant.id).await),
            }
        }
        .instrument(span)
        .await
    }
}

impl fmt::Debug for Onfido {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Onfido")
            .field("name", &self.inner.http.name())
            .field("base_url", &self.base_url().as_str())
            .field("workflow_id", &self.inner.workflow_id)
            .field("sandbox", &self.is_sandbox())
            .field("webhooks", &self.inner.webhooks)
            .finish_non_exhaustive()
    }
}

impl OnfidoBuilder {
    /// Reads the configuration from environment variables, given as a list so it can be tested
    /// without touching the process environment:
    ///
    /// | variable | |
    /// |---|---|
    /// | `ONFIDO_API_TOKEN` | required |
    /// | `ONFIDO_WORKFLOW_ID` | required: the Studio workflow's id (a UUID) |
    /// | `ONFIDO_REGION` | optional: `eu` (default), `us` or `ca` |
    /// | `ONFIDO_BASE_URL` | optional: the API root, version included (`https://api.eu.onfido.com/v3.6`); wins over the region |
    /// | `ONFIDO_WEBHOOK_TOKEN` | optional; several, separated by commas, for rotation |
    ///
    /// ```
    /// use kyc_onfido::OnfidoBuilder;
    /// let vars = [
    ///     ("ONFIDO_API_TOKEN", "api_sandbox.token"),
    ///     ("ONFIDO_WORKFLOW_ID", "b42cf165-031f-4792-a57e-eea4fa10c4e2"),
    ///     ("ONFIDO_REGION", "us"),
    /// ];
    /// let onfido = OnfidoBuilder::from_vars(vars)?.build()?;
    /// assert_eq!(onfido.base_url().as_str(), "https://api.us.onfido.com/v3.6");
    /// # Ok::<(), kyc_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming a missing or empty variable,
    /// or a region that is not one of Onfido's.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
    ) -> Result<Self, Error> {
        let vars = Vars::pick(
            PROVIDER,
            [
                "ONFIDO_API_TOKEN",
                "ONFIDO_WORKFLOW_ID",
                "ONFIDO_REGION",
                "ONFIDO_BASE_URL",
                WEBHOOK_TOKEN_VAR,
            ],
            vars,
        );
        let mut builder = Onfido::builder(
            vars.required("ONFIDO_API_TOKEN")?,
            vars.required("ONFIDO_WORKFLOW_ID")?.trim(),
        );
        if let Some(region) = vars.optional("ONFIDO_REGION") {
            let region = region
                .parse()
                .map_err(|_| Error::config(PROVIDER, "ONFIDO_REGION must be eu, us or ca"))?;
            builder = builder.with_region(region);
        }
        builder.settings.read_vars(&vars, "ONFIDO_BASE_URL", WEBHOOK_TOKEN_VAR);
        Ok(builder)
    }

    /// The region whose API the client calls (default [`Region::Eu`]): it sets the base URL,
    /// so a later [`with_base_url`](Self::with_base_url) wins over it, and it replaces an
    /// earlier one.
    pub fn with_region(mut self, region: Region) -> Self {
        self.region = region;
        self.settings.base_url = region.base_url();
        self
    }

    /// Adds a webhook token (shown once when a webhook is registered, `POST /webhooks`); every
    /// one added is accepted, so webhooks can be rotated.
    pub fn with_webhook_token(mut self, token: impl Into<SecretString>) -> Self {
        self.settings.webhooks = self.settings.webhooks.with_key(token);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config): an empty API token or one that is
    /// not a valid header value, a token whose prefix names another region than the Onfido
    /// host configured, a workflow id that is not a UUID, an empty webhook token, a base URL
    /// that is not https (or http on loopback), or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Onfido, Error> {
        let name = &self.settings.name;
        let token = self.api_token.expose_secret().trim();
        if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::config(name, "the API token is empty or not a valid header value"));
        }
        if !is_uuid(&self.workflow_id) {
            return Err(Error::config(name, "the workflow id must be a UUID (ONFIDO_WORKFLOW_ID)"));
        }
        if self.settings.webhooks.keys().iter().any(|t| t.expose_secret().trim().is_empty()) {
            return Err(Error::config(name, "a webhook token is empty"));
        }
        let http = self
            .settings
            .http_client(concat!("kyc-onfido/", env!("CARGO_PKG_VERSION")))?
            .with_endpoints(&[APPLICANTS_PATH, WORKFLOW_RUNS_PATH]);
        let authorization =
            sensitive_header(name, "the API token", &format!("Token token={token}"))?;
        let host_region = Region::of_host(http.base_url());
        // Onfido's own host without the version answers 404 to every call.
        if host_region.is_some()
            && http.base_url().path().trim_end_matches('/') != format!("/{API_VERSION}")
        {
            return Err(Error::config(
                name,
                format!("the base URL must be the API root with its version (…/{API_VERSION})"),
            ));
        }
        if let (Some(named), Some(host)) = (Region::named_by_token(token), host_region)
            && named != host
        {
            return Err(Error::config(
                name,
                format!(
                    "the API token is for region {named} (by its prefix), the client for {host}: \
                     set ONFIDO_REGION={named}"
                ),
            ));
        }
        let region = match host_region {
            Some(region) => region.to_string(),
            None => http.base_url().to_string(),
        };
        Ok(Onfido {
            inner: Arc::new(Inner {
                authorization,
                sandbox: token.starts_with("api_sandbox"),
                workflow_id: self.workflow_id,
                region,
                capabilities: capabilities(),
                webhooks: OnfidoWebhooks::from_keys(self.settings.webhook_keys()),
                defaults: self.settings.defaults,
                http,
            }),
        })
    }
}

impl fmt::Debug for OnfidoBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnfidoBuilder")
            .field("settings", &self.settings)
            .field("workflow_id", &self.workflow_id)
            .field("region", &self.region)
            .field("webhook_tokens", &self.settings.webhooks.keys().len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "b42cf165-031f-4792-a57e-eea4fa10c4e2";

    #[test]
    fn regions_have_their_hosts_and_tokens_may_name_one() {
        assert_eq!(Region::Eu.base_url(), "https://api.eu.onfido.com/v3.6");
        assert_eq!(Region::Ca.base_url(), "https://api.ca.onfido.com/v3.6");
        assert_eq!(Region::named_by_token("api_sandbox_us.abc.def"), Some(Region::Us));
        assert_eq!(Region::named_by_token("api_live_ca.abc.def"), Some(Region::Ca));
        assert_eq!(Region::named_by_token("api_sandbox.abc.def"), None);
        assert_eq!(Region::named_by_token("test_abc"), None);
        assert_eq!("US".parse::<Region>().unwrap(), Region::Us);
        assert!("uk".parse::<Region>().is_err());
    }

    #[test]
    fn a_token_of_another_region_is_refused_at_build() {
        let error = Onfido::builder("api_sandbox_us.abc.def", WORKFLOW).build().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid onfido configuration: the API token is for region us (by its prefix), the \
             client for eu: set ONFIDO_REGION=us"
        );
        let us = Onfido::builder("api_sandbox_us.abc.def", WORKFLOW).with_region(Region::Us);
        assert!(us.build().is_ok());
        // An emulator or a proxy is no region: nothing to compare.
        let local = Onfido::builder("api_sandbox_us.abc.def", WORKFLOW)
            .with_base_url("http://127.0.0.1:9/onfido/v3.6");
        assert!(local.build().is_ok());
    }

    #[test]
    fn configuration_is_checked_and_never_printed() {
        for (token, workflow, rule) in [
            ("", WORKFLOW, "the API token is empty"),
            ("api_sandbox.a b", WORKFLOW, "not a valid header value"),
            ("api_sandbox.token", "my-workflow", "the workflow id must be a UUID"),
        ] {
            let error = Onfido::builder(token, workflow).build().unwrap_err();
            assert!(error.to_string().contains(rule), "{error}");
        }
        let vars = [("ONFIDO_API_TOKEN", "api_live.s3cr3t"), ("ONFIDO_WORKFLOW_ID", WORKFLOW)];
        let builder = OnfidoBuilder::from_vars(vars).unwrap().with_webhook_token("hook-s3cr3t");
        let printed = format!("{builder:?} {:?}", builder.clone().build().unwrap());
        assert!(!printed.contains("s3cr3t"), "{printed}");
        let error = OnfidoBuilder::from_vars([("ONFIDO_WORKFLOW_ID", WORKFLOW)]).unwrap_err();
        assert_eq!(error.to_string(), "invalid onfido configuration: ONFIDO_API_TOKEN is not set");
        let vars =
            [("ONFIDO_API_TOKEN", "t"), ("ONFIDO_WORKFLOW_ID", WORKFLOW), ("ONFIDO_REGION", "uk")];
        let error = OnfidoBuilder::from_vars(vars).unwrap_err();
        assert!(error.to_string().contains("ONFIDO_REGION must be eu, us or ca"), "{error}");
    }

    proptest::proptest! {
        /// Any names: refused before sending when Onfido's rule refuses them, else sent as
        /// they are, and never a panic.
        #[test]
        fn any_name_is_sent_as_is_or_refused_naming_the_field(first in "\\PC{0,40}", last in "[a-zA-Z!#;{}\" ]{1,12}") {
            static ONFIDO: std::sync::LazyLock<Onfido> = std::sync::LazyLock::new(|| {
                Onfido::builder("api_sandbox.t", WORKFLOW).build().unwrap()
            });
            let onfido = &*ONFIDO;
            let person = kyc_core::Person::default().with_first_name(&first).with_last_name(&last);
            let request = SessionRequest::new(kyc_core::ClientId::new("u1").unwrap()).with_person(person);
            match onfido.encode_applicant(&request) {
                Ok((_, body)) => {
                    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    proptest::prop_assert_eq!(sent["first_name"].as_str(), Some(first.as_str()));
                    proptest::prop_assert!(!first.contains(NAME_REFUSES) && !last.contains(NAME_REFUSES));
                }
                Err(error) => {
                    let refused_by_onfido = first.contains(NAME_REFUSES) || last.contains(NAME_REFUSES);
                    let kind = error.kind();
                    proptest::prop_assert!(
                        (refused_by_onfido && kind == kyc_core::ErrorKind::Unsupported)
                            || kind == kyc_core::ErrorKind::InvalidRequest,
                        "{}", error
                    );
                    proptest::prop_assert!(error.outcome() == kyc_core::Outcome::NotSent);
                }
            }
        }
    }

    #[test]
    fn onfidos_own_host_needs_the_version() {
        let bare =
            Onfido::builder("api_sandbox.t", WORKFLOW).with_base_url("https://api.us.onfido.com");
        let error = bare.build().unwrap_err();
        assert!(error.to_string().contains("its version (…/v3.6)"), "{error}");
        let slash = Onfido::builder("api_sandbox.t", WORKFLOW)
            .with_base_url("https://api.us.onfido.com/v3.6/");
        assert!(slash.build().is_ok());
    }

    #[test]
    fn the_base_url_wins_over_the_region() {
        let vars = [
            ("ONFIDO_API_TOKEN", "api_sandbox.t"),
            ("ONFIDO_WORKFLOW_ID", WORKFLOW),
            ("ONFIDO_REGION", "ca"),
            ("ONFIDO_BASE_URL", "http://127.0.0.1:4010/onfido/v3.6"),
            ("ONFIDO_WEBHOOK_TOKEN", "a, b"),
        ];
        let onfido = OnfidoBuilder::from_vars(vars).unwrap().build().unwrap();
        assert_eq!(onfido.base_url().as_str(), "http://127.0.0.1:4010/onfido/v3.6");
        assert_eq!(onfido.webhooks().keys().keys().len(), 2);
        assert!(onfido.is_sandbox());
    }
}
