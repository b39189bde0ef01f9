//! Routing requests to providers by rules, and splitting traffic between vendors to compare
//! them, sticky per client id. A [`Router`] implements [`VerificationSession`] itself, so it
//! sits over [`Failover`](crate::Failover) chains or single adapters alike.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::model::{CountryCode, DocumentType, Locale, VerificationKind};
use crate::provider::VerificationSession;
use crate::request::SessionRequest;
use crate::session::{Attempt, Session};

/// Which requests a route takes. Every condition set must hold; an empty rule takes all.
///
/// ```
/// use kyc_core::{DocumentType, Rule, VerificationKind};
/// let baltic_passports = Rule::any()
///     .with_countries(["LT", "LV", "EE"].map(|c| c.parse().unwrap()))
///     .with_document_types([DocumentType::Passport]);
/// let companies = Rule::any().with_kind(VerificationKind::Business);
/// # let _ = (baltic_passports, companies);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// The request's country is one of these: its document country, or, without one, the
    /// person's nationality.
    pub countries: BTreeSet<CountryCode>,
    /// The request accepts one of these document types.
    pub document_types: BTreeSet<DocumentType>,
    /// The request is of this kind.
    pub kind: Option<VerificationKind>,
    /// The request's locale is one of these.
    pub locales: BTreeSet<Locale>,
}

impl Rule {
    /// A rule that takes every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Takes requests for these countries.
    pub fn with_countries(mut self, countries: impl IntoIterator<Item = CountryCode>) -> Self {
        self.countries.extend(countries);
        self
    }

    /// Takes requests accepting one of these document types.
    pub fn with_document_types(mut self, types: impl IntoIterator<Item = DocumentType>) -> Self {
        self.document_types.extend(types);
        self
    }

    /// Takes requests of this kind.
    pub fn with_kind(mut self, kind: VerificationKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Takes requests in these locales.
    pub fn with_locales(mut self, locales: impl IntoIterator<Item = Locale>) -> Self {
        self.locales.extend(locales);
        self
    }

    /// Whether `request` satisfies every condition set.
    pub fn matches(&self, request: &SessionRequest) -> bool {
        let country = request.document.country.or(request.person.nationality);
        let country_ok =
            self.countries.is_empty() || country.is_some_and(|c| self.countries.contains(&c));
        let documents_ok = self.document_types.is_empty()
            || request.document.types.iter().any(|t| self.document_types.contains(t));
        let kind_ok = self.kind.is_none_or(|kind| kind == request.kind);
        let locale_ok = self.locales.is_empty()
            || request.locale.is_some_and(|locale| self.locales.contains(&locale));
        country_ok && documents_ok && kind_ok && locale_ok
    }
}

/// Where a route sends its requests.
#[derive(Clone)]
enum Target {
    One(Arc<dyn VerificationSession>),
    /// Weighted, sticky per client id.
    Split(Vec<(Arc<dyn VerificationSession>, u32)>),
}

impl Target {
    /// The provider for `request`, and the members of a split passed over for it. A split never
    /// sends a request to a provider whose capabilities cannot serve it: the weights are shared
    /// among those that can (so a person stays with one vendor for one kind of request). When
    /// none can, the split picks among all, and the chosen provider reports its refusal.
    fn pick(&self, request: &SessionRequest) -> (&Arc<dyn VerificationSession>, Vec<Attempt>) {
        let weighted = match self {
            Self::One(provider) => return (provider, Vec::new()),
            Self::Split(weighted) => weighted,
        };
        let mut able = Vec::new();
        let mut skipped = Vec::new();
        for member in weighted {
            match member.0.capabilities().check(request) {
                Ok(()) => able.push(member),
                Err(feature) => skipped.push(Attempt::passed_over(member.0.provider(), feature)),
            }
        }
        let candidates = match able.is_empty() {
            true => {
                skipped.clear();
                weighted.iter().collect()
            }
            false => able,
        };
        let total: u64 = candidates.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut point = stable_hash(request.client_id.as_str()) % total.max(1);
        for (provider, weight) in &candidates {
            if point < u64::from(*weight) {
                return (provider, skipped);
            }
            point -= u64::from(*weight);
        }
        (&candidates[0].0, skipped)
    }

