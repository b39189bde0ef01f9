//! The built `kyc` binary, run as an operator would: against the emulator for each vendor and
//! for failover, against a local SMTP server that takes the email and one that refuses it, and
//! with input it must refuse before anything is created.

use std::process::Output;
use std::sync::{Arc, Mutex};

use kyc_emulator::{Emulator, Fault, RunningEmulator, Vendor};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Runs `kyc` with the emulator's variables in the environment (and `extra` variables).
async fn kyc(emulator: &RunningEmulator, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"));
    command.args(args).env_clear().envs(emulator.vars());
    for (name, value) in extra {
        command.env(name, value);
    }
    command.output().await.expect("kyc runs")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout is not JSON: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

#[tokio::test]
async fn creates_a_session_on_each_vendor_and_through_failover() {
    let emulator = Emulator::builder().start().await.unwrap();
    for vendor in ["idenfy", "veriff"] {
        let output = kyc(
            &emulator,
            &["session", "create", "--client-id", "op-1", "--provider", vendor, "--output", "json"],
            &[],
        )
        .await;
        assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
        let session = json(&output);
        assert_eq!(session["provider"], vendor);
        assert_eq!(session["client_id"], "op-1");
        assert!(session["url"].as_str().unwrap().starts_with(&emulator.veriff_base_url()[..20]));
        assert!(session["expires_at"].is_string());
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(!printed.contains("token\""), "no token field: {printed}");
        assert!(
            !printed.contains(emulator.idenfy_credentials().1)
                && !printed.contains(emulator.veriff_credentials().1)
        );
    }

    emulator.set_fault(Vendor::Idenfy, Fault::status(503).times(3));
    let output = kyc(
        &emulator,
        &[
            "session",
            "create",
            "--client-id",
            "op-2",
            "--provider",
            "idenfy,veriff",
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let session = json(&output);
    assert_eq!(session["provider"], "veriff");
    let attempts = session["attempts"].as_array().unwrap();
    assert_eq!(attempts.last().unwrap()["provider"], "veriff");
    assert_eq!(attempts[0]["error"], "unavailable");
    assert_eq!(attempts[0]["may_have_created_session"], false);
}

#[tokio::test]
async fn failures_exit_with_their_documented_status() {
    let emulator = Emulator::builder().start().await.unwrap();
    let args = ["session", "create", "--client-id", "op-3", "--provider", "veriff"];
    emulator.set_fault(Vendor::Veriff, Fault::status(500));
    let output = kyc(&emulator, &args, &[]).await;
    assert_eq!(code(&output), 4);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    assert!(stderr.starts_with("error: veriff is unavailable"), "{stderr}");

    emulator.clear_fault(Vendor::Veriff);
    let wrong =
        kyc(&emulator, &args, &[("VERIFF_API_KEY", "00000000-0000-4000-8000-000000000000")]).await;
    assert_eq!(code(&wrong), 3, "refused credentials");
    let misconfigured = kyc(&emulator, &args, &[("VERIFF_API_KEY", "not-a-uuid")]).await;
    assert_eq!(code(&misconfigured), 3, "bad configuration");
}

#[tokio::test]
async fn bad_input_exits_2_and_creates_nothing() {
    let emulator = Emulator::builder().start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("kyc-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = dir.join("no-link.txt");
    std::fs::write(&template, "Hello, please verify.").unwrap();
    let template = template.to_str().unwrap().to_owned();
    let nine_cc: Vec<String> =
        (0..9).flat_map(|i| ["--cc".to_owned(), format!("cc{i}@example.com")]).collect();
    let mut with_cc =
        vec!["session", "create", "--client-id", "op-4", "--email", "person@example.com"];
    with_cc.extend(nine_cc.iter().map(String::as_str));
    let smtp = [("SMTP_URL", "smtp://127.0.0.1:9")];
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "session",
            "create",
            "--client-id",
            "op-4",
            "--email",
            "person@example.com",
            "--template",
            &template,
        ],
        with_cc,
        vec!["session", "create", "--client-id", "op-4", "--date-of-birth", "1990-13-45"],
        vec!["session", "create", "--client-id", "op-4", "--document-type", "library_card"],
        vec!["session", "create", "--client-id", "op-4", "--email", "not an address"],
        vec!["session", "create", "--first-name", "Jonas"],
        vec!["session", "create", "--client-id", "op-4", "--provider", "veriff", "--business"],
    ];
    for args in cases {
        let output = kyc(&emulator, &args, &smtp).await;
        assert_eq!(code(&output), 2, "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|line| !line.starts_with("note:")).collect();
        assert_eq!(errors.len(), 1, "{args:?}: one line: {stderr}");
        assert!(errors[0].starts_with("error:"), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("1990-13-45") && !stderr.contains("library_card"),
            "no value echoed: {stderr}"
        );
    }
    assert_eq!(
        emulator.requests_received(Vendor::Idenfy) + emulator.requests_received(Vendor::Veriff),
        0
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A minimal SMTP server on loopback that takes one message (or refuses it), for real.
async fn smtp_server(refuse: bool) -> (String, Arc<Mutex<Vec<String>>>) {
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

#[tokio::test]
async fn the_link_is_emailed_over_smtp() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (smtp_url, seen) = smtp_server(false).await;
    let args = [
        "session",
        "create",
        "--client-id",
        "op-5",
        "--provider",
        "idenfy",
        "--output",
        "json",
        "--email",
        "person@example.com",
        "--cc",
        "boss@example.com",
        "--cc",
        "audit@example.com",
        "--subject",
        "Verify with us",
    ];
    let output =
        kyc(&emulator, &args, &[("SMTP_URL", &smtp_url), ("SMTP_FROM", "kyc@example.org")]).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let link = json(&output)["url"].as_str().unwrap().to_owned();
    let conversation = seen.lock().unwrap().join("\n");
    for expected in [
        "MAIL FROM:<kyc@example.org>",
        "RCPT TO:<person@example.com>",
        "RCPT TO:<boss@example.com>",
        "RCPT TO:<audit@example.com>",
        "To: person@example.com",
        "Subject: Verify with us",
    ] {
        assert!(conversation.contains(expected), "{expected} missing from:\n{conversation}");
    }
    assert!(conversation.contains("Cc: boss@example.com, audit@example.com"), "{conversation}");
    // The body carries the link (quoted-printable may wrap long lines with `=`).
    let body: String = conversation.replace("=\n", "").replace("=3D", "=");
    assert!(body.contains(&link), "the link {link} is not in:\n{conversation}");
}

#[tokio::test]
async fn a_refused_email_still_prints_the_link_and_exits_5() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (smtp_url, _) = smtp_server(true).await;
    let args = [
        "session",
        "create",
        "--client-id",
        "op-6",
        "--provider",
        "veriff",
        "--email",
        "person@example.com",
    ];
    let output = kyc(&emulator, &args, &[("SMTP_URL", &smtp_url)]).await;
    assert_eq!(code(&output), 5, "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().next().unwrap().starts_with("http://"), "the link first: {stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("the session was created"));
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);
}

#[tokio::test]
async fn compare_and_the_capability_matrix() {
    let emulator = Emulator::builder().start().await.unwrap();
    let output = kyc(&emulator, &["compare", "--client-id", "op-7", "--output", "json"], &[]).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let rows = json(&output);
    let vendors: Vec<&str> =
        rows.as_array().unwrap().iter().map(|r| r["vendor"].as_str().unwrap()).collect();
    assert_eq!(vendors, ["idenfy", "veriff"]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "created" && r["latency_ms"].is_u64())
    );

    let markdown = kyc(&emulator, &["providers", "--output", "markdown"], &[]).await;
    assert_eq!(code(&markdown), 0);
    let table = String::from_utf8(markdown.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md's capability table differs from `kyc providers --output markdown`:\n{table}"
    );
}

/// Hex HMAC-SHA256, computed independently of the library.
fn hmac_hex(key: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `kyc webhook verify` with `body` on standard input and `env` as the whole environment,
/// printing JSON.
async fn verify(provider: &str, header: &str, body: &[u8], env: &[(&str, &str)]) -> Output {
    verify_as("json", provider, header, body, env).await
}

/// [`verify`], printing `output` (`text` or `json`).
async fn verify_as(
    output: &str,
    provider: &str,
    header: &str,
    body: &[u8],
    env: &[(&str, &str)],
) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"));
    command
        .args(["webhook", "verify", "--provider", provider, "--header", header, "--output", output])
        .env_clear()
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(body).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

#[tokio::test]
async fn webhooks_are_verified_with_documented_exit_codes() {
    let decision = include_str!("../../kyc-veriff/fixtures/decision-webhook.json").as_bytes();
    let secrets = [("VERIFF_SHARED_SECRET", "new-secret,old-secret")];
    let good = format!("X-HMAC-SIGNATURE: {}", hmac_hex("old-secret", decision));
    let output = verify("veriff", &good, decision, &secrets).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let result = json(&output);
    assert_eq!(
        (result["status"].as_str(), result["final"].as_bool()),
        (Some("approved"), Some(true))
    );
    assert_eq!(result["client_id"], "12345678");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("SARAH"), "no document data printed");

    let wrong = format!("X-HMAC-SIGNATURE: {}", hmac_hex("someone-else", decision));
    assert_eq!(code(&verify("veriff", &wrong, decision, &secrets).await), 3);
    assert_eq!(code(&verify("veriff", &good, decision, &[]).await), 3, "no secret configured");
    let garbage = b"[1, 2, 3]";
    let signed_garbage = format!("X-HMAC-SIGNATURE: {}", hmac_hex("new-secret", garbage));
    assert_eq!(code(&verify("veriff", &signed_garbage, garbage, &secrets).await), 2);

    let idenfy = include_str!("../../kyc-idenfy/fixtures/webhook.json").as_bytes();
    let header = format!("Idenfy-Signature: {}", hmac_hex("idenfy-key", idenfy));
    let output = verify("idenfy", &header, idenfy, &[("IDENFY_WEBHOOK_KEY", "idenfy-key")]).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json(&output)["status"], "approved");
}

#[tokio::test]
async fn webhooks_need_only_the_webhook_secret() {
    let veriff = include_str!("../../kyc-veriff/fixtures/decision-webhook.json").as_bytes();
    let idenfy = include_str!("../../kyc-idenfy/fixtures/webhook.json").as_bytes();
    let cases = [
        ("veriff", "X-HMAC-SIGNATURE", "VERIFF_SHARED_SECRET", veriff),
        ("idenfy", "Idenfy-Signature", "IDENFY_WEBHOOK_KEY", idenfy),
    ];
    for (vendor, header, variable, body) in cases {
        // No IDENFY_API_KEY, IDENFY_API_SECRET or VERIFF_API_KEY: only the webhook secret.
        let env = [(variable, "the-webhook-secret")];
        let good = format!("{header}: {}", hmac_hex("the-webhook-secret", body));
        let output = verify_as("text", vendor, &good, body, &env).await;
        assert_eq!(code(&output), 0, "{vendor}: {}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(stdout.lines().next(), Some("status        approved"), "{vendor}: {stdout}");

        let wrong = format!("{header}: {}", hmac_hex("someone-else", body));
        let output = verify_as("text", vendor, &wrong, body, &env).await;
        assert_eq!(code(&output), 3, "{vendor}: a wrong signature");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{vendor}: one clear line: {stderr}");
        assert!(stderr.contains("signature"), "{vendor}: {stderr}");
    }

    // The API credentials are not read at all: broken ones do not get in the way.
    let env = [
        ("VERIFF_SHARED_SECRET", "the-webhook-secret"),
        ("VERIFF_API_KEY", "not-a-uuid"),
        ("IDENFY_API_KEY", "has:a:colon"),
    ];
    let good = format!("X-HMAC-SIGNATURE: {}", hmac_hex("the-webhook-secret", veriff));
    assert_eq!(code(&verify_as("text", "veriff", &good, veriff, &env).await), 0);
}

#[tokio::test]
async fn the_person_s_own_email_and_phone_go_to_vendors_that_take_them() {
    let emulator = Emulator::builder().start().await.unwrap();
    let args = |vendor: &'static str| {
        [
            "session",
            "create",
            "--client-id",
            "op-9",
            "--person-email",
            "jonas@example.com",
            "--person-phone",
            "+370 600 00000",
            "--provider",
            vendor,
            "--output",
            "json",
        ]
    };
    let output = kyc(&emulator, &args("veriff"), &[]).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json(&output)["provider"], "veriff");
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!printed.contains("jonas@example.com"), "not echoed: {printed}");

    // iDenfy's token call takes neither: refused before anything is sent.
    let output = kyc(&emulator, &args("idenfy"), &[]).await;
    assert_eq!(code(&output), 2, "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: idenfy does not support the field person.email"),
        "{stderr}"
    );
    assert_eq!(emulator.requests_received(Vendor::Idenfy), 0);

    // Not an address: the person's details are checked like the rest of the request.
    let mut bad = args("veriff");
    bad[5] = "nobody";
    let output = kyc(&emulator, &bad, &[]).await;
    assert_eq!(code(&output), 2, "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("nobody"), "no value echoed");
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);
}

