//! A `kyc serve` for tests, and plain HTTP/1.1 to talk to it. A test file includes it with
//!
//! ```ignore
//! #[path = "support/serve.rs"]
//! #[allow(dead_code)] // each test file uses a part of it
//! mod serve;
//! ```
//!
//! - [`Server::start`] runs the built binary as `kyc serve --listen 127.0.0.1:0`, its console
//!   password [`PASSWORD`], without any vendor credential (nor any other `KYC_`, `SMTP_` or
//!   vendor variable) in its environment, so every vendor runs on the built-in emulator; HOME
//!   and XDG_DATA_HOME are a fresh directory ([`Server::home`]), removed once the server is
//!   dropped. It returns once the server printed `kyc serve: listening on http://ADDR`.
//!   [`Server::builder`] (or [`Server::start_with`]) adds variables or leaves the password out
//!   (the server then generates one and prints it: [`Server::generated_password`]). The
//!   process is killed when the [`Server`] is dropped; [`Server::stop`] stops it as a service
//!   manager does (SIGTERM) and hands back its exit status and output.
//! - [`Server::get`], [`Server::post`], [`Server::post_form`] and [`Server::request`] send one
//!   request each on a fresh connection (`Connection: close`) and read the whole [`Answer`].
//!   [`get_url`] and [`post_form_url`] do the same for any `http://` URL (the emulator's hosted
//!   pages, whose links the console shows).
//! - [`Console`] is a logged-in operator: [`Console::login`] goes through `GET /login` and
//!   `POST /login` as a browser does and keeps the `kyc_session` cookie; [`Console::get`] and
//!   [`Console::post_form`] send it, the latter with the session's CSRF token added.
//! - [`Html`] reads the server's pages (start tags, attributes, an element's text, a table's
//!   cells); [`Metrics`] reads `GET /metrics`.
//!
//! Timeouts are generous (a loaded machine): they only turn a hang into a failure.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// The console password [`Server::start`] runs with (`KYC_CONSOLE_PASSWORD`).
pub(crate) const PASSWORD: &str = "serve-tests-console-password-0123";

/// How long the server may take to say where it listens.
pub(crate) const STARTUP: Duration = Duration::from_secs(60);
/// How long one request may take.
pub(crate) const REQUEST: Duration = Duration::from_secs(30);
/// How long [`Server::stop`] waits for the process to exit after SIGTERM (then kills it).
pub(crate) const STOP: Duration = Duration::from_secs(20);

/// The line the server says where it listens on (the address follows).
const LISTENING: &str = "kyc serve: listening on http://";
/// The line a generated password is on: `kyc serve: console password (generated, ...): XXXX`.
const GENERATED: &str = "kyc serve: console password (generated";

/// The environment variables' prefixes removed from the server's environment.
const REMOVED: &[&str] = &["IDENFY_", "VERIFF_", "SUMSUB_", "ONFIDO_", "KYC_", "SMTP_"];

// ---------------------------------------------------------------------------------------------
// A temporary directory
// ---------------------------------------------------------------------------------------------

/// A fresh directory under the system's temp dir (with `.local/share` in it), removed on drop.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let name = format!("kyc-serve-test-{}-{nanos}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(path.join(".local/share")).unwrap();
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// What a stream of the child printed so far.
type Collected = Arc<Mutex<Vec<u8>>>;

fn text(collected: &Collected) -> String {
    String::from_utf8_lossy(&collected.lock().unwrap()).into_owned()
}

/// Keeps reading `stream` into `into` until it ends.
fn drain(mut stream: impl AsyncRead + Unpin + Send + 'static, into: Collected) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    })
}

/// Where requests go, and what to show when one fails: shared by [`Server`] and [`Console`].
#[derive(Clone, Debug)]
struct Endpoint {
    addr: SocketAddr,
    stderr: Collected,
}

impl Endpoint {
    async fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Answer {
        let what = format!("{method} {target}");
        match timeout(REQUEST, send(self.addr, method, target, headers, body)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) => panic!("{what}: {error}; server stderr: {}", text(&self.stderr)),
            Err(_) => {
                panic!(
                    "{what}: no answer within {REQUEST:?}; server stderr: {}",
                    text(&self.stderr)
                )
            }
        }
    }
}

/// How a [`Server`] is started: [`Server::builder`].
#[derive(Debug)]
pub(crate) struct ServerBuilder {
    envs: Vec<(String, String)>,
    password: Option<String>,
}

