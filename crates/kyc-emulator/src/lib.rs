//! A local, faithful stand-in for the iDenfy, Veriff, Sumsub and Onfido HTTP APIs, so the quickstart, the tests,
//! the benchmarks and your own integration tests run offline (stripe-mock, LocalStack: for KYC).
//!
//! # The harness
//!
//! A running emulator hands out what a real deployment would have in its environment:
//! [`RunningEmulator::vars`] gives every variable the adapters read (`IDENFY_BASE_URL`,
//! `IDENFY_KYB_UI_URL`, `IDENFY_API_KEY`, `IDENFY_API_SECRET`, `IDENFY_WEBHOOK_KEY`,
//! `VERIFF_BASE_URL`, `VERIFF_API_KEY`, `VERIFF_SHARED_SECRET`, `SUMSUB_BASE_URL`,
//! `SUMSUB_APP_TOKEN`, `SUMSUB_SECRET_KEY`, `SUMSUB_LEVEL_NAME`, `SUMSUB_KYB_LEVEL_NAME`,
//! `SUMSUB_WEBHOOK_SECRET`, `ONFIDO_BASE_URL`, `ONFIDO_API_TOKEN`, `ONFIDO_WORKFLOW_ID`,
//! `ONFIDO_WEBHOOK_TOKEN`), so a test configures its adapter through the same path production
//! does, and adds what it needs on top:
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = kyc_emulator::Emulator::builder().start().await?;
//! let vars = emulator.vars();
//! // What a test with the `kyc` crate does next (commented out: this crate depends on no adapter):
//! //   let idenfy = kyc::IdenfyBuilder::from_vars(emulator.vars())?.build()?;
//! //   let veriff = kyc::VeriffBuilder::from_vars(emulator.vars())?
//! //       .with_timeout(std::time::Duration::from_millis(500))
//! //       .build()?;
//! //   let webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars())?;
//! // A child process gets the same environment:
//! let mut child = std::process::Command::new("my-service");
//! child.envs(emulator.vars());
//! let base = vars.iter().find(|(name, _)| *name == "IDENFY_BASE_URL").map(|(_, v)| v);
//! assert_eq!(base, Some(&emulator.idenfy_base_url()));
//! emulator.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Deciding from code
//!
//! [`RunningEmulator::decide`] is a person's click on the hosted page, in one call: the
//! session is decided as the page's form decides it (the same code), the status and decision
//! endpoints report it, and the vendor's signed webhooks are delivered before it returns. The
//! outcomes are each vendor's own ([`Choice`]: approve, decline and expire for all four,
//! suspect for iDenfy, resubmit for Veriff and Sumsub (Sumsub's RED with `RETRY`; its decline
//! is RED `FINAL`), abandon for Veriff and Onfido, approve or decline after a review for all but
//! Onfido, review and error for Onfido);
//! asking one vendor for another's is an [`EmulatorError`], which converts into
//! [`kyc_core::Error`] (`kyc::Error`) for `?`. A Sumsub session is named by the `userId` its
//! link was made for (the applicant's `externalUserId`, what a client holds: the link answer
//! has no id), or by its `applicantId`. An Onfido session is a workflow run, named by its id.
//!
//! - **Two steps.** [`Choice::ApproveAfterReview`] and [`Choice::DeclineAfterReview`] first send
//!   the automatic, non-final result (iDenfy `IDENTIFICATION_AUTO_FINISHED` with the automatic
//!   verdict and `final: false`, the status endpoint answering `REVIEWING` and `"final": false`;
//!   Veriff `review`, 9121; Sumsub `applicantPending` and `applicantOnHold`, `reviewStatus:
//!   onHold`), then the reviewer's final one; [`EmulatorBuilder::with_review_time`] says how long the review
//!   takes. A KYB company is always decided in two steps: `COMPANY_SUBMIT` (`PROCESSING`, or
//!   `NEED_TO_REVIEW` for a review), then `COMPANY_REVIEW` (`COMPLETED`).
//! - **Sumsub's two steps.** Every Sumsub decision is a submission (`applicantPending`,
//!   `reviewStatus: pending`) and then its review (`applicantReviewed`, `completed`, with
//!   `reviewResult`); after a `RETRY` the person may decide again, a new attempt of the same
//!   applicant.
//! - **Onfido's two steps.** Every Onfido decision completes the run's interactive task
//!   (`workflow_task.completed`, the run `processing`), then ends the run
//!   (`workflow_run.completed`: `approved`, `declined`, `review` or `error`).
//! - **Running out.** [`Choice::Expire`] (and [`Choice::Abandon`]) run a link out now and send
//!   the expiry webhooks: iDenfy `IDENTIFICATION_EXPIRED` (`EXPIRED`, `final: true`; KYB
//!   `COMPANY_TOKEN_EXPIRED`), Veriff's `expired` or `abandoned` decision, Onfido's
//!   `workflow_run.completed` with `abandoned` (it has no expired status). Sumsub has no expiry
//!   status or webhook: its page answers 410 and the applicant stays `init`. A link that runs out
//!   on its own sends them when first noticed: a status or decision request, the page, a
//!   deletion, a decision asked too late.
//! - **Document expiry.** [`RunningEmulator::notify_document_expiration`] sends iDenfy's
//!   `DOCUMENT_EXPIRATION` for a decided session, at a [`DocumentExpiration`] threshold.
//!
//! ```
//! use kyc_emulator::{Choice, Emulator, EmulatorError, Vendor};
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::builder().start().await?;
//! let (key, secret) = emulator.idenfy_credentials();
//! let idenfy = |path: &str, body: String| {
//!     reqwest::Client::new()
//!         .post(format!("{}{path}", emulator.idenfy_base_url()))
//!         .basic_auth(key, Some(secret))
//!         .header("content-type", "application/json")
//!         .body(body)
//!         .send()
//! };
//! let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes);
//! // A session, created by hand here (with `kyc`: `idenfy.create_session(&request)`).
//! let token = json(&idenfy("/api/v2/token", r#"{"clientId": "person-1"}"#.into()).await?.bytes().await?)?;
//! let scan_ref = token["scanRef"].as_str().unwrap_or_default();
//!
//! // The person approves (with `kyc`: `emulator.decide(Vendor::Idenfy, &session.id, ..)`).
//! emulator.decide(Vendor::Idenfy, scan_ref, Choice::Approve).await?;
//! let status = idenfy("/api/v2/status", format!(r#"{{"scanRef": "{scan_ref}"}}"#)).await?;
//! assert_eq!(json(&status.bytes().await?)?["status"], "APPROVED");
//!
//! // A decision stands, and iDenfy has no resubmission.
//! let again = emulator.decide(Vendor::Idenfy, scan_ref, Choice::Decline).await;
//! assert!(matches!(again, Err(EmulatorError::AlreadyDecided { .. })));
//! let resubmit = emulator.decide(Vendor::Idenfy, scan_ref, Choice::Resubmit).await;
//! assert!(matches!(resubmit, Err(EmulatorError::NotOffered { vendor: Vendor::Idenfy, .. })));
//! emulator.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Routes
//!
//! One HTTP server (axum) serves every vendor under its own prefix; the vendor parts of a
//! path are the vendor's own, so `{IDENFY_BASE_URL}/api/v2/token` is iDenfy's
//! `https://ivs.idenfy.com/api/v2/token`, `{SUMSUB_BASE_URL}/resources/applicants/…` is
//! Sumsub's `https://api.sumsub.com/resources/applicants/…` and `{ONFIDO_BASE_URL}/applicants`
//! is Onfido's `https://api.eu.onfido.com/v3.6/applicants` (its base URL includes the version).
//!
//! | route | what |
//! |---|---|
//! | `POST /idenfy/api/v2/token` | an identity (KYC) token, Basic auth (<https://documentation.idenfy.com/kyc/generate-token>); `locale` one of the 34 codes of <https://documentation.idenfy.com/resources/supported-languages> or `ko`, any case |
//! | `POST /idenfy/api/v2/status` | a verification's status, with a top-level `final`, Basic auth (<https://documentation.idenfy.com/kyc/data-retrieval>, <https://documentation.idenfy.com/kyc/status-handling>) |
//! | `POST /idenfy/api/v2/delete` | deletes a decided or run-out verification's data; refused with `PARTNER_ERROR` while it is usable (<https://documentation.idenfy.com/kyc/deletion>) |
//! | `POST /idenfy/kyb/tokens/` | a business (KYB) token and its `companyId`, Basic auth (<https://documentation.idenfy.com/api-reference/kyb-token/generate-kyb-form-token>) |
//! | `GET /idenfy/kyb/companies/{id}/` | a company: `meta.status` `PENDING`, `PROCESSING`, `NEED_TO_REVIEW` or `COMPLETED`, `meta.approvalStatus` (<https://documentation.idenfy.com/kyb/managing-company>) |
//! | `DELETE /idenfy/kyb/companies/{id}/` | deletes a company: 204, then `COMPANY_DELETE` (<https://documentation.idenfy.com/kyb/webhooks>) |
//! | `GET /idenfy/api/v2/redirect?authToken=…` | iDenfy's hosted page for an identity token |
//! | `GET /idenfy/kyb/welcome?authToken=…` | iDenfy's KYB page (what `IDENFY_KYB_UI_URL` points at) |
//! | `POST /idenfy/decide` | the page's form (decision route): `token`, `choice` = `approve`, `decline`, `suspect` (KYC only), `approve_after_review` or `decline_after_review` |
//! | `POST /veriff/v1/sessions` | a session, `X-AUTH-CLIENT`, `X-HMAC-SIGNATURE` checked when sent; `lang` any string (<https://devdocs.veriff.com/apidocs/v1sessions>) |
//! | `GET /veriff/v1/sessions/{id}/decision` | a session's decision, HMAC of the id (<https://devdocs.veriff.com/apidocs/v1sessionsiddecision-1>) |
//! | `DELETE /veriff/v1/sessions/{id}` | deletes a session, HMAC of the id; 1305 in review, 429 past 5 an hour or 10 a day, 403 when off (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>) |
//! | `GET /veriff/v/{token}` | Veriff's hosted flow; the first visit sends the `started` event |
//! | `POST /veriff/decide` | the page's form (decision route): `token`, `choice` = `approve`, `decline`, `resubmit`, `approve_after_review` or `decline_after_review` |
//! | `POST /sumsub/resources/sdkIntegrations/levels/-/websdkLink?lang=…` | a hosted link, `{url}` only: body `levelName`, `userId`, `ttlInSecs`, `applicantIdentifiers`, `redirect`; the same `userId` is the same applicant (<https://docs.sumsub.com/reference/generate-websdk-external-link>) |
//! | `POST /sumsub/resources/sdkIntegrations/levels/{levelName}/websdkLink?externalUserId=…&ttlInSecs=…&lang=…` | the link's older form, body `{}` |
//! | `GET /sumsub/resources/applicants/-;externalUserId={id}/one`, `…/{applicantId}/one` | the applicant, its `review` (`reviewStatus`, `reviewResult`) (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>) |
//! | `GET /sumsub/resources/applicants/-/byExternalUserId/{id}` | `{exists, applicant?}` (<https://docs.sumsub.com/reference/check-applicant-existence-by-externaluserid>) |
//! | `GET /sumsub/resources/applicants/{applicantId}/status` | the review status (<https://docs.sumsub.com/reference/get-applicant-review-status>) |
//! | `POST /sumsub/resources/applicants/{applicantId}/status/testCompleted` | the sandbox's forced review result, `sbx:` tokens only (<https://docs.sumsub.com/reference/set-review-for-applicant-on-sandbox>) |
//! | `PATCH /sumsub/resources/applicants/{applicantId}/presence/{deactivated\|activated}` | deactivation and back (<https://docs.sumsub.com/reference/deactivate-applicant-profile>) |
//! | `GET /sumsub/websdk/p/{token}` | Sumsub's hosted page |
//! | `POST /sumsub/decide` | the page's form (decision route): `token`, `choice` = `approve`, `decline` (RED `FINAL`), `resubmit` (RED `RETRY`), `approve_after_review` or `decline_after_review` |
//! | `POST /onfido/v3.6/applicants` | an applicant, 201: `first_name`, `last_name` required, `dob`, `address` (`postcode`, alpha-3 `country`), … (<https://github.com/onfido/onfido-openapi-spec/blob/master/paths/applicants.yaml>) |
//! | `GET`, `DELETE /onfido/v3.6/applicants/{id}` | the applicant; its deletion, 204, after which it and its workflow runs answer 404 |
//! | `POST /onfido/v3.6/applicants/{id}/restore` | a deleted applicant (and its runs) back, 204 |
//! | `POST /onfido/v3.6/workflow_runs` | a Studio workflow run, 201, `awaiting_input`, with `link.url` to the hosted page (<https://github.com/onfido/onfido-openapi-spec/blob/master/paths/workflow_runs.yaml>) |
//! | `GET /onfido/v3.6/workflow_runs/{id}` | the run: `status`, `error`, `link`, … |
//! | `GET /onfido/v3.6/workflow_runs?applicant_id=…` | the runs, a bare JSON array; also `status`, `tags`, `created_at_gt`, `created_at_lt`, `sort`, `page` |
//! | `GET /onfido/v3.6/ping` | 200 `OK`, plain text |
//! | `GET /onfido/l/{run_id}` | Onfido's hosted link (after `https://eu.onfido.app/l/{run_id}`); the first visit sends `workflow_task.started` |
//! | `POST /onfido/decide` | the page's form (decision route): `token` (the run id), `choice` = `approve`, `decline`, `review` or `error` |
//! | `GET`, `PUT`, `DELETE /__emulator/faults/{idenfy\|veriff\|sumsub\|onfido}` | faults on demand, for every request of the vendor or one route (see [`Fault`], [`FaultMode`]) |
//! | `GET /__emulator/health` | answers `ok` |
//!
//! Every Veriff API answer carries `X-AUTH-CLIENT` (the API key) and `X-HMAC-SIGNATURE`, the
//! hex HMAC-SHA256 of its raw body under the shared secret
//! (<https://devdocs.veriff.com/docs/general-faq>: "Veriff will also always return
//! X-HMAC-signature"); [`FaultMode::ForgedSignature`] breaks it. Veriff's deletion is on unless
//! [`EmulatorBuilder::with_veriff_deletion`] turns it off.
//!
//! Every Sumsub API request is checked as <https://docs.sumsub.com/reference/authentication>
//! says: `X-App-Token`, `X-App-Access-Ts` (Unix seconds, within a minute of the emulator's
//! clock) and `X-App-Access-Sig`, the lowercase hex HMAC-SHA256 under the secret key of the
//! timestamp, the method, the path with its query as sent (Sumsub's, without `/sumsub`, or the
//! emulator's, with it) and the raw body. Refusals are 401 with Sumsub's `errorCode`: 4006
//! headers missing, 4001 unknown token, 4002 its private part wrong, 4005 a timestamp that is no
//! number, 4004 one outside the window (`app-token-request-expired`), 4003 the signature
//! (`app-token-signature mismatch`). Its webhooks ([`EmulatorBuilder::with_sumsub_webhook_url`])
//! are pretty-printed as Sumsub's are, with `x-payload-digest` (hex HMAC of the raw body under
//! the webhook secret) and `x-payload-digest-alg` ([`SumsubDigest`], `HMAC_SHA256_HEX` unless
//! told): `applicantCreated` on a user's first link (delivered before the link is answered),
//! `applicantPending` on submission, `applicantOnHold` for a review, `applicantReviewed`, and
//! `applicantDeactivated` / `applicantActivated`.
//!
//! Every Onfido API request carries `Authorization: Token token=<ONFIDO_API_TOKEN>`; anything
//! else is 401 `{"error": {"type": "authorization_error", "message"}}` (the type is the
//! emulator's choice: Onfido documents none). Requests are validated as its OpenAPI schemas say,
//! every broken rule answered at once as 422 `{"error": {"type": "validation_error", "message":
//! "There was a validation error on this request", "fields": {…}}}`, nested as the request is
//! (`{"address": {"postcode": ["can't be blank"]}}`); a body that is not a JSON object is 400
//! `bad_request`, an unknown `workflow_id` 404 `resource_not_found` (`Could not find the
//! following resource: Workflow with id=…`), an unknown or deleted applicant 404 (`Applicant with
//! id=…`) (these three are the emulator's choices). Its webhooks
//! ([`EmulatorBuilder::with_onfido_webhook_url`]) are `{"payload": {resource_type, action,
//! object, resource}}` with `X-SHA2-Signature` (hex HMAC-SHA256 of the raw body under
//! [`RunningEmulator::onfido_webhook_token`]): `workflow_task.started` when the page is first
//! opened, `workflow_task.completed` on the decision, `workflow_run.completed` on every final
//! status. A link without `expires_at` does not run out (`expires_at` stays null: the emulator's
//! choice; Onfido documents no default).
//!
//! The decision routes take a form (`application/x-www-form-urlencoded`) and answer as
//! [`RunningEmulator::decide`] refuses: 303 back to the session's page once decided; 400 for a
//! choice that is not one of that page's buttons ([`EmulatorError::NotOffered`],
//! [`EmulatorError::NotOfferedForBusiness`]); 404 for a token of no session of that vendor
//! ([`EmulatorError::UnknownSession`]); 409 when a decision stands or is under way
//! ([`EmulatorError::AlreadyDecided`]); 410 when the link ran out ([`EmulatorError::Expired`]).
//! Running a link out ([`Choice::Expire`], [`Choice::Abandon`]) is no button, so
//! [`RunningEmulator::decide`] alone does it.
//!
//! A decision on a page is what the status and decision endpoints then report, and it is sent
//! as the vendor's signed webhook when the builder was given a webhook URL
//! ([`EmulatorBuilder::with_idenfy_webhook_url`], [`EmulatorBuilder::with_veriff_webhook_url`],
//! [`EmulatorBuilder::with_sumsub_webhook_url`], [`EmulatorBuilder::with_onfido_webhook_url`];
//! iDenfy's KYB webhooks go to the iDenfy one). Only the vendors' API routes count in
//! [`RunningEmulator::requests_received`] and take faults.
//!
//! Where the vendors' documents are silent (bodies of some refusals, placeholder company data,
//! when natural expiry is noticed, when a Sumsub applicant is created, Sumsub's answer to
//! `testCompleted`), the emulator's choice is marked so where it is made. Sumsub's rate limits
//! (50 POST and 300 GET per 5 s, <https://docs.sumsub.com/reference/rate-limits>) are not
//! enforced: a 429 is a [`Fault`]; nor are Onfido's (400 requests a minute).
//!
//! It validates requests by the vendors' documented rules and answers with their documented
//! bodies and error shapes. It is written from the vendors' documents, not from this
//! workspace's adapters (it depends on none), so an adapter's misunderstanding shows up as a
//! failing test instead of being mirrored.