    fn providers(&self) -> Vec<&Arc<dyn VerificationSession>> {
        match self {
            Self::One(provider) => vec![provider],
            Self::Split(weighted) => weighted.iter().map(|(p, _)| p).collect(),
        }
    }
}

/// Sends each request to the provider its rules choose: the first matching route, or the
/// default. A route can split its traffic between providers by weight, to compare vendors on
/// real traffic; the split is sticky per client id (a stable hash, so one person always lands
/// on the same vendor, across processes and restarts).
///
/// It does not fail over by itself: route to a [`Failover`](crate::Failover) for that.
///
/// ```
/// use std::sync::Arc;
/// use kyc_core::{
///     ClientId, Router, Rule, SessionRequest, StubProvider, VerificationKind, VerificationSession,
/// };
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let idenfy = Arc::new(StubProvider::new("idenfy"));
/// let veriff = Arc::new(StubProvider::new("veriff"));
/// let router = Router::new(veriff.clone())
///     .with_route(Rule::any().with_kind(VerificationKind::Business), idenfy.clone())
///     .with_split(Rule::any(), [(idenfy.clone() as _, 50), (veriff.clone() as _, 50)]);
///
/// let company = SessionRequest::new(ClientId::new("company-1").unwrap())
///     .with_kind(VerificationKind::Business);
/// assert_eq!(router.create_session(&company).await.unwrap().provider, "idenfy");
/// # }
/// ```
pub struct Router {
    name: String,
    routes: Vec<(Rule, Target)>,
    default: Arc<dyn VerificationSession>,
    capabilities: Capabilities,
}

impl Router {
    /// A router that sends every request to `default` until routes are added.
    pub fn new(default: Arc<dyn VerificationSession>) -> Self {
        let name = "router".to_owned();
        let capabilities = Capabilities::union([default.capabilities()]);
        Self { name, routes: Vec::new(), default, capabilities }
    }

    /// Sends requests matching `rule` to `provider` (routes are tried in the order added).
    pub fn with_route(self, rule: Rule, provider: Arc<dyn VerificationSession>) -> Self {
        self.push(rule, Target::One(provider))
    }

    /// Splits requests matching `rule` between providers by weight, sticky per client id.
    /// Providers with weight 0 get nothing; with every weight 0, the first provider gets all.
    pub fn with_split(
        self,
        rule: Rule,
        weighted: impl IntoIterator<Item = (Arc<dyn VerificationSession>, u32)>,
    ) -> Self {
        let weighted: Vec<_> = weighted.into_iter().collect();
        match weighted.len() {
            0 => self,
            _ => self.push(rule, Target::Split(weighted)),
        }
    }

    /// Names the router in its capabilities and errors (default `router`).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn push(mut self, rule: Rule, target: Target) -> Self {
        self.routes.push((rule, target));
        let mut all: Vec<&Arc<dyn VerificationSession>> = vec![&self.default];
        all.extend(self.routes.iter().flat_map(|(_, target)| target.providers()));
        self.capabilities = Capabilities::union(all.iter().map(|p| p.capabilities()));
        self
    }

    /// The provider `request` goes to.
    pub fn route(&self, request: &SessionRequest) -> &Arc<dyn VerificationSession> {
        self.route_and_skips(request).0
    }

    /// The provider `request` goes to, and the members of a split passed over for it.
    fn route_and_skips(
        &self,
        request: &SessionRequest,
    ) -> (&Arc<dyn VerificationSession>, Vec<Attempt>) {
        match self.routes.iter().find(|(rule, _)| rule.matches(request)) {
            Some((_, target)) => target.pick(request),
            None => (&self.default, Vec::new()),
        }
    }
}

#[async_trait]
impl VerificationSession for Router {
    fn provider(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        self.route(request).preflight(request)
    }

    /// Sends `request` to the provider its routes choose. Members of a split passed over for
    /// their capabilities are recorded among the attempts, before the chosen provider's.
    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let (provider, mut attempts) = self.route_and_skips(request);
        tracing::debug!(router = %self.name, provider = provider.provider(), "routed");
        for skip in &attempts {
            tracing::info!(provider = %skip.provider, "skipped: cannot serve the request");
        }
        if attempts.is_empty() {
            return provider.create_session(request).await;
        }
        let started = Instant::now();
        match provider.create_session(request).await {
            Ok(mut session) => {
                Attempt::record_success(attempts, &mut session, started.elapsed());
                Ok(session)
            }
            Err(error) => {
                Attempt::record_failure(
                    &mut attempts,
                    provider.provider(),
                    &error,
                    started.elapsed(),
                );
                Err(error.with_attempts(attempts))
            }
        }
    }
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes: Vec<(&Rule, Vec<&str>)> = self
            .routes
            .iter()
            .map(|(rule, target)| (rule, target.providers().iter().map(|p| p.provider()).collect()))
            .collect();
        f.debug_struct("Router")
            .field("name", &self.name)
            .field("routes", &routes)
            .field("default", &self.default.provider())
            .finish()
    }
}

