//! HTTP plumbing every adapter shares, so each vendor's error mapping is one small refinement
//! on top of one classification (object_store's `RetryError` and `HttpError::reqwest` play the
//! same role there):
//!
//! - [`status_error`]: an HTTP status (plus `Retry-After`) to the neutral [`Error`];
//! - [`transport_error`]: a [`reqwest::Error`] to the neutral [`Error`], deciding whether the
//!   request may have reached the vendor (connect failure: not sent; timeout or loss after
//!   sending: unknown);
//! - [`read_body`]: a response body read under a size cap, so a hostile or broken server cannot
//!   exhaust memory;
//! - [`check_base_url`] and [`endpoint`]: base URLs that are https (plain http only on
//!   loopback, for emulators) and paths appended without losing the base's own path.

use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use kyc_core::{Denial, Error};

use crate::{ErrorExt, is_loopback};

/// The default cap on a vendor's response body: session and error bodies are a few kilobytes.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// The HTTP side of an adapter, built once by [`Settings::http_client`](crate::Settings::http_client):
/// the provider's name, its checked base URL, and one reqwest client (one connection pool,
/// cheap to clone) with `timeout` for the whole exchange, `connect_timeout` for connecting, and
/// redirects never followed (a redirected POST would be replayed, or turned into a GET).
#[derive(Clone, Debug)]
pub struct HttpClient {
    name: String,
    base_url: Url,
    http: reqwest::Client,
    /// Endpoints built once (see [`with_endpoints`](Self::with_endpoints)).
    endpoints: Vec<(&'static str, Url)>,
}

impl HttpClient {
    /// A client for `name` at `base_url` (checked as [`check_base_url`]).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) for a base URL that breaks the rules,
    /// or when the TLS backend cannot start.
    pub fn new(
        name: &str,
        base_url: &str,
        user_agent: &str,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Self, Error> {
        let base_url = parse_base_url(name, "base URL", base_url)?;
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::config(name, "the HTTP client could not be built").with_source(e)
            })?;
        Ok(Self { name: name.to_owned(), base_url, http, endpoints: Vec::new() })
    }

    /// Builds the URLs of `paths` once, for the endpoints called on every session:
    /// [`endpoint`](Self::endpoint) then hands out a copy instead of joining and parsing the
    /// path again on each request.
    pub fn with_endpoints(mut self, paths: &[&'static str]) -> Self {
        let built = paths.iter().map(|path| (*path, endpoint(&self.base_url, path)));
        self.endpoints.extend(built);
        self
    }

    /// The provider's name, as errors and logs give it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `path` under the base URL (see [`endpoint`]); built once for the paths given to
    /// [`with_endpoints`](Self::with_endpoints).
    pub fn endpoint(&self, path: &str) -> Url {
        match self.endpoints.iter().find(|(known, _)| *known == path) {
            Some((_, url)) => url.clone(),
            None => endpoint(&self.base_url, path),
        }
    }

    /// A request to `url` with `method`, on this client's pool and timeouts.
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }

    /// Sends `request` and reads the answer (capped, see [`send`]); a 2xx answer comes back,
    /// any other is turned into the neutral error by `refusal`, the vendor's own mapping (which
    /// falls back on [`status_error`]). Logs the status and the time taken at debug level, never
    /// a body or a URL.
    ///
    /// # Errors
    /// As [`send`], or what `refusal` makes of the answer.
    pub async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        refusal: impl FnOnce(&Answer) -> Error,
    ) -> Result<Answer, Error> {
        let started = std::time::Instant::now();
        let answer = send(&self.name, request).await?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(provider = %self.name, status = answer.status, elapsed_ms, "answered");
        match answer.is_success() {
            true => Ok(answer),
            false => Err(refusal(&answer)),
        }
    }
}