// Handlers answer a rule broken with the vendor's error response itself: building it in place is
// the point, and it is sent at once, so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

mod decide;
mod error;
mod faults;
mod idenfy;
mod onfido;
mod page;
mod store;
mod sumsub;
mod veriff;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use decide::{Choice, DocumentExpiration};
pub use error::EmulatorError;
pub use faults::{Fault, FaultMode};
pub use store::Vendor;
pub use sumsub::SumsubDigest;

use faults::{Shared, lock};

/// iDenfy credentials the emulator accepts unless told otherwise.
pub const DEFAULT_IDENFY_KEY: &str = "emulator-idenfy-key";
/// See [`DEFAULT_IDENFY_KEY`].
pub const DEFAULT_IDENFY_SECRET: &str = "emulator-idenfy-secret";
/// Veriff API key the emulator accepts unless told otherwise (Veriff keys are UUIDs).
pub const DEFAULT_VERIFF_KEY: &str = "5b7e3a4c-9f1d-4c2a-8e6b-0d1f2a3b4c5d";
/// Veriff shared secret the emulator signs and checks with unless told otherwise.
pub const DEFAULT_VERIFF_SECRET: &str = "emulator-veriff-shared-secret";
/// The key the emulator signs iDenfy webhooks with unless told otherwise.
pub const DEFAULT_IDENFY_WEBHOOK_KEY: &str = "emulator-idenfy-webhook-key";
/// Sumsub app token the emulator accepts unless told otherwise: a sandbox one, shaped as
/// Sumsub's are (`sbx:`, a public part, a dot, a private part;
/// <https://docs.sumsub.com/docs/app-tokens>), so the sandbox's `testCompleted` works.
pub const DEFAULT_SUMSUB_APP_TOKEN: &str =
    "sbx:kycEmulatorAppToken000000.kycEmulatorPrivatePart0000000000";
