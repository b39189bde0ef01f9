//! The built `kyc` binary, run as an operator would: against the emulator for each vendor and
//! for failover, against a local SMTP server that takes the email and one that refuses it, and
//! with input it must refuse before anything is created.

#[path = "support/smtp.rs"]
mod smtp;

use std::process::Output;
use std::sync::{Arc, Mutex};

use kyc_emulator::{Choice, Emulator, Fault, RunningEmulator, Vendor};
use serde_json::Value;
use smtp::smtp_server;
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
    for vendor in ["idenfy", "veriff", "sumsub"] {
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
                && !printed.contains(emulator.sumsub_credentials().1)
        );
    }

    // Sumsub in a failover order like any vendor: down, then served by the next.
    emulator.set_fault(Vendor::Sumsub, Fault::status(503).times(3));
    let output = kyc(
        &emulator,
        &[
            "session",
            "create",
            "--client-id",
            "op-3",
            "--provider",
            "sumsub,idenfy",
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json(&output)["provider"], "idenfy");
    assert_eq!(json(&output)["attempts"][0]["provider"], "sumsub");

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
    let rows = rows.as_array().unwrap();
    let vendors: Vec<&str> = rows.iter().map(|r| r["vendor"].as_str().unwrap()).collect();
    assert_eq!(vendors, ["idenfy", "veriff", "sumsub", "onfido"]);
    assert!(rows.iter().all(|r| r["latency_ms"].is_u64()), "{rows:?}");
    assert!(rows[..3].iter().all(|r| r["outcome"] == "created"), "{rows:?}");
    // Onfido requires the person's names: without them its answer is a refusal, unsent.
    assert_eq!(rows[3]["outcome"], "unsupported");
    assert!(rows[3]["message"].as_str().unwrap().contains("person.firstName"), "{rows:?}");
    assert_eq!(rows[3]["leftover"], Value::Null);
    assert_eq!(emulator.requests_received(Vendor::Onfido), 0);

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
    assert_eq!(json(&output)["notice"], false);

    // A signed event that is no decision: accepted, printed with its type, its body not.
    let expiring = br#"{"scanRef": "scan-9", "clientId": "user-9",
        "expirationThreshold": "DOCUMENT_EXPIRES_WITHIN_30_DAYS", "documentExpiration": "2027-01-01"}"#;
    let header = format!("Idenfy-Signature: {}", hmac_hex("idenfy-key", expiring));
    let keys = [("IDENFY_WEBHOOK_KEY", "idenfy-key")];
    let output = verify("idenfy", &header, expiring, &keys).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let notice = json(&output);
    assert_eq!(
        (notice["notice"].as_bool(), notice["decided"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        (notice["event"].as_str(), notice["session_id"].as_str()),
        (Some("DOCUMENT_EXPIRATION"), Some("scan-9"))
    );
    assert_eq!(notice["client_id"], "user-9");
    let text = verify_as("text", "idenfy", &header, expiring, &keys).await;
    let printed = String::from_utf8_lossy(&text.stdout);
    assert!(
        printed.contains("DOCUMENT_EXPIRATION") && printed.contains("not a decision"),
        "{printed}"
    );
    assert!(!printed.contains("2027-01-01"), "the body is not printed: {printed}");

    // Sumsub's digest, under the algorithm it names (SHA-256 when it names none).
    let reviewed = br#"{"applicantId": "5cb56e8e0a975a35f333cb83", "externalUserId": "user-7",
        "type": "applicantReviewed", "reviewStatus": "completed",
        "reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "RETRY", "rejectLabels": []}}"#;
    let header = format!("x-payload-digest: {}", hmac_hex("sumsub-secret", reviewed));
    let secret = [("SUMSUB_WEBHOOK_SECRET", "sumsub-secret")];
    let output = verify("sumsub", &header, reviewed, &secret).await;
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let result = json(&output);
    assert_eq!(
        (result["status"].as_str(), result["final"].as_bool(), result["session_id"].as_str()),
        (Some("resubmission_requested"), Some(false), Some("user-7"))
    );
    let forged = format!("x-payload-digest: {}", hmac_hex("another", reviewed));
    assert_eq!(code(&verify("sumsub", &forged, reviewed, &secret).await), 3);
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
    assert_eq!(json(&status)["decided"], false);
    assert_eq!(json(&status)["provider"], "veriff");
    assert_eq!(json(&status)["session_id"], id.as_str());
    // In text, what is known rather than a column of dashes.
    let text =
        kyc(&emulator, &["session", "status", "--provider", "veriff", "--session-id", &id], &[])
            .await;
    assert_eq!(code(&text), 0, "{}", String::from_utf8_lossy(&text.stderr));
    assert_eq!(
        String::from_utf8_lossy(&text.stdout),
        format!("status        no decision yet\nprovider      veriff\nsession_id    {id}\n")
    );

    emulator.decide(Vendor::Veriff, &id, Choice::Decline).await.unwrap();
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
    assert_eq!(result["decided"], true);
}

#[tokio::test]
async fn session_erase_exits_as_the_operator_acts() {
    let emulator = Emulator::builder().start().await.unwrap();
    let create = |provider: &'static str, extra: &'static [&'static str]| {
        let emulator = &emulator;
        async move {
            let args = [
                &["session", "create", "--client-id", "op-9", "--provider", provider][..],
                extra,
                &["--output", "json"],
            ]
            .concat();
            let output = kyc(emulator, &args, &[]).await;
            assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
            json(&output)["session_id"].as_str().unwrap().to_owned()
        }
    };
    let erase = |provider: &'static str, id: String, extra: &'static [&'static str]| {
        let emulator = &emulator;
        async move {
            let args = [
                &["session", "erase", "--provider", provider, "--session-id", id.as_str()][..],
                extra,
            ]
            .concat();
            kyc(emulator, &args, &[]).await
        }
    };

    // iDenfy keeps a session's data while its link can be used: refused for now, exit 2.
    let id = create("idenfy", &[]).await;
    let early = erase("idenfy", id.clone(), &[]).await;
    assert_eq!(code(&early), 2, "{}", String::from_utf8_lossy(&early.stderr));
    assert!(String::from_utf8_lossy(&early.stderr).contains("refused for now"));
    emulator.decide(Vendor::Idenfy, &id, Choice::Approve).await.unwrap();
    let done = erase("idenfy", id.clone(), &["--output", "json"]).await;
    assert_eq!(code(&done), 0, "{}", String::from_utf8_lossy(&done.stderr));
    let erased = json(&done);
    assert_eq!(
        (erased["erased"].as_bool(), erased["session_id"].as_str()),
        (Some(true), Some(id.as_str()))
    );
    assert_eq!(erased["kind"], "identity");

    // A company is erased by its company id, as a business session.
    let company = create("idenfy", &["--business"]).await;
    let status = kyc(
        &emulator,
        &[
            "session",
            "status",
            "--provider",
            "idenfy",
            "--session-id",
            &company,
            "--business",
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&status), 0, "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(
        (json(&status)["kind"].as_str(), json(&status)["status"].as_str()),
        (Some("business"), Some("created"))
    );
    let text = erase("idenfy", company.clone(), &["--business"]).await;
    assert_eq!(code(&text), 0, "{}", String::from_utf8_lossy(&text.stderr));
    assert_eq!(stdout(&text), format!("erased the data of idenfy's business session {company}\n"));

    // Veriff: erased once decided; a session it does not know is a failure (4); a business
    // session, which Veriff has none of, is not offered (3).
    let id = create("veriff", &[]).await;
    emulator.decide(Vendor::Veriff, &id, Choice::Approve).await.unwrap();
    assert_eq!(code(&erase("veriff", id.clone(), &[]).await), 0);
    let unknown = erase("veriff", "123e4567-e89b-12d3-a456-426614174000".into(), &[]).await;
    assert_eq!(code(&unknown), 4, "{}", String::from_utf8_lossy(&unknown.stderr));
    assert_eq!(code(&erase("veriff", id, &["--business"]).await), 3);

    // Not enabled for the account (Veriff's default), or no credentials at all: 3.
    let disabled = Emulator::builder().with_veriff_deletion(false).start().await.unwrap();
    let output = kyc(
        &disabled,
        &["session", "create", "--client-id", "op-10", "--provider", "veriff", "--output", "json"],
        &[],
    )
    .await;
    let id = json(&output)["session_id"].as_str().unwrap().to_owned();
    let refused =
        kyc(&disabled, &["session", "erase", "--provider", "veriff", "--session-id", &id], &[])
            .await;
    assert_eq!(code(&refused), 3, "{}", String::from_utf8_lossy(&refused.stderr));
    let unconfigured =
        kyc_with(&["session", "erase", "--provider", "veriff", "--session-id", &id], &[]).await;
    assert_eq!(code(&unconfigured), 3, "{}", stderr(&unconfigured));
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

/// Runs `kyc` with `env` as its whole environment (no credentials unless given).
async fn kyc_with(args: &[&str], env: &[(String, String)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"));
    command.args(args).env_clear().envs(env.iter().map(|(name, value)| (name, value)));
    command.output().await.expect("kyc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A request file in a fresh directory, removed with it by the caller.
fn request_file(name: &str, json: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("kyc-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("request.json");
    std::fs::write(&file, json).unwrap();
    let path = file.to_str().unwrap().to_owned();
    (dir, path)
}

/// A TCP proxy on loopback in front of `target`, recording every byte the client sends: what
/// `kyc` really put on the wire.
async fn recording_proxy(target: std::net::SocketAddr) -> (String, Arc<Mutex<Vec<u8>>>) {
    use tokio::io::AsyncReadExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&sent);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(target).await else { return };
            let (mut from_client, mut to_client) = client.into_split();
            let (mut from_server, mut to_server) = server.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
            });
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut buffer = [0u8; 8192];
                while let Ok(read @ 1..) = from_client.read(&mut buffer).await {
                    record.lock().unwrap().extend_from_slice(&buffer[..read]);
                    if to_server.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (address, sent)
}

/// The emulator's variables, with its base URLs through `proxy`.
fn vars_through(emulator: &RunningEmulator, proxy: &str) -> Vec<(String, String)> {
    let direct = emulator.address().to_string();
    emulator
        .vars()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.replace(&direct, proxy)))
        .collect()
}

#[tokio::test]
async fn a_provider_that_cannot_serve_the_request_is_passed_over_and_says_why() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut args = vec![
        "session",
        "create",
        "--client-id",
        "op-10",
        "--provider",
        "idenfy,veriff",
        "--person-email",
        "a@b.example",
    ];
    let output = kyc(&emulator, &[&args[..], &["--output", "json"]].concat(), &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let session = json(&output);
    assert_eq!(session["provider"], "veriff");
    assert_eq!(
        session["attempts"],
        serde_json::json!([
            {"provider": "idenfy", "error": "unsupported", "skipped": "the field person.email",
             "may_have_created_session": false, "leftover": null},
            {"provider": "veriff", "error": null, "skipped": null,
             "may_have_created_session": true, "leftover": null},
        ])
    );
    assert_eq!(emulator.requests_received(Vendor::Idenfy), 0, "passed over without a call");

    let output = kyc(&emulator, &args, &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let attempts: Vec<&str> = text.lines().filter(|line| line.starts_with("attempt:")).collect();
    assert_eq!(
        attempts,
        [
            "attempt:    idenfy passed over (does not support the field person.email)",
            "attempt:    veriff created it",
        ],
        "{text}"
    );

    // Passed over by every provider: refused with the trace, and nothing sent.
    args.push("--business");
    let output = kyc(&emulator, &[&args[..], &["--output", "json"]].concat(), &[]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let refused = json(&output);
    assert_eq!(refused["error"], "unsupported");
    let attempts = refused["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{refused}");
    assert!(attempts.iter().all(|a| a["skipped"].is_string()), "{refused}");
    assert!(stderr(&output).contains("(2 providers passed over)"), "{}", stderr(&output));
    // In text, each provider passed over is named with its reason on stderr.
    let output = kyc(&emulator, &args, &[]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let lines: Vec<String> = stderr(&output).lines().map(str::to_owned).collect();
    for provider in ["idenfy", "veriff"] {
        let line = format!("attempt:    {provider} passed over (does not support ");
        assert!(lines.iter().any(|l| l.starts_with(&line)), "{lines:?}");
    }
    assert_eq!(emulator.requests_received(Vendor::Idenfy), 0);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 2);
}

#[tokio::test]
async fn unknown_option_keys_are_sent_and_named_on_stderr() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (proxy, sent) = recording_proxy(emulator.address()).await;
    let env = vars_through(&emulator, &proxy);
    let (dir, file) = request_file(
        "unknown-options",
        r#"{"clientId": "op-11", "providerOptions": {
            "idenfy": {"brandNewSwitch": "value-not-printed", "checkAml": true},
            "veriff": {"newThing": "value-not-printed"}
        }}"#,
    );
    let note = |field: &str| {
        format!(
            "note: providerOptions.{field} is not an option this version knows; it is sent as is"
        )
    };

    let output =
        kyc_with(&["session", "create", "--request", &file, "--provider", "idenfy"], &env).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let notes: Vec<String> = stderr(&output).lines().map(str::to_owned).collect();
    // Only the vendor in use: Veriff's options are not sent.
    assert_eq!(notes, [note("idenfy.brandNewSwitch")]);
    let wire = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
    assert!(wire.contains("\"brandNewSwitch\":\"value-not-printed\""), "sent as is: {wire}");

    let output = kyc_with(&["compare", "--request", &file], &env).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let err = stderr(&output);
    for field in ["idenfy.brandNewSwitch", "veriff.newThing"] {
        assert!(err.lines().any(|line| line == note(field)), "{field}: {err}");
    }
    assert!(!err.contains("value-not-printed"), "never the value: {err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn vendor_options_as_flags_go_out_and_are_checked_first() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (proxy, sent) = recording_proxy(emulator.address()).await;
    let env = vars_through(&emulator, &proxy);
    let id = "fa820aba-019f-455a-ae81-cfca8075bc3f";
    let create = ["session", "create", "--client-id", "op-12", "--output", "json"];

    let args = [&create[..], &["--provider", "idenfy", "--idenfy-check-aml"]].concat();
    let output = kyc_with(&args, &env).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let args = [&create[..], &["--provider", "veriff", "--veriff-end-user-id", id]].concat();
    let output = kyc_with(&args, &env).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let wire = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
    assert!(wire.contains("\"checkAml\":true"), "{wire}");
    assert!(wire.contains(&format!("\"endUserId\":\"{id}\"")), "{wire}");
    assert_eq!(emulator.requests_received(Vendor::Idenfy), 1);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1);

    let args = [&create[..], &["--provider", "veriff", "--veriff-end-user-id", "user-7"]].concat();
    let output = kyc_with(&args, &env).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_eq!(
        stderr(&output).trim_end(),
        "error: invalid request: providerOptions.veriff.endUserId: must be a UUID"
    );
    assert_eq!(emulator.requests_received(Vendor::Veriff), 1, "nothing sent");
}

#[tokio::test]
async fn compare_succeeds_when_any_vendor_created_a_session() {
    let emulator = Emulator::builder().start().await.unwrap();
    let compare = ["compare", "--client-id", "op-13", "--output", "json"];
    let outcomes = |output: &Output| -> Vec<String> {
        let rows = json(output);
        rows.as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap().into()).collect()
    };

    // iDenfy cannot take the person's email: the others' sessions are still a success.
    let output =
        kyc(&emulator, &[&compare[..], &["--person-email", "a@b.example"]].concat(), &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // Onfido cannot do without the person's names.
    assert_eq!(outcomes(&output), ["unsupported", "created", "created", "unsupported"]);

    // With them, Sumsub (which takes no names) is the one that cannot serve.
    let named = [&compare[..], &["--first-name", "Jane", "--last-name", "Doe"]].concat();
    let output = kyc(&emulator, &named, &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(outcomes(&output), ["created", "created", "unsupported", "created"]);

    emulator.set_fault(Vendor::Veriff, Fault::status(500));
    emulator.set_fault(Vendor::Sumsub, Fault::status(500));
    let output = kyc(&emulator, &compare, &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(outcomes(&output), ["created", "unavailable", "unavailable", "unsupported"]);

    emulator.set_fault(Vendor::Idenfy, Fault::status(500));
    let output = kyc(&emulator, &compare, &[]).await;
    assert_eq!(code(&output), 4, "no vendor created a session: {}", stderr(&output));
    assert_eq!(outcomes(&output), ["unavailable", "unavailable", "unavailable", "unsupported"]);
}

#[tokio::test]
async fn a_wrongly_typed_option_stops_compare_and_create_before_anything_is_sent() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (dir, path) = request_file(
        "typed-wrong",
        r#"{"clientId": "op-17", "providerOptions": {"idenfy": {"checkAml": "yes"}}}"#,
    );
    // Veriff ignores iDenfy's options; it must not serve the request either way.
    for args in [
        vec!["compare", "--request", path.as_str()],
        vec!["session", "create", "--request", path.as_str(), "--provider", "veriff,idenfy"],
    ] {
        let output = kyc(&emulator, &args, &[]).await;
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("providerOptions.idenfy.checkAml"), "{}", stderr(&output));
        assert!(!stderr(&output).contains("yes"), "the value is never printed");
    }
    assert_eq!(emulator.requests_received(Vendor::Idenfy), 0);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn without_credentials_the_notes_say_how_to_keep_an_emulator() {
    let output = kyc_with(&["session", "create", "--client-id", "op-14"], &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).starts_with("http://127.0.0.1:"), "{}", stdout(&output));
    let err = stderr(&output);
    let notes: Vec<&str> = err.lines().collect();
    assert_eq!(notes.len(), 2, "{err}");
    assert!(notes[0].starts_with("note: no vendor credentials set; using the built-in emulator"));
    assert_eq!(
        notes[1],
        "note: its links work only while this command runs; to keep an emulator running, run \
         `kyc emulator --listen 127.0.0.1:8080` in another terminal and export the variables it \
         prints"
    );

    let status = ["session", "status", "--provider", "veriff", "--session-id", "x"];
    let output = kyc_with(&status, &[]).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("error:") && lines[0].contains("VERIFF_API_KEY"), "{err}");
    assert_eq!(
        lines[1],
        "note: to poll an emulator, run `kyc emulator --listen 127.0.0.1:8080` in another \
         terminal and export the variables it prints (create the session there too)"
    );
    // Credentials that are set but wrong are a plain configuration error, without the note.
    let wrong = [("VERIFF_API_KEY".to_owned(), "not-a-uuid".to_owned())];
    let output = kyc_with(&status, &wrong).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[tokio::test]
async fn every_command_s_help_lists_its_exit_statuses() {
    for command in [
        &["session", "create"][..],
        &["session", "status"],
        &["session", "erase"],
        &["compare"],
        &["providers"],
        &["webhook", "verify"],
        &["emulator"],
    ] {
        let output = kyc_with(&[command, &["--help"]].concat(), &[]).await;
        assert_eq!(code(&output), 0, "{command:?}");
        let help = stdout(&output);
        assert!(help.contains("Exit status:\n  0  "), "{command:?}: {help}");
        assert!(help.contains("\n  2  "), "{command:?}: {help}");
    }
    let compare = stdout(&kyc_with(&["compare", "--help"], &[]).await);
    assert!(compare.contains("  4  no vendor created a session"), "{compare}");
}

/// A webhook receiver on loopback: every request's headers (lowercased) and body, answered 200.
async fn webhook_receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<(String, Vec<u8>)>) {
    use tokio::io::AsyncReadExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (deliver, received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let deliver = deliver.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                loop {
                    let mut head = String::new();
                    loop {
                        let mut line = String::new();
                        match reader.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => break,
                            Ok(_) => head.push_str(&line.to_ascii_lowercase()),
                        }
                    }
                    let length = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let _ = deliver.send((head, body));
                    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                    if write.write_all(ok).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn the_emulator_command_prints_every_variable_and_calls_the_webhook_urls() {
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let (hook, mut received) = webhook_receiver().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyc"))
        .args([
            "emulator",
            "--listen",
            &listen,
            "--veriff-webhook-url",
            &hook,
            "--onfido-webhook-url",
            &hook,
        ])
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let read_vars = async {
        let banner = lines.next_line().await.unwrap().unwrap();
        let mut vars = Vec::new();
        // As many as an in-process emulator hands out: every vendor's.
        let expected = Emulator::builder().start().await.unwrap().vars().len();
        while vars.len() < expected {
            let line = lines.next_line().await.unwrap().expect("the variables");
            let (name, value) = line.split_once('=').expect("NAME=value");
            vars.push((name.to_owned(), value.to_owned()));
        }
        (banner, vars)
    };
    let (banner, vars) = tokio::time::timeout(std::time::Duration::from_secs(30), read_vars)
        .await
        .expect("the emulator prints its variables");
    assert_eq!(banner, format!("kyc emulator listening on http://{listen}"));
    let names: Vec<&str> = vars.iter().map(|(name, _)| name.as_str()).collect();
    // Every variable the emulator hands out (its own test names them), webhook keys included.
    let needed = Emulator::builder().start().await.unwrap().vars();
    for (needed, _) in needed {
        assert!(names.contains(&needed), "{needed} is not printed: {names:?}");
    }
    assert!(names.contains(&"IDENFY_WEBHOOK_KEY") && names.contains(&"VERIFF_SHARED_SECRET"));
    for onfido in
        ["ONFIDO_BASE_URL", "ONFIDO_API_TOKEN", "ONFIDO_WORKFLOW_ID", "ONFIDO_WEBHOOK_TOKEN"]
    {
        assert!(names.contains(&onfido), "{onfido} is not printed: {names:?}");
    }

    // What it printed is all a user needs: a session on it, polled, and its webhook verified.
    let mut printed = Printed { listen: &listen, vars: &vars, received: &mut received };
    let veriff = Webhook {
        provider: "veriff",
        marker: "\"verification\"",
        signature: "X-HMAC-SIGNATURE",
        key_var: "VERIFF_SHARED_SECRET",
    };
    let (id, decision) = printed.decide(&veriff, &["--client-id", "op-15"], "decline").await;
    assert_eq!(decision["status"], "declined");
    let status =
        kyc_with(&["session", "status", "--provider", "veriff", "--session-id", &id], &vars).await;
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    assert!(stdout(&status).starts_with("status        declined\n"), "{}", stdout(&status));

    // Onfido's webhooks go to --onfido-webhook-url, signed with the ONFIDO_WEBHOOK_TOKEN printed.
    let onfido = Webhook {
        provider: "onfido",
        marker: "\"workflow_run.completed\"",
        signature: "X-SHA2-Signature",
        key_var: "ONFIDO_WEBHOOK_TOKEN",
    };
    let named = ["--client-id", "op-16", "--first-name", "Jane", "--last-name", "Doe"];
    let (run, decision) = printed.decide(&onfido, &named, "approve").await;
    assert_eq!(
        (decision["status"].as_str(), decision["session_id"].as_str()),
        (Some("approved"), Some(run.as_str()))
    );
    let status =
        kyc_with(&["session", "status", "--provider", "onfido", "--session-id", &run], &vars).await;
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    assert!(stdout(&status).starts_with("status        approved\n"), "{}", stdout(&status));

    child.kill().await.unwrap();
}

/// A vendor's webhooks as the emulator sends them: the body that carries the decision, the
/// header of its signature, and the variable holding the key.
struct Webhook {
    provider: &'static str,
    marker: &'static str,
    signature: &'static str,
    key_var: &'static str,
}

/// What `kyc emulator` printed, and the receiver its webhooks go to.
struct Printed<'a> {
    listen: &'a str,
    vars: &'a [(String, String)],
    received: &'a mut tokio::sync::mpsc::UnboundedReceiver<(String, Vec<u8>)>,
}

impl Printed<'_> {
    /// Creates a session at `hook.provider` with `args` through the command, decides it with
    /// `choice` on the emulator's page, and verifies the decision's webhook with `kyc webhook
    /// verify`: the session id and the verified decision.
    async fn decide(&mut self, hook: &Webhook, args: &[&str], choice: &str) -> (String, Value) {
        let create =
            [&["session", "create", "--provider", hook.provider, "--output", "json"], args];
        let created = kyc_with(&create.concat(), self.vars).await;
        assert_eq!(code(&created), 0, "{}", stderr(&created));
        assert!(stderr(&created).is_empty(), "no built-in emulator: {}", stderr(&created));
        let session = json(&created);
        let id = session["session_id"].as_str().unwrap().to_owned();
        let token = session["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let page = format!("http://{}/{}/decide", self.listen, hook.provider);
        raw_post(&page, &format!("token={token}&choice={choice}")).await;
        let received = &mut *self.received;
        let (head, body) = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            loop {
                let (head, body) = received.recv().await.expect("a webhook");
                if String::from_utf8_lossy(&body).contains(hook.marker) {
                    return (head, body);
                }
            }
        })
        .await
        .expect("the decision's webhook arrives at the URL given");
        let prefix = format!("{}:", hook.signature.to_ascii_lowercase());
        let signature = head
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .expect("signed")
            .trim()
            .to_owned();
        let key: Vec<(&str, &str)> = self
            .vars
            .iter()
            .filter(|(name, _)| name == hook.key_var)
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let header = format!("{}: {signature}", hook.signature);
        let verified = verify(hook.provider, &header, &body, &key).await;
        assert_eq!(code(&verified), 0, "{}", stderr(&verified));
        (id, json(&verified))
    }
}

