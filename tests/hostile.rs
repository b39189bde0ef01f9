//! Every adapter against servers on 127.0.0.1 that misbehave on purpose: every case gives its
//! documented error kind and outcome within the timeout plus a second, never a panic, and
//! nothing secret or personal reaches the errors or the `tracing` output (captured at TRACE).

mod support;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use kyc::{ClientId, ErrorKind, Outcome, Person, SessionRequest, VerificationSession};
use support::Captured;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TIMEOUT: Duration = Duration::from_millis(800);
const IDENFY_KEY: &str = "hostile-idenfy-key";
const IDENFY_SECRET: &str = "hostile-idenfy-secret";
const VERIFF_KEY: &str = "6f1c2e9a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const VERIFF_SECRET: &str = "hostile-veriff-shared-secret";
const SUMSUB_TOKEN: &str = "sbx:hostile-sumsub-app-token";
const SUMSUB_SECRET: &str = "hostile-sumsub-secret-key";
const ONFIDO_TOKEN: &str = "api_sandbox.hostile-onfido-token";
const ONFIDO_WORKFLOW: &str = "b42cf165-031f-4792-a57e-eea4fa10c4e2";
const SURNAME: &str = "Petrauskaitė";
const NAME: &str = "Gintarė";
const BIRTH: &str = "1987-06-05";
const EMAIL: &str = "jonas.hostile@example.com";
const PHONE: &str = "+37060012345";

/// Serves every connection with `handler` until the test ends.
async fn serve<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handler(stream));
        }
    });
    address
}

async fn read_request(stream: &mut TcpStream) {
    let mut buffer = vec![0u8; 64 * 1024];
    let _ = stream.read(&mut buffer).await;
}

async fn answer(mut stream: TcpStream, head: String, body: Vec<u8>) {
    read_request(&mut stream).await;
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.flush().await;
}

fn head(status: &str, content_type: &str, length: usize) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n\r\n")
}

/// One misbehaviour, and what both adapters must make of it.
struct Case {
    name: &'static str,
    expect: ErrorKind,
    outcome: Outcome,
    server: fn() -> std::pin::Pin<Box<dyn Future<Output = SocketAddr> + Send>>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "connection refused",
            expect: ErrorKind::Transport,
            outcome: Outcome::NotSent,
            server: || {
                Box::pin(async {
                    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    listener.local_addr().unwrap()
                })
            },
        },
        Case {
            name: "reset before the response",
            expect: ErrorKind::Transport,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|mut stream| async move {
                    read_request(&mut stream).await;
                    drop(stream);
                }))
            },
        },
        Case {
            name: "reset mid-body",
            expect: ErrorKind::Transport,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    answer(
                        stream,
                        head("201 Created", "application/json", 500),
                        br#"{"authToken": "#.to_vec(),
                    )
                }))
            },
        },
        Case {
            name: "headers slower than the timeout",
            expect: ErrorKind::Timeout,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|mut stream| async move {
                    read_request(&mut stream).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }))
            },
        },
        Case {
            name: "a body trickling past the total timeout",
            expect: ErrorKind::Timeout,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|mut stream| async move {
                    read_request(&mut stream).await;
                    let _ = stream
                        .write_all(head("201 Created", "application/json", 10_000).as_bytes())
                        .await;
                    for _ in 0..300 {
                        if stream.write_all(b" ").await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }))
            },
        },
        Case {
            name: "a 100 MB body",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|mut stream| async move {
                    read_request(&mut stream).await;
                    let _ = stream
                        .write_all(
                            head("201 Created", "application/json", 100 * 1024 * 1024).as_bytes(),
                        )
                        .await;
                    // Sent as it is read: a client that read it all would take a while.
                    let chunk = vec![b' '; 64 * 1024];
                    for _ in 0..1600 {
                        if stream.write_all(&chunk).await.is_err() {
                            return;
                        }
                    }
                }))
            },
        },
        Case {
            name: "a 100 MB body without a length",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|mut stream| async move {
                    read_request(&mut stream).await;
                    let head = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                    let _ = stream.write_all(head.as_bytes()).await;
                    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
                    for _ in 0..1600 {
                        if stream.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }))
            },
        },
        Case {
            name: "invalid UTF-8",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    answer(
                        stream,
                        head("201 Created", "application/json", 6),
                        vec![0xff, 0xfe, 0xfd, b'{', 0x80, b'}'],
                    )
                }))
            },
        },
        Case {
            name: "the wrong content type",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    let body = b"<html><body>Welcome!</body></html>".to_vec();
                    answer(stream, head("201 Created", "text/html", body.len()), body)
                }))
            },
        },
        Case {
            name: "JSON with wrong types",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    let body = br#"{"authToken": 7, "scanRef": [], "verification": {"id": 7, "url": false}}"#.to_vec();
                    answer(stream, head("201 Created", "application/json", body.len()), body)
                }))
            },
        },
        Case {
            name: "an HTML 502 page",
            expect: ErrorKind::Unavailable,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    let body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>".to_vec();
                    answer(stream, head("502 Bad Gateway", "text/html", body.len()), body)
                }))
            },
        },
        Case {
            name: "an empty 201",
            expect: ErrorKind::Decode,
            outcome: Outcome::Unknown,
            server: || {
                Box::pin(serve(|stream| {
                    answer(stream, head("201 Created", "application/json", 0), Vec::new())
                }))
            },
        },
    ]
}