/// Sumsub secret key the emulator checks signatures with unless told otherwise.
pub const DEFAULT_SUMSUB_SECRET_KEY: &str = "kycEmulatorSumsubSecretKey000000";
/// The individual (KYC) level the emulator knows unless told otherwise: Sumsub's sample level.
pub const DEFAULT_SUMSUB_LEVEL_NAME: &str = "basic-kyc-level";
/// The company (KYB) level the emulator knows unless told otherwise.
pub const DEFAULT_SUMSUB_KYB_LEVEL_NAME: &str = "basic-kyb-level";
/// The secret the emulator signs Sumsub webhooks with unless told otherwise.
pub const DEFAULT_SUMSUB_WEBHOOK_SECRET: &str = "emulator-sumsub-webhook-secret";
/// Onfido API token the emulator accepts unless told otherwise: a sandbox one, shaped as
/// Onfido's are (`api_sandbox.`, 11 characters, a dot, 32 characters; "api_sandbox" and
/// "api_live" prefixes, <https://documentation.onfido.com/api/latest/#authentication>), so its
/// applicants say `sandbox: true`.
pub const DEFAULT_ONFIDO_API_TOKEN: &str =
    "api_sandbox.kycEmulator.emulatorOnfidoApiToken0000000000";
/// The id of the one Studio workflow the emulator knows unless told otherwise (a UUID v4 made up
/// for local use).
pub const DEFAULT_ONFIDO_WORKFLOW_ID: &str = "3f6b2a1c-7d4e-4c8a-9b5f-0e1d2c3b4a59";
/// The token the emulator signs Onfido webhooks with unless told otherwise (Onfido's is the
/// webhook's own `token`).
pub const DEFAULT_ONFIDO_WEBHOOK_TOKEN: &str = "emulator-onfido-webhook-token";

/// The emulator; start one with [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the default credentials, listening on `127.0.0.1:0`.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            config: Config {
                idenfy_key: DEFAULT_IDENFY_KEY.into(),
                idenfy_secret: DEFAULT_IDENFY_SECRET.into(),
                veriff_key: DEFAULT_VERIFF_KEY.into(),
                veriff_secret: DEFAULT_VERIFF_SECRET.into(),
                idenfy_webhook_key: DEFAULT_IDENFY_WEBHOOK_KEY.into(),
                idenfy_webhook_url: None,
                veriff_webhook_url: None,
                sumsub_app_token: DEFAULT_SUMSUB_APP_TOKEN.into(),
                sumsub_secret_key: DEFAULT_SUMSUB_SECRET_KEY.into(),
                sumsub_level_name: DEFAULT_SUMSUB_LEVEL_NAME.into(),
                sumsub_kyb_level_name: DEFAULT_SUMSUB_KYB_LEVEL_NAME.into(),
                sumsub_webhook_secret: DEFAULT_SUMSUB_WEBHOOK_SECRET.into(),
                sumsub_webhook_url: None,
                sumsub_digest: SumsubDigest::default(),
                onfido_api_token: DEFAULT_ONFIDO_API_TOKEN.into(),
                onfido_workflow_id: DEFAULT_ONFIDO_WORKFLOW_ID.into(),
                onfido_webhook_token: DEFAULT_ONFIDO_WEBHOOK_TOKEN.into(),
                onfido_webhook_url: None,
                review_time: std::time::Duration::ZERO,
                veriff_deletion: true,
                base_url: String::new(),
            },
            faults: Vec::new(),
            retained: store::DEFAULT_RETAINED,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) idenfy_key: String,
    pub(crate) idenfy_secret: String,
    pub(crate) veriff_key: String,
    pub(crate) veriff_secret: String,
    pub(crate) idenfy_webhook_key: String,
    /// Where iDenfy results go when a session has no `callbackUrl` of its own.
    pub(crate) idenfy_webhook_url: Option<String>,
    /// Where Veriff's events and decisions go.
    pub(crate) veriff_webhook_url: Option<String>,
    pub(crate) sumsub_app_token: String,
    pub(crate) sumsub_secret_key: String,
    /// The individual level and the company level the emulator knows.
    pub(crate) sumsub_level_name: String,
    pub(crate) sumsub_kyb_level_name: String,
    pub(crate) sumsub_webhook_secret: String,
    /// Where Sumsub's webhooks go (Sumsub's are set per workspace, not per link).
    pub(crate) sumsub_webhook_url: Option<String>,
    pub(crate) sumsub_digest: SumsubDigest,
    pub(crate) onfido_api_token: String,
    /// The one Studio workflow runs may be made of.
    pub(crate) onfido_workflow_id: String,
    pub(crate) onfido_webhook_token: String,
    /// Where Onfido's webhooks go (Onfido's are registered per account and region).
    pub(crate) onfido_webhook_url: Option<String>,
    /// How long a review ([`Choice::ApproveAfterReview`]) takes.
    pub(crate) review_time: std::time::Duration,
    /// Whether Veriff's `DELETE /v1/sessions/{id}` is enabled for the integration.
    pub(crate) veriff_deletion: bool,
    /// `http://host:port`, known once bound.
    pub(crate) base_url: String,
}

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) store: Shared,
    pub(crate) config: Arc<Config>,
    /// Delivers webhooks.
    pub(crate) http: reqwest::Client,
}

/// What the emulator accepts and where it listens.
#[derive(Debug)]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    config: Config,
    faults: Vec<(Vendor, Fault)>,
    retained: usize,
}

impl EmulatorBuilder {
    /// The iDenfy API key and secret to accept.
    pub fn with_idenfy_credentials(
        mut self,
        key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.config.idenfy_key = key.into();
        self.config.idenfy_secret = secret.into();
        self
    }

    /// The Veriff API key to accept and the shared secret for signatures.
    pub fn with_veriff_credentials(
        mut self,
        key: impl Into<String>,
        shared_secret: impl Into<String>,
    ) -> Self {
        self.config.veriff_key = key.into();
        self.config.veriff_secret = shared_secret.into();
        self
    }