impl ServerBuilder {
    /// Sets `name` to `value` in the server's environment (after the clean-up, so a removed
    /// variable can be set again). `{home}` in `value` stands for [`Server::home`]'s path, e.g.
    /// `("KYC_DATABASE_URL", "sqlite:{home}/ledger.sqlite")`.
    pub(crate) fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Each of `envs`, as [`env`](Self::env).
    pub(crate) fn envs(mut self, envs: &[(&str, &str)]) -> Self {
        for (name, value) in envs {
            self = self.env(name, value);
        }
        self
    }

    /// Runs without `KYC_CONSOLE_PASSWORD`: the server generates a password and prints it once
    /// ([`Server::generated_password`]).
    pub(crate) fn without_password(mut self) -> Self {
        self.password = None;
        self
    }

    /// Runs with this `KYC_CONSOLE_PASSWORD` instead of [`PASSWORD`].
    pub(crate) fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_owned());
        self
    }

    /// Spawns the server; returns once it listens (panics, with its output, when it does not
    /// within [`STARTUP`] or exits first).
    pub(crate) async fn start(self) -> Server {
        let home = TempDir::new();
        let home_path = home.path().to_str().expect("a UTF-8 temp dir").to_owned();
        let mut command = Command::new(env!("CARGO_BIN_EXE_kyc"));
        command.args(["serve", "--listen", "127.0.0.1:0"]);
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if REMOVED.iter().any(|prefix| name.to_ascii_uppercase().starts_with(prefix)) {
                command.env_remove(name);
            }
        }
        command
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(password) = &self.password {
            command.env("KYC_CONSOLE_PASSWORD", password);
        }
        for (name, value) in &self.envs {
            command.env(name, value.replace("{home}", &home_path));
        }
        let mut child = command.spawn().expect("kyc runs");
        let pid = child.id().expect("a running child has a pid");
        let stdout = Collected::default();
        let stderr = Collected::default();
        let mut drains = vec![drain(child.stdout.take().unwrap(), Arc::clone(&stdout))];

        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let listening = timeout(STARTUP, async {
            loop {
                let mut line = Vec::new();
                match lines.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => stderr.lock().unwrap().extend_from_slice(&line),
                }
                let line = String::from_utf8_lossy(&line);
                if let Some(addr) = line.trim_end().strip_prefix(LISTENING) {
                    return Some(addr.trim_end_matches('/').to_owned());
                }
            }
        })
        .await;
        let addr = match listening {
            Ok(Some(addr)) => addr.parse().unwrap_or_else(|_| {
                panic!("not an address in `{LISTENING}{addr}`; stderr: {}", text(&stderr))
            }),
            Ok(None) => {
                let status = timeout(Duration::from_secs(5), child.wait()).await;
                panic!("kyc serve ended before listening ({status:?}); stderr: {}", text(&stderr))
            }
            Err(_) => {
                panic!("kyc serve did not listen within {STARTUP:?}; stderr: {}", text(&stderr))
            }
        };
        drains.push(drain(lines, Arc::clone(&stderr)));
        Server {
            endpoint: Endpoint { addr, stderr: Arc::clone(&stderr) },
            pid,
            child,
            stderr,
            stdout,
            drains,
            home,
        }
    }
}

/// A running `kyc serve` (killed when dropped).
#[derive(Debug)]
pub(crate) struct Server {
    endpoint: Endpoint,
    pid: u32,
    child: Child,
    stderr: Collected,
    stdout: Collected,
    drains: Vec<JoinHandle<()>>,
    // Dropped last: the child is killed first.
    home: TempDir,
}

impl Server {
    /// `kyc serve` with [`PASSWORD`] and nothing else set.
    pub(crate) async fn start() -> Self {
        Self::builder().start().await
    }

    /// `kyc serve` with `envs` set too (`{home}` in a value: [`ServerBuilder::env`]), and without
    /// `KYC_CONSOLE_PASSWORD` when `unset_password`.
    pub(crate) async fn start_with(envs: &[(&str, &str)], unset_password: bool) -> Self {
        let builder = Self::builder().envs(envs);
        match unset_password {
            true => builder.without_password().start().await,
            false => builder.start().await,
        }
    }

