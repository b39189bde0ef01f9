//! The emulator's memory: every session it created, what the person chose on its hosted page,
//! and the faults each vendor is asked to show.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use crate::faults::Fault;

/// Which vendor a session or fault belongs to. More may come: match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vendor {
    /// iDenfy, under `/idenfy`.
    Idenfy,
    /// Veriff, under `/veriff`.
    Veriff,
    /// Sumsub, under `/sumsub`.
    Sumsub,
    /// Onfido (Entrust Identity Verification), API v3.6, under `/onfido` (its API root
    /// `/onfido/v3.6`).
    Onfido,
}

impl Vendor {
    /// The path prefix and the name used in the admin endpoint.
    pub fn name(self) -> &'static str {
        match self {
            Self::Idenfy => "idenfy",
            Self::Veriff => "veriff",
            Self::Sumsub => "sumsub",
            Self::Onfido => "onfido",
        }
    }

    /// The vendor's own spelling, for pages and messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Idenfy => "iDenfy",
            Self::Veriff => "Veriff",
            Self::Sumsub => "Sumsub",
            Self::Onfido => "Onfido",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "idenfy" => Some(Self::Idenfy),
            "veriff" => Some(Self::Veriff),
            "sumsub" => Some(Self::Sumsub),
            "onfido" => Some(Self::Onfido),
            _ => None,
        }
    }
}

/// The decision a session holds: what the person chose on the hosted page (or
/// [`crate::RunningEmulator::decide`] chose for them). Running out is no decision: it is the
/// link's expiry reached ([`Record::expired`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Approve,
    Decline,
    /// Veriff's "resubmission requested", Sumsub's RED with `RETRY`; iDenfy has no such state
    /// and offers "suspected".
    Resubmit,
    Suspect,
    /// Onfido's `review`: the workflow ended in its manual-review outcome.
    Review,
    /// Onfido's `error`: the workflow run failed.
    Error,
}

/// A decision taken but not final yet: the webhooks of its first step are out, those of the
/// final one follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Being processed automatically: an iDenfy KYB form (`PROCESSING`), a Sumsub submission
    /// (`pending`), an Onfido run (`processing`).
    Processing,
    /// Waiting for a person's review: iDenfy `REVIEWING` (KYB `NEED_TO_REVIEW`), Veriff
    /// `review` (9121).
    Review,
}

#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) vendor: Vendor,
    pub(crate) business: bool,
    pub(crate) id: String,
    pub(crate) client_id: String,
    /// iDenfy's `externalRef` (KYB webhooks echo it).
    pub(crate) external_ref: Option<String>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) expires: DateTime<Utc>,
    /// The hosted page was opened (Veriff: `started`; an unfinished one ends `abandoned`).
    pub(crate) opened: bool,
    /// The verdict, and when it was reached (or, while [`pending`](Self::pending), taken).
    pub(crate) decision: Option<(Verdict, DateTime<Utc>)>,
    /// The decision's final step has not happened yet.
    pub(crate) pending: Option<Pending>,
    /// The decision went through a person's review (its automatic result differs).
    pub(crate) reviewed: bool,
    /// The webhook of the link running out was sent (or is on its way).
    pub(crate) expiry_notified: bool,
    /// iDenfy: the data was deleted (`POST /api/v2/delete`): `DELETED` or `EXPIRED-DELETED`.
    pub(crate) deleted: bool,
    /// Where this session's webhook goes instead of the configured one (iDenfy `callbackUrl`).
    pub(crate) callback: Option<String>,
    /// What a Sumsub applicant has besides (its `id` is the `applicantId`, its `client_id` the
    /// `externalUserId`; `deleted` means deactivated).
    pub(crate) sumsub: Option<Box<SumsubApplicant>>,
    /// What an Onfido workflow run has besides (its `id` is the run's id and its token, its
    /// `client_id` the `applicant_id`; `deleted` means its applicant was deleted).
    pub(crate) onfido: Option<Box<OnfidoRun>>,
}