    /// Sends iDenfy's result webhooks to `url` (a session's own `callbackUrl` wins), signed with
    /// [`DEFAULT_IDENFY_WEBHOOK_KEY`] unless [`with_idenfy_webhook_key`](Self::with_idenfy_webhook_key)
    /// says otherwise.
    pub fn with_idenfy_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.idenfy_webhook_url = Some(url.into());
        self
    }

    /// The key iDenfy webhooks are signed with.
    pub fn with_idenfy_webhook_key(mut self, key: impl Into<String>) -> Self {
        self.config.idenfy_webhook_key = key.into();
        self
    }

    /// Sends Veriff's event and decision webhooks to `url`, signed with its shared secret.
    pub fn with_veriff_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.veriff_webhook_url = Some(url.into());
        self
    }

    /// The Sumsub app token to accept and the secret key its requests are signed with. A token
    /// starting `sbx:` is a sandbox one: webhooks say `sandboxMode: true` and
    /// `testCompleted` is allowed; any other is refused it.
    pub fn with_sumsub_credentials(
        mut self,
        app_token: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.config.sumsub_app_token = app_token.into();
        self.config.sumsub_secret_key = secret_key.into();
        self
    }

    /// The name of the Sumsub individual (KYC) level links may ask for
    /// ([`DEFAULT_SUMSUB_LEVEL_NAME`] unless told).
    pub fn with_sumsub_level_name(mut self, name: impl Into<String>) -> Self {
        self.config.sumsub_level_name = name.into();
        self
    }

    /// The name of the Sumsub company (KYB) level links may ask for
    /// ([`DEFAULT_SUMSUB_KYB_LEVEL_NAME`] unless told): its applicants are companies.
    pub fn with_sumsub_kyb_level_name(mut self, name: impl Into<String>) -> Self {
        self.config.sumsub_kyb_level_name = name.into();
        self
    }

    /// Sends Sumsub's webhooks to `url`, with `x-payload-digest` under
    /// [`DEFAULT_SUMSUB_WEBHOOK_SECRET`] unless
    /// [`with_sumsub_webhook_secret`](Self::with_sumsub_webhook_secret) says otherwise.
    pub fn with_sumsub_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.sumsub_webhook_url = Some(url.into());
        self
    }

    /// The secret Sumsub webhooks are signed with (Sumsub's is the webhook's own, not the app
    /// token's: <https://docs.sumsub.com/docs/webhooks>).
    pub fn with_sumsub_webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.config.sumsub_webhook_secret = secret.into();
        self
    }

    /// The digest algorithm of Sumsub webhooks ([`SumsubDigest::HmacSha256Hex`], Sumsub's
    /// default, unless told).
    pub fn with_sumsub_digest(mut self, algorithm: SumsubDigest) -> Self {
        self.config.sumsub_digest = algorithm;
        self
    }

    /// The Onfido API token to accept in `Authorization: Token token=<token>`
    /// ([`DEFAULT_ONFIDO_API_TOKEN`] unless told). A token starting `api_sandbox` is a sandbox
    /// one: applicants say `sandbox: true`, and `false` for any other.
    pub fn with_onfido_api_token(mut self, token: impl Into<String>) -> Self {
        self.config.onfido_api_token = token.into();
        self
    }

    /// The id of the one Studio workflow runs may be made of ([`DEFAULT_ONFIDO_WORKFLOW_ID`]
    /// unless told): `POST /workflow_runs` with another `workflow_id` is refused.
    pub fn with_onfido_workflow_id(mut self, id: impl Into<String>) -> Self {
        self.config.onfido_workflow_id = id.into();
        self
    }

    /// Sends Onfido's webhooks (`workflow_task.started`, `workflow_task.completed`,
    /// `workflow_run.completed`) to `url`, with `X-SHA2-Signature` under
    /// [`DEFAULT_ONFIDO_WEBHOOK_TOKEN`] unless
    /// [`with_onfido_webhook_token`](Self::with_onfido_webhook_token) says otherwise.
    pub fn with_onfido_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.onfido_webhook_url = Some(url.into());
        self
    }

    /// The token Onfido webhooks are signed with (Onfido's is the webhook's own `token`, not the
    /// API token's: <https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/webhooks/definitions.yaml>).
    pub fn with_onfido_webhook_token(mut self, token: impl Into<String>) -> Self {
        self.config.onfido_webhook_token = token.into();
        self
    }

    /// How long a person's review takes ([`Choice::ApproveAfterReview`],
    /// [`Choice::DeclineAfterReview`]); none by default.
    ///
    /// With none, [`RunningEmulator::decide`] returns once the review's result is out too (the
    /// in-between state, iDenfy `REVIEWING` or Veriff `review`, holds while the first webhooks
    /// are delivered: a receiver that asks the status as it gets them sees it). With a review
    /// time, `decide` (and the page) send the first step's webhooks and return; the review's
    /// result follows in the background after `time`, its delivery failures only logged.
    pub fn with_review_time(mut self, time: std::time::Duration) -> Self {
        self.config.review_time = time;
        self
    }

    /// Whether Veriff's `DELETE /v1/sessions/{id}` is enabled (default: enabled, so the
    /// quickstart can delete). Veriff's is "not available by default, contact your Solutions
    /// Engineer … to enable it" (<https://devdocs.veriff.com/apidocs/v1sessionsid-3>); disabled,
    /// the emulator answers 403 `{status: "fail", code: "403", message}`, a body of its own
    /// (Veriff documents none).
    pub fn with_veriff_deletion(mut self, enabled: bool) -> Self {
        self.config.veriff_deletion = enabled;
        self
    }

    /// Listens on `address` instead of `127.0.0.1:0`.
    pub fn with_listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// Remembers at most `sessions` sessions (default 100,000), forgetting the oldest first:
    /// their links and status then answer as unknown.
    pub fn with_retained_sessions(mut self, sessions: usize) -> Self {
        self.retained = sessions;
        self
    }

    /// Starts with `fault` in place for `vendor`.
    pub fn with_fault(mut self, vendor: Vendor, fault: Fault) -> Self {
        self.faults.push((vendor, fault));
        self
    }

    /// Binds and serves in the background.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(self) -> std::io::Result<RunningEmulator> {
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let address = listener.local_addr()?;
        let mut config = self.config;
        config.base_url = format!("http://{address}");
        let store: Shared = Arc::new(Mutex::new(store::Store::default()));
        {
            let mut store = lock(&store);
            store.faults.extend(self.faults);
            store.retained = self.retained;
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let app = App { store: Arc::clone(&store), config: Arc::new(config), http };
        let router = router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await
            {
                tracing::error!(%error, "the emulator stopped");
            }
        });
        Ok(RunningEmulator { address, app, stop: Some(stop), task: Some(task) })
    }
}

fn router(app: App) -> Router {
    let idenfy_api = Router::new()
        .route("/api/v2/token", post(idenfy::token))
        .route("/api/v2/status", post(idenfy::status))
        .route("/api/v2/delete", post(idenfy::delete))
        .route("/kyb/tokens/", post(idenfy::kyb_token))
        .route("/kyb/companies/{id}/", get(idenfy::company).delete(idenfy::delete_company))
        .layer(axum::middleware::from_fn_with_state((app.clone(), Vendor::Idenfy), faults::apply));
    // Faults outside the signing: a forged signature replaces the real one.
    let veriff_api = Router::new()
        .route("/v1/sessions", post(veriff::create))
        .route("/v1/sessions/{id}", delete(veriff::delete))
        .route("/v1/sessions/{id}/decision", get(veriff::decision))
        .layer(axum::middleware::from_fn_with_state(app.clone(), veriff::sign_answers))
        .layer(axum::middleware::from_fn_with_state((app.clone(), Vendor::Veriff), faults::apply));
    let idenfy = idenfy_api
        .route("/api/v2/redirect", get(page::idenfy))
        .route("/kyb/welcome", get(page::idenfy))
        .route("/decide", post(page::decide_idenfy));
    let veriff = veriff_api
        .route("/v/{token}", get(page::veriff))
        .route("/decide", post(page::decide_veriff));
    // Faults outside the signature check, as for the others: a fault answers whatever was sent.
    let sumsub_api = Router::new()
        .route("/resources/sdkIntegrations/levels/{level}/websdkLink", post(sumsub::link))
        .route("/resources/applicants/{applicant}/one", get(sumsub::applicant))
        .route("/resources/applicants/{applicant}/byExternalUserId/{user}", get(sumsub::exists))
        .route("/resources/applicants/{applicant}/status", get(sumsub::status))
        .route(
            "/resources/applicants/{applicant}/status/testCompleted",
            post(sumsub::test_completed),
        )
        .route("/resources/applicants/{applicant}/presence/{presence}", patch(sumsub::presence))
        .layer(axum::middleware::from_fn_with_state(app.clone(), sumsub::authenticate))
        .layer(axum::middleware::from_fn_with_state((app.clone(), Vendor::Sumsub), faults::apply));
    let sumsub = sumsub_api
        .route("/websdk/p/{token}", get(page::sumsub))
        .route("/decide", post(page::decide_sumsub));
    // Faults outside the token check, as for Sumsub; under `/v3.6`, so a fault's route is the
    // path after it.
    let onfido_api = Router::new()
        .route("/applicants", post(onfido::create_applicant))
        .route("/applicants/{id}", get(onfido::applicant).delete(onfido::delete_applicant))
        .route("/applicants/{id}/restore", post(onfido::restore_applicant))
        .route("/workflow_runs", post(onfido::create_run).get(onfido::runs))
        .route("/workflow_runs/{id}", get(onfido::run))
        .route("/ping", get(onfido::ping))
        .layer(axum::middleware::from_fn_with_state(app.clone(), onfido::authenticate))
        .layer(axum::middleware::from_fn_with_state((app.clone(), Vendor::Onfido), faults::apply));
    let onfido = Router::new()
        .nest(onfido::VERSION, onfido_api)
        .route("/l/{run_id}", get(page::onfido))
        .route("/decide", post(page::decide_onfido));
    let admin = Router::new()
        .route("/faults/{vendor}", get(get_fault).put(put_fault).delete(delete_fault))
        .route("/health", get(|| async { "ok" }));
    Router::new()
        .nest("/idenfy", idenfy)
        .nest("/veriff", veriff)
        .nest(sumsub::PREFIX, sumsub)
        .nest(onfido::PREFIX, onfido)
        .nest("/__emulator", admin)
        .with_state(app)
}

fn vendor_or_404(name: &str) -> Result<Vendor, Response> {
    Vendor::from_name(name).ok_or_else(|| (StatusCode::NOT_FOUND, "unknown vendor").into_response())
}

async fn get_fault(State(app): State<App>, Path(vendor): Path<String>) -> Response {
    match vendor_or_404(&vendor) {
        Ok(vendor) => axum::Json(lock(&app.store).faults.get(&vendor).cloned()).into_response(),
        Err(answer) => answer,
    }
}

async fn put_fault(
    State(app): State<App>,
    Path(vendor): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let vendor = match vendor_or_404(&vendor) {
        Ok(vendor) => vendor,
        Err(answer) => return answer,
    };
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) if fault.status.is_some_and(|s| !(400..=599).contains(&s)) => {
            (StatusCode::BAD_REQUEST, "a fault's status must be from 400 to 599").into_response()
        }
        Ok(fault) if fault.route.as_deref().is_some_and(|r| !Fault::route_is_valid(r)) => {
            let refusal = "a fault's route must be \"METHOD /path\" or \"/path\"";
            (StatusCode::BAD_REQUEST, refusal).into_response()
        }
        Ok(fault) => {
            lock(&app.store).faults.insert(vendor, fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("not a fault: {error}")).into_response(),
    }
}