    /// A server to start: [`PASSWORD`], nothing else set, until told otherwise.
    pub(crate) fn builder() -> ServerBuilder {
        ServerBuilder { envs: Vec::new(), password: Some(PASSWORD.to_owned()) }
    }

    /// Where it listens (127.0.0.1).
    pub(crate) fn address(&self) -> SocketAddr {
        self.endpoint.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.endpoint.addr)
    }

    /// The process id (to signal it).
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Its HOME (and XDG_DATA_HOME's parent), a fresh directory.
    pub(crate) fn home(&self) -> &Path {
        self.home.path()
    }

    /// Everything on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        text(&self.stderr)
    }

    /// Everything on stdout so far.
    pub(crate) fn stdout(&self) -> String {
        text(&self.stdout)
    }

    /// The password the server generated and printed (started without one), if it did.
    pub(crate) fn generated_password(&self) -> Option<String> {
        self.stderr()
            .lines()
            .find(|line| line.starts_with(GENERATED))
            .and_then(|line| line.rsplit_once(": "))
            .map(|(_, password)| password.trim().to_owned())
    }

    /// Sends SIGTERM (`kill -TERM`), without waiting.
    pub(crate) async fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {}: {status}", self.pid);
    }

    /// Waits up to `within` for the process to exit by itself: its status, `None` if it did not.
    pub(crate) async fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        timeout(within, self.child.wait()).await.ok().and_then(Result::ok)
    }

    /// SIGTERM, then what the server printed until it exited: (exit status, stdout, stderr).
    /// The status is `None` when it did not exit within [`STOP`] (it is then killed).
    pub(crate) async fn stop(mut self) -> (Option<ExitStatus>, String, String) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status().await;
        }
        let status = match timeout(STOP, self.child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                let _ = self.child.kill().await;
                None
            }
        };
        for drain in self.drains.drain(..) {
            let _ = timeout(Duration::from_secs(5), drain).await;
        }
        (status, text(&self.stdout), text(&self.stderr))
    }

    /// `GET path` with `headers`.
    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.request("GET", path, &as_bytes(headers), b"").await
    }

    /// `POST path` with `headers` and `body`; `Content-Type: application/json` unless `headers`
    /// name one.
    pub(crate) async fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut headers = as_bytes(headers);
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
            headers.push(("Content-Type", b"application/json"));
        }
        self.request("POST", path, &headers, body).await
    }

    /// `POST path` with `fields` as `application/x-www-form-urlencoded`, with `Cookie: cookie`
    /// when given (e.g. `"kyc_session=..."`).
    pub(crate) async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Answer {
        let mut headers: Vec<(&str, &str)> =
            vec![("Content-Type", "application/x-www-form-urlencoded")];
        if let Some(cookie) = cookie {
            headers.push(("Cookie", cookie));
        }
        self.post(path, &headers, form_body(fields).as_bytes()).await
    }

    /// One HTTP/1.1 request on its own connection, the answer read to the end; panics (with the
    /// server's stderr) when there is none within [`REQUEST`]. Sent: the request line, `Host`
    /// (unless `headers` name one), `Content-Length`, `Connection: close`, then `headers` as
    /// given. The body is written while the answer is read, so an answer before all of it was
    /// read (413) is heard.
    pub(crate) async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Answer {
        self.endpoint.request(method, path, headers, body).await
    }

    /// `GET /metrics`, checked for its status and content type.
    pub(crate) async fn metrics(&self) -> Metrics {
        let answer = self.get("/metrics", &[]).await;
        answer.assert_status(200, "GET /metrics");
        let content_type = answer.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/plain") && content_type.contains("version=0.0.4"),
            "GET /metrics: content type {content_type:?}"
        );
        Metrics::parse(&answer.text())
    }
}

fn as_bytes<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a [u8])> {
    headers.iter().map(|(name, value)| (*name, value.as_bytes())).collect()
}

