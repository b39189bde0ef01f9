//! `kyc_core::http` against real sockets on 127.0.0.1: what a failed call means for whether
//! the request reached the vendor, and bodies read under a cap.

use std::error::Error as _;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use kyc_adapter::http::{read_body, transport_error};
use kyc_core::{ErrorKind, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Serves one connection with `handler`, on a fresh loopback port.
async fn serve_once<F, Fut>(handler: F) -> SocketAddr
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        handler(stream).await;
    });
    addr
}

/// Reads the request head (enough for the small requests these tests send).
async fn read_request(stream: &mut TcpStream) {
    let mut buf = vec![0u8; 4096];
    let _ = stream.read(&mut buf).await;
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_millis(500)).build().unwrap()
}

async fn post(addr: SocketAddr) -> Result<reqwest::Response, reqwest::Error> {
    client().post(format!("http://{addr}/api/v2/token/secret-path")).body("{}").send().await
}

#[tokio::test]
async fn connection_refused_was_not_sent() {
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let error = transport_error("idenfy", post(addr).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.outcome(), Outcome::NotSent);
    assert!(error.is_retryable());
    let printed = format!("{error} {error:?} {}", error.source().unwrap());
    assert!(!printed.contains("secret-path"), "URL must be stripped: {printed}");
}

#[tokio::test]
async fn silence_after_sending_is_an_unknown_outcome() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let error = transport_error("veriff", post(addr).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn connection_closed_without_answer_is_an_unknown_outcome() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        drop(stream);
    })
    .await;
    let error = transport_error("veriff", post(addr).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.outcome(), Outcome::Unknown);
}

#[tokio::test]
async fn reset_mid_body_is_an_unknown_outcome() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        let head = "HTTP/1.1 201 Created\r\ncontent-length: 100\r\n\r\n{\"scanRef\":";
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.flush().await.unwrap();
    })
    .await;
    let response = post(addr).await.unwrap();
    let error = read_body("idenfy", response, 1024).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.outcome(), Outcome::Unknown);
}

#[tokio::test]
async fn declared_oversized_body_is_refused_before_reading() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 104857600\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        // Never sends the body: reading it would hang until the timeout.
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let response = post(addr).await.unwrap();
    let error = read_body("veriff", response, 64 * 1024).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.outcome(), Outcome::Unknown, "a 200 may have created a session");
    assert_eq!(
        error.to_string(),
        "undecodable response from veriff: body larger than 65536 bytes (http 200)"
    );
}

#[tokio::test]
async fn streamed_oversized_body_is_cut_off() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        let head = "HTTP/1.1 502 Bad Gateway\r\ntransfer-encoding: chunked\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("{:x}\r\n{}\r\n", 1000, "x".repeat(1000));
        for _ in 0..100 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return; // the client stopped reading, as it should
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
    })
    .await;
    let response = post(addr).await.unwrap();
    let error = read_body("idenfy", response, 10_000).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.outcome(), Outcome::Rejected);
}

#[tokio::test]
async fn bodies_under_the_cap_arrive_whole() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        let body = r#"{"scanRef":"abc"}"#;
        let response =
            format!("HTTP/1.1 201 Created\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        stream.write_all(response.as_bytes()).await.unwrap();
    })
    .await;
    let response = post(addr).await.unwrap();
    assert_eq!(read_body("idenfy", response, 1024).await.unwrap(), br#"{"scanRef":"abc"}"#);
}

/// A refusal's huge body is not read, and the status still classifies the answer: a 502 page
/// of any size is a 502 (the work may have been done), not an undecodable refusal.
#[tokio::test]
async fn an_oversized_refusal_keeps_its_status() {
    let addr = serve_once(|mut stream| async move {
        read_request(&mut stream).await;
        let head = "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 104857600\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let request = client().post(format!("http://{addr}/v1/sessions")).body("{}");
    let answer = kyc_adapter::http::send("veriff", request).await.unwrap();
    assert_eq!((answer.status, answer.body.len()), (502, 0));
    let error = kyc_adapter::http::status_error("veriff", answer.status, None, None);
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Unknown));
}
