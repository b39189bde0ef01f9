//! Headless Chromium through chromedriver (WebDriver, by fantoccini) for the console's end-to-end
//! tests. A test file includes it with
//!
//! ```ignore
//! #[path = "support/browser.rs"]
//! mod browser;
//! ```
//!
//! and starts with `let Some(browser) = Browser::start().await else { return };`: without
//! chromedriver the test says on stderr why it is skipped and passes, unless `KYC_REQUIRE_BROWSER`
//! is set (CI sets it), when the missing browser fails it. chromedriver is found on `PATH` or at
//! `/usr/bin/chromedriver` (Debian's `chromium-driver`), and drives `/usr/bin/chromium` when that
//! exists (Debian's `chromium`). Both speak plain HTTP on 127.0.0.1 only; no TLS is involved.
//!
//! `KYC_SCREENSHOTS=<directory>` makes [`Browser::screenshot_if_asked`] write PNGs there (the
//! README's screenshots).

// Each test file uses a part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// Set (non-empty) where a missing browser must fail the test instead of skipping it.
const REQUIRE: &str = "KYC_REQUIRE_BROWSER";
/// A directory to write [`Browser::screenshot_if_asked`]'s PNGs into.
const SCREENSHOTS: &str = "KYC_SCREENSHOTS";
/// Debian's `chromium-driver` and `chromium`.
const DEBIAN_DRIVER: &str = "/usr/bin/chromedriver";
const DEBIAN_CHROMIUM: &str = "/usr/bin/chromium";
/// How long chromedriver may take to answer `/status`.
const DRIVER_START: Duration = Duration::from_secs(20);
/// Tries of a fresh port, in case another process takes the chosen one before chromedriver binds it.
const PORT_TRIES: usize = 3;

/// The Chromium command line: headless, and able to run as root in a container.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    // Chromium refuses to start its sandbox as root, which CI runs as.
    "--no-sandbox",
    "--disable-gpu",
    // Containers' /dev/shm is often 64 MB, too little for the renderer: use /tmp instead.
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

/// A WebDriver session in headless Chromium, with the chromedriver serving it.
#[derive(Debug)]
pub(crate) struct Browser {
    client: Client,
    driver: Driver,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a headless Chromium session.
    ///
    /// `None` (with the reason on stderr) when chromedriver is not installed, unless
    /// `KYC_REQUIRE_BROWSER` is set: then that panics. A chromedriver that is installed but does
    /// not start, or a session Chromium refuses (a chromedriver of another version than the
    /// browser, say), panics in any case, with chromedriver's output.
    pub(crate) async fn start() -> Option<Browser> {
        let Some(program) = find_chromedriver() else {
            return skip(&format!(
                "chromedriver is not on PATH nor at {DEBIAN_DRIVER} \
                 (Debian: apt-get install chromium chromium-driver)"
            ));
        };
        let driver = Driver::spawn(&program);
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities());
        let client = match builder.connect(&driver.url()).await {
            Ok(client) => client,
            Err(error) => panic!(
                "chromedriver ({}) refused a headless Chromium session: {error}\n{}",
                program.display(),
                driver.output()
            ),
        };
        let mut driver = driver;
        driver.session = client.session_id().await.ok().flatten();
        Some(Browser { client, driver })
    }

    /// The WebDriver client: `goto`, `find`, `wait`, `source`…
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The URL chromedriver answers at (`http://127.0.0.1:<port>/`).
    pub(crate) fn webdriver_url(&self) -> String {
        self.driver.url()
    }

    /// Ends the WebDriver session (Chromium quits), then stops chromedriver. Dropping a `Browser`
    /// does the same, synchronously; this is the orderly way, and reports a failure.
    pub(crate) async fn close(self) {
        let Browser { client, mut driver } = self;
        if let Err(error) = client.close().await {
            panic!("closing the WebDriver session: {error}\n{}", driver.output());
        }
        driver.session = None;
    }

    /// Writes a PNG of the viewport to `path`, creating its directory.
    pub(crate) async fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|error| panic!("taking a screenshot: {error}"));
        if let Some(directory) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(directory)
                .unwrap_or_else(|error| panic!("creating {}: {error}", directory.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
    }

    /// With `KYC_SCREENSHOTS=<directory>` set, writes `<directory>/<name>.png` and returns its
    /// path; otherwise does nothing.
    pub(crate) async fn screenshot_if_asked(&self, name: &str) -> Option<PathBuf> {
        let directory = std::env::var_os(SCREENSHOTS).filter(|value| !value.is_empty())?;
        let path = Path::new(&directory).join(format!("{name}.png"));
        self.screenshot(&path).await;
        eprintln!("screenshot: {}", path.display());
        Some(path)
    }
}