/// `fields` as `application/x-www-form-urlencoded`.
pub(crate) fn form_body(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 by hand
// ---------------------------------------------------------------------------------------------

/// The request head [`send`] writes.
pub(crate) fn request_head(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &[u8])],
    content_length: usize,
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        head.extend_from_slice(format!("Host: {addr}\r\n").as_bytes());
    }
    head.extend_from_slice(
        format!("Content-Length: {content_length}\r\nConnection: close\r\n").as_bytes(),
    );
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// One request to `addr` on a fresh connection, the answer read until the server closes it
/// (no timeout: callers add one).
pub(crate) async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Result<Answer, String> {
    let head = request_head(addr, method, target, headers, body.len());
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("connect to {addr}: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let body = body.to_vec();
    // The write half is kept (returned) until the answer is read: dropping it would half-close
    // the connection, which a server may take as the client leaving.
    let writing = tokio::spawn(async move {
        let written = async {
            writer.write_all(&head).await?;
            writer.write_all(&body).await?;
            writer.flush().await
        }
        .await;
        (writer, written)
    });
    let raw = read_to_end(&mut reader).await?;
    // Writing may have failed (the server answered without reading everything): fine.
    let _ = writing.await;
    Answer::parse(&raw)
}

/// Reads until the peer closes; a reset after some bytes (a body the server did not read)
/// ends the answer too.
pub(crate) async fn read_to_end(reader: &mut (impl AsyncRead + Unpin)) -> Result<Vec<u8>, String> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => return Ok(raw),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) if !raw.is_empty() => return Ok(raw),
            Err(error) => return Err(format!("no answer: {error}")),
        }
    }
}

/// (address, path and query) of an `http://` URL on an IP address.
fn split_url(url: &str) -> (SocketAddr, String) {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("not a URL ({e}): {url}"));
    assert_eq!(parsed.scheme(), "http", "not an http:// URL: {url}");
    let host = parsed.host_str().unwrap_or_else(|| panic!("no host in {url}"));
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addr = format!("{host}:{port}")
        .parse()
        .unwrap_or_else(|_| panic!("not an IP address and port in {url}"));
    let target = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    (addr, target)
}

/// `GET url` (an `http://IP:PORT/...` URL: the emulator's hosted pages).
pub(crate) async fn get_url(url: &str) -> Answer {
    let (addr, target) = split_url(url);
    match timeout(REQUEST, send(addr, "GET", &target, &[], b"")).await {
        Ok(answer) => answer.unwrap_or_else(|error| panic!("GET {url}: {error}")),
        Err(_) => panic!("GET {url}: no answer within {REQUEST:?}"),
    }
}

/// `POST url` with `fields` as `application/x-www-form-urlencoded`.
pub(crate) async fn post_form_url(url: &str, fields: &[(&str, &str)]) -> Answer {
    let (addr, target) = split_url(url);
    let headers: [(&str, &[u8]); 1] = [("Content-Type", b"application/x-www-form-urlencoded")];
    let body = form_body(fields);
    match timeout(REQUEST, send(addr, "POST", &target, &headers, body.as_bytes())).await {
        Ok(answer) => answer.unwrap_or_else(|error| panic!("POST {url}: {error}")),
        Err(_) => panic!("POST {url}: no answer within {REQUEST:?}"),
    }
}

/// An HTTP answer: status, headers (names lowercased, in order), body (de-chunked).
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// Parses a whole HTTP/1 answer.
    pub(crate) fn parse(raw: &[u8]) -> Result<Self, String> {
        let shown = || String::from_utf8_lossy(&raw[..raw.len().min(400)]).into_owned();
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| format!("no end of headers in {:?}", shown()))?;
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .filter(|_| status_line.starts_with("HTTP/1."))
            .ok_or_else(|| format!("not an HTTP/1 status line: {status_line:?}"))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let rest = &raw[end + 4..];
        let chunked = headers.iter().any(|(name, value)| {
            name == "transfer-encoding" && value.to_ascii_lowercase().contains("chunked")
        });
        let length = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse::<usize>().ok());
        let body = match (chunked, length) {
            (true, _) => dechunk(rest)?,
            (false, Some(length)) if length <= rest.len() => rest[..length].to_vec(),
            (false, Some(length)) => {
                return Err(format!("{length} bytes announced, {} received", rest.len()));
            }
            (false, None) => rest.to_vec(),
        };
        Ok(Self { status, headers, body })
    }

    /// The first header called `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Every header called `name` (any case), in order.
    pub(crate) fn headers_all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// `Location`.
    pub(crate) fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The whole `Set-Cookie` line that sets cookie `name` (the first).
    pub(crate) fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers_all("set-cookie").into_iter().find(|line| {
            line.split(';').next().and_then(|pair| pair.split_once('=')).map(|(key, _)| key.trim())
                == Some(name)
        })
    }

    /// The value `Set-Cookie` gives cookie `name` (the first).
    pub(crate) fn cookie_value(&self, name: &str) -> Option<String> {
        let line = self.set_cookie(name)?;
        let pair = line.split(';').next()?;
        pair.split_once('=').map(|(_, value)| value.trim().to_owned())
    }

    /// The body as text (lossy).
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as HTML to read.
    pub(crate) fn html(&self) -> Html {
        Html::new(self.text())
    }

    /// The body as JSON, with a JSON content type (panics otherwise).
    pub(crate) fn json(&self) -> Value {
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(content_type.contains("json"), "not JSON ({content_type:?}): {self}");
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {self}"))
    }

    /// Asserts the status (the answer shown when it differs).
    #[track_caller]
    pub(crate) fn assert_status(&self, status: u16, what: &str) -> &Self {
        assert_eq!(self.status, status, "{what}: {self}");
        self
    }

    /// Asserts a `303 See Other` to `location`.
    #[track_caller]
    pub(crate) fn assert_redirect(&self, location: &str, what: &str) -> &Self {
        assert_eq!((self.status, self.location()), (303, Some(location)), "{what}: {self}");
        self
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = self.text();
        let body: String = body.chars().take(600).collect();
        write!(f, "{} {:?} {body:?}", self.status, self.headers)
    }
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end =
            rest.windows(2).position(|w| w == b"\r\n").ok_or("a chunk without its size line")?;
        let size = String::from_utf8_lossy(&rest[..line_end]);
        let size = size.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| format!("chunk size {size:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("a chunk cut short")?;
        body.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or("a chunk without its end")?;
    }
}