/// A vendor's answer, read under [`DEFAULT_BODY_CAP`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` wait, when sent.
    pub retry_after: Option<Duration>,
    /// The headers (a vendor that signs its answers puts the signature in one).
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends `request` and reads the answer, whatever its status, classifying transport failures
/// with [`transport_error`] and refusing bodies over [`DEFAULT_BODY_CAP`].
///
/// A refusal (non-2xx) whose body is over the cap comes back with an empty body: its status
/// still classifies it (a huge 500 page is a 500, whose work may have been done), where a
/// `Decode` error would read as a plain refusal.
///
/// # Errors
/// As [`transport_error`] and [`read_body`].
pub async fn send(provider: &str, request: reqwest::RequestBuilder) -> Result<Answer, Error> {
    let mut response = request.send().await.map_err(|e| transport_error(provider, e))?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    // Taken, not copied: the body is read by its length and stream, not by the headers.
    let headers = std::mem::take(response.headers_mut());
    let refused = !response.status().is_success();
    let body = match read_body(provider, response, DEFAULT_BODY_CAP).await {
        Err(error) if refused && error.kind() == kyc_core::ErrorKind::Decode => Vec::new(),
        body => body?,
    };
    Ok(Answer { status, retry_after, headers, body })
}

/// A header value made from a credential (`what`, named in the error: "the API key"), marked
/// sensitive so reqwest keeps it out of its `Debug` output.
///
/// # Errors
/// `Config` when the value cannot be a header (a control character, a line break).
pub fn sensitive_header(
    provider: &str,
    what: &str,
    value: &str,
) -> Result<http::HeaderValue, Error> {
    let mut header = http::HeaderValue::from_str(value)
        .map_err(|_| Error::config(provider, format!("{what} is not a valid header value")))?;
    header.set_sensitive(true);
    Ok(header)
}

/// The `Authorization` value of HTTP Basic authentication (RFC 7617) for `user` and
/// `password`, marked sensitive; built once by an adapter, not on every request.
///
/// ```
/// let header = kyc_adapter::http::basic_authorization("p", "key", "secret").unwrap();
/// assert_eq!(header.to_str().unwrap(), "Basic a2V5OnNlY3JldA==");
/// assert!(header.is_sensitive());
/// ```
///
/// # Errors
/// `Config` when the credentials cannot be a header.
pub fn basic_authorization(
    provider: &str,
    user: &str,
    password: &str,
) -> Result<http::HeaderValue, Error> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    sensitive_header(provider, "the credentials", &format!("Basic {encoded}"))
}

/// The neutral error for a non-success HTTP `status` from `provider`, carrying the vendor's
/// error code when it sent one.
///
/// | status | kind | outcome |
/// |---|---|---|
/// | 401 | `Unauthenticated` | rejected |
/// | 402 | `OutOfFunds` (HTTP's "payment required") | rejected |
/// | 403 | `Forbidden`, [`Denial::Unspecified`] (the credentials were accepted) | rejected |
/// | 408 | `Timeout` (the vendor gave up reading the request) | not sent |
/// | 429 | `RateLimited`, with `retry_after` | rejected |
/// | 503 | `Unavailable`, with `retry_after` | rejected |
/// | other 5xx | `Unavailable` | unknown: the work may have been done |
/// | anything else | `Rejected` | rejected |
///
/// Adapters call it for every answer their vendor's codes do not classify better (an iDenfy
/// `TOO_MANY_REQUESTS` in a 400 is rate limiting).
pub fn status_error(
    provider: &str,
    status: u16,
    vendor_code: Option<&str>,
    retry_after: Option<Duration>,
) -> Error {
    let error = match status {
        401 => Error::unauthenticated(provider, status),
        402 => Error::out_of_funds(provider, status),
        403 => Error::forbidden(provider, Denial::Unspecified, status),
        408 => Error::timeout(provider, false).with_http_status(status),
        429 => Error::rate_limited(provider, retry_after).with_http_status(status),
        500..=599 => Error::unavailable(provider, status),
        _ => Error::rejected(provider, status),
    };
    let error = match retry_after {
        Some(wait) if status == 503 => error.with_retry_after(wait),
        _ => error,
    };
    with_vendor_details(error, vendor_code, None)
}

/// `error` with the vendor's own code and message, when it sent them (a blank one counts as
/// none). The message is kept for `Error::vendor_message` only, never printed.
pub fn with_vendor_details(error: Error, code: Option<&str>, message: Option<String>) -> Error {
    let error = match code.map(str::trim).filter(|code| !code.is_empty()) {
        Some(code) => error.with_vendor_code(code),
        None => error,
    };
    match message.filter(|message| !message.trim().is_empty()) {
        Some(message) => error.with_vendor_message(message),
        None => error,
    }
}

/// Whether a session link a vendor sent can be handed to a person: https, or plain http on a
/// loopback host (an emulator). A link over plain http elsewhere would carry the session token
/// in clear.
pub fn trusted_link(link: &str) -> Option<Url> {
    let url = Url::parse(link.trim()).ok()?;
    let trusted = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        _ => false,
    };
    (trusted && url.host().is_some()).then_some(url)
}

