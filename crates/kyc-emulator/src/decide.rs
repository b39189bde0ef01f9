//! What a person does with a session, in one place: the hosted page's form
//! (`POST /{vendor}/decide`) and [`RunningEmulator::decide`](crate::RunningEmulator::decide)
//! both call [`act`], so deciding from code is deciding on the page.
//!
//! A decision may take two steps: a KYB form is first submitted (`PROCESSING`,
//! `COMPANY_SUBMIT`) and then reviewed (`COMPLETED`, `COMPANY_REVIEW`); a decision "after
//! review" first sends the automatic, non-final result and then the reviewer's final one. [`act`]
//! takes the first step and says whether a second follows ([`Acted::then`]); [`carry_out`] sends
//! the first step's webhooks, takes the second step ([`finish`]) and sends its webhooks.

use std::time::Duration;

use chrono::Utc;

use crate::App;
use crate::error::EmulatorError;
use crate::faults::lock;
use crate::store::{Pending, Vendor, Verdict};
use crate::webhooks::{self, Delivery, Happened};

/// What the person does with a session: each vendor's outcomes, in its own words
/// (iDenfy: <https://documentation.idenfy.com/kyc/webhooks>; Veriff:
/// <https://devdocs.veriff.com/docs/verification-session-status-codes-table>; Sumsub:
/// <https://docs.sumsub.com/docs/applicant-statuses>, <https://docs.sumsub.com/docs/user-verification-webhooks>;
/// Onfido: the workflow run statuses of
/// <https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/workflow_runs/definitions.yaml>).
/// [`Choice::offered_by`] lists a vendor's ([`Choice::offered_for_business`] iDenfy's KYB
/// ones); asking a vendor for another's is an error.
///
/// All but [`Expire`](Self::Expire) and [`Abandon`](Self::Abandon) are the hosted page's
/// buttons. Those two are what happens when the person never comes back: the link runs out now
/// instead of at its expiry, as it would have then.
///
/// Every Onfido decision is two steps, as Sumsub's are: the interactive task completes
/// (`workflow_task.completed`, the run `processing`), then the run ends
/// (`workflow_run.completed` with its final status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// iDenfy `APPROVED` (KYB: `approvalStatus: APPROVED`), Veriff `approved` (9001), Sumsub
    /// `completed` with `reviewAnswer: GREEN` (webhooks `applicantPending`, then
    /// `applicantReviewed`), Onfido `approved`.
    Approve,
    /// iDenfy `DENIED` (KYB: `approvalStatus: DENIED`), Veriff `declined` (9102), Sumsub
    /// `completed` with `RED` and `reviewRejectType: FINAL` (no retry), Onfido `declined`.
    Decline,
    /// iDenfy identity (KYC) only: `SUSPECTED`, the checks passed with warnings.
    Suspect,
    /// Veriff `resubmission_requested` (9103), Sumsub `RED` with `reviewRejectType: RETRY`; the
    /// person may then decide again on the same link (Sumsub: the same applicant, a new attempt).
    Resubmit,
    /// Approved by a reviewer after the automatic checks, in two steps:
    /// - iDenfy KYC: `IDENTIFICATION_AUTO_FINISHED` with `final: false` (the automatic verdict
    ///   `APPROVED`, the manual fields empty; the status endpoint says `REVIEWING`), then
    ///   `IDENTIFICATION_MANUAL_FINISHED`
    ///   with `final: true` and `APPROVED` (<https://documentation.idenfy.com/kyc/status-handling>:
    ///   "`final: false` means a `IDENTIFICATION_MANUAL_FINISHED` webhook is still coming");
    /// - iDenfy KYB: `COMPANY_SUBMIT` (status `NEED_TO_REVIEW`), then `COMPANY_REVIEW`
    ///   (`COMPLETED`, `APPROVED`);
    /// - Veriff: the `submitted` event and the decision `review` (9121), then `approved`;
    /// - Sumsub: `applicantPending` and `applicantOnHold` (`reviewStatus: onHold`, "requires
    ///   action", <https://docs.sumsub.com/docs/applicant-statuses>), then `applicantReviewed`
    ///   (`GREEN`).
    ///
    /// The review takes [`EmulatorBuilder::with_review_time`](crate::EmulatorBuilder::with_review_time)
    /// (none by default).
    ApproveAfterReview,
    /// As [`ApproveAfterReview`](Self::ApproveAfterReview), the reviewer declining: iDenfy's
    /// automatic verdict `SUSPECTED` (a face it could not match for sure), then `DENIED` (KYB
    /// `DENIED`), Veriff `declined`, Sumsub `RED` with `FINAL`.
    DeclineAfterReview,
    /// The person never uses the link and it runs out: iDenfy `EXPIRED` (webhook
    /// `IDENTIFICATION_EXPIRED`; KYB: `COMPANY_TOKEN_EXPIRED`), Veriff `expired` (9104), Onfido
    /// `abandoned` (`workflow_run.completed`; Onfido has no expired status). Not
    /// for a decided session; for Veriff, not for an opened one either (that one is
    /// [`Abandon`](Self::Abandon)). Sumsub has no expiry status nor webhook: its links stop
    /// opening (410) and the applicant stays `init`, until a new link is made for the same
    /// `userId` (the emulator's choice: the documents say only that a link has a `ttlInSecs`).
    Expire,
    /// The person opens the link (if the page was not opened yet: Veriff's `started`, Onfido's
    /// `workflow_task.started`) and leaves, and it runs out: Veriff `abandoned` (9104), Onfido
    /// `abandoned` (an interactive task timed out). iDenfy has no such word: its unfinished
    /// sessions end `EXPIRED`.
    ///
    /// Onfido has no expired status: its [`Expire`](Self::Expire) ends `abandoned` too, without
    /// the page having been opened.
    Abandon,
    /// Onfido only: the workflow ends in its manual-review outcome, the run `review` (final
    /// for the run; the emulator sends no later change).
    Review,
    /// Onfido only: the run fails, `error`, with `error: {type, message}` (the type and
    /// message are the emulator's: Onfido documents neither). Its name is `error`.
    Fail,
}

