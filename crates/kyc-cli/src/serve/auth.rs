//! Who may use the console: one operator password, sessions by cookie, a CSRF token in every
//! form, and a limit on login attempts.
//!
//! - The password is `KYC_CONSOLE_PASSWORD`, or one generated at start and printed once; only
//!   its SHA-256 is kept, compared in constant time.
//! - A logged-in operator holds a random 256-bit session id in the `kyc_session` cookie
//!   (HttpOnly, so no script reads it; SameSite=Strict, so no other site's page sends it). The
//!   id is replaced at login, so an id planted before it (session fixation) is worth nothing.
//! - Every form carries the session's CSRF token, checked for every console request that
//!   changes something, before its handler runs ([`super::console`] routes go through
//!   [`require_operator`]). The login form's token is bound to a random `kyc_login` cookie by an
//!   HMAC under a key of this process: nothing is stored per visitor before a login succeeds.
//! - Failed logins are counted per client address (an IPv6 one by its /64): [`MAX_FAILURES`] in
//!   [`FAILURE_WINDOW`], then 429 until the oldest failure leaves the window. Behind a reverse
//!   proxy every client has the proxy's address: the limit is then the whole console's, which
//!   still bounds guessing, and lets anyone who can reach the login hold the operator back (a
//!   console on a network is for operators' networks, behind the proxy's own access rules).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::form::FormData;
use super::{App, pages};

/// The logged-in operator's cookie.
const SESSION_COOKIE: &str = "kyc_session";
/// The cookie the login form's CSRF token is bound to.
const LOGIN_COOKIE: &str = "kyc_login";
/// How long a login lasts: a working day, then the password again.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Failed logins allowed from one address within [`FAILURE_WINDOW`].
pub(super) const MAX_FAILURES: usize = 5;
/// The window failed logins are counted in.
pub(super) const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// The most logged-in sessions kept: a login beyond it ends the oldest.
const MAX_SESSIONS: usize = 1024;
/// The most addresses whose failed logins are remembered before stale ones are forgotten.
const MAX_ADDRESSES: usize = 4096;
/// The largest console form accepted (the creation form is well under it).
pub(super) const MAX_FORM_BYTES: usize = 64 * 1024;

/// The console's gate.
pub(super) struct Gate {
    password: [u8; 32],
    /// Keys the login form's CSRF token.
    login_key: [u8; 32],
    sessions: Mutex<HashMap<String, Operator>>,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").finish_non_exhaustive()
    }
}

/// A logged-in operator, as a console handler sees it.
#[derive(Clone)]
pub(crate) struct Operator {
    /// The token every form of this session carries.
    pub(crate) csrf: String,
    /// What the next page says once (a refresh's result, an erasure's).
    flash: Option<String>,
    /// The session id, to set the next flash.
    id: String,
    expires: Instant,
}

impl Gate {
    /// A gate for `password`.
    pub(super) fn new(password: &str) -> Self {
        Self {
            password: Sha256::digest(password.as_bytes()).into(),
            login_key: crate::random::bytes(),
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// The CSRF token of the login form for the visitor holding `nonce`.
    fn login_token(&self, nonce: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.login_key).expect("any key length");
        mac.update(nonce.as_bytes());
        crate::random::hex(&mac.finalize().into_bytes())
    }

    fn password_matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        given.ct_eq(&self.password).into()
    }

    /// How long `address` must wait before trying again, when it has used up its attempts.
    fn held_back(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let mut failures = lock(&self.failures);
        let key = counted_as(&failures, address);
        let recent = failures.get_mut(&key)?;
        while recent.front().is_some_and(|at| now.duration_since(*at) >= FAILURE_WINDOW) {
            recent.pop_front();
        }
        let wait = match recent.len() >= MAX_FAILURES {
            true => recent.front().map(|oldest| FAILURE_WINDOW - now.duration_since(*oldest)),
            false => None,
        };
        if recent.is_empty() {
            failures.remove(&key);
        }
        wait
    }

    fn failed(&self, address: IpAddr, now: Instant) {
        let mut failures = lock(&self.failures);
        // An address that failed and never came back is forgotten once its window has
        // passed, so guesses from many addresses cannot fill memory.
        if failures.len() >= MAX_ADDRESSES {
            failures.retain(|_, recent| {
                recent.back().is_some_and(|at| now.duration_since(*at) < FAILURE_WINDOW)
            });
        }
        let key = counted_as(&failures, address);
        failures.entry(key).or_default().push_back(now);
    }

