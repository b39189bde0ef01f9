//! Sumsub's part of the emulator against Sumsub's documents, over raw HTTP with signatures
//! computed here (no adapter): the signature and its timestamp window, the link and its
//! applicant, the hosted page's decisions, their signed webhooks, polling, the sandbox's
//! `testCompleted`, deactivation and faults.

mod support;

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use kyc_emulator::{
    Choice, Emulator, EmulatorBuilder, EmulatorError, Fault, FaultMode, RunningEmulator,
    SumsubDigest, Vendor,
};
use serde_json::{Value, json};
use sha2::Sha512;

use support::{Answer, Hook, Receiver, hex, hmac_sha256};

/// `X-App-Access-Sig` as <https://docs.sumsub.com/reference/authentication> builds it.
fn sign(secret: &str, ts: &str, method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut signed = format!("{ts}{method}{path_and_query}").into_bytes();
    signed.extend_from_slice(body);
    hmac_sha256(secret, &signed)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[test]
fn the_signing_here_is_the_documented_one() {
    // Vector V3 of the reference: GET, no body.
    let secret = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";
    let path = "/resources/applicants/-;externalUserId=user-42/one";
    assert_eq!(
        sign(secret, "1700000000", "GET", path, b""),
        "66bfadf410ab8e05c2e7ad17f4d19c701f9dc625c04dd52fc942fed337635fad"
    );
}

impl Hook {
    /// The body, after checking its digest over the raw bytes under `secret`.
    fn verified(&self, secret: &str) -> Value {
        assert_eq!(self.header("x-payload-digest-alg"), "HMAC_SHA256_HEX");
        assert_eq!(self.header("x-payload-digest"), hmac_sha256(secret, &self.raw), "signed");
        serde_json::from_slice(&self.raw).unwrap()
    }
}

async fn with_receiver(
    builder: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> (RunningEmulator, Receiver) {
    let receiver = Receiver::start().await;
    let emulator =
        builder(Emulator::builder().with_sumsub_webhook_url(&receiver.url)).start().await.unwrap();
    (emulator, receiver)
}

impl Answer {
    /// Sumsub's error shape, with `code` the status; the `errorCode`.
    fn sumsub_error(&self) -> Option<u64> {
        let body = self.json();
        assert_eq!(body["code"], self.status, "{body}");
        assert!(body["description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
        let correlation = body["correlationId"].as_str().unwrap();
        assert!(correlation.len() == 32 && correlation.chars().all(|c| c.is_ascii_hexdigit()));
        body["errorCode"].as_u64()
    }
}

/// Sumsub over raw HTTP: every call signed here.
struct Sumsub<'a> {
    emulator: &'a RunningEmulator,
    client: reqwest::Client,
}

impl<'a> Sumsub<'a> {
    fn new(emulator: &'a RunningEmulator) -> Self {
        Self { emulator, client: reqwest::Client::new() }
    }

    /// `method` `path` (Sumsub's, `/resources/…`, as sent), `body`, with the headers given.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: &str,
        headers: &[(&str, String)],
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let url = format!("{}{path}", self.emulator.sumsub_base_url());
        let mut request = self.client.request(method, url).body(body.to_owned());
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Answer { status, headers, raw: response.bytes().await.unwrap().to_vec() }
    }

    /// Signed at `ts`, over `signed_path` (under the base URL's `/sumsub`, which is part of the
    /// path sent) and `signed_body` (the ones sent unless a test says).
    fn headers(
        &self,
        ts: &str,
        method: &str,
        signed_path: &str,
        signed_body: &str,
    ) -> Vec<(&'static str, String)> {
        let (token, secret) = self.emulator.sumsub_credentials();
        vec![
            ("x-app-token", token.to_owned()),
            ("x-app-access-ts", ts.to_owned()),
            (
                "x-app-access-sig",
                sign(secret, ts, method, &format!("/sumsub{signed_path}"), signed_body.as_bytes()),
            ),
        ]
    }

    async fn call(&self, method: &str, path: &str, body: &str) -> Answer {
        let headers = self.headers(&now().to_string(), method, path, body);
        self.send(method, path, body, &headers).await
    }

    async fn link_with(&self, body: Value) -> Answer {
        let path = "/resources/sdkIntegrations/levels/-/websdkLink?lang=en";
        self.call("POST", path, &body.to_string()).await
    }

    /// A new link for `user`: its URL.
    async fn link(&self, user: &str) -> String {
        let body = json!({"levelName": "basic-kyc-level", "userId": user, "ttlInSecs": 1800});
        let created = self.link_with(body).await;
        assert_eq!(created.status, 200, "{}", created.json());
        let answer = created.json();
        assert_eq!(answer.as_object().unwrap().len(), 1, "only the url: {answer}");
        answer["url"].as_str().unwrap().to_owned()
    }

    async fn applicant(&self, user: &str) -> Answer {
        self.call("GET", &format!("/resources/applicants/-;externalUserId={user}/one"), "").await
    }

    /// The applicant's `review`, polled by its external user id.
    async fn review(&self, user: &str) -> Value {
        let applicant = self.applicant(user).await;
        assert_eq!(applicant.status, 200);
        applicant.json()["review"].clone()
    }

    async fn applicant_id(&self, user: &str) -> String {
        self.applicant(user).await.json()["id"].as_str().unwrap().to_owned()
    }
}

/// The hosted page's token in a link.
fn token(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// The page's form, as a browser posts it: the status of its answer.
async fn form(emulator: &RunningEmulator, url: &str, choice: &str) -> u16 {
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client
        .post(format!("{}/decide", emulator.sumsub_base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}&choice={choice}", token(url)))
        .send()
        .await
        .unwrap();
    answer.status().as_u16()
}

#[tokio::test]
async fn every_call_is_signed_and_checked_as_sumsub_checks() {
    let emulator = Emulator::builder().start().await.unwrap();
    let sumsub = Sumsub::new(&emulator);
    let path = "/resources/sdkIntegrations/levels/-/websdkLink?lang=en";
    let body = r#"{"levelName":"basic-kyc-level","userId":"signed-1","ttlInSecs":600}"#;
    let ts = now().to_string();

    // Signed right: the path as sent, the base URL's `/sumsub` included.
    let good = sumsub.send("POST", path, body, &sumsub.headers(&ts, "POST", path, body)).await;
    assert_eq!(good.status, 200, "{}", good.json());
    // The vendor's path without the base URL's: not the path that was sent, refused.
    let (token, secret) = emulator.sumsub_credentials();
    let short = [
        ("x-app-token", token.to_owned()),
        ("x-app-access-ts", ts.clone()),
        ("x-app-access-sig", sign(secret, &ts, "POST", path, body.as_bytes())),
    ];
    let refused = sumsub.send("POST", path, body, &short).await;
    assert_eq!((refused.status, refused.sumsub_error()), (401, Some(4003)));

    // Signed wrong: another secret, the body re-serialized, the query left out, the method in
    // lower case: 401, 4003.
    let spaced: Value = serde_json::from_str(body).unwrap();
    let spaced = serde_json::to_string_pretty(&spaced).unwrap();
    let (token, _) = emulator.sumsub_credentials();
    let wrong_secret = vec![
        ("x-app-token", token.to_owned()),
        ("x-app-access-ts", ts.clone()),
        ("x-app-access-sig", sign("other-secret", &ts, "POST", path, body.as_bytes())),
    ];
    for headers in [
        wrong_secret,
        sumsub.headers(&ts, "POST", path, &spaced),
        sumsub.headers(&ts, "POST", "/resources/sdkIntegrations/levels/-/websdkLink", body),
        sumsub.headers(&ts, "post", path, body),
    ] {
        let refused = sumsub.send("POST", path, body, &headers).await;
        assert_eq!((refused.status, refused.sumsub_error()), (401, Some(4003)));
        assert_eq!(refused.json()["errorName"], "app-token-signature mismatch");
    }

    // The timestamp: within a minute either way; seconds, not milliseconds.
    for (offset, accepted) in [(-50, true), (50, true), (-65, false), (65, false)] {
        let ts = (now() + offset).to_string();
        let answer =
            sumsub.send("POST", path, body, &sumsub.headers(&ts, "POST", path, body)).await;
        if accepted {
            assert_eq!(answer.status, 200, "{offset}");
        } else {
            assert_eq!((answer.status, answer.sumsub_error()), (401, Some(4004)), "{offset}");
            assert_eq!(answer.json()["errorName"], "app-token-request-expired");
        }
    }
    let millis = (now() * 1000).to_string();
    let answer =
        sumsub.send("POST", path, body, &sumsub.headers(&millis, "POST", path, body)).await;
    assert_eq!((answer.status, answer.sumsub_error()), (401, Some(4004)));
    let answer = sumsub.send("POST", path, body, &sumsub.headers("soon", "POST", path, body)).await;
    assert_eq!((answer.status, answer.sumsub_error()), (401, Some(4005)));

    // The token: missing headers, unknown, its private part wrong.
    let mut missing = sumsub.headers(&ts, "POST", path, body);
    missing.pop();
    let answer = sumsub.send("POST", path, body, &missing).await;
    assert_eq!((answer.status, answer.sumsub_error()), (401, Some(4006)));
    let public = token.rsplit_once('.').unwrap().0;
    for (other, code) in [("sbx:someoneElse.secret", 4001), (&format!("{public}.wrong"), 4002)] {
        let mut headers = sumsub.headers(&ts, "POST", path, body);
        headers[0].1 = other.to_owned();
        let answer = sumsub.send("POST", path, body, &headers).await;
        assert_eq!((answer.status, answer.sumsub_error()), (401, Some(code)), "{other}");
    }
    assert_eq!(sumsub.send("GET", "/resources/applicants/x/one", "", &[]).await.status, 401);

    // A GET: no body signed, the path as sent (percent-encoding kept), its query too.
    let body = r#"{"levelName":"basic-kyc-level","userId":"user@example.com"}"#;
    assert_eq!(sumsub.call("POST", path, body).await.status, 200);
    let encoded = "/resources/applicants/-;externalUserId=user%40example.com/one";
    let found = sumsub.call("GET", encoded, "").await;
    assert_eq!(found.status, 200);
    assert_eq!(found.json()["externalUserId"], "user@example.com");
    let decoded = "/resources/applicants/-;externalUserId=user@example.com/one";
    let refused = sumsub.send("GET", encoded, "", &sumsub.headers(&ts, "GET", decoded, "")).await;
    assert_eq!(refused.sumsub_error(), Some(4003), "signed as sent, not decoded");
    let with_query = format!("{encoded}?fields=review");
    assert_eq!(sumsub.call("GET", &with_query, "").await.status, 200);
    let refused =
        sumsub.send("GET", &with_query, "", &sumsub.headers(&ts, "GET", encoded, "")).await;
    assert_eq!(refused.sumsub_error(), Some(4003), "the query is signed");
    let refused = sumsub.send("GET", encoded, "", &sumsub.headers(&ts, "GET", encoded, "{}")).await;
    assert_eq!(refused.sumsub_error(), Some(4003), "an empty body signs nothing, not {{}}");
    assert_eq!(emulator.requests_received(Vendor::Sumsub), 22);
}

#[tokio::test]
async fn a_link_per_call_one_applicant_per_user() {
    let emulator = Emulator::builder().start().await.unwrap();
    let sumsub = Sumsub::new(&emulator);
    let body = json!({
        "levelName": "basic-kyc-level",
        "userId": "person-1",
        "ttlInSecs": 1800,
        "applicantIdentifiers": {"email": "jane@example.com", "phone": "+4400000000000"},
        "redirect": {"successUrl": "https://example.com/ok", "rejectUrl": "https://example.com/no"},
    });
    let created = sumsub.link_with(body).await;
    assert_eq!(created.status, 200);
    let first = created.json()["url"].as_str().unwrap().to_owned();
    assert!(first.starts_with(&format!("{}/websdk/p/", emulator.sumsub_base_url())), "{first}");
    let second = sumsub.link("person-1").await;
    assert_ne!(first, second, "a new link per call");

    // One applicant, `init`, found by its external user id, with what the link carried.
    let applicant = sumsub.applicant("person-1").await.json();
    let id = applicant["id"].as_str().unwrap();
    assert!(id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert_eq!(
        (&applicant["externalUserId"], &applicant["type"], &applicant["email"]),
        (&json!("person-1"), &json!("individual"), &json!("jane@example.com"))
    );
    assert_eq!((&applicant["phone"], &applicant["lang"]), (&json!("+4400000000000"), &json!("en")));
    let created_at = applicant["createdAt"].as_str().unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(created_at, "%Y-%m-%d %H:%M:%S").is_ok());
    let review = &applicant["review"];
    assert_eq!(
        (&review["reviewStatus"], &review["levelName"], &review["attemptCnt"]),
        (&json!("init"), &json!("basic-kyc-level"), &json!(0))
    );
    assert!(review.get("reviewResult").is_none(), "no result before a review");
    let by_id = sumsub.call("GET", &format!("/resources/applicants/{id}/one"), "").await.json();
    assert_eq!(by_id["externalUserId"], "person-1");
    let status = sumsub.call("GET", &format!("/resources/applicants/{id}/status"), "").await;
    assert_eq!((status.status, &status.json()["reviewStatus"]), (200, &json!("init")));

    // Both links open the same applicant's page.
    for url in [&first, &second] {
        let page = reqwest::get(url.as_str()).await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains(id) && page.contains("Decline (final)"), "{page}");
        assert!(page.contains("value=\"resubmit\""), "{page}");
    }

    // Existence: an answer, never a 404.
    let exists = sumsub.call("GET", "/resources/applicants/-/byExternalUserId/person-1", "").await;
    assert_eq!((exists.status, &exists.json()["exists"]), (200, &json!(true)));
    assert_eq!(exists.json()["applicant"]["id"], id);
    let absent = sumsub.call("GET", "/resources/applicants/-/byExternalUserId/nobody", "").await;
    assert_eq!((absent.status, absent.json()), (200, json!({"exists": false})));
    let unknown = sumsub.applicant("nobody").await;
    assert_eq!((unknown.status, unknown.sumsub_error()), (404, None));

    // Refused: an unknown level, no user id, no JSON.
    let refused = sumsub.link_with(json!({"levelName": "no-such-level", "userId": "p"})).await;
    assert_eq!((refused.status, refused.sumsub_error()), (400, None));
    assert!(refused.json()["description"].as_str().unwrap().contains("no-such-level"));
    let refused = sumsub.link_with(json!({"levelName": "basic-kyc-level"})).await;
    assert_eq!(refused.status, 400);
    let path = "/resources/sdkIntegrations/levels/-/websdkLink";
    assert_eq!(sumsub.call("POST", path, "not json").await.status, 400);
    let refused = sumsub
        .link_with(json!({"levelName": "basic-kyc-level", "userId": "p", "ttlInSecs": -5}))
        .await;
    assert_eq!(refused.status, 400);

    // The older form: the level in the path, the user in the query, `{}` as the body.
    let older = "/resources/sdkIntegrations/levels/basic-kyc-level/websdkLink?ttlInSecs=1800&externalUserId=person-2&lang=de";
    let created = sumsub.call("POST", older, "{}").await;
    assert_eq!(created.status, 200);
    assert_eq!(sumsub.applicant("person-2").await.json()["lang"], "de");

    // A company at the company level; an individual's user id is not one.
    let company = json!({"levelName": "basic-kyb-level", "userId": "company-1"});
    assert_eq!(sumsub.link_with(company).await.status, 200);
    let company = sumsub.applicant("company-1").await.json();
    assert_eq!(company["type"], "company");
    assert!(company["info"]["companyInfo"]["companyName"].is_string());
    let mixed =
        sumsub.link_with(json!({"levelName": "basic-kyb-level", "userId": "person-1"})).await;
    assert_eq!(mixed.status, 400);
}

#[tokio::test]
async fn page_decisions_send_signed_webhooks_and_polling_follows() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let secret = emulator.sumsub_webhook_secret().0.to_owned();
    let sumsub = Sumsub::new(&emulator);

    // The first link creates the applicant: `applicantCreated`, before the link is answered.
    let url = sumsub.link("person-1").await;
    let created = hooks.next().await;
    let body = created.verified(&secret);
    let id = sumsub.applicant_id("person-1").await;
    assert_eq!(
        (&body["type"], &body["reviewStatus"], &body["externalUserId"]),
        (&json!("applicantCreated"), &json!("init"), &json!("person-1"))
    );
    assert_eq!((&body["applicantId"], &body["sandboxMode"]), (&json!(id), &json!(true)));
    assert_eq!(
        (&body["levelName"], &body["applicantType"]),
        (&json!("basic-kyc-level"), &json!("individual"))
    );
    assert!(body["correlationId"].as_str().unwrap().starts_with("req-"));
    let ms = body["createdAtMs"].as_str().unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(ms, "%Y-%m-%d %H:%M:%S%.3f").is_ok(), "{ms}");
    let at = body["createdAt"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S%z").is_ok(), "{at}");
    // Pretty-printed as Sumsub's are: a re-serialization is other bytes.
    let text = String::from_utf8(created.raw.clone()).unwrap();
    assert!(text.starts_with("{\n  \"applicantId\" : \"") && !text.ends_with('\n'), "{text}");
    assert_ne!(serde_json::to_vec(&body).unwrap(), created.raw);
    sumsub.link("person-1").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(hooks.none_yet(), "created once");

    // Declined with a retry: pending, then reviewed RED RETRY; polling says so.
    assert_eq!(form(&emulator, &url, "resubmit").await, 303);
    let pending = hooks.next().await.verified(&secret);
    assert_eq!(
        (&pending["type"], &pending["reviewStatus"]),
        (&json!("applicantPending"), &json!("pending"))
    );
    assert!(pending.get("reviewResult").is_none());
    let reviewed = hooks.next().await.verified(&secret);
    assert_eq!(
        (&reviewed["type"], &reviewed["reviewStatus"]),
        (&json!("applicantReviewed"), &json!("completed"))
    );
    let result = &reviewed["reviewResult"];
    assert_eq!(
        (&result["reviewAnswer"], &result["reviewRejectType"]),
        (&json!("RED"), &json!("RETRY"))
    );
    assert!(!result["rejectLabels"].as_array().unwrap().is_empty());
    assert!(result["moderationComment"].is_string());
    let review = sumsub.review("person-1").await;
    assert_eq!((&review["reviewStatus"], &review["reviewResult"]), (&json!("completed"), result));
    assert_eq!(review["attemptCnt"], 1);
    let status = sumsub.call("GET", &format!("/resources/applicants/{id}/status"), "").await.json();
    assert_eq!((&status["reviewStatus"], &status["reviewResult"]), (&json!("completed"), result));

    // The retry: the page offers the buttons again; approved, GREEN alone.
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("retry allowed") && page.contains("value=\"approve\""), "{page}");
    assert_eq!(form(&emulator, &url, "approve").await, 303);
    assert_eq!(hooks.next().await.verified(&secret)["type"], "applicantPending");
    let reviewed = hooks.next().await.verified(&secret);
    assert_eq!(reviewed["reviewResult"], json!({"reviewAnswer": "GREEN"}));
    let review = sumsub.review("person-1").await;
    assert_eq!(
        (&review["reviewResult"], &review["attemptCnt"]),
        (&json!({"reviewAnswer": "GREEN"}), &json!(2))
    );
    assert!(review["reviewDate"].is_string());
    // GREEN stands.
    assert_eq!(form(&emulator, &url, "decline").await, 409);

    // Declined for good: RED FINAL, and no retry.
    let url = sumsub.link("person-2").await;
    hooks.next().await;
    assert_eq!(form(&emulator, &url, "decline").await, 303);
    hooks.next().await;
    let reviewed = hooks.next().await.verified(&secret);
    assert_eq!(reviewed["reviewResult"]["reviewRejectType"], "FINAL");
    assert_eq!(sumsub.review("person-2").await["reviewResult"]["reviewAnswer"], "RED");
    assert_eq!(form(&emulator, &url, "approve").await, 409);
    assert_eq!(form(&emulator, &url, "suspect").await, 400, "not Sumsub's");
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("RED, FINAL") && !page.contains("<button"), "{page}");
    assert_eq!(form(&emulator, "/sumsub/websdk/p/no-such-token", "approve").await, 404);
}