impl Choice {
    /// The outcomes `vendor` has, in the order its hosted page shows them, then running out.
    /// iDenfy's KYB sessions have fewer: [`offered_for_business`](Self::offered_for_business).
    pub fn offered_by(vendor: Vendor) -> &'static [Choice] {
        match vendor {
            Vendor::Idenfy => &[
                Self::Approve,
                Self::Decline,
                Self::Suspect,
                Self::ApproveAfterReview,
                Self::DeclineAfterReview,
                Self::Expire,
            ],
            Vendor::Veriff => &[
                Self::Approve,
                Self::Decline,
                Self::Resubmit,
                Self::ApproveAfterReview,
                Self::DeclineAfterReview,
                Self::Expire,
                Self::Abandon,
            ],
            Vendor::Sumsub => &[
                Self::Approve,
                Self::Decline,
                Self::Resubmit,
                Self::ApproveAfterReview,
                Self::DeclineAfterReview,
                Self::Expire,
            ],
            Vendor::Onfido => &[
                Self::Approve,
                Self::Decline,
                Self::Review,
                Self::Fail,
                Self::Expire,
                Self::Abandon,
            ],
        }
    }

    /// The outcomes of an iDenfy business (KYB) session: a review approves or denies
    /// (`ApprovalStatusEnum`, <https://documentation.idenfy.com/api-reference/webhooks/company-review>),
    /// there is no "suspected".
    pub fn offered_for_business() -> &'static [Choice] {
        &[
            Self::Approve,
            Self::Decline,
            Self::ApproveAfterReview,
            Self::DeclineAfterReview,
            Self::Expire,
        ]
    }

    /// Whether `vendor` has this outcome.
    pub fn is_offered_by(self, vendor: Vendor) -> bool {
        Self::offered_by(vendor).contains(&self)
    }

    /// Its name: for the page's buttons, the `choice` their form posts (`approve`, `decline`,
    /// `suspect`, `resubmit`, `approve_after_review`, `decline_after_review`, `review`,
    /// `error`); then `expire`, `abandon`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Suspect => "suspect",
            Self::Resubmit => "resubmit",
            Self::ApproveAfterReview => "approve_after_review",
            Self::DeclineAfterReview => "decline_after_review",
            Self::Expire => "expire",
            Self::Abandon => "abandon",
            Self::Review => "review",
            Self::Fail => "error",
        }
    }

    /// A button of the page's form. Running out is no button: a person does not click it.
    pub(crate) fn from_form(value: &str) -> Option<Self> {
        [
            Self::Approve,
            Self::Decline,
            Self::Suspect,
            Self::Resubmit,
            Self::ApproveAfterReview,
            Self::DeclineAfterReview,
            Self::Review,
            Self::Fail,
        ]
        .into_iter()
        .find(|choice| choice.name() == value)
    }

    fn after_review(self) -> bool {
        matches!(self, Self::ApproveAfterReview | Self::DeclineAfterReview)
    }
}