/// `kyc session create --provider onfido` with the person's names, and `extra` flags.
fn onfido_create<'a>(client_id: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "session",
        "create",
        "--client-id",
        client_id,
        "--provider",
        "onfido",
        "--first-name",
        "Jane",
        "--last-name",
        "Doe",
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test]
async fn onfido_needs_the_person_s_names_and_its_runs_are_polled_and_erased() {
    let emulator = Emulator::builder().start().await.unwrap();
    let output = kyc(&emulator, &onfido_create("op-20", &["--output", "json"]), &[]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let session = json(&output);
    assert_eq!(
        (session["provider"].as_str(), session["client_id"].as_str()),
        (Some("onfido"), Some("op-20"))
    );
    assert!(session["url"].as_str().unwrap().starts_with(&emulator.onfido_base_url()[..20]));
    assert!(session["expires_at"].is_string());
    let printed = stdout(&output);
    assert!(!printed.contains(emulator.onfido_api_token()), "no token printed: {printed}");
    assert!(!printed.contains("Jane") && !printed.contains("Doe"), "no name echoed: {printed}");
    let run = session["session_id"].as_str().unwrap().to_owned();
    let sent = emulator.requests_received(Vendor::Onfido);
    assert_eq!(sent, 2, "an applicant, then a workflow run");

    // Without the names (or one of them), refused before sending: unsupported, exit 2.
    for (flags, field) in [
        (&[][..], "person.firstName"),
        (&["--first-name", "Jane"][..], "person.lastName"),
        (&["--last-name", "Doe"][..], "person.firstName"),
    ] {
        let args =
            [&["session", "create", "--client-id", "op-21", "--provider", "onfido"][..], flags]
                .concat();
        let output = kyc(&emulator, &args, &[]).await;
        assert_eq!(code(&output), 2, "{flags:?}: {}", stderr(&output));
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
        assert!(err.starts_with("error: onfido does not support"), "{err}");
        assert!(err.contains(field), "{flags:?} names {field}: {err}");
        let output = kyc(&emulator, &[&args[..], &["--output", "json"]].concat(), &[]).await;
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        let refused = json(&output);
        assert_eq!(refused["error"], "unsupported");
        assert!(refused["message"].as_str().unwrap().contains(field), "{refused}");
        assert_eq!(refused["leftover"], Value::Null, "nothing was made: {refused}");
    }
    assert_eq!(emulator.requests_received(Vendor::Onfido), sent, "nothing sent");
    // A failover chain passes over it, saying why.
    let output = kyc(
        &emulator,
        &[
            "session",
            "create",
            "--client-id",
            "op-22",
            "--provider",
            "onfido,veriff",
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let session = json(&output);
    assert_eq!(session["provider"], "veriff");
    assert_eq!(session["attempts"][0]["provider"], "onfido");
    assert_eq!(session["attempts"][0]["error"], "unsupported");
    assert!(session["attempts"][0]["skipped"].as_str().unwrap().contains("person.firstName"));
    assert_eq!(emulator.requests_received(Vendor::Onfido), sent, "passed over without a call");

    // Polled by the workflow run's id: no outcome yet, then the person's.
    let poll = ["session", "status", "--provider", "onfido", "--session-id", run.as_str()];
    let status = kyc(&emulator, &[&poll[..], &["--output", "json"]].concat(), &[]).await;
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    let result = json(&status);
    assert_eq!(
        (result["provider"].as_str(), result["session_id"].as_str()),
        (Some("onfido"), Some(run.as_str()))
    );
    assert_eq!(result["final"], false, "{result}");
    assert_eq!(result["client_id"], "op-20");
    emulator.decide(Vendor::Onfido, &run, Choice::Approve).await.unwrap();
    let status = kyc(&emulator, &[&poll[..], &["--output", "json"]].concat(), &[]).await;
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    let result = json(&status);
    assert_eq!(
        (result["status"].as_str(), result["final"].as_bool(), result["vendor_status"].as_str()),
        (Some("approved"), Some(true), Some("approved"))
    );
    let text = kyc(&emulator, &poll, &[]).await;
    assert!(stdout(&text).starts_with("status        approved\n"), "{}", stdout(&text));

    // Onfido's own outcomes: a run that ends in review, and one that fails (its `error`).
    for (choice, status) in [(Choice::Review, "review"), (Choice::Fail, "failed")] {
        let output = kyc(&emulator, &onfido_create("op-23", &["--output", "json"]), &[]).await;
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let id = json(&output)["session_id"].as_str().unwrap().to_owned();
        emulator.decide(Vendor::Onfido, &id, choice).await.unwrap();
        let poll =
            ["session", "status", "--provider", "onfido", "--session-id", &id, "--output", "json"];
        let output = kyc(&emulator, &poll, &[]).await;
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let result = json(&output);
        assert_eq!(
            (result["status"].as_str(), result["final"].as_bool()),
            (Some(status), Some(true)),
            "{result}"
        );
    }

    // Erased: the run's applicant is deleted; a business session, which Onfido has none of,
    // is not offered (3), as for Veriff; an unknown run is a failure (4).
    let erase = ["session", "erase", "--provider", "onfido", "--session-id", run.as_str()];
    let business = kyc(&emulator, &[&erase[..], &["--business"]].concat(), &[]).await;
    assert_eq!(code(&business), 3, "{}", stderr(&business));
    let done = kyc(&emulator, &[&erase[..], &["--output", "json"]].concat(), &[]).await;
    assert_eq!(code(&done), 0, "{}", stderr(&done));
    let erased = json(&done);
    assert_eq!(
        (erased["erased"].as_bool(), erased["provider"].as_str(), erased["session_id"].as_str()),
        (Some(true), Some("onfido"), Some(run.as_str()))
    );
    assert_eq!(erased["kind"], "identity");
    let unknown = kyc(
        &emulator,
        &[
            "session",
            "erase",
            "--provider",
            "onfido",
            "--session-id",
            "123e4567-e89b-12d3-a456-426614174000",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&unknown), 4, "{}", stderr(&unknown));
    let unconfigured = kyc_with(&erase, &[]).await;
    assert_eq!(code(&unconfigured), 3, "{}", stderr(&unconfigured));
}

#[tokio::test]
async fn onfido_webhooks_are_verified_by_x_sha2_signature() {
    let completed = br#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10","status":"declined","completed_at_iso8601":"2025-03-04T10:15:30Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10"}}}"#;
    // Only the webhook token: no ONFIDO_API_TOKEN nor ONFIDO_WORKFLOW_ID.
    let tokens = [("ONFIDO_WEBHOOK_TOKEN", "new-token,old-token")];
    let good = format!("X-SHA2-Signature: {}", hmac_hex("old-token", completed));
    let output = verify("onfido", &good, completed, &tokens).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let result = json(&output);
    assert_eq!(
        (result["status"].as_str(), result["final"].as_bool(), result["decided"].as_bool()),
        (Some("declined"), Some(true), Some(true))
    );
    assert_eq!(
        (result["provider"].as_str(), result["session_id"].as_str(), result["event"].as_str()),
        (
            Some("onfido"),
            Some("8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10"),
            Some("workflow_run.completed")
        )
    );
    let text = verify_as("text", "onfido", &good, completed, &tokens).await;
    assert_eq!(code(&text), 0, "{}", stderr(&text));
    assert_eq!(stdout(&text).lines().next(), Some("status        declined"), "{}", stdout(&text));

    // A failed run is final, `failed`.
    let failed = br#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"5e4f7b2d-2b7e-4d0a-9c61-8a1c3f529a10","status":"error","completed_at_iso8601":"2025-03-04T10:15:30Z"}}}"#;
    let signed = format!("X-SHA2-Signature: {}", hmac_hex("new-token", failed));
    let output = verify("onfido", &signed, failed, &tokens).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        (json(&output)["status"].as_str(), json(&output)["final"].as_bool()),
        (Some("failed"), Some(true))
    );

    // A task's progress is a notice, not a decision.
    let task = br#"{"payload":{"resource_type":"workflow_task","action":"workflow_task.started","object":{"id":"profile_1a2b3","workflow_run_id":"8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10","task_spec_id":"profile_1a2b3","status":"started"}}}"#;
    let signed = format!("X-SHA2-Signature: {}", hmac_hex("new-token", task));
    let output = verify("onfido", &signed, task, &tokens).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let notice = json(&output);
    assert_eq!(
        (notice["notice"].as_bool(), notice["decided"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(notice["event"], "workflow_task.started");

    // A wrong signature, or no token set: 3, one clear line; a signed body that is not
    // Onfido's payload: 2.
    let wrong = format!("X-SHA2-Signature: {}", hmac_hex("someone-else", completed));
    let output = verify_as("text", "onfido", &wrong, completed, &tokens).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.contains("signature"), "{err}");
    assert_eq!(code(&verify("onfido", &good, completed, &[]).await), 3, "no token configured");
    let garbage = b"[1, 2, 3]";
    let signed_garbage = format!("X-SHA2-Signature: {}", hmac_hex("new-token", garbage));
    assert_eq!(code(&verify("onfido", &signed_garbage, garbage, &tokens).await), 2);
    // Another vendor's header is no signature of Onfido's.
    let veriff_header = format!("X-HMAC-SIGNATURE: {}", hmac_hex("new-token", completed));
    assert_eq!(code(&verify("onfido", &veriff_header, completed, &tokens).await), 3);
}

#[tokio::test]
async fn a_half_done_onfido_session_says_what_became_of_its_applicant() {
    let emulator = Emulator::builder().start().await.unwrap();
    // The applicant is made, the workflow run refused: the adapter deletes the applicant.
    emulator.set_fault(Vendor::Onfido, Fault::status(422).on_route("POST /workflow_runs"));
    let output = kyc(&emulator, &onfido_create("op-24", &[]), &[]).await;
    assert_eq!(code(&output), 4, "sent, and refused by Onfido: {}", stderr(&output));
    let err = stderr(&output);
    let errors: Vec<&str> = err.lines().filter(|line| !line.starts_with("note:")).collect();
    assert_eq!(errors.len(), 1, "one clear line: {err}");
    assert!(errors[0].starts_with("error: onfido"), "{err}");
    assert!(errors[0].contains("; no session was created, and the applicant "), "{err}");
    assert!(errors[0].ends_with(" made for it was deleted"), "{err}");
    assert!(!err.contains("Jane"), "no name echoed: {err}");

    let output = kyc(&emulator, &onfido_create("op-25", &["--output", "json"]), &[]).await;
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let failed = json(&output);
    assert_eq!(failed["error"], "unsupported");
    let leftover = &failed["leftover"];
    assert_eq!(
        (leftover["resource"].as_str(), leftover["state"].as_str()),
        (Some("applicant"), Some("deleted")),
        "{failed}"
    );
    let applicant = leftover["id"].as_str().unwrap();
    assert!(
        !applicant.is_empty() && failed["message"].as_str().unwrap().contains(applicant),
        "{failed}"
    );
    assert_eq!(failed["attempts"], serde_json::json!([]));

    // In a failover chain, nothing billable is left at Onfido: the next provider serves.
    let output = kyc(
        &emulator,
        &[
            "session",
            "create",
            "--client-id",
            "op-26",
            "--provider",
            "onfido,veriff",
            "--first-name",
            "Jane",
            "--last-name",
            "Doe",
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let session = json(&output);
    assert_eq!(session["provider"], "veriff");
    let first = &session["attempts"][0];
    assert_eq!(
        (&first["provider"], &first["error"], &first["may_have_created_session"]),
        (
            &serde_json::json!("onfido"),
            &serde_json::json!("unsupported"),
            &serde_json::json!(false)
        )
    );
    // The trail still says what became of Onfido's applicant.
    assert_eq!(first["leftover"]["resource"], "applicant");
    assert_eq!(first["leftover"]["state"], "deleted");
}