/// The session's capabilities: Chromium's flags, and Debian's binary when it is there (otherwise
/// chromedriver looks for Chrome itself).
fn capabilities() -> Capabilities {
    let mut options = serde_json::Map::new();
    options.insert("args".to_owned(), serde_json::json!(CHROMIUM_ARGS));
    if Path::new(DEBIAN_CHROMIUM).exists() {
        options.insert("binary".to_owned(), DEBIAN_CHROMIUM.into());
    }
    let mut capabilities = Capabilities::new();
    capabilities.insert("browserName".to_owned(), "chrome".into());
    capabilities.insert("goog:chromeOptions".to_owned(), options.into());
    capabilities
}

/// No browser here: skipped with `reason`, or a panic when `KYC_REQUIRE_BROWSER` is set.
fn skip(reason: &str) -> Option<Browser> {
    if std::env::var_os(REQUIRE).is_some_and(|value| !value.is_empty()) {
        panic!("{REQUIRE} is set, and the browser test cannot run: {reason}");
    }
    eprintln!("skipping the browser test: {reason} (set {REQUIRE}=1 to fail instead)");
    None
}

/// `chromedriver` on `PATH`, else Debian's.
fn find_chromedriver() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|directory| directory.join("chromedriver"));
    on_path.chain([PathBuf::from(DEBIAN_DRIVER)]).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A running chromedriver: killed (after ending a session left open) on drop.
#[derive(Debug)]
struct Driver {
    child: Child,
    port: u16,
    /// Its stdout and stderr.
    log: PathBuf,
    /// The session to end on drop, if [`Browser::close`] did not.
    session: Option<String>,
}

impl Driver {
    /// Spawns `program` on a free loopback port and waits until it is ready; panics if it is not.
    fn spawn(program: &Path) -> Driver {
        let mut failures = Vec::new();
        for _ in 0..PORT_TRIES {
            let port = free_port();
            // The tests' scratch directory (`target/tmp`).
            let log =
                Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("chromedriver-{port}.log"));
            let output = std::fs::File::create(&log)
                .unwrap_or_else(|error| panic!("creating {}: {error}", log.display()));
            let errors = output.try_clone().expect("the chromedriver log's handle");
            let child = Command::new(program)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(output)
                .stderr(errors)
                .spawn()
                .unwrap_or_else(|error| panic!("starting {}: {error}", program.display()));
            let mut driver = Driver { child, port, log, session: None };
            match driver.wait_until_ready() {
                Ok(()) => return driver,
                // Dropping it kills it; the next try takes another port.
                Err(why) => failures.push(format!("port {port}: {why}\n{}", driver.output())),
            }
        }
        panic!("chromedriver ({}) did not start:\n{}", program.display(), failures.join("\n"));
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Polls `GET /status` until it says `"ready": true`.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited ({status})"));
            }
            if let Ok(response) = self.request("GET", "/status") {
                let ready = serde_json::from_str::<serde_json::Value>(&response)
                    .is_ok_and(|body| body["value"]["ready"] == true);
                if ready {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("not ready after {DRIVER_START:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One HTTP/1.1 request with an empty body, and its response's body (blocking, briefly: it is
    /// for the start and for drop, where no runtime is at hand). chromedriver keeps the connection
    /// open whatever `Connection` says, so the body is read by its `Content-Length`.
    fn request(&self, method: &str, path: &str) -> std::io::Result<String> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut response = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            let read = stream.read(&mut chunk)?;
            response.extend_from_slice(&chunk[..read]);
            let head_end = response.windows(4).position(|window| window == b"\r\n\r\n");
            if let Some(head_end) = head_end {
                let head = String::from_utf8_lossy(&response[..head_end]);
                let length = head
                    .lines()
                    .filter_map(|line| line.split_once(':'))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, value)| value.trim().parse::<usize>().ok());
                let body = &response[head_end + 4..];
                if read == 0 || length.is_some_and(|length| body.len() >= length) {
                    return Ok(String::from_utf8_lossy(body).into_owned());
                }
            } else if read == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// What chromedriver printed, for a panic message.
    fn output(&self) -> String {
        match std::fs::read_to_string(&self.log) {
            Ok(text) if text.trim().is_empty() => {
                format!("(chromedriver printed nothing; {})", self.log.display())
            }
            Ok(text) => {
                format!("chromedriver's output ({}):\n{}", self.log.display(), text.trim_end())
            }
            Err(error) => format!("(no chromedriver output: {}: {error})", self.log.display()),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // A test that panicked before `close` leaves its session open: chromedriver quits that
        // Chromium when asked, but killing chromedriver alone would leave Chromium running.
        if let Some(session) = self.session.take() {
            let _ = self.request("DELETE", &format!("/session/{session}"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Kept when the test fails (target/tmp/chromedriver-<port>.log), for a post-mortem.
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A loopback port nothing listens on at the moment (the OS's pick, released at once).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}