/// An Onfido workflow run's own facts, as its creation gave them.
#[derive(Clone, Debug)]
pub(crate) struct OnfidoRun {
    pub(crate) workflow_id: String,
    pub(crate) tags: Vec<String>,
    pub(crate) customer_user_id: Option<String>,
    pub(crate) completed_redirect_url: Option<String>,
    pub(crate) expired_redirect_url: Option<String>,
    /// `link.expires_at` as asked; none: the link does not run out.
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) language: Option<String>,
    pub(crate) sdk_token: String,
}

/// An Onfido applicant: the fields its creation echoes, when, and whether it was deleted.
#[derive(Clone, Debug)]
pub(crate) struct OnfidoApplicant {
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) deleted: bool,
}

/// A Sumsub applicant's own facts.
#[derive(Clone, Debug)]
pub(crate) struct SumsubApplicant {
    pub(crate) level_name: String,
    pub(crate) inspection_id: String,
    /// The `lang` of its latest link.
    pub(crate) lang: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    /// Its links' tokens besides the first (each link call makes one), forgotten with it.
    pub(crate) links: Vec<String>,
    /// Decisions taken so far (`attemptCnt`).
    pub(crate) attempts: u32,
    /// A result set through the sandbox's `testCompleted`, instead of the emulator's defaults for
    /// the verdict.
    pub(crate) result: Option<SumsubResult>,
}

/// The parts of a Sumsub `reviewResult` a caller may set
/// (<https://docs.sumsub.com/reference/set-review-for-applicant-on-sandbox>).
#[derive(Clone, Debug, Default)]
pub(crate) struct SumsubResult {
    pub(crate) reject_labels: Vec<String>,
    pub(crate) moderation_comment: Option<String>,
    pub(crate) client_comment: Option<String>,
}

impl Record {
    /// A new, undecided session.
    pub(crate) fn new(
        vendor: Vendor,
        business: bool,
        id: String,
        client_id: String,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Self {
        Self {
            vendor,
            business,
            id,
            client_id,
            external_ref: None,
            created,
            expires,
            opened: false,
            decision: None,
            pending: None,
            reviewed: false,
            expiry_notified: false,
            deleted: false,
            callback: None,
            sumsub: None,
            onfido: None,
        }
    }

    pub(crate) fn expired(&self, now: DateTime<Utc>) -> bool {
        self.decision.is_none() && now >= self.expires
    }

    /// Decided, and the decision's last step done.
    pub(crate) fn decided(&self) -> bool {
        self.decision.is_some() && self.pending.is_none()
    }
}

/// How many sessions the emulator remembers unless told otherwise.
pub(crate) const DEFAULT_RETAINED: usize = 100_000;

#[derive(Debug)]
pub(crate) struct Store {
    sessions: HashMap<String, Record>,
    by_token: HashMap<String, String>,
    /// (id, token) in creation order, for forgetting the oldest.
    order: VecDeque<(String, String)>,
    /// The most sessions remembered: a long-running emulator under load stays bounded.
    pub(crate) retained: usize,
    pub(crate) faults: HashMap<Vendor, Fault>,
    /// API requests received per vendor (faulted ones included; pages and admin not).
    pub(crate) requests: HashMap<Vendor, u64>,
    /// When Veriff sessions were deleted, for its deletion rate limit.
    pub(crate) veriff_deletions: VecDeque<DateTime<Utc>>,
    /// Sumsub's `externalUserId` to `applicantId`: one applicant per user id.
    sumsub_users: HashMap<String, String>,
    /// Onfido's applicants (not sessions: a workflow run is), and their ids in creation order,
    /// bounded as the sessions are.
    onfido_applicants: HashMap<String, OnfidoApplicant>,
    onfido_order: VecDeque<String>,
    counter: AtomicU64,
    keys: std::collections::hash_map::RandomState,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            sessions: HashMap::new(),
            by_token: HashMap::new(),
            order: VecDeque::new(),
            retained: DEFAULT_RETAINED,
            faults: HashMap::new(),
            requests: HashMap::new(),
            veriff_deletions: VecDeque::new(),
            sumsub_users: HashMap::new(),
            onfido_applicants: HashMap::new(),
            onfido_order: VecDeque::new(),
            counter: AtomicU64::new(0),
            keys: std::collections::hash_map::RandomState::new(),
        }
    }
}