// ---------------------------------------------------------------------------------------------
// A logged-in operator
// ---------------------------------------------------------------------------------------------

/// The cookie of a logged-in operator.
pub(crate) const SESSION_COOKIE: &str = "kyc_session";
/// The cookie the login form's CSRF token is bound to.
pub(crate) const LOGIN_COOKIE: &str = "kyc_login";

/// What `GET /login` gave a visitor: the `kyc_login` cookie's value and the form's CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct LoginPage {
    pub(crate) nonce: String,
    pub(crate) csrf: String,
    pub(crate) answer: Answer,
}

impl LoginPage {
    /// `GET /login`, checked: 200, a `kyc_login` cookie, a form with a `csrf` field.
    pub(crate) async fn get(server: &Server) -> Self {
        let answer = server.get("/login", &[]).await;
        answer.assert_status(200, "GET /login");
        let nonce = answer
            .cookie_value(LOGIN_COOKIE)
            .unwrap_or_else(|| panic!("GET /login: no {LOGIN_COOKIE} cookie: {answer}"));
        let csrf = answer
            .html()
            .input_value("csrf")
            .unwrap_or_else(|| panic!("GET /login: no csrf field: {answer}"));
        Self { nonce, csrf, answer }
    }

    /// `Cookie: kyc_login=...`.
    pub(crate) fn cookie(&self) -> String {
        format!("{LOGIN_COOKIE}={}", self.nonce)
    }

    /// `POST /login` with this page's cookie and token and `password`.
    pub(crate) async fn submit(&self, server: &Server, password: &str) -> Answer {
        let fields = [("csrf", self.csrf.as_str()), ("password", password)];
        server.post_form("/login", Some(&self.cookie()), &fields).await
    }
}

/// A logged-in operator: the `kyc_session` cookie, and the session's CSRF token.
#[derive(Debug)]
pub(crate) struct Console {
    endpoint: Endpoint,
    session: String,
    csrf: Mutex<String>,
}

impl Console {
    /// Logs in with [`PASSWORD`] (panics, with the answers, when that fails).
    pub(crate) async fn login(server: &Server) -> Self {
        Self::login_with(server, PASSWORD).await
    }