#[tokio::test]
async fn decide_takes_the_user_id_a_client_holds() {
    let review_time = Duration::from_millis(600);
    let (emulator, mut hooks) = with_receiver(|b| b.with_review_time(review_time)).await;
    let secret = emulator.sumsub_webhook_secret().0.to_owned();
    let sumsub = Sumsub::new(&emulator);
    assert_eq!(
        Choice::offered_by(Vendor::Sumsub),
        [
            Choice::Approve,
            Choice::Decline,
            Choice::Resubmit,
            Choice::ApproveAfterReview,
            Choice::DeclineAfterReview,
            Choice::Expire,
        ]
    );

    // By the user id: the webhooks are delivered before `decide` returns.
    sumsub.link("person-1").await;
    hooks.next().await;
    emulator.decide(Vendor::Sumsub, "person-1", Choice::Approve).await.unwrap();
    let pending = hooks.hooks.try_recv().expect("delivered").verified(&secret);
    assert_eq!(pending["type"], "applicantPending");
    let reviewed = hooks.hooks.try_recv().expect("delivered").verified(&secret);
    assert_eq!(reviewed["reviewResult"]["reviewAnswer"], "GREEN");
    assert_eq!(sumsub.review("person-1").await["reviewStatus"], "completed");

    // By the applicant id too; a retry, then a final decline.
    sumsub.link("person-2").await;
    hooks.next().await;
    let id = sumsub.applicant_id("person-2").await;
    emulator.decide(Vendor::Sumsub, &id, Choice::Resubmit).await.unwrap();
    hooks.next().await;
    assert_eq!(hooks.next().await.verified(&secret)["reviewResult"]["reviewRejectType"], "RETRY");
    let run_out = emulator.decide(Vendor::Sumsub, "person-2", Choice::Expire).await;
    assert!(matches!(run_out, Err(EmulatorError::AlreadyDecided { .. })), "{run_out:?}");
    emulator.decide(Vendor::Sumsub, "person-2", Choice::Decline).await.unwrap();
    hooks.next().await;
    assert_eq!(hooks.next().await.verified(&secret)["reviewResult"]["reviewRejectType"], "FINAL");

    // Not Sumsub's, no such user.
    for choice in [Choice::Suspect, Choice::Abandon] {
        let refused = emulator.decide(Vendor::Sumsub, "person-1", choice).await.unwrap_err();
        assert!(matches!(refused, EmulatorError::NotOffered { vendor: Vendor::Sumsub, .. }));
    }
    let unknown = emulator.decide(Vendor::Sumsub, "nobody", Choice::Approve).await.unwrap_err();
    assert!(matches!(unknown, EmulatorError::UnknownSession { vendor: Vendor::Sumsub, .. }));
    let other = emulator.decide(Vendor::Veriff, "person-1", Choice::Approve).await.unwrap_err();
    assert!(matches!(other, EmulatorError::UnknownSession { .. }), "{other:?}");

    // After a review: pending and on hold, then reviewed.
    sumsub.link("person-3").await;
    hooks.next().await;
    emulator.decide(Vendor::Sumsub, "person-3", Choice::DeclineAfterReview).await.unwrap();
    assert_eq!(hooks.next().await.verified(&secret)["type"], "applicantPending");
    let on_hold = hooks.next().await.verified(&secret);
    assert_eq!(
        (&on_hold["type"], &on_hold["reviewStatus"]),
        (&json!("applicantOnHold"), &json!("onHold"))
    );
    assert_eq!(sumsub.review("person-3").await["reviewStatus"], "onHold");
    let again = emulator.decide(Vendor::Sumsub, "person-3", Choice::Approve).await;
    assert!(matches!(again, Err(EmulatorError::AlreadyDecided { .. })), "{again:?}");
    let reviewed = hooks.next().await.verified(&secret);
    assert_eq!(reviewed["reviewResult"]["reviewRejectType"], "FINAL");
    assert_eq!(sumsub.review("person-3").await["reviewStatus"], "completed");

    // Run out: no webhook, the page gone, the applicant still `init`; a new link revives it.
    let url = sumsub.link("person-4").await;
    hooks.next().await;
    emulator.decide(Vendor::Sumsub, "person-4", Choice::Expire).await.unwrap();
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 410);
    assert_eq!(sumsub.review("person-4").await["reviewStatus"], "init");
    let late = emulator.decide(Vendor::Sumsub, "person-4", Choice::Approve).await;
    assert!(matches!(late, Err(EmulatorError::Expired { .. })), "{late:?}");
    let url = sumsub.link("person-4").await;
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    emulator.decide(Vendor::Sumsub, "person-4", Choice::Approve).await.unwrap();
    hooks.next().await;
    hooks.next().await;
    assert!(hooks.none_yet(), "no webhook for the link running out");
}