/// FNV-1a, finished with splitmix64's mixer: stable across processes, platforms and Rust
/// versions (unlike `std`'s hasher), and evenly spread even for ids that differ in one digit.
fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientId;
    use crate::stub::StubProvider;

    #[test]
    fn the_hash_is_stable() {
        // Fixed values: a change here would move people between vendors on upgrade.
        assert_eq!(stable_hash(""), stable_hash(""));
        assert_eq!(stable_hash("user-1"), 0xc499_b5f8_a721_df58);
        assert_ne!(stable_hash("user-1"), stable_hash("user-2"));
    }

    fn split(weights: [u32; 3]) -> Router {
        let providers =
            ["a", "b", "c"].map(|n| Arc::new(StubProvider::new(n)) as Arc<dyn VerificationSession>);
        let weighted = providers.iter().cloned().zip(weights);
        Router::new(Arc::clone(&providers[0])).with_split(Rule::any(), weighted)
    }

    #[test]
    fn splits_follow_the_weights_within_two_points() {
        for weights in [[50, 50, 0], [70, 20, 10], [1, 1, 1], [90, 5, 5]] {
            let router = split(weights);
            let mut counts = [0u32; 3];
            for i in 0..10_000 {
                let request = SessionRequest::new(ClientId::new(format!("user-{i}")).unwrap());
                let chosen = router.route(&request).provider();
                counts[["a", "b", "c"].iter().position(|n| *n == chosen).unwrap()] += 1;
            }
            let total: u32 = weights.iter().sum();
            for (count, weight) in counts.iter().zip(weights) {
                let share = f64::from(*count) / 100.0;
                let target = 100.0 * f64::from(weight) / f64::from(total);
                assert!((share - target).abs() <= 2.0, "{weights:?}: {counts:?}");
            }
        }
    }

    #[test]
    fn one_person_always_lands_on_the_same_vendor() {
        let router = split([50, 30, 20]);
        let again = split([50, 30, 20]);
        for i in 0..1000 {
            let request = SessionRequest::new(ClientId::new(format!("person-{i}")).unwrap());
            let first = router.route(&request).provider();
            for _ in 0..3 {
                assert_eq!(router.route(&request).provider(), first);
            }
            assert_eq!(again.route(&request).provider(), first, "a new router agrees");
        }
    }

    /// A provider offering identity verification only, and one offering both kinds.
    fn identity_only_and_both() -> (Arc<dyn VerificationSession>, Arc<dyn VerificationSession>) {
        use crate::capabilities::{Capabilities, KindCapabilities};
        let identity = Capabilities::new().with_identity(KindCapabilities::everything());
        let identity_only = StubProvider::new("identity-only").with_capabilities(identity);
        (Arc::new(identity_only), Arc::new(StubProvider::new("both")))
    }

    #[test]
    fn splits_skip_providers_that_cannot_serve() {
        let (identity_only, both) = identity_only_and_both();
        let router = Router::new(Arc::clone(&both))
            .with_split(Rule::any(), [(Arc::clone(&identity_only), 90), (Arc::clone(&both), 10)]);
        let mut identity_only_chosen = 0;
        for i in 0..1000 {
            let id = ClientId::new(format!("company-{i}")).unwrap();
            let company = SessionRequest::new(id.clone()).with_kind(VerificationKind::Business);
            assert_eq!(router.route(&company).provider(), "both", "never to one that cannot serve");
            assert!(router.preflight(&company).is_ok(), "checked where it would go");
            if router.route(&SessionRequest::new(id)).provider() == "identity-only" {
                identity_only_chosen += 1;
            }
        }
        assert!((850..=950).contains(&identity_only_chosen), "{identity_only_chosen}");
    }

    #[tokio::test]
    async fn a_split_records_the_members_it_passed_over() {
        use crate::capabilities::Feature;
        let (identity_only, both) = identity_only_and_both();
        let router = Router::new(Arc::clone(&both))
            .with_split(Rule::any(), [(identity_only, 50), (Arc::clone(&both), 50)]);
        let company = SessionRequest::new(ClientId::new("company-1").unwrap())
            .with_kind(VerificationKind::Business);
        let session = router.create_session(&company).await.unwrap();
        let trail: Vec<(&str, Option<&Feature>)> =
            session.attempts.iter().map(|a| (a.provider.as_str(), a.skipped.as_ref())).collect();
        let business = Feature::Kind(VerificationKind::Business);
        assert_eq!(trail, [("identity-only", Some(&business)), ("both", None)]);
        // A request every member can serve leaves no trail: the provider was called directly.
        let person = SessionRequest::new(ClientId::new("person-1").unwrap());
        assert!(router.create_session(&person).await.unwrap().attempts.is_empty());
    }

    #[test]
    fn zero_weights() {
        let router = split([0, 0, 0]);
        let request = SessionRequest::new(ClientId::new("x").unwrap());
        assert_eq!(router.route(&request).provider(), "a");
    }
}