    /// `GET /login`, `POST /login` with its token and `password` (303 to `/` and a
    /// `kyc_session` cookie expected), then `GET /` for the session's CSRF token.
    pub(crate) async fn login_with(server: &Server, password: &str) -> Self {
        let page = LoginPage::get(server).await;
        let answer = page.submit(server, password).await;
        answer.assert_redirect("/", "POST /login");
        let session = answer
            .cookie_value(SESSION_COOKIE)
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| panic!("POST /login: no {SESSION_COOKIE} cookie: {answer}"));
        let console =
            Self { endpoint: server.endpoint.clone(), session, csrf: Mutex::new(String::new()) };
        let home = console.get("/").await;
        home.assert_status(200, "GET / once logged in");
        assert!(!console.csrf().is_empty(), "GET /: no CSRF token in the page: {home}");
        console
    }

    /// The session's CSRF token (the one in the last console page read).
    pub(crate) fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone()
    }

    /// The `kyc_session` cookie's value.
    pub(crate) fn session_id(&self) -> &str {
        &self.session
    }

    /// `kyc_session=...`, for a `Cookie` header.
    pub(crate) fn cookie(&self) -> String {
        format!("{SESSION_COOKIE}={}", self.session)
    }

    /// `GET path` with the cookie; a page with the logout form updates [`csrf`](Self::csrf).
    pub(crate) async fn get(&self, path: &str) -> Answer {
        let cookie = self.cookie();
        let headers: [(&str, &[u8]); 1] = [("Cookie", cookie.as_bytes())];
        let answer = self.endpoint.request("GET", path, &headers, b"").await;
        if answer.status == 200
            && let Some(csrf) = answer.html().session_csrf()
        {
            *self.csrf.lock().unwrap() = csrf;
        }
        answer
    }

    /// `POST path` with the cookie, the CSRF token and `fields` (form-encoded; the token first).
    pub(crate) async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_exactly(path, &all).await
    }

    /// `POST path` with the cookie and exactly `fields` (no token added).
    pub(crate) async fn post_form_exactly(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let cookie = self.cookie();
        let headers: [(&str, &[u8]); 2] =
            [("Cookie", cookie.as_bytes()), ("Content-Type", b"application/x-www-form-urlencoded")];
        let body = form_body(fields);
        self.endpoint.request("POST", path, &headers, body.as_bytes()).await
    }

    /// Fills and submits the creation form (`POST /sessions`) with `fields`; on success, the
    /// session's console path (`/sessions/{provider}/{id}`) it was sent to. Panics on anything
    /// but a 303 there.
    pub(crate) async fn create_session(&self, fields: &[(&str, &str)]) -> String {
        let answer = self.post_form("/sessions", fields).await;
        let errors = answer.html().errors();
        assert_eq!(answer.status, 303, "POST /sessions {fields:?}: {errors:?}: {answer}");
        let location = answer.location().unwrap_or_default().to_owned();
        assert!(location.starts_with("/sessions/"), "POST /sessions {fields:?}: {answer}");
        location
    }
}

// ---------------------------------------------------------------------------------------------
// Reading pages
// ---------------------------------------------------------------------------------------------

/// A start tag: its name (lowercase), its attributes (names lowercase, values unescaped; `None`
/// for a bare one), where it starts and where it ends (just past its `>`) in the page.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, Option<String>)>,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Tag {
    /// The value of attribute `name` (`Some("")` for a bare one).
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_deref().unwrap_or(""))
    }
}

/// An HTML page, read just well enough for these tests (the server's and the emulator's pages:
/// double-quoted attributes, no comments in the way).
#[derive(Debug, Clone)]
pub(crate) struct Html {
    pub(crate) source: String,
}