#[tokio::test]
async fn the_sandbox_completes_a_review() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let secret = emulator.sumsub_webhook_secret().0.to_owned();
    let sumsub = Sumsub::new(&emulator);
    sumsub.link("person-1").await;
    hooks.next().await;
    let id = sumsub.applicant_id("person-1").await;
    let path = format!("/resources/applicants/{id}/status/testCompleted");

    let retry = r#"{"reviewAnswer":"RED","rejectLabels":["UNSATISFACTORY_PHOTOS","SCREENSHOTS"],"reviewRejectType":"RETRY","moderationComment":"Upload an original photo.","clientComment":"Screenshots."}"#;
    let done = sumsub.call("POST", &path, retry).await;
    assert_eq!((done.status, done.json()), (200, json!({"ok": 1})));
    let reviewed = hooks.hooks.try_recv().expect("delivered before the answer").verified(&secret);
    assert_eq!(reviewed["type"], "applicantReviewed");
    let expected = json!({
        "moderationComment": "Upload an original photo.",
        "clientComment": "Screenshots.",
        "reviewAnswer": "RED",
        "rejectLabels": ["UNSATISFACTORY_PHOTOS", "SCREENSHOTS"],
        "reviewRejectType": "RETRY",
    });
    assert_eq!(reviewed["reviewResult"], expected);
    assert_eq!(sumsub.review("person-1").await["reviewResult"], expected);

    let green = sumsub.call("POST", &path, r#"{"reviewAnswer":"GREEN","rejectLabels":[]}"#).await;
    assert_eq!(green.status, 200);
    assert_eq!(
        hooks.next().await.verified(&secret)["reviewResult"],
        json!({"reviewAnswer": "GREEN"})
    );
    assert_eq!(sumsub.review("person-1").await["reviewResult"]["reviewAnswer"], "GREEN");

    for wrong in [
        r#"{"reviewAnswer":"YELLOW","rejectLabels":[]}"#,
        r#"{"reviewAnswer":"GREEN"}"#,
        r#"{"reviewAnswer":"RED","rejectLabels":[],"reviewRejectType":"LATER"}"#,
        "not json",
    ] {
        let refused = sumsub.call("POST", &path, wrong).await;
        assert_eq!((refused.status, refused.sumsub_error()), (400, None), "{wrong}");
    }
    let unknown = "/resources/applicants/000000000000000000000000/status/testCompleted";
    let refused =
        sumsub.call("POST", unknown, r#"{"reviewAnswer":"GREEN","rejectLabels":[]}"#).await;
    assert_eq!(refused.status, 404);

    // A production token has no sandbox.
    let production = Emulator::builder()
        .with_sumsub_credentials("prd:production.token", "production-secret")
        .start()
        .await
        .unwrap();
    let sumsub = Sumsub::new(&production);
    sumsub.link("person-1").await;
    let id = sumsub.applicant_id("person-1").await;
    let path = format!("/resources/applicants/{id}/status/testCompleted");
    let refused = sumsub.call("POST", &path, r#"{"reviewAnswer":"GREEN","rejectLabels":[]}"#).await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_deactivated_applicant_counts_as_none() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let secret = emulator.sumsub_webhook_secret().0.to_owned();
    let sumsub = Sumsub::new(&emulator);
    let url = sumsub.link("person-1").await;
    hooks.next().await;
    let id = sumsub.applicant_id("person-1").await;
    let deactivate = format!("/resources/applicants/{id}/presence/deactivated");

    let deactivated = sumsub.call("PATCH", &deactivate, "").await;
    assert_eq!((deactivated.status, &deactivated.json()["deleted"]), (200, &json!(true)));
    let hook = hooks.hooks.try_recv().expect("delivered").verified(&secret);
    assert_eq!((&hook["type"], &hook["applicantId"]), (&json!("applicantDeactivated"), &json!(id)));
    assert_eq!(sumsub.applicant("person-1").await.status, 404);
    let by_id = sumsub.call("GET", &format!("/resources/applicants/{id}/one"), "").await;
    assert_eq!(by_id.json()["deleted"], true);
    let again =
        sumsub.link_with(json!({"levelName": "basic-kyc-level", "userId": "person-1"})).await;
    assert_eq!((again.status, again.sumsub_error()), (409, Some(1008)));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    let gone = emulator.decide(Vendor::Sumsub, "person-1", Choice::Approve).await.unwrap_err();
    assert!(matches!(gone, EmulatorError::UnknownSession { .. }), "{gone:?}");
    let twice = sumsub.call("PATCH", &deactivate, "").await;
    assert_eq!((twice.status, twice.sumsub_error()), (409, Some(3000)));

    let activate = format!("/resources/applicants/{id}/presence/activated");
    let activated = sumsub.call("PATCH", &activate, "").await;
    assert_eq!(activated.status, 200);
    assert!(activated.json().get("deleted").is_none());
    assert_eq!(hooks.next().await.verified(&secret)["type"], "applicantActivated");
    assert_eq!(sumsub.applicant("person-1").await.status, 200);
    assert_eq!(
        sumsub.call("PATCH", "/resources/applicants/nope/presence/deactivated", "").await.status,
        404
    );
}

#[tokio::test]
async fn faults_answer_in_sumsubs_shape() {
    let emulator = Emulator::builder().start().await.unwrap();
    let sumsub = Sumsub::new(&emulator);
    let path = "/resources/applicants/-;externalUserId=nobody/one";

    emulator.set_fault(Vendor::Sumsub, Fault::status(503).times(1));
    let unavailable = sumsub.call("GET", path, "").await;
    assert_eq!((unavailable.status, unavailable.sumsub_error()), (503, None));
    assert_eq!(sumsub.call("GET", path, "").await.status, 404, "served again");

    emulator.set_fault(Vendor::Sumsub, Fault::status(429).retry_after(7).times(1));
    let limited = sumsub.call("GET", path, "").await;
    assert_eq!((limited.status, limited.sumsub_error()), (429, None));
    assert_eq!(limited.headers.get("retry-after").unwrap(), "7");

    for (mode, status, code) in [
        (FaultMode::WrongEnvironment, 401, Some(4001)),
        (FaultMode::OutOfFunds, 403, None),
        (FaultMode::PartnerInactive, 403, None),
        (FaultMode::PartnerContract, 403, None),
    ] {
        emulator.set_fault(Vendor::Sumsub, Fault::mode(mode).times(1));
        let refused = sumsub.call("GET", path, "").await;
        assert_eq!((refused.status, refused.sumsub_error()), (status, code), "{mode:?}");
    }
    emulator.set_fault(Vendor::Sumsub, Fault::mode(FaultMode::ForgedSignature).times(1));
    assert_eq!(sumsub.call("GET", path, "").await.status, 404, "served: Sumsub signs no answers");

    // Faults come before the signature check: an unsigned request gets the fault.
    emulator.set_fault(Vendor::Sumsub, Fault::status(500).times(1));
    assert_eq!(sumsub.send("GET", path, "", &[]).await.status, 500);

    // Latency, a broken connection, no answer, a malformed body.
    emulator.set_fault(Vendor::Sumsub, Fault::latency(Duration::from_millis(300)));
    let started = std::time::Instant::now();
    assert_eq!(sumsub.call("GET", path, "").await.status, 404);
    assert!(started.elapsed() >= Duration::from_millis(300));
    emulator.clear_fault(Vendor::Sumsub);
    let url = format!("{}{path}", emulator.sumsub_base_url());
    let headers = sumsub.headers(&now().to_string(), "GET", path, "");
    let request = |client: &reqwest::Client| {
        let mut request = client.get(&url);
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        request
    };
    emulator.set_fault(Vendor::Sumsub, Fault::mode(FaultMode::Drop).times(1));
    let dropped = request(&sumsub.client).send().await;
    assert!(match dropped {
        Ok(answer) => answer.bytes().await.is_err(),
        Err(_) => true,
    });
    emulator.set_fault(Vendor::Sumsub, Fault::mode(FaultMode::Hang).times(1));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    assert!(request(&impatient).send().await.unwrap_err().is_timeout());
    emulator.set_fault(Vendor::Sumsub, Fault::mode(FaultMode::Malformed).times(1));
    let malformed = request(&sumsub.client).send().await.unwrap().bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&malformed).is_err());

    // Over the admin endpoint too.
    let admin = format!("http://{}/__emulator/faults/sumsub", emulator.address());
    let put = reqwest::Client::new().put(&admin).body(r#"{"status": 502, "times": 1}"#);
    assert_eq!(put.send().await.unwrap().status(), 204);
    assert_eq!(sumsub.call("GET", path, "").await.status, 502);
    assert!(emulator.requests_received(Vendor::Sumsub) >= 12);
    assert_eq!(emulator.requests_received(Vendor::Veriff), 0);
}

#[tokio::test]
async fn webhooks_may_be_digested_with_sha512_and_another_secret() {
    let (emulator, mut hooks) = with_receiver(|b| {
        b.with_sumsub_webhook_secret("rotated-secret")
            .with_sumsub_digest(SumsubDigest::HmacSha512Hex)
    })
    .await;
    let vars = emulator.vars();
    let var = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(var("SUMSUB_WEBHOOK_SECRET"), "rotated-secret");
    Sumsub::new(&emulator).link("person-1").await;
    let hook = hooks.next().await;
    assert_eq!(hook.header("x-payload-digest-alg"), "HMAC_SHA512_HEX");
    let mut mac = Hmac::<Sha512>::new_from_slice(b"rotated-secret").unwrap();
    mac.update(&hook.raw);
    assert_eq!(hook.header("x-payload-digest"), hex(&mac.finalize().into_bytes()));
}

/// What `vars()` hands out is what the emulator serves and accepts.
#[tokio::test]
async fn the_variables_configure_a_sumsub_client() {
    let emulator = Emulator::builder().start().await.unwrap();
    let vars = emulator.vars();
    let var = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
    let (base, token, secret) =
        (var("SUMSUB_BASE_URL"), var("SUMSUB_APP_TOKEN"), var("SUMSUB_SECRET_KEY"));
    assert!(token.starts_with("sbx:"));
    let path = "/resources/sdkIntegrations/levels/-/websdkLink";
    for level in [var("SUMSUB_LEVEL_NAME"), var("SUMSUB_KYB_LEVEL_NAME")] {
        let body = json!({"levelName": level, "userId": format!("vars-{level}")}).to_string();
        let ts = now().to_string();
        let created = reqwest::Client::new()
            .post(format!("{base}{path}"))
            .header("x-app-token", &token)
            .header("x-app-access-ts", &ts)
            .header("x-app-access-sig", {
                // The path sent: the base URL's own path, then the endpoint's.
                let sent = format!("{}{path}", reqwest::Url::parse(&base).unwrap().path());
                sign(&secret, &ts, "POST", &sent, body.as_bytes())
            })
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 200, "{level}");
    }
}

/// Forgotten applicants take their links and user ids with them.
#[tokio::test]
async fn forgotten_applicants_take_their_links_along() {
    let emulator = Emulator::builder().with_retained_sessions(1).start().await.unwrap();
    let sumsub = Sumsub::new(&emulator);
    let first = sumsub.link("person-1").await;
    let second = sumsub.link("person-1").await;
    sumsub.link("person-2").await;
    assert_eq!(sumsub.applicant("person-1").await.status, 404);
    for url in [first, second] {
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    }
    assert_eq!(sumsub.applicant("person-2").await.status, 200);
    // A new link for a forgotten user is a new applicant.
    sumsub.link("person-1").await;
    assert_eq!(sumsub.review("person-1").await["attemptCnt"], 0);
}