fn adapters(address: SocketAddr) -> Vec<Box<dyn VerificationSession>> {
    let base = format!("http://{address}");
    vec![
        Box::new(
            kyc::Idenfy::builder(IDENFY_KEY, IDENFY_SECRET)
                .with_base_url(&base)
                .with_timeout(TIMEOUT)
                .build()
                .unwrap(),
        ),
        Box::new(
            kyc::Veriff::builder(VERIFF_KEY)
                .with_shared_secret(VERIFF_SECRET)
                .with_base_url(&base)
                .with_timeout(TIMEOUT)
                .build()
                .unwrap(),
        ),
        Box::new(
            kyc::Sumsub::builder(SUMSUB_TOKEN, SUMSUB_SECRET)
                .with_base_url(&base)
                .with_timeout(TIMEOUT)
                .build()
                .unwrap(),
        ),
        // Its first call (the applicant) meets the misbehaviour.
        Box::new(
            kyc::Onfido::builder(ONFIDO_TOKEN, ONFIDO_WORKFLOW)
                .with_base_url(format!("{base}/v3.6"))
                .with_timeout(TIMEOUT)
                .build()
                .unwrap(),
        ),
    ]
}

#[tokio::test(flavor = "current_thread")]
async fn hostile_servers_get_classified_errors_in_time_and_leak_nothing() {
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::TRACE);

    let request = SessionRequest::new(ClientId::new("hostile-client").unwrap()).with_person(
        Person::default().with_first_name(NAME).with_date_of_birth(BIRTH.parse().unwrap()),
    );
    // Sumsub takes no name or birth date in its link, but the person's email: personal data too.
    let contact = SessionRequest::new(ClientId::new("hostile-client").unwrap())
        .with_person(Person::default().with_email(EMAIL).with_phone(PHONE));
    // Onfido requires the names, and takes the birth date and the contact details too.
    let person = SessionRequest::new(ClientId::new("hostile-client").unwrap()).with_person(
        Person::default()
            .with_first_name(NAME)
            .with_last_name(SURNAME)
            .with_date_of_birth(BIRTH.parse().unwrap())
            .with_email(EMAIL)
            .with_phone(PHONE),
    );
    let mut printed = String::new();
    for case in cases() {
        let address = (case.server)().await;
        for adapter in adapters(address) {
            let request = match adapter.provider() {
                "sumsub" => &contact,
                "onfido" => &person,
                _ => &request,
            };
            let started = Instant::now();
            let error = adapter.create_session(request).await.expect_err(&format!(
                "{}: {} must fail",
                adapter.provider(),
                case.name
            ));
            let elapsed = started.elapsed();
            let context = format!("{} / {}: {error} ({error:?})", adapter.provider(), case.name);
            assert_eq!((error.kind(), error.outcome()), (case.expect, case.outcome), "{context}");
            assert!(elapsed <= TIMEOUT + Duration::from_secs(1), "{context}: took {elapsed:?}");
            printed.push_str(&format!("{error} {error:?} {error:#?}\n"));
        }
    }
    let log = captured.text();
    assert!(!log.is_empty(), "TRACE output was captured");
    for secret in [
        IDENFY_KEY,
        IDENFY_SECRET,
        VERIFF_KEY,
        VERIFF_SECRET,
        SUMSUB_TOKEN,
        SUMSUB_SECRET,
        ONFIDO_TOKEN,
        NAME,
        SURNAME,
        BIRTH,
        EMAIL,
        PHONE,
    ] {
        assert!(!printed.contains(secret), "{secret} in an error:\n{printed}");
        assert!(!log.contains(secret), "{secret} in the tracing output");
    }
    // Basic credentials travel base64-encoded: that form must not show either.
    let basic = format!("{IDENFY_KEY}:{IDENFY_SECRET}");
    let encoded = base64_of(basic.as_bytes());
    assert!(!log.contains(&encoded), "the Authorization header in the tracing output");
}

fn base64_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