impl Html {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self { source: source.into() }
    }

    /// Every start tag, in order (`<!doctype>` and end tags left out).
    pub(crate) fn tags(&self) -> Vec<Tag> {
        let source = &self.source;
        let bytes = source.as_bytes();
        let mut tags = Vec::new();
        let mut at = 0;
        while let Some(offset) = source[at..].find('<') {
            let start = at + offset;
            let Some(first) = bytes.get(start + 1) else { break };
            if !first.is_ascii_alphabetic() {
                at = start + 1;
                continue;
            }
            let (tag, end) = parse_tag(source, start);
            at = end;
            let raw_text = matches!(tag.name.as_str(), "script" | "style");
            tags.push(tag);
            // A script's or a style's content is no markup.
            if raw_text {
                let name = tags.last().map(|tag| tag.name.clone()).unwrap_or_default();
                match source[at..].to_ascii_lowercase().find(&format!("</{name}")) {
                    Some(close) => at += close,
                    None => break,
                }
            }
        }
        tags
    }

    /// The first tag with `id="id"`.
    pub(crate) fn by_id(&self, id: &str) -> Option<Tag> {
        self.tags().into_iter().find(|tag| tag.attr("id") == Some(id))
    }

    /// Whether some tag has `id="id"`.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.by_id(id).is_some()
    }

    /// The text inside the element with `id="id"` (its inner tags left out, entities
    /// unescaped, whitespace collapsed).
    pub(crate) fn text_of(&self, id: &str) -> Option<String> {
        let tag = self.by_id(id)?;
        Some(self.inner_text(&tag))
    }

    /// The text of `tag`'s element: up to its end tag (nested elements of the same name
    /// counted), inner tags left out.
    pub(crate) fn inner_text(&self, tag: &Tag) -> String {
        let inner = &self.source[tag.end..self.element_end(tag)];
        collapse(&unescape(&strip_tags(inner)))
    }

    /// Where `tag`'s element's content ends (its end tag's `<`; the page's end when missing).
    fn element_end(&self, tag: &Tag) -> usize {
        if is_void(&tag.name) {
            return tag.end;
        }
        let lower = self.source.to_ascii_lowercase();
        let open = format!("<{}", tag.name);
        let close = format!("</{}", tag.name);
        let mut depth = 1usize;
        let mut at = tag.end;
        loop {
            let next_open = lower[at..].find(&open).map(|i| i + at);
            let Some(next_close) = lower[at..].find(&close).map(|i| i + at) else {
                return self.source.len();
            };
            match next_open {
                Some(o) if o < next_close && is_name_end(lower.as_bytes().get(o + open.len())) => {
                    depth += 1;
                    at = o + open.len();
                }
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        return next_close;
                    }
                    at = next_close + close.len();
                }
            }
        }
    }

    /// The texts of the elements of class `error` (a refused form's messages), with their ids.
    pub(crate) fn errors(&self) -> Vec<(Option<String>, String)> {
        self.tags()
            .into_iter()
            .filter(|tag| tag.attr("class").is_some_and(|c| c.split(' ').any(|c| c == "error")))
            .map(|tag| (tag.attr("id").map(str::to_owned), self.inner_text(&tag)))
            .collect()
    }

    /// The value of the first `<input name="name">`.
    pub(crate) fn input_value(&self, name: &str) -> Option<String> {
        self.tags()
            .into_iter()
            .find(|tag| tag.name == "input" && tag.attr("name") == Some(name))
            .and_then(|tag| tag.attr("value").map(str::to_owned))
    }

    /// The session's CSRF token: the `csrf` field of the logout form (on every console page
    /// once logged in; not on the login page, whose token is the login form's).
    pub(crate) fn session_csrf(&self) -> Option<String> {
        let tags = self.tags();
        let logout = tags
            .iter()
            .position(|tag| tag.name == "form" && tag.attr("action") == Some("/logout"))?;
        tags[logout + 1..]
            .iter()
            .take_while(|tag| tag.name != "form")
            .find(|tag| tag.name == "input" && tag.attr("name") == Some("csrf"))
            .and_then(|tag| tag.attr("value").map(str::to_owned))
    }

    /// The `<form>` whose `action` is `action`, and the `(name, value)` of its inputs (hidden
    /// or not; buttons and selects left out).
    pub(crate) fn form(&self, action: &str) -> Option<(Tag, Vec<(String, String)>)> {
        let tags = self.tags();
        let at =
            tags.iter().position(|tag| tag.name == "form" && tag.attr("action") == Some(action))?;
        let form = tags[at].clone();
        let end = self.element_end(&form);
        let inputs = tags[at + 1..]
            .iter()
            .take_while(|tag| tag.start < end)
            .filter(|tag| tag.name == "input")
            .filter_map(|tag| {
                let name = tag.attr("name")?.to_owned();
                Some((name, tag.attr("value").unwrap_or_default().to_owned()))
            })
            .collect();
        Some((form, inputs))
    }

    /// The `href` of every `<a>`, in order.
    pub(crate) fn links(&self) -> Vec<String> {
        self.tags()
            .into_iter()
            .filter(|tag| tag.name == "a")
            .filter_map(|tag| tag.attr("href").map(str::to_owned))
            .collect()
    }

    /// The rows of the `<tbody>` of the table with `id="id"`: each row's cells' texts. Empty
    /// when there is no such table.
    pub(crate) fn table_rows(&self, id: &str) -> Vec<Vec<String>> {
        let Some(table) = self.by_id(id) else { return Vec::new() };
        let end = self.element_end(&table);
        let tags = self.tags();
        let inside: Vec<&Tag> =
            tags.iter().filter(|tag| tag.start >= table.end && tag.start < end).collect();
        let Some(body) = inside.iter().find(|tag| tag.name == "tbody") else { return Vec::new() };
        let body_end = self.element_end(body);
        let mut rows = Vec::new();
        for row in inside.iter().filter(|tag| tag.name == "tr" && tag.start > body.start) {
            if row.start >= body_end {
                break;
            }
            let row_end = self.element_end(row);
            let cells = inside
                .iter()
                .filter(|tag| tag.name == "td" && tag.start > row.start && tag.start < row_end)
                .map(|cell| self.inner_text(cell))
                .collect();
            rows.push(cells);
        }
        rows
    }

    /// The content of every `<script>` element (empty for `<script src=...></script>`), with its
    /// tag.
    pub(crate) fn scripts(&self) -> Vec<(Tag, String)> {
        self.tags()
            .into_iter()
            .filter(|tag| tag.name == "script")
            .map(|tag| {
                let content = self.source[tag.end..self.element_end(&tag)].to_owned();
                (tag, content)
            })
            .collect()
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_name_end(byte: Option<&u8>) -> bool {
    byte.is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
}

/// The tag starting at `start` (a `<` followed by a letter), and where it ends.
fn parse_tag(source: &str, start: usize) -> (Tag, usize) {
    let bytes = source.as_bytes();
    let mut at = start + 1;
    let name_start = at;
    while at < bytes.len()
        && !bytes[at].is_ascii_whitespace()
        && bytes[at] != b'>'
        && bytes[at] != b'/'
    {
        at += 1;
    }
    let name = source[name_start..at].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() {
            break;
        }
        if bytes[at] == b'>' {
            at += 1;
            break;
        }
        let attr_start = at;
        while at < bytes.len()
            && !bytes[at].is_ascii_whitespace()
            && !matches!(bytes[at], b'=' | b'>' | b'/')
        {
            at += 1;
        }
        let attr = source[attr_start..at].to_ascii_lowercase();
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            attrs.push((attr, None));
            continue;
        }
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let value = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let value_start = at + 1;
                let value_end = source[value_start..]
                    .find(char::from(quote))
                    .map_or(source.len(), |i| value_start + i);
                at = (value_end + 1).min(source.len());
                &source[value_start..value_end]
            }
            _ => {
                let value_start = at;
                while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>' {
                    at += 1;
                }
                &source[value_start..at]
            }
        };
        attrs.push((attr, Some(unescape(value))));
    }
    (Tag { name, attrs, start, end: at }, at)
}