/// The `Retry-After` header of a response, as a wait from now.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, Utc::now())
}

/// The longest wait a `Retry-After` is taken at: a hostile or broken header cannot ask for more.
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 3600);

/// Parses a `Retry-After` value: delay seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, RFC 9110 §10.2.3), as a wait from `now`, at most
/// [`RETRY_AFTER_MAX`]. A date in the past means no wait.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let when = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
            (when - now).to_std().unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_MAX))
}

/// The neutral error for a failed reqwest call to `provider`.
///
/// The URL is stripped first: paths may carry session ids. A failure to connect (refused, DNS,
/// TLS handshake, connect timeout) means the request never got out ([`Outcome::NotSent`]);
/// anything after that (a timeout waiting for the answer, a connection lost mid-response)
/// leaves the outcome unknown.
///
/// [`Outcome::NotSent`]: kyc_core::Outcome::NotSent
pub fn transport_error(provider: &str, error: reqwest::Error) -> Error {
    let error = error.without_url();
    let sent = !error.is_connect();
    if error.is_timeout() {
        Error::timeout(provider, sent).with_source(error)
    } else if error.is_builder() {
        Error::config(provider, "the HTTP request could not be built").with_source(error)
    } else {
        Error::transport(provider, sent).with_source(error)
    }
}