/// The second step of a decision, taken after the first one's webhooks went out.
#[derive(Debug)]
pub(crate) struct Then {
    vendor: Vendor,
    session_id: String,
    /// How long the step waits (a person's review).
    after: Duration,
}

/// What acting changed, for the caller to finish: the webhooks to send, whether the session is
/// a business one (its page lives elsewhere), and a second step to take, if any.
#[derive(Debug)]
pub(crate) struct Acted {
    pub(crate) deliveries: Vec<Delivery>,
    pub(crate) business: bool,
    pub(crate) then: Option<Then>,
}

/// `choice` on `vendor`'s session `session_id`: checks it may be made, records it, and builds
/// the webhooks it causes. The caller sends them ([`carry_out`]): the page in the background,
/// code awaiting them.
pub(crate) fn act(
    app: &App,
    vendor: Vendor,
    session_id: &str,
    choice: Choice,
) -> Result<Acted, EmulatorError> {
    if !choice.is_offered_by(vendor) {
        return Err(EmulatorError::NotOffered { vendor, choice });
    }
    let now = Utc::now();
    let mut store = lock(&app.store);
    let id = store.resolve(vendor, session_id);
    let Some(record) = id.and_then(|id| store.by_id_mut(&id)).filter(|r| r.vendor == vendor) else {
        return Err(EmulatorError::UnknownSession { vendor, session_id: session_id.to_owned() });
    };
    let session_id = || session_id.to_owned();
    // Sumsub's companies are reviewed as its individuals are: RED with RETRY too.
    if record.business
        && vendor == Vendor::Idenfy
        && !Choice::offered_for_business().contains(&choice)
    {
        return Err(EmulatorError::NotOfferedForBusiness { choice });
    }
    if record.expired(now) {
        // Run out on its own: what the vendor would have sent then goes now.
        webhooks::send(app, webhooks::expiry_if_due(app, record, now));
        return Err(EmulatorError::Expired { vendor, session_id: session_id() });
    }
    let verdict = match choice {
        Choice::Approve | Choice::ApproveAfterReview => Some(Verdict::Approve),
        Choice::Decline | Choice::DeclineAfterReview => Some(Verdict::Decline),
        Choice::Suspect => Some(Verdict::Suspect),
        Choice::Resubmit => Some(Verdict::Resubmit),
        Choice::Review => Some(Verdict::Review),
        Choice::Fail => Some(Verdict::Error),
        Choice::Expire | Choice::Abandon => None,
    };
    // A final decision stands, and so does one under way; Veriff's resubmission (Sumsub's RETRY)
    // lets the person decide again. Running out is for undecided sessions only: the emulator's expiry applies to
    // those alone.
    let stands = match record.decision {
        _ if record.pending.is_some() || record.deleted => true,
        Some((Verdict::Resubmit, _)) => verdict.is_none(),
        Some(_) => true,
        None => false,
    };
    if stands {
        return Err(EmulatorError::AlreadyDecided { vendor, session_id: session_id() });
    }
    let mut deliveries = Vec::new();
    let mut then = None;
    match verdict {
        Some(verdict) => {
            record.opened = true;
            record.decision = Some((verdict, now));
            record.reviewed = choice.after_review();
            // Two steps: a review, or a KYB form's automatic processing before its review (and
            // every Sumsub submission: `pending` before `completed`; every Onfido run:
            // `processing` before its final status).
            record.pending = if choice.after_review() {
                Some(Pending::Review)
            } else if (record.business && vendor == Vendor::Idenfy)
                || matches!(vendor, Vendor::Sumsub | Vendor::Onfido)
            {
                Some(Pending::Processing)
            } else {
                None
            };
            if let Some(applicant) = record.sumsub.as_mut() {
                applicant.attempts += 1;
                applicant.result = None;
            }
            deliveries.extend(webhooks::deliveries(app, record, Happened::Decided));
            if let Some(pending) = record.pending {
                let after = match pending {
                    Pending::Review => app.config.review_time,
                    Pending::Processing => Duration::ZERO,
                };
                then = Some(Then { vendor, session_id: record.id.clone(), after });
            }
        }
        None => {
            if choice == Choice::Expire && vendor == Vendor::Veriff && record.opened {
                return Err(EmulatorError::AlreadyOpened { vendor, session_id: session_id() });
            }
            if choice == Choice::Abandon && !record.opened {
                record.opened = true;
                deliveries.extend(webhooks::deliveries(app, record, Happened::Opened));
            }
            // The link runs out now: the status, the decision and the page then say so, as
            // they would at its expiry.
            record.expires = now;
            deliveries.extend(webhooks::expiry_if_due(app, record, now));
        }
    }
    Ok(Acted { deliveries, business: record.business, then })
}