    /// A new logged-in session; its id.
    fn open(&self, now: Instant) -> String {
        let id = crate::random::token();
        let mut sessions = lock(&self.sessions);
        sessions.retain(|_, operator| operator.expires > now);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, operator)| operator.expires)
                .map(|(id, _)| id.clone())
        {
            sessions.remove(&oldest);
        }
        let operator = Operator {
            csrf: crate::random::token(),
            flash: None,
            id: id.clone(),
            expires: now + SESSION_LIFETIME,
        };
        sessions.insert(id.clone(), operator);
        id
    }

    /// The operator holding the session id in `headers`' cookie, taking its flash.
    fn operator(&self, headers: &HeaderMap, now: Instant) -> Option<Operator> {
        let id = cookie(headers, SESSION_COOKIE)?;
        let mut sessions = lock(&self.sessions);
        let operator = sessions.get_mut(id)?;
        if operator.expires <= now {
            sessions.remove(id);
            return None;
        }
        let seen = operator.clone();
        operator.flash = None;
        Some(seen)
    }

    /// Ends the session of `operator`.
    fn close(&self, operator: &Operator) {
        lock(&self.sessions).remove(&operator.id);
    }

    /// Sets what `operator`'s next page says once.
    pub(super) fn flash(&self, operator: &Operator, message: impl Into<String>) {
        if let Some(session) = lock(&self.sessions).get_mut(&operator.id) {
            session.flash = Some(message.into());
        }
    }
}

/// The session id and the CSRF token are bearer secrets: left out.
impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator").field("flash", &self.flash).finish_non_exhaustive()
    }
}

impl Operator {
    /// What this page says once.
    pub(crate) fn flash(&self) -> Option<&str> {
        self.flash.as_deref()
    }
}