async fn delete_fault(State(app): State<App>, Path(vendor): Path<String>) -> Response {
    match vendor_or_404(&vendor) {
        Ok(vendor) => {
            lock(&app.store).faults.remove(&vendor);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(answer) => answer,
    }
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningEmulator {
    address: SocketAddr,
    app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("base_url", &self.config.base_url).finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// iDenfy's base URL (what `IDENFY_BASE_URL` would be).
    pub fn idenfy_base_url(&self) -> String {
        format!("{}/idenfy", self.app.config.base_url)
    }

    /// Where iDenfy's KYB links point (what `IDENFY_KYB_UI_URL` would be).
    pub fn idenfy_kyb_ui_url(&self) -> String {
        format!("{}/idenfy/kyb/welcome", self.app.config.base_url)
    }

    /// Veriff's base URL (what `VERIFF_BASE_URL` would be).
    pub fn veriff_base_url(&self) -> String {
        format!("{}/veriff", self.app.config.base_url)
    }

    /// Sumsub's base URL (what `SUMSUB_BASE_URL` would be): `https://api.sumsub.com` is the
    /// real one.
    pub fn sumsub_base_url(&self) -> String {
        format!("{}{}", self.app.config.base_url, sumsub::PREFIX)
    }

    /// Onfido's API root (what `ONFIDO_BASE_URL` would be), the version included:
    /// `https://api.eu.onfido.com/v3.6` is the real one (EU; `api.us`, `api.ca` the others).
    pub fn onfido_base_url(&self) -> String {
        format!("{}{}{}", self.app.config.base_url, onfido::PREFIX, onfido::VERSION)
    }

    /// The Onfido API token it accepts (`Authorization: Token token=<token>`).
    pub fn onfido_api_token(&self) -> &str {
        &self.app.config.onfido_api_token
    }

    /// The id of the one Onfido Studio workflow it knows.
    pub fn onfido_workflow_id(&self) -> &str {
        &self.app.config.onfido_workflow_id
    }

    /// The token its Onfido webhooks are signed with (`X-SHA2-Signature`).
    pub fn onfido_webhook_token(&self) -> &str {
        &self.app.config.onfido_webhook_token
    }

    /// The Sumsub app token it accepts and the secret key it checks signatures with.
    pub fn sumsub_credentials(&self) -> (&str, &str) {
        (&self.app.config.sumsub_app_token, &self.app.config.sumsub_secret_key)
    }

    /// The Sumsub individual (KYC) level and company (KYB) level it knows.
    pub fn sumsub_level_names(&self) -> (&str, &str) {
        (&self.app.config.sumsub_level_name, &self.app.config.sumsub_kyb_level_name)
    }

    /// The secret its Sumsub webhooks are signed with, and the algorithm.
    pub fn sumsub_webhook_secret(&self) -> (&str, SumsubDigest) {
        (&self.app.config.sumsub_webhook_secret, self.app.config.sumsub_digest)
    }

    /// The iDenfy API key and secret it accepts.
    pub fn idenfy_credentials(&self) -> (&str, &str) {
        (&self.app.config.idenfy_key, &self.app.config.idenfy_secret)
    }

    /// The key its iDenfy webhooks are signed with.
    pub fn idenfy_webhook_key(&self) -> &str {
        &self.app.config.idenfy_webhook_key
    }

    /// The Veriff API key and shared secret it accepts.
    pub fn veriff_credentials(&self) -> (&str, &str) {
        (&self.app.config.veriff_key, &self.app.config.veriff_secret)
    }

    /// The environment a deployment against this emulator would have: every variable the
    /// iDenfy, Veriff, Sumsub and Onfido adapters read, named as their `from_vars` and `from_env` read
    /// them, with the URLs and credentials this emulator serves and accepts.
    ///
    /// | variable | value |
    /// |---|---|
    /// | `IDENFY_BASE_URL` | [`idenfy_base_url`](Self::idenfy_base_url) |
    /// | `IDENFY_KYB_UI_URL` | [`idenfy_kyb_ui_url`](Self::idenfy_kyb_ui_url) |
    /// | `IDENFY_API_KEY`, `IDENFY_API_SECRET` | [`idenfy_credentials`](Self::idenfy_credentials) |
    /// | `IDENFY_WEBHOOK_KEY` | [`idenfy_webhook_key`](Self::idenfy_webhook_key) |
    /// | `VERIFF_BASE_URL` | [`veriff_base_url`](Self::veriff_base_url) |
    /// | `VERIFF_API_KEY`, `VERIFF_SHARED_SECRET` | [`veriff_credentials`](Self::veriff_credentials) |
    /// | `SUMSUB_BASE_URL` | [`sumsub_base_url`](Self::sumsub_base_url) |
    /// | `SUMSUB_APP_TOKEN`, `SUMSUB_SECRET_KEY` | [`sumsub_credentials`](Self::sumsub_credentials) |
    /// | `SUMSUB_LEVEL_NAME`, `SUMSUB_KYB_LEVEL_NAME` | [`sumsub_level_names`](Self::sumsub_level_names) |
    /// | `SUMSUB_WEBHOOK_SECRET` | [`sumsub_webhook_secret`](Self::sumsub_webhook_secret) |
    /// | `ONFIDO_BASE_URL` | [`onfido_base_url`](Self::onfido_base_url) (with `/v3.6`) |
    /// | `ONFIDO_API_TOKEN` | [`onfido_api_token`](Self::onfido_api_token) |
    /// | `ONFIDO_WORKFLOW_ID` | [`onfido_workflow_id`](Self::onfido_workflow_id) |
    /// | `ONFIDO_WEBHOOK_TOKEN` | [`onfido_webhook_token`](Self::onfido_webhook_token) |
    ///
    /// Hand them to the adapter's own configuration path, as production hands it the process
    /// environment: `kyc::IdenfyBuilder::from_vars(emulator.vars())?.build()?`. The credentials
    /// are the emulator's own, made up for local use.
    ///
    /// ```
    /// # #[tokio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = kyc_emulator::Emulator::builder()
    ///     .with_idenfy_credentials("my-key", "my-secret")
    ///     .start()
    ///     .await?;
    /// let vars = emulator.vars();
    /// assert!(vars.contains(&("IDENFY_API_KEY", "my-key".to_owned())));
    /// assert!(vars.contains(&("VERIFF_BASE_URL", emulator.veriff_base_url())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let config = &self.app.config;
        vec![
            ("IDENFY_BASE_URL", self.idenfy_base_url()),
            ("IDENFY_KYB_UI_URL", self.idenfy_kyb_ui_url()),
            ("IDENFY_API_KEY", config.idenfy_key.clone()),
            ("IDENFY_API_SECRET", config.idenfy_secret.clone()),
            ("IDENFY_WEBHOOK_KEY", config.idenfy_webhook_key.clone()),
            ("VERIFF_BASE_URL", self.veriff_base_url()),
            ("VERIFF_API_KEY", config.veriff_key.clone()),
            ("VERIFF_SHARED_SECRET", config.veriff_secret.clone()),
            ("SUMSUB_BASE_URL", self.sumsub_base_url()),
            ("SUMSUB_APP_TOKEN", config.sumsub_app_token.clone()),
            ("SUMSUB_SECRET_KEY", config.sumsub_secret_key.clone()),
            ("SUMSUB_LEVEL_NAME", config.sumsub_level_name.clone()),
            ("SUMSUB_KYB_LEVEL_NAME", config.sumsub_kyb_level_name.clone()),
            ("SUMSUB_WEBHOOK_SECRET", config.sumsub_webhook_secret.clone()),
            ("ONFIDO_BASE_URL", self.onfido_base_url()),
            ("ONFIDO_API_TOKEN", config.onfido_api_token.clone()),
            ("ONFIDO_WORKFLOW_ID", config.onfido_workflow_id.clone()),
            ("ONFIDO_WEBHOOK_TOKEN", config.onfido_webhook_token.clone()),
        ]
    }

    /// Puts `fault` in place for `vendor`, replacing any other.
    pub fn set_fault(&self, vendor: Vendor, fault: Fault) {
        lock(&self.app.store).faults.insert(vendor, fault);
    }

    /// How many API requests `vendor`'s endpoints received (hosted pages and the admin
    /// endpoint not counted).
    pub fn requests_received(&self, vendor: Vendor) -> u64 {
        lock(&self.app.store).requests.get(&vendor).copied().unwrap_or(0)
    }

    /// Removes `vendor`'s fault.
    pub fn clear_fault(&self, vendor: Vendor) {
        lock(&self.app.store).faults.remove(&vendor);
    }

    /// Decides `vendor`'s session `session_id` as a person would on its hosted page: what a
    /// click on the page's button does (`POST /{vendor}/decide`, the same code), without a
    /// browser or the session's token. The status and decision endpoints then report it, and
    /// the vendor's signed webhooks go to the configured webhook URL (an iDenfy session's own
    /// `callbackUrl` first).
    ///
    /// `session_id` is the vendor's id, as an adapter's `Session::id` carries it: iDenfy's
    /// `scanRef` (`companyId` for a business session), Veriff's verification id, Sumsub's
    /// `userId` (the applicant's `externalUserId`; its `applicantId` is taken too), Onfido's
    /// workflow run id. `choice` must
    /// be one of `vendor`'s ([`Choice::offered_by`]); [`Choice::Expire`] and
    /// [`Choice::Abandon`] run the link out now, as if the person never came back.
    ///
    /// Unlike the page, which sends its webhooks in the background, this returns once they are
    /// delivered: a receiver has them when it returns, and a failed delivery is an error. A
    /// decision in two steps (a KYB company's, [`Choice::ApproveAfterReview`],
    /// [`Choice::DeclineAfterReview`]) delivers both, in order; with a
    /// [`review time`](EmulatorBuilder::with_review_time), it returns after the first step, the
    /// second following in the background.
    /// Faults do not apply, and it is not counted in [`requests_received`](Self::requests_received):
    /// it is a person's act, not an API request.
    ///
    /// # Errors
    /// - [`EmulatorError::NotOffered`]: `vendor` has no such outcome.
    /// - [`EmulatorError::NotOfferedForBusiness`]: an iDenfy KYB session has no such outcome
    ///   ([`Choice::offered_for_business`]).
    /// - [`EmulatorError::UnknownSession`]: no session of `vendor` has this id (or it was
    ///   deleted: a KYB company, a Veriff session, an Onfido run's applicant; or deactivated: a
    ///   Sumsub applicant).
    /// - [`EmulatorError::Expired`]: its link ran out undecided.
    /// - [`EmulatorError::AlreadyDecided`]: a decision stands (any but Veriff's resubmission
    ///   request or Sumsub's RETRY; after one, running out is refused too), or is under way (a review pending),
    ///   or the iDenfy data was deleted.
    /// - [`EmulatorError::AlreadyOpened`]: [`Choice::Expire`] of an opened Veriff session.
    /// - [`EmulatorError::WebhookDelivery`]: the decision was made and stands, but a webhook did
    ///   not get through (no answer, or not 2xx); every webhook was still tried.
    pub async fn decide(
        &self,
        vendor: Vendor,
        session_id: &str,
        choice: Choice,
    ) -> Result<(), EmulatorError> {
        let acted = decide::act(&self.app, vendor, session_id, choice)?;
        decide::carry_out(&self.app, acted).await
    }

    /// Sends iDenfy's `DOCUMENT_EXPIRATION` webhook for the identity verification `scan_ref`:
    /// `{scanRef, clientId, expirationThreshold, documentExpiration}`, "sent when a client's
    /// identity verification document is nearing expiration or expires"
    /// (<https://documentation.idenfy.com/api-reference/webhooks/document-expiration>), with the
    /// `Idenfy-Event-Type` and `Idenfy-Signature` headers. `documentExpiration` is the date
    /// `threshold` implies from today (`YYYY-MM-DD`: 30, 7, 1 or 0 days ahead). Like
    /// [`decide`](Self::decide), it returns once the webhook is delivered; with no webhook URL
    /// nothing is sent. The session is not changed.
    ///
    /// # Errors
    /// - [`EmulatorError::UnknownSession`]: no iDenfy identity session has this `scanRef`
    ///   (business sessions have no document).
    /// - [`EmulatorError::NotDecided`]: it has no final decision (a document is known once
    ///   verified; the emulator's choice).
    /// - [`EmulatorError::WebhookDelivery`]: the webhook did not get through.
    pub async fn notify_document_expiration(
        &self,
        scan_ref: &str,
        threshold: DocumentExpiration,
    ) -> Result<(), EmulatorError> {
        let deliveries = {
            let store = lock(&self.app.store);
            let vendor = Vendor::Idenfy;
            let session_id = || scan_ref.to_owned();
            let Some(record) = store.by_id(scan_ref).filter(|r| r.vendor == vendor && !r.business)
            else {
                return Err(EmulatorError::UnknownSession { vendor, session_id: session_id() });
            };
            if !record.decided() || record.deleted {
                return Err(EmulatorError::NotDecided { vendor, session_id: session_id() });
            }
            let expires_on =
                chrono::Utc::now().date_naive() + chrono::TimeDelta::days(threshold.days_left());
            let expires_on = expires_on.format("%Y-%m-%d").to_string();
            webhooks::document_expiration(&self.app, record, threshold.threshold(), &expires_on)
        };
        webhooks::deliver(&self.app.http, deliveries).await
    }

    /// Stops serving: open connections get a second to finish (a hanging fault never would).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(std::time::Duration::from_secs(1), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Hanging faults keep connections open; do not wait for them.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var<'a>(vars: &'a [(&'static str, String)], name: &str) -> &'a str {
        match vars.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => value,
            None => panic!("{name} is missing"),
        }
    }

    #[tokio::test]
    async fn vars_name_every_variable_the_adapters_read() {
        let emulator = Emulator::builder().start().await.unwrap();
        let vars = emulator.vars();
        let names: Vec<&str> = vars.iter().map(|(name, _)| *name).collect();
        // As `IdenfyBuilder::from_vars`, `VeriffBuilder::from_vars`, the Sumsub adapter and the
        // webhook verifiers' `from_vars` read them.
        assert_eq!(
            names,
            [
                "IDENFY_BASE_URL",
                "IDENFY_KYB_UI_URL",
                "IDENFY_API_KEY",
                "IDENFY_API_SECRET",
                "IDENFY_WEBHOOK_KEY",
                "VERIFF_BASE_URL",
                "VERIFF_API_KEY",
                "VERIFF_SHARED_SECRET",
                "SUMSUB_BASE_URL",
                "SUMSUB_APP_TOKEN",
                "SUMSUB_SECRET_KEY",
                "SUMSUB_LEVEL_NAME",
                "SUMSUB_KYB_LEVEL_NAME",
                "SUMSUB_WEBHOOK_SECRET",
                "ONFIDO_BASE_URL",
                "ONFIDO_API_TOKEN",
                "ONFIDO_WORKFLOW_ID",
                "ONFIDO_WEBHOOK_TOKEN",
            ]
        );
        let base = format!("http://{}", emulator.address());
        assert_eq!(var(&vars, "IDENFY_BASE_URL"), format!("{base}/idenfy"));
        assert_eq!(var(&vars, "IDENFY_KYB_UI_URL"), format!("{base}/idenfy/kyb/welcome"));
        assert_eq!(var(&vars, "VERIFF_BASE_URL"), format!("{base}/veriff"));
        assert_eq!(var(&vars, "IDENFY_API_KEY"), DEFAULT_IDENFY_KEY);
        assert_eq!(var(&vars, "IDENFY_API_SECRET"), DEFAULT_IDENFY_SECRET);
        assert_eq!(var(&vars, "IDENFY_WEBHOOK_KEY"), DEFAULT_IDENFY_WEBHOOK_KEY);
        assert_eq!(var(&vars, "VERIFF_API_KEY"), DEFAULT_VERIFF_KEY);
        assert_eq!(var(&vars, "VERIFF_SHARED_SECRET"), DEFAULT_VERIFF_SECRET);
        assert_eq!(var(&vars, "SUMSUB_BASE_URL"), format!("{base}/sumsub"));
        assert_eq!(var(&vars, "SUMSUB_APP_TOKEN"), DEFAULT_SUMSUB_APP_TOKEN);
        assert!(DEFAULT_SUMSUB_APP_TOKEN.starts_with("sbx:"), "a sandbox token");
        assert_eq!(var(&vars, "SUMSUB_SECRET_KEY"), DEFAULT_SUMSUB_SECRET_KEY);
        assert_eq!(var(&vars, "SUMSUB_LEVEL_NAME"), DEFAULT_SUMSUB_LEVEL_NAME);
        assert_eq!(var(&vars, "SUMSUB_KYB_LEVEL_NAME"), DEFAULT_SUMSUB_KYB_LEVEL_NAME);
        assert_eq!(var(&vars, "SUMSUB_WEBHOOK_SECRET"), DEFAULT_SUMSUB_WEBHOOK_SECRET);
        assert_eq!(var(&vars, "ONFIDO_BASE_URL"), format!("{base}/onfido/v3.6"));
        assert_eq!(var(&vars, "ONFIDO_API_TOKEN"), DEFAULT_ONFIDO_API_TOKEN);
        assert!(DEFAULT_ONFIDO_API_TOKEN.starts_with("api_sandbox."), "a sandbox token");
        assert_eq!(var(&vars, "ONFIDO_WORKFLOW_ID"), DEFAULT_ONFIDO_WORKFLOW_ID);
        assert_eq!(var(&vars, "ONFIDO_WEBHOOK_TOKEN"), DEFAULT_ONFIDO_WEBHOOK_TOKEN);
        assert!(vars.iter().all(|(_, value)| !value.trim().is_empty()));
    }

    #[tokio::test]
    async fn vars_follow_the_builder() {
        let emulator = Emulator::builder()
            .with_idenfy_credentials("key-1", "secret-1")
            .with_idenfy_webhook_key("hook-1")
            .with_veriff_credentials("00000000-0000-4000-8000-000000000001", "shared-1")
            .with_sumsub_credentials("prd:token-1.private", "sumsub-secret-1")
            .with_sumsub_level_name("level-1")
            .with_sumsub_kyb_level_name("kyb-level-1")
            .with_sumsub_webhook_secret("sumsub-hook-1")
            .with_onfido_api_token("api_live.token-1")
            .with_onfido_workflow_id("00000000-0000-4000-8000-000000000002")
            .with_onfido_webhook_token("onfido-hook-1")
            .start()
            .await
            .unwrap();
        let vars = emulator.vars();
        let given = [
            ("IDENFY_API_KEY", "key-1"),
            ("IDENFY_API_SECRET", "secret-1"),
            ("IDENFY_WEBHOOK_KEY", "hook-1"),
            ("VERIFF_API_KEY", "00000000-0000-4000-8000-000000000001"),
            ("VERIFF_SHARED_SECRET", "shared-1"),
            ("SUMSUB_APP_TOKEN", "prd:token-1.private"),
            ("SUMSUB_SECRET_KEY", "sumsub-secret-1"),
            ("SUMSUB_LEVEL_NAME", "level-1"),
            ("SUMSUB_KYB_LEVEL_NAME", "kyb-level-1"),
            ("SUMSUB_WEBHOOK_SECRET", "sumsub-hook-1"),
            ("ONFIDO_API_TOKEN", "api_live.token-1"),
            ("ONFIDO_WORKFLOW_ID", "00000000-0000-4000-8000-000000000002"),
            ("ONFIDO_WEBHOOK_TOKEN", "onfido-hook-1"),
        ];
        for (name, value) in given {
            assert_eq!(var(&vars, name), value, "{name}");
        }
        assert_eq!(emulator.idenfy_credentials(), ("key-1", "secret-1"));
        assert_eq!(emulator.idenfy_webhook_key(), "hook-1");
        assert_eq!(emulator.onfido_api_token(), "api_live.token-1");
        assert_eq!(emulator.onfido_workflow_id(), "00000000-0000-4000-8000-000000000002");
        assert_eq!(emulator.onfido_webhook_token(), "onfido-hook-1");
        assert_eq!(emulator.sumsub_credentials(), ("prd:token-1.private", "sumsub-secret-1"));
        assert_eq!(emulator.sumsub_level_names(), ("level-1", "kyb-level-1"));
        assert_eq!(
            emulator.sumsub_webhook_secret(),
            ("sumsub-hook-1", SumsubDigest::HmacSha256Hex)
        );
    }

    /// Each URL and credential in the variables is one the emulator serves and accepts.
    #[tokio::test]
    async fn vars_are_what_the_emulator_serves_and_accepts() {
        // A receiver for the iDenfy webhook, to check the key it is signed with.
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<(String, Vec<u8>)>();
        let receiver = Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let signature = headers
                    .get("idenfy-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let _ = sent.send((signature, body.to_vec()));
                async { StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });

        let emulator = Emulator::builder().with_idenfy_webhook_url(hook).start().await.unwrap();
        let vars = emulator.vars();
        let client = reqwest::Client::new();
        let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();

        // iDenfy: Basic auth with the key and secret, on the base URL.
        let idenfy = |path: &str, body: &'static str| {
            client
                .post(format!("{}{path}", var(&vars, "IDENFY_BASE_URL")))
                .basic_auth(var(&vars, "IDENFY_API_KEY"), Some(var(&vars, "IDENFY_API_SECRET")))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let token = idenfy("/api/v2/token", r#"{"clientId": "vars"}"#).await.unwrap();
        assert_eq!(token.status(), 201);
        let token = json(&token.bytes().await.unwrap());
        let kyb = idenfy("/kyb/tokens/", r#"{"clientId": "vars", "tokenType": "FORM"}"#);
        let kyb = kyb.await.unwrap();
        assert_eq!(kyb.status(), 201);
        let kyb = json(&kyb.bytes().await.unwrap());
        // The KYB UI URL is where the KYB token opens.
        let page = format!(
            "{}?authToken={}",
            var(&vars, "IDENFY_KYB_UI_URL"),
            kyb["tokenString"].as_str().unwrap()
        );
        assert_eq!(client.get(page).send().await.unwrap().status(), 200);

        // The webhook key signs iDenfy's webhooks.
        let scan_ref = token["scanRef"].as_str().unwrap();
        emulator.decide(Vendor::Idenfy, scan_ref, Choice::Approve).await.unwrap();
        let (signature, body) =
            tokio::time::timeout(std::time::Duration::from_secs(5), received.recv())
                .await
                .unwrap()
                .unwrap();
        assert_eq!(signature, veriff::signature(var(&vars, "IDENFY_WEBHOOK_KEY"), &body));

        // Veriff: the API key in `X-AUTH-CLIENT`, the body signed with the shared secret.
        let body = r#"{"verification": {"vendorData": "vars"}}"#;
        let created = client
            .post(format!("{}/v1/sessions", var(&vars, "VERIFF_BASE_URL")))
            .header("x-auth-client", var(&vars, "VERIFF_API_KEY"))
            .header(
                "x-hmac-signature",
                veriff::signature(var(&vars, "VERIFF_SHARED_SECRET"), body.as_bytes()),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let created = json(&created.bytes().await.unwrap());
        let link = created["verification"]["url"].as_str().unwrap();
        assert!(link.starts_with(var(&vars, "VERIFF_BASE_URL")), "{link}");
        emulator.stop().await;
    }

    /// Sessions made over raw HTTP, as the adapters make them: (id, token).
    struct Sessions<'a>(&'a RunningEmulator, reqwest::Client);

    impl Sessions<'_> {
        /// Posts with both vendors' credentials: each reads only its own.
        async fn post(&self, url: String, body: &str) -> serde_json::Value {
            let (key, secret) = self.0.idenfy_credentials();
            let answer = self
                .1
                .post(url)
                .basic_auth(key, Some(secret))
                .header("x-auth-client", self.0.veriff_credentials().0)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 201);
            serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap()
        }

        async fn idenfy(&self) -> (String, String) {
            let url = format!("{}/api/v2/token", self.0.idenfy_base_url());
            let token = self.post(url, r#"{"clientId": "unit"}"#).await;
            (token["scanRef"].as_str().unwrap().into(), token["authToken"].as_str().unwrap().into())
        }

        async fn kyb(&self) -> (String, String) {
            let url = format!("{}/kyb/tokens/", self.0.idenfy_base_url());
            let token = self.post(url, r#"{"clientId": "unit", "tokenType": "FORM"}"#).await;
            let (id, token) = (&token["companyId"], &token["tokenString"]);
            (id.as_str().unwrap().into(), token.as_str().unwrap().into())
        }

        async fn veriff(&self) -> (String, String) {
            let url = format!("{}/v1/sessions", self.0.veriff_base_url());
            let created = self.post(url, r#"{"verification": {"vendorData": "unit"}}"#).await;
            let verification = &created["verification"];
            let (id, token) = (&verification["id"], &verification["sessionToken"]);
            (id.as_str().unwrap().into(), token.as_str().unwrap().into())
        }

        async fn idenfy_status(&self, scan_ref: &str) -> String {
            let (key, secret) = self.0.idenfy_credentials();
            let answer = self
                .1
                .post(format!("{}/api/v2/status", self.0.idenfy_base_url()))
                .basic_auth(key, Some(secret))
                .body(format!(r#"{{"scanRef": "{scan_ref}"}}"#))
                .send()
                .await
                .unwrap();
            let answer: serde_json::Value =
                serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
            answer["status"].as_str().unwrap().to_owned()
        }

        async fn veriff_status(&self, id: &str) -> serde_json::Value {
            let (key, secret) = self.0.veriff_credentials();
            let answer = self
                .1
                .get(format!("{}/v1/sessions/{id}/decision", self.0.veriff_base_url()))
                .header("x-auth-client", key)
                .header("x-hmac-signature", veriff::signature(secret, id.as_bytes()))
                .send()
                .await
                .unwrap();
            let answer: serde_json::Value =
                serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
            answer["verification"]["status"].clone()
        }

        async fn form(&self, vendor: Vendor, token: &str, choice: &str) -> u16 {
            let answer = self
                .1
                .post(format!("http://{}/{}/decide", self.0.address(), vendor.name()))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("token={token}&choice={choice}"))
                .send()
                .await
                .unwrap();
            answer.status().as_u16()
        }
    }

    /// A client that shows redirects instead of following them, so a form's 303 is seen.
    fn no_redirects() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    #[tokio::test]
    async fn decide_reports_each_vendors_words() {
        let emulator = Emulator::builder().start().await.unwrap();
        let sessions = Sessions(&emulator, no_redirects());
        for (choice, expected) in [
            (Choice::Approve, "APPROVED"),
            (Choice::Decline, "DENIED"),
            (Choice::Suspect, "SUSPECTED"),
            (Choice::ApproveAfterReview, "APPROVED"),
            (Choice::DeclineAfterReview, "DENIED"),
            (Choice::Expire, "EXPIRED"),
        ] {
            let (scan_ref, _) = sessions.idenfy().await;
            assert_eq!(sessions.idenfy_status(&scan_ref).await, "ACTIVE");
            emulator.decide(Vendor::Idenfy, &scan_ref, choice).await.unwrap();
            assert_eq!(sessions.idenfy_status(&scan_ref).await, expected, "{choice:?}");
        }
        for (choice, expected) in [
            (Choice::Approve, "approved"),
            (Choice::Decline, "declined"),
            (Choice::Resubmit, "resubmission_requested"),
            (Choice::ApproveAfterReview, "approved"),
            (Choice::DeclineAfterReview, "declined"),
            (Choice::Expire, "expired"),
            (Choice::Abandon, "abandoned"),
        ] {
            let (id, _) = sessions.veriff().await;
            assert!(sessions.veriff_status(&id).await.is_null(), "no decision yet");
            emulator.decide(Vendor::Veriff, &id, choice).await.unwrap();
            assert_eq!(sessions.veriff_status(&id).await, expected, "{choice:?}");
        }
    }

    /// The page's form and `decide` are one path: what one did, the other sees.
    #[tokio::test]
    async fn decide_and_the_pages_form_share_their_rules() {
        let emulator = Emulator::builder().start().await.unwrap();
        let sessions = Sessions(&emulator, no_redirects());

        // A business session, by its `companyId`: its page shows the decision, its form is
        // refused as decided.
        let (company, token) = sessions.kyb().await;
        emulator.decide(Vendor::Idenfy, &company, Choice::Decline).await.unwrap();
        let page = format!("{}?authToken={token}", emulator.idenfy_kyb_ui_url());
        let page = sessions.1.get(page).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Decided: denied"), "{page}");
        assert_eq!(sessions.form(Vendor::Idenfy, &token, "approve").await, 409);

        // Decided on the page, refused by `decide`.
        let (scan_ref, token) = sessions.idenfy().await;
        assert_eq!(sessions.form(Vendor::Idenfy, &token, "suspect").await, 303);
        let again = emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Approve).await;
        assert!(matches!(again, Err(EmulatorError::AlreadyDecided { .. })), "{again:?}");
        assert_eq!(sessions.idenfy_status(&scan_ref).await, "SUSPECTED");

        // Run out by `decide`, gone on the page.
        let (id, token) = sessions.veriff().await;
        emulator.decide(Vendor::Veriff, &id, Choice::Expire).await.unwrap();
        assert_eq!(sessions.form(Vendor::Veriff, &token, "approve").await, 410);
        let page = sessions.1.get(format!("{}/v/{token}", emulator.veriff_base_url()));
        assert_eq!(page.send().await.unwrap().status(), 410);
        let late = emulator.decide(Vendor::Veriff, &id, Choice::Approve).await;
        assert!(matches!(late, Err(EmulatorError::Expired { .. })), "{late:?}");

        // Running out is no button.
        let (_, token) = sessions.veriff().await;
        assert_eq!(sessions.form(Vendor::Veriff, &token, "abandon").await, 400);

        // A resubmission asked on the page is decided again from code, then stands for both.
        let (id, token) = sessions.veriff().await;
        assert_eq!(sessions.form(Vendor::Veriff, &token, "resubmit").await, 303);
        emulator.decide(Vendor::Veriff, &id, Choice::Approve).await.unwrap();
        assert_eq!(sessions.form(Vendor::Veriff, &token, "decline").await, 409);
        assert_eq!(sessions.veriff_status(&id).await, "approved");
    }

    /// The page sends in the background what `decide` sends before returning: the same
    /// webhook (event, status, finality) for the same choice.
    #[tokio::test]
    async fn the_pages_form_sends_the_webhooks_decide_sends() {
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
        let receiver = Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let event = headers.get("idenfy-event-type").and_then(|v| v.to_str().ok());
                let mut body: serde_json::Value = serde_json::from_slice(&body).unwrap();
                body["event"] = event.into();
                let _ = sent.send(body);
                async { StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });
        let emulator = Emulator::builder().with_idenfy_webhook_url(hook).start().await.unwrap();
        let sessions = Sessions(&emulator, no_redirects());

        let (by_code, _) = sessions.idenfy().await;
        emulator.decide(Vendor::Idenfy, &by_code, Choice::Suspect).await.unwrap();
        let from_code = received.try_recv().expect("delivered before `decide` returned");
        let (by_page, token) = sessions.idenfy().await;
        assert_eq!(sessions.form(Vendor::Idenfy, &token, "suspect").await, 303);
        let wait = std::time::Duration::from_secs(5);
        let from_page = tokio::time::timeout(wait, received.recv()).await.unwrap().unwrap();
        assert_eq!(
            (&from_code["scanRef"], &from_page["scanRef"]),
            (&by_code.into(), &by_page.into())
        );
        let same = |body: &serde_json::Value| {
            (body["event"].clone(), body["status"].clone(), body["final"].clone())
        };
        assert_eq!(same(&from_code), same(&from_page));
        assert_eq!(from_page["status"]["overall"], "SUSPECTED");
    }

    #[tokio::test]
    async fn decide_refuses_what_a_person_could_not_do() {
        let emulator = Emulator::builder().start().await.unwrap();
        let sessions = Sessions(&emulator, no_redirects());
        let (scan_ref, _) = sessions.idenfy().await;
        let (id, _) = sessions.veriff().await;

        // Another vendor's outcome is refused, whatever the session.
        for (vendor, session, choice) in [
            (Vendor::Idenfy, &scan_ref, Choice::Resubmit),
            (Vendor::Idenfy, &scan_ref, Choice::Abandon),
            (Vendor::Veriff, &id, Choice::Suspect),
            (Vendor::Veriff, &"no-such-session".to_owned(), Choice::Suspect),
        ] {
            let refused = emulator.decide(vendor, session, choice).await.unwrap_err();
            assert!(
                matches!(refused, EmulatorError::NotOffered { vendor: v, choice: c } if v == vendor && c == choice),
                "{refused:?}"
            );
            assert!(refused.to_string().contains(choice.name()), "{refused}");
        }
        assert_eq!(sessions.idenfy_status(&scan_ref).await, "ACTIVE", "nothing changed");

        // The other vendor's id, or none at all, is no session.
        for (vendor, session) in [(Vendor::Veriff, &scan_ref), (Vendor::Idenfy, &id)] {
            let refused = emulator.decide(vendor, session, Choice::Approve).await.unwrap_err();
            assert!(matches!(refused, EmulatorError::UnknownSession { .. }), "{refused:?}");
        }

        // Veriff's resubmission may be decided again, but not run out.
        emulator.decide(Vendor::Veriff, &id, Choice::Resubmit).await.unwrap();
        let run_out = emulator.decide(Vendor::Veriff, &id, Choice::Abandon).await;
        assert!(matches!(run_out, Err(EmulatorError::AlreadyDecided { .. })), "{run_out:?}");
        emulator.decide(Vendor::Veriff, &id, Choice::Approve).await.unwrap();
        assert_eq!(sessions.veriff_status(&id).await, "approved");

        // An opened Veriff session runs out abandoned, never expired.
        let (id, token) = sessions.veriff().await;
        let page = sessions.1.get(format!("{}/v/{token}", emulator.veriff_base_url()));
        assert_eq!(page.send().await.unwrap().status(), 200);
        let expire = emulator.decide(Vendor::Veriff, &id, Choice::Expire).await.unwrap_err();
        assert!(matches!(expire, EmulatorError::AlreadyOpened { .. }), "{expire:?}");
        emulator.decide(Vendor::Veriff, &id, Choice::Abandon).await.unwrap();
        assert_eq!(sessions.veriff_status(&id).await, "abandoned");
        // iDenfy has one word for both: an opened session runs out `EXPIRED`.
        let (scan_ref, token) = sessions.idenfy().await;
        let page = format!("{}/api/v2/redirect?authToken={token}", emulator.idenfy_base_url());
        assert_eq!(sessions.1.get(page).send().await.unwrap().status(), 200);
        emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Expire).await.unwrap();
        assert_eq!(sessions.idenfy_status(&scan_ref).await, "EXPIRED");
    }

    #[tokio::test]
    async fn a_webhook_not_taken_is_reported_and_the_decision_stands() {
        // A receiver that refuses everything.
        let refusing = Router::new().route("/hook", post(|| async { StatusCode::BAD_GATEWAY }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let refused_at = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, refusing).await });
        // An address nothing listens on any more.
        let gone = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone_at = gone.local_addr().unwrap();
        drop(gone);

        let emulator = Emulator::builder()
            .with_idenfy_webhook_url(format!("http://user:hunter2@{refused_at}/hook"))
            .with_veriff_webhook_url(format!("http://{gone_at}/hook"))
            .start()
            .await
            .unwrap();
        let sessions = Sessions(&emulator, no_redirects());

        let (scan_ref, _) = sessions.idenfy().await;
        let error = emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Approve).await.unwrap_err();
        match &error {
            EmulatorError::WebhookDelivery {
                vendor: Vendor::Idenfy,
                status: Some(502),
                url,
                ..
            } => {
                assert_eq!(url, &format!("http://{refused_at}/hook"), "credentials left out");
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{error} {error:?}").contains("hunter2"), "{error:?}");
        assert_eq!(sessions.idenfy_status(&scan_ref).await, "APPROVED", "the decision stands");

        let (id, _) = sessions.veriff().await;
        let error = emulator.decide(Vendor::Veriff, &id, Choice::Decline).await.unwrap_err();
        assert!(
            matches!(
                error,
                EmulatorError::WebhookDelivery { vendor: Vendor::Veriff, status: None, .. }
            ),
            "{error:?}"
        );
        assert!(std::error::Error::source(&error).is_some(), "why it failed");
        assert_eq!(sessions.veriff_status(&id).await, "declined");
    }

    #[tokio::test]
    async fn the_emulators_error_becomes_the_librarys() {
        let emulator = Emulator::builder().start().await.unwrap();
        let refused = emulator.decide(Vendor::Idenfy, "nope", Choice::Approve).await.unwrap_err();
        let shown = refused.to_string();
        let error = kyc_core::Error::from(refused);
        assert_eq!(error.kind(), kyc_core::ErrorKind::Config);
        assert_eq!(error.outcome(), kyc_core::Outcome::NotSent);
        let source = std::error::Error::source(&error).unwrap();
        assert_eq!(source.to_string(), shown, "the emulator's error is the source");
        assert!(!error.to_string().contains(&shown), "and is not repeated: {error}");
        assert!(matches!(
            source.downcast_ref::<EmulatorError>(),
            Some(EmulatorError::UnknownSession { vendor: Vendor::Idenfy, .. })
        ));

        // `start`'s io error goes the same way.
        let taken = emulator.address();
        let io = Emulator::builder().with_listen(taken).start().await.unwrap_err();
        let error = kyc_core::Error::from(EmulatorError::from(io));
        assert_eq!(error.kind(), kyc_core::ErrorKind::Config);
        let start = std::error::Error::source(&error).unwrap();
        assert!(std::error::Error::source(start).is_some(), "the io error under it");
    }
}