/// Reads `response`'s body, refusing one larger than `cap` bytes without reading it all.
///
/// # Errors
/// [`ErrorKind::Decode`](kyc_core::ErrorKind::Decode) for a body over the cap (by its
/// `Content-Length` before reading, or as it arrives); [`transport_error`]'s classification when
/// the connection fails or times out mid-body.
pub async fn read_body(
    provider: &str,
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, Error> {
    let status = response.status().as_u16();
    let too_large = || Error::decode(provider, status, format!("body larger than {cap} bytes"));
    if response.content_length().is_some_and(|length| length > cap as u64) {
        return Err(too_large());
    }
    // A declared length within the cap is read in one piece (no per-chunk copies); a body
    // without one is read chunk by chunk and cut off at the cap.
    if response.content_length().is_some() {
        let body = response.bytes().await.map_err(|e| transport_error(provider, e))?;
        return Ok(body.to_vec());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(provider, e))? {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Checks a vendor base URL: https, or plain http for a loopback host (an emulator or a test
/// server); no credentials, query or fragment.
///
/// # Errors
/// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) naming the rule.
pub fn check_base_url(provider: &str, url: &Url) -> Result<(), Error> {
    let problem = match url.scheme() {
        "https" => None,
        "http" if is_loopback(url) => None,
        "http" => Some("base URL must use https (plain http only for loopback hosts)"),
        _ => Some("base URL must be an http or https URL"),
    }
    .or_else(|| {
        (!url.username().is_empty() || url.password().is_some())
            .then_some("base URL must not contain credentials")
    })
    .or_else(|| {
        (url.query().is_some() || url.fragment().is_some())
            .then_some("base URL must not have a query or fragment")
    });
    match problem {
        Some(problem) => Err(Error::config(provider, problem)),
        None => Ok(()),
    }
}

/// Parses and checks (as [`check_base_url`]) a configured URL; `what` names it in errors
/// (`"base URL"`).
///
/// # Errors
/// [`ErrorKind::Config`](kyc_core::ErrorKind::Config).
pub fn parse_base_url(provider: &str, what: &str, url: &str) -> Result<Url, Error> {
    let parsed = Url::parse(url.trim())
        .map_err(|_| Error::config(provider, format!("the {what} is not a URL")))?;
    check_base_url(provider, &parsed)?;
    Ok(parsed)
}

/// `base` with `path` appended to its own path.
///
/// Unlike [`Url::join`], which replaces the last segment (`https://host/v1` joined with
/// `sessions` loses `/v1`, a bug seen in community Veriff clients), the base path is always
/// kept. A trailing slash in `path` is kept too (iDenfy's `/kyb/tokens/` needs it).
///
/// ```
/// use url::Url;
/// let base = Url::parse("https://proxy.example/veriff").unwrap();
/// let url = kyc_adapter::http::endpoint(&base, "/v1/sessions");
/// assert_eq!(url.as_str(), "https://proxy.example/veriff/v1/sessions");
/// ```
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ErrorKind, Outcome};

    #[test]
    fn statuses_map_as_documented() {
        let wait = Some(Duration::from_secs(7));
        let table = [
            (400, ErrorKind::Rejected, Outcome::Rejected),
            (401, ErrorKind::Unauthenticated, Outcome::Rejected),
            (402, ErrorKind::OutOfFunds, Outcome::Rejected),
            (403, ErrorKind::Forbidden, Outcome::Rejected),
            (404, ErrorKind::Rejected, Outcome::Rejected),
            (408, ErrorKind::Timeout, Outcome::NotSent),
            (409, ErrorKind::Rejected, Outcome::Rejected),
            (429, ErrorKind::RateLimited, Outcome::Rejected),
            (500, ErrorKind::Unavailable, Outcome::Unknown),
            (502, ErrorKind::Unavailable, Outcome::Unknown),
            (503, ErrorKind::Unavailable, Outcome::Rejected),
            (504, ErrorKind::Unavailable, Outcome::Unknown),
            (302, ErrorKind::Rejected, Outcome::Rejected),
        ];
        for (status, kind, outcome) in table {
            let error = status_error("p", status, Some("E42"), wait);
            assert_eq!((error.kind(), error.outcome()), (kind, outcome), "status {status}");
            assert_eq!(error.provider(), Some("p"));
            assert_eq!(error.http_status(), Some(status));
            assert_eq!(error.vendor_code(), Some("E42"));
        }
        assert_eq!(status_error("p", 429, None, wait).retry_after(), wait);
        assert_eq!(status_error("p", 503, None, wait).retry_after(), wait);
        assert_eq!(status_error("p", 500, None, wait).retry_after(), None);
        assert_eq!(status_error("p", 500, None, wait).vendor_code(), None);
    }

    #[test]
    fn retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z").unwrap().to_utc();
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("18446744073709551615", now), Some(RETRY_AFTER_MAX));
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), Some(RETRY_AFTER_MAX));
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn trusted_links() {
        for yes in
            ["https://ivs.idenfy.com/api/v2/redirect?authToken=t", "http://127.0.0.1:8080/v/t"]
        {
            assert!(trusted_link(yes).is_some(), "{yes}");
        }
        for no in
            ["http://evil.example/x", "javascript:alert(1)", "ftp://a.example/", "not a url", ""]
        {
            assert!(trusted_link(no).is_none(), "{no}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for yes in [
            "http://localhost:1/",
            "http://127.0.0.1/",
            "http://127.8.0.1/",
            "http://[::1]/",
            "http://a.localhost/",
        ] {
            assert!(is_loopback(&Url::parse(yes).unwrap()), "{yes}");
        }
        for no in [
            "http://10.0.0.1/",
            "http://example.com/",
            "http://localhost.example.com/",
            "file:///tmp",
        ] {
            assert!(!is_loopback(&Url::parse(no).unwrap()), "{no}");
        }
    }

    #[test]
    fn base_urls() {
        let check =
            |s: &str| check_base_url("p", &Url::parse(s).unwrap()).map_err(|e| e.to_string());
        assert_eq!(check("https://ivs.idenfy.com"), Ok(()));
        assert_eq!(check("http://127.0.0.1:8080/idenfy"), Ok(()));
        assert_eq!(
            check("http://ivs.idenfy.com"),
            Err("invalid p configuration: base URL must use https (plain http only for loopback hosts)".into())
        );
        assert!(check("ftp://x.example").is_err());
        assert!(check("https://u:p@x.example").is_err());
        assert!(check("https://x.example/?a=1").is_err());
    }

    #[test]
    fn endpoints_keep_the_base_path() {
        let cases = [
            (
                "https://stationapi.veriff.com",
                "/v1/sessions",
                "https://stationapi.veriff.com/v1/sessions",
            ),
            (
                "https://stationapi.veriff.com/",
                "v1/sessions",
                "https://stationapi.veriff.com/v1/sessions",
            ),
            ("http://127.0.0.1:9/veriff/", "/v1/sessions", "http://127.0.0.1:9/veriff/v1/sessions"),
            ("https://ivs.idenfy.com", "/kyb/tokens/", "https://ivs.idenfy.com/kyb/tokens/"),
        ];
        for (base, path, expected) in cases {
            assert_eq!(endpoint(&Url::parse(base).unwrap(), path).as_str(), expected);
        }
    }
}