/// The second step of a decision: it becomes final, and its webhooks are built. None when the
/// session is gone (deleted meanwhile) or already final.
pub(crate) fn finish(app: &App, vendor: Vendor, session_id: &str) -> Vec<Delivery> {
    let mut store = lock(&app.store);
    let Some(record) = store.by_id_mut(session_id).filter(|r| r.vendor == vendor) else {
        return Vec::new();
    };
    if record.pending.take().is_none() {
        return Vec::new();
    }
    if let Some((_, at)) = record.decision.as_mut() {
        *at = Utc::now();
    }
    webhooks::deliveries(app, record, Happened::Reviewed)
}

/// Sends what [`act`] built, in order, then takes its second step and sends that: awaited when
/// the second step is immediate; when it waits (a review with a
/// [`review time`](crate::EmulatorBuilder::with_review_time)), it happens in the background and
/// this returns after the first step. Every webhook is tried; the first failure is the answer.
pub(crate) async fn carry_out(app: &App, acted: Acted) -> Result<(), EmulatorError> {
    let first = webhooks::deliver(&app.http, acted.deliveries).await;
    let Some(then) = acted.then else { return first };
    if then.after.is_zero() {
        let second = webhooks::deliver(&app.http, finish(app, then.vendor, &then.session_id)).await;
        return first.and(second);
    }
    let app = app.clone();
    tokio::spawn(async move {
        tokio::time::sleep(then.after).await;
        let deliveries = finish(&app, then.vendor, &then.session_id);
        if let Err(error) = webhooks::deliver(&app.http, deliveries).await {
            tracing::warn!(%error, "the emulator could not deliver a webhook");
        }
    });
    first
}

/// [`carry_out`] in the background, for the hosted page: a browser is not kept waiting on the
/// receiver. Failures are logged, not retried: this is a test double, and the endpoints still
/// answer.
pub(crate) fn carry_out_later(app: &App, acted: Acted) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(error) = carry_out(&app, acted).await {
            tracing::warn!(%error, "the emulator could not deliver a webhook");
        }
    });
}

/// How close a verified person's document is to its expiry, for iDenfy's `DOCUMENT_EXPIRATION`
/// webhook ([`RunningEmulator::notify_document_expiration`](crate::RunningEmulator::notify_document_expiration)):
/// its `expirationThreshold` values
/// (<https://documentation.idenfy.com/api-reference/webhooks/document-expiration>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentExpiration {
    /// `DOCUMENT_EXPIRES_WITHIN_30_DAYS`.
    Within30Days,
    /// `DOCUMENT_EXPIRES_WITHIN_7_DAYS`.
    Within7Days,
    /// `DOCUMENT_EXPIRES_WITHIN_1_DAY`.
    Within1Day,
    /// `DOCUMENT_EXPIRED`.
    Expired,
}

impl DocumentExpiration {
    /// Every threshold, furthest first.
    pub const ALL: [Self; 4] =
        [Self::Within30Days, Self::Within7Days, Self::Within1Day, Self::Expired];

    /// Its `expirationThreshold` on the wire, e.g. `DOCUMENT_EXPIRES_WITHIN_30_DAYS`.
    pub fn threshold(self) -> &'static str {
        match self {
            Self::Within30Days => "DOCUMENT_EXPIRES_WITHIN_30_DAYS",
            Self::Within7Days => "DOCUMENT_EXPIRES_WITHIN_7_DAYS",
            Self::Within1Day => "DOCUMENT_EXPIRES_WITHIN_1_DAY",
            Self::Expired => "DOCUMENT_EXPIRED",
        }
    }

    /// The days from today to the document's expiry the webhook reports (its
    /// `documentExpiration`, a `YYYY-MM-DD` date: the format is the emulator's choice, the
    /// schema says only "string").
    pub(crate) fn days_left(self) -> i64 {
        match self {
            Self::Within30Days => 30,
            Self::Within7Days => 7,
            Self::Within1Day => 1,
            Self::Expired => 0,
        }
    }
}
