//! A loopback server that answers every request like Veriff's `POST /v1/sessions` `201`
//! (reference/veriff.md §3.3): just enough of Veriff for the failover example and benchmark to
//! run offline, until the project's emulator replaces it.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Starts the stand-in on a fresh loopback port and returns its base URL.
pub(crate) async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    let link = format!("{base}/v/demo-session-token");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let link = link.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut request).await;
                let body = format!(
                    r#"{{"status":"success","verification":{{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","url":"{link}","status":"created"}}}}"#
                );
                let answer = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    base
}

/// A loopback port nothing listens on: a dead vendor.
pub(crate) async fn dead_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    listener.local_addr().expect("bound").port()
}
