//! A minimal SMTP server on loopback, for the tests that email a link over a real SMTP
//! conversation.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server on loopback that takes one message (or refuses it), for real.
pub(crate) async fn smtp_server(refuse: bool) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else { return };
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let _ = write.write_all(b"220 localhost ESMTP test\r\n").await;
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            record.lock().unwrap().push(line.clone());
            let reply: &[u8] = if in_data {
                if line == "." {
                    in_data = false;
                    b"250 2.0.0 queued\r\n"
                } else {
                    continue;
                }
            } else {
                let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                match verb.as_str() {
                    "EHLO" | "HELO" => b"250 localhost\r\n",
                    "MAIL" => b"250 2.1.0 ok\r\n",
                    "RCPT" if refuse => b"550 5.1.1 mailbox unavailable\r\n",
                    "RCPT" => b"250 2.1.5 ok\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    }
                    _ => b"250 ok\r\n",
                }
            };
            let _ = write.write_all(reply).await;
        }
    });
    (url, seen)
}