#[tokio::test]
async fn session_status_polls_the_vendor() {
    let emulator = Emulator::builder().start().await.unwrap();
    let created = kyc(
        &emulator,
        &["session", "create", "--client-id", "op-8", "--provider", "veriff", "--output", "json"],
        &[],
    )
    .await;
    let session = json(&created);
    let id = session["session_id"].as_str().unwrap().to_owned();
    let status = kyc(
        &emulator,
        &["session", "status", "--provider", "veriff", "--session-id", &id, "--output", "json"],
        &[],
    )
    .await;
    assert_eq!(code(&status), 0, "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(json(&status)["status"], Value::Null, "no decision yet");

    let token = session["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let page = format!("http://{}/veriff/decide", emulator.address());
    let form = format!("token={token}&choice=decline");
    let client_answer = raw_post(&page, &form).await;
    assert!(
        client_answer.starts_with("HTTP/1.1 303") || client_answer.starts_with("HTTP/1.1 200"),
        "{client_answer}"
    );
    let status = kyc(
        &emulator,
        &["session", "status", "--provider", "veriff", "--session-id", &id, "--output", "json"],
        &[],
    )
    .await;
    let result = json(&status);
    assert_eq!(
        (result["status"].as_str(), result["final"].as_bool()),
        (Some("declined"), Some(true))
    );
    assert_eq!(result["reason_code"], "102");
}

/// A form POST over a plain socket (the CLI's tests need no HTTP client of their own).
async fn raw_post(url: &str, form: &str) -> String {
    use tokio::io::AsyncReadExt;
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST /{path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}