impl Store {
    /// A fresh token: a counter and a hash under this process's random keys, so other users of
    /// the machine cannot guess one from another.
    pub(crate) fn next_token(&self, prefix: &str) -> String {
        use std::hash::BuildHasher;
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let secret = self.keys.hash_one((n, Utc::now().timestamp_nanos_opt()));
        format!("{prefix}{n:06}{secret:016x}")
    }

    /// A fresh UUID-shaped id (Veriff's and iDenfy's ids are UUIDs).
    pub(crate) fn next_uuid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let nanos = u64::from(Utc::now().timestamp_subsec_nanos());
        let mixed = (n << 32) ^ nanos ^ 0x5bd1_e995_1234_5678;
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            (mixed >> 32) as u32,
            (mixed >> 16) as u16,
            (mixed & 0xfff) as u16,
            (n & 0xfff) as u16,
            mixed & 0xffff_ffff_ffff
        )
    }

    pub(crate) fn insert(&mut self, token: String, record: Record) {
        self.order.push_back((record.id.clone(), token.clone()));
        self.by_token.insert(token, record.id.clone());
        if record.vendor == Vendor::Sumsub {
            self.sumsub_users.insert(record.client_id.clone(), record.id.clone());
        }
        self.sessions.insert(record.id.clone(), record);
        while self.order.len() > self.retained.max(1) {
            if let Some((id, token)) = self.order.pop_front() {
                self.by_token.remove(&token);
                if let Some(record) = self.sessions.remove(&id) {
                    self.forget_sumsub(&record);
                }
            }
        }
    }

    /// A Sumsub applicant's other links and its user id go with it.
    fn forget_sumsub(&mut self, record: &Record) {
        if let Some(applicant) = &record.sumsub {
            for token in &applicant.links {
                self.by_token.remove(token);
            }
            if self.sumsub_users.get(&record.client_id) == Some(&record.id) {
                self.sumsub_users.remove(&record.client_id);
            }
        }
    }

    /// Another link `token` to the Sumsub applicant `id`.
    pub(crate) fn add_link(&mut self, token: String, id: &str) {
        if let Some(applicant) = self.sessions.get_mut(id).and_then(|r| r.sumsub.as_mut()) {
            applicant.links.push(token.clone());
            self.by_token.insert(token, id.to_owned());
        }
    }

    /// The Sumsub applicant of `external_user_id`, deactivated or not.
    pub(crate) fn sumsub_applicant(&self, external_user_id: &str) -> Option<&str> {
        self.sumsub_users.get(external_user_id).map(String::as_str)
    }

    /// The record id `vendor`'s `session_id` names: for Sumsub the `applicantId` of the
    /// `externalUserId` (what a client holds as the session id) or the `applicantId` itself, a
    /// deactivated applicant counting as none ("considered non-existent",
    /// <https://docs.sumsub.com/reference/deactivate-applicant-profile>); for the others the id
    /// itself.
    pub(crate) fn resolve(&self, vendor: Vendor, session_id: &str) -> Option<String> {
        let id = match vendor {
            Vendor::Sumsub => self.sumsub_applicant(session_id).unwrap_or(session_id),
            // A run whose applicant was deleted is not found.
            Vendor::Onfido => session_id,
            _ => return Some(session_id.to_owned()),
        };
        let record = self.sessions.get(id).filter(|r| r.vendor == vendor && !r.deleted)?;
        Some(record.id.clone())
    }

    /// `vendor`'s sessions, oldest first.
    pub(crate) fn records(&self, vendor: Vendor) -> impl Iterator<Item = &Record> {
        self.order
            .iter()
            .filter_map(|(id, _)| self.sessions.get(id))
            .filter(move |record| record.vendor == vendor)
    }

    /// Remembers an Onfido applicant, forgetting the oldest beyond [`retained`](Self::retained).
    pub(crate) fn insert_onfido_applicant(&mut self, id: String, applicant: OnfidoApplicant) {
        self.onfido_order.push_back(id.clone());
        self.onfido_applicants.insert(id, applicant);
        while self.onfido_order.len() > self.retained.max(1) {
            if let Some(id) = self.onfido_order.pop_front() {
                self.onfido_applicants.remove(&id);
            }
        }
    }

    /// The Onfido applicant `id`, deleted or not.
    pub(crate) fn onfido_applicant(&self, id: &str) -> Option<&OnfidoApplicant> {
        self.onfido_applicants.get(id)
    }

    /// Deletes (or restores) the Onfido applicant `id` and its workflow runs with it.
    pub(crate) fn set_onfido_deleted(&mut self, id: &str, deleted: bool) {
        if let Some(applicant) = self.onfido_applicants.get_mut(id) {
            applicant.deleted = deleted;
        }
        let runs = self.sessions.values_mut();
        for record in runs.filter(|r| r.vendor == Vendor::Onfido && r.client_id == id) {
            record.deleted = deleted;
        }
    }

    /// A fresh Sumsub-shaped id: 24 lowercase hex digits, as `5cb56e8e0a975a35f333cb83`
    /// (<https://docs.sumsub.com/reference/get-applicant-data>).
    pub(crate) fn next_applicant_id(&self) -> String {
        use std::hash::BuildHasher;
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let secret = self.keys.hash_one((n, "applicant", Utc::now().timestamp_nanos_opt()));
        format!("{:08x}{secret:016x}", (n as u32) ^ 0x65f0_c2b1)
    }

    /// A fresh KYB company id, shaped like iDenfy's ("e.g. `7bPN6YMQ9F7...`",
    /// <https://documentation.idenfy.com/guides/dashboard/kyb/company-profile-overview>): 22
    /// letters and digits (the length is the emulator's choice).
    pub(crate) fn next_company_id(&self) -> String {
        use std::hash::BuildHasher;
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let mut bits = u128::from(self.keys.hash_one((n, "company"))) << 64
            | u128::from(self.keys.hash_one((n, Utc::now().timestamp_nanos_opt())));
        let mut id = String::with_capacity(22);
        for _ in 0..22 {
            id.push(char::from(ALPHABET[(bits % 62) as usize]));
            bits /= 62;
        }
        id
    }

    /// Forgets a session: its id and its link answer as unknown from now on.
    pub(crate) fn remove(&mut self, id: &str) {
        if let Some(record) = self.sessions.remove(id) {
            self.forget_sumsub(&record);
        }
        self.by_token.retain(|_, session| session != id);
    }

    pub(crate) fn by_id(&self, id: &str) -> Option<&Record> {
        self.sessions.get(id)
    }

    pub(crate) fn by_id_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.sessions.get_mut(id)
    }

    /// The id of the session `token` opens: a page's form names its session by the token.
    pub(crate) fn id_by_token(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }

    pub(crate) fn by_token_mut(&mut self, token: &str) -> Option<&mut Record> {
        let id = self.by_token.get(token)?;
        self.sessions.get_mut(id)
    }
}

/// A UUID-shaped id derived from `seed`, the same every time (for ids a body repeats, such as a
/// company's AML check).
pub(crate) fn uuid_from(seed: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        (seed, salt).hash(&mut hasher);
        hasher.finish()
    };
    let (a, b) = (half(1), half(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        (b >> 48) as u16 & 0xfff,
        b & 0xffff_ffff_ffff
    )
}