/// `text` without its tags.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match (c, in_tag) {
            ('<', _) => in_tag = true,
            ('>', true) => {
                in_tag = false;
                out.push(' ');
            }
            (c, false) => out.push(c),
            _ => {}
        }
    }
    out
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML's character references, as far as the server and the emulator write them.
pub(crate) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|end| *end <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/// The samples of `GET /metrics` (Prometheus text format), summed per (metric, `provider`
/// label; `""` without one).
#[derive(Debug, Clone, Default)]
pub(crate) struct Metrics {
    pub(crate) samples: HashMap<(String, String), f64>,
}

impl Metrics {
    pub(crate) fn parse(metrics: &str) -> Self {
        let mut samples = HashMap::new();
        for line in metrics.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // `name{labels} value [timestamp]` (label values may hold spaces), or `name value`.
            let (series, rest) = match line.rfind('}') {
                Some(close) => (&line[..=close], &line[close + 1..]),
                None => line.split_once(char::is_whitespace).unwrap_or((line, "")),
            };
            let Some(value) = rest.split_whitespace().next() else { continue };
            let Ok(value) = value.parse::<f64>() else { continue };
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (series, ""),
            };
            let provider = labels
                .split(',')
                .filter_map(|label| label.split_once('='))
                .find(|(key, _)| key.trim() == "provider")
                .map(|(_, value)| value.trim().trim_matches('"').to_owned())
                .unwrap_or_default();
            *samples.entry((name.trim().to_owned(), provider)).or_insert(0.0) += value;
        }
        Self { samples }
    }

    /// A counter's value for `provider` (a series not exported counts 0).
    pub(crate) fn count(&self, name: &str, provider: &str) -> f64 {
        self.samples.get(&(name.to_owned(), provider.to_owned())).copied().unwrap_or(0.0)
    }
}