/// Whose failures `address`'s count with: its own (an IPv6 address by its /64, the block one
/// host is given); once [`MAX_ADDRESSES`] are counted, every new one shares one count, so
/// guesses from more addresses than that are still limited, together.
fn counted_as(failures: &HashMap<IpAddr, VecDeque<Instant>>, address: IpAddr) -> IpAddr {
    let key = match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut block = v6.segments();
                block[4..].fill(0);
                IpAddr::V6(block.into())
            }
        },
        v4 => v4,
    };
    match failures.len() < MAX_ADDRESSES || failures.contains_key(&key) {
        true => key,
        false => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A handler that panicked holding it left whole entries: what it guards stays usable.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A password for an operator to type: 20 characters of an alphabet without look-alikes
/// (about 100 bits).
pub(super) fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479";
    // 256 is not a multiple of the alphabet's length: bytes past the last whole multiple are
    // dropped, so every character is equally likely.
    let usable = 256 - 256 % ALPHABET.len();
    let mut password = String::new();
    while password.len() < 20 {
        for byte in crate::random::bytes() {
            if usize::from(byte) < usable && password.len() < 20 {
                password.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    password
}

/// The value of cookie `name` in `headers`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(name: &str, value: &str, max_age: Option<Duration>) -> String {
    let age = max_age.map(|age| format!("; Max-Age={}", age.as_secs())).unwrap_or_default();
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/{age}")
}

fn tokens_equal(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// `GET /login`: the form, its CSRF token bound to a fresh `kyc_login` cookie.
pub(super) async fn login_page(State(app): State<App>) -> Response {
    login_form(&app, StatusCode::OK, None)
}

fn login_form(app: &App, status: StatusCode, error: Option<&str>) -> Response {
    let nonce = crate::random::token();
    let page = pages::login(&app.gate.login_token(&nonce), error, app.emulator_note());
    let cookie = set_cookie(LOGIN_COOKIE, &nonce, Some(Duration::from_secs(3600)));
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

/// `POST /login`: the password, checked against the attempt limit first.
pub(super) async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let now = Instant::now();
    if let Some(wait) = app.gate.held_back(peer.ip(), now) {
        let seconds = wait.as_secs().max(1).to_string();
        let page = pages::message(
            "Too many attempts",
            "Too many wrong passwords from this address: wait a minute and try again.",
        );
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, seconds)], page)
            .into_response();
    }
    let form = FormData::parse(&body);
    let bound = cookie(&headers, LOGIN_COOKIE).map(|nonce| app.gate.login_token(nonce));
    let csrf_ok = match (bound, form.get("csrf")) {
        (Some(expected), Some(given)) => tokens_equal(given, &expected),
        _ => false,
    };
    if !csrf_ok {
        return forbidden();
    }
    if !app.gate.password_matches(form.get("password").unwrap_or_default()) {
        app.gate.failed(peer.ip(), now);
        return login_form(&app, StatusCode::UNAUTHORIZED, Some("Wrong password."));
    }
    let id = app.gate.open(now);
    let mut response = Redirect::to("/").into_response();
    let headers = response.headers_mut();
    for cookie in
        [set_cookie(SESSION_COOKIE, &id, None), set_cookie(LOGIN_COOKIE, "", Some(Duration::ZERO))]
    {
        if let Ok(value) = cookie.parse() {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `POST /logout` (behind [`require_operator`], so CSRF-checked).
pub(super) async fn logout(
    State(app): State<App>,
    axum::Extension(operator): axum::Extension<Operator>,
) -> Response {
    app.gate.close(&operator);
    let cookie = set_cookie(SESSION_COOKIE, "", Some(Duration::ZERO));
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/login".to_owned()), (header::SET_COOKIE, cookie)])
        .into_response()
}

fn forbidden() -> Response {
    let page = pages::message(
        "Form expired",
        "This form's security token is missing or does not match: reload the page and try again.",
    );
    (StatusCode::FORBIDDEN, page).into_response()
}

/// In front of every console route: without a logged-in session, to the login page; a request
/// that changes something must carry the session's CSRF token in its form, whose fields the
/// handler then finds as [`FormData`].
pub(super) async fn require_operator(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Response {
    let Some(operator) = app.gate.operator(request.headers(), Instant::now()) else {
        return Redirect::to("/login").into_response();
    };
    let (mut parts, body) = request.into_parts();
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let read = tokio::time::timeout(super::BODY_DEADLINE, to_bytes(body, MAX_FORM_BYTES));
        let Ok(Ok(bytes)) = read.await else {
            let page = pages::message(
                "Form not received",
                "The form was too large, or did not arrive whole in time.",
            );
            return (StatusCode::BAD_REQUEST, page).into_response();
        };
        let form = FormData::parse(&bytes);
        if !form.get("csrf").is_some_and(|given| tokens_equal(given, &operator.csrf)) {
            return forbidden();
        }
        parts.extensions.insert(form);
    }
    parts.extensions.insert(operator);
    next.run(Request::from_parts(parts, Body::empty())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let (one, two) = (generate_password(), generate_password());
        assert_eq!(one.len(), 20);
        assert_ne!(one, two);
        assert!(one.chars().all(|c| c.is_ascii_alphanumeric() && !"0O1lIo".contains(c)));
    }

    #[test]
    fn the_attempt_limit_holds_per_address_for_a_minute() {
        let gate = Gate::new("secret");
        let (one, two): (IpAddr, IpAddr) =
            ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert_eq!(gate.held_back(one, start), None);
            gate.failed(one, start);
        }
        assert!(gate.held_back(one, start + Duration::from_secs(1)).is_some());
        assert_eq!(gate.held_back(two, start), None, "another address is not held back");
        assert_eq!(gate.held_back(one, start + FAILURE_WINDOW), None, "the window passed");
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_block_and_too_many_addresses_share_one_count() {
        let gate = Gate::new("secret");
        let now = Instant::now();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_block: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            gate.failed(one, now);
        }
        assert!(gate.held_back(same_block, now).is_some());
        assert!(gate.held_back("2001:db8:1:3::1".parse().unwrap(), now).is_none());

        let gate = Gate::new("secret");
        for n in 0..MAX_ADDRESSES as u32 {
            gate.failed(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n)), now);
        }
        let newcomers =
            (0..MAX_FAILURES as u32).map(|n| IpAddr::V4(std::net::Ipv4Addr::from(0xc0a8_0000 + n)));
        for address in newcomers {
            gate.failed(address, now);
        }
        assert!(gate.held_back("192.168.9.9".parse().unwrap(), now).is_some(), "the shared count");
        assert!(lock(&gate.failures).len() <= MAX_ADDRESSES + 1);
        assert!(gate.held_back("10.0.0.1".parse().unwrap(), now).is_none(), "one failure each");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; kyc_session=abc; kyc_login=def".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, LOGIN_COOKIE), Some("def"));
        assert_eq!(cookie(&headers, "kyc"), None);
    }

    /// A new session at `gate`: its id, and the headers of a request carrying it.
    fn logged_in(gate: &Gate, now: Instant) -> (String, HeaderMap) {
        let id = gate.open(now);
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("kyc_session={id}").parse().unwrap());
        (id, headers)
    }

    #[test]
    fn a_session_ends_when_closed_or_expired() {
        let gate = Gate::new("secret");
        let now = Instant::now();
        let (_, headers) = logged_in(&gate, now);
        let operator = gate.operator(&headers, now).unwrap();
        gate.flash(&operator, "done");
        assert_eq!(gate.operator(&headers, now).unwrap().flash(), Some("done"));
        assert_eq!(gate.operator(&headers, now).unwrap().flash(), None, "shown once");
        assert!(gate.operator(&headers, now + SESSION_LIFETIME).is_none());
        let (_, headers) = logged_in(&gate, now);
        gate.close(&gate.operator(&headers, now).unwrap());
        assert!(gate.operator(&headers, now).is_none());
        assert!(gate.password_matches("secret") && !gate.password_matches("secreT"));
    }

    #[test]
    fn an_operator_s_debug_has_no_token() {
        let gate = Gate::new("secret");
        let now = Instant::now();
        let (id, headers) = logged_in(&gate, now);
        let operator = gate.operator(&headers, now).unwrap();
        let printed = format!("{operator:?} {gate:?}");
        assert!(!printed.contains(&id) && !printed.contains(&operator.csrf), "{printed}");
        assert!(!printed.contains("secret"), "{printed}");
    }
}
