//! The emulator against the vendors' documents, over raw HTTP (no adapter): KYB companies and
//! their webhooks, decisions in two steps, expiry events, languages, faults, Veriff's signed
//! answers and both vendors' deletion.

mod support;

use std::time::Duration;

use kyc_emulator::{
    Choice, DocumentExpiration, Emulator, EmulatorBuilder, EmulatorError, Fault, FaultMode,
    RunningEmulator, Vendor,
};
use serde_json::{Value, json};

use support::{Answer, Hook, Receiver, answer, hmac_sha256 as hmac_hex};

impl Hook {
    fn body(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap()
    }

    /// iDenfy's event name, after checking the signature over the raw body.
    fn idenfy_event(&self, key: &str) -> &str {
        assert_eq!(self.header("idenfy-signature"), hmac_hex(key, &self.raw), "signed");
        let event = self.header("idenfy-event-type");
        assert!(!event.is_empty(), "every iDenfy webhook names its event");
        event
    }
}

/// An emulator sending both vendors' webhooks to one receiver.
async fn with_receiver(
    builder: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> (RunningEmulator, Receiver) {
    let receiver = Receiver::start().await;
    let emulator = builder(
        Emulator::builder()
            .with_idenfy_webhook_url(&receiver.url)
            .with_veriff_webhook_url(&receiver.url),
    )
    .start()
    .await
    .unwrap();
    (emulator, receiver)
}

/// iDenfy, Basic auth with the emulator's credentials.
struct Idenfy<'a>(&'a RunningEmulator, reqwest::Client);

impl Idenfy<'_> {
    fn new(emulator: &RunningEmulator) -> Idenfy<'_> {
        Idenfy(emulator, reqwest::Client::new())
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let (key, secret) = self.0.idenfy_credentials();
        self.1
            .request(method, format!("{}{path}", self.0.idenfy_base_url()))
            .basic_auth(key, Some(secret))
            .header("content-type", "application/json")
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        answer(self.request(reqwest::Method::POST, path).body(body.to_string())).await
    }

    async fn token(&self, body: Value) -> Value {
        let created = self.post("/api/v2/token", body).await;
        assert_eq!(created.status, 201, "{}", created.json());
        created.json()
    }

    async fn scan_ref(&self) -> String {
        self.token(json!({"clientId": "person-1"})).await["scanRef"].as_str().unwrap().into()
    }

    async fn status(&self, scan_ref: &str) -> Value {
        let status = self.post("/api/v2/status", json!({"scanRef": scan_ref})).await;
        assert_eq!(status.status, 200);
        status.json()
    }

    async fn kyb(&self) -> Value {
        let body = json!({"clientId": "company-1", "tokenType": "FORM", "externalRef": "ref-1"});
        let created = self.post("/kyb/tokens/", body).await;
        assert_eq!(created.status, 201, "{}", created.json());
        created.json()
    }

    async fn company(&self, id: &str) -> Answer {
        answer(self.request(reqwest::Method::GET, &format!("/kyb/companies/{id}/"))).await
    }
}

/// Veriff, with the API key and the HMAC of what each call signs.
struct Veriff<'a>(&'a RunningEmulator, reqwest::Client);

impl Veriff<'_> {
    fn new(emulator: &RunningEmulator) -> Veriff<'_> {
        Veriff(emulator, reqwest::Client::new())
    }

    fn signed(
        &self,
        method: reqwest::Method,
        path: &str,
        signed: &[u8],
    ) -> reqwest::RequestBuilder {
        let (key, secret) = self.0.veriff_credentials();
        self.1
            .request(method, format!("{}{path}", self.0.veriff_base_url()))
            .header("x-auth-client", key)
            .header("x-hmac-signature", hmac_hex(secret, signed))
            .header("content-type", "application/json")
    }

    async fn create(&self, body: Value) -> Answer {
        let body = body.to_string();
        answer(self.signed(reqwest::Method::POST, "/v1/sessions", body.as_bytes()).body(body)).await
    }

    /// A new session: (id, link).
    async fn session(&self) -> (String, String) {
        let created = self.create(json!({"verification": {"vendorData": "person-1"}})).await;
        assert_eq!(created.status, 201);
        let created = created.json();
        let verification = &created["verification"];
        (verification["id"].as_str().unwrap().into(), verification["url"].as_str().unwrap().into())
    }

    async fn decision(&self, id: &str) -> Answer {
        let path = format!("/v1/sessions/{id}/decision");
        answer(self.signed(reqwest::Method::GET, &path, id.as_bytes())).await
    }

    async fn delete(&self, id: &str) -> Answer {
        let path = format!("/v1/sessions/{id}");
        answer(self.signed(reqwest::Method::DELETE, &path, id.as_bytes())).await
    }

    /// Whether `answer` carries Veriff's answer signature over its body.
    fn signed_answer(&self, answer: &Answer) -> bool {
        let (key, secret) = self.0.veriff_credentials();
        let header = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok());
        header("x-auth-client") == Some(key)
            && header("x-hmac-signature") == Some(hmac_hex(secret, &answer.raw).as_str())
    }
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn kyb_companies_follow_their_life_in_kyb_shape() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);

    // Each token a new company, its id beside the token.
    let token = idenfy.kyb().await;
    let other = idenfy.kyb().await;
    for field in ["tokenType", "tokenString", "expiration", "isActive", "isValid", "clientId"] {
        assert!(!token[field].is_null(), "{field}: {token}");
    }
    let company = token["companyId"].as_str().unwrap().to_owned();
    assert!(!company.is_empty());
    assert_ne!(Some(company.as_str()), other["companyId"].as_str(), "a new id per token");

    let meta = |answer: Answer| {
        assert_eq!(answer.status, 200);
        let body = answer.json();
        assert_eq!(body["id"], company.as_str());
        assert!(!body["company"]["companyName"].is_null());
        body["meta"].clone()
    };
    let before = meta(idenfy.company(&company).await);
    assert_eq!(
        (before["status"].as_str(), &before["approvalStatus"]),
        (Some("PENDING"), &Value::Null)
    );

    // Decided: submitted, then reviewed, in KYB shape, signed and named.
    emulator.decide(Vendor::Idenfy, &company, Choice::Approve).await.unwrap();
    let submit = hooks.next().await;
    assert_eq!(submit.idenfy_event(&key), "COMPANY_SUBMIT");
    let body = submit.body();
    assert_eq!(keys(&body), ["clientId", "externalRef", "id", "soleProprietor", "submissionTime"]);
    assert_eq!((&body["id"], &body["clientId"]), (&json!(company), &json!("company-1")));
    assert_eq!(body["externalRef"], "ref-1");
    let review = hooks.next().await;
    assert_eq!(review.idenfy_event(&key), "COMPANY_REVIEW");
    let body = review.body();
    for required in [
        "amlCheck",
        "beneficiaries",
        "clientId",
        "companyCheck",
        "companyName",
        "id",
        "negativeNewsCheck",
        "newsStatusSetBy",
        "sanctionsStatusSetBy",
        "shareholderCheck",
        "statusChangedBy",
    ] {
        assert!(body.get(required).is_some(), "{required}: {body}");
    }
    assert_eq!((&body["id"], &body["approvalStatus"]), (&json!(company), &json!("APPROVED")));
    assert_eq!((&body["denyReason"], &body["statusChangedBy"]), (&Value::Null, &Value::Null));
    assert_eq!(body["beneficiaries"], json!([]));
    assert!(!body.as_object().unwrap().contains_key("scanRef"), "no KYC keys: {body}");

    let after = meta(idenfy.company(&company).await);
    assert_eq!(
        (after["status"].as_str(), after["approvalStatus"].as_str()),
        (Some("COMPLETED"), Some("APPROVED"))
    );

    // A denied one says why.
    let denied = other["companyId"].as_str().unwrap();
    emulator.decide(Vendor::Idenfy, denied, Choice::Decline).await.unwrap();
    assert_eq!(hooks.next().await.idenfy_event(&key), "COMPANY_SUBMIT");
    let review = hooks.next().await.body();
    assert_eq!(review["approvalStatus"], "DENIED");
    assert!(review["denyReason"].is_string());
    let meta = idenfy.company(denied).await.json()["meta"].clone();
    assert_eq!(
        (meta["approvalStatus"].as_str(), meta["denyReason"].is_string()),
        (Some("DENIED"), true)
    );

    // A company review approves or denies: no "suspected".
    let refused = emulator.decide(Vendor::Idenfy, &company, Choice::Suspect).await.unwrap_err();
    assert!(matches!(refused, EmulatorError::NotOfferedForBusiness { choice: Choice::Suspect }));

    // Deleted: 204, the webhook, then unknown everywhere.
    let deleted =
        answer(idenfy.request(reqwest::Method::DELETE, &format!("/kyb/companies/{company}/")))
            .await;
    assert_eq!((deleted.status, deleted.raw.is_empty()), (204, true));
    let delete = hooks.next().await;
    assert_eq!(delete.idenfy_event(&key), "COMPANY_DELETE");
    let body = delete.body();
    assert_eq!((&body["companyId"], &body["manager"]), (&json!(company), &Value::Null));
    assert!(body["date"].is_string());
    assert_eq!(idenfy.company(&company).await.status, 404);
    let again =
        answer(idenfy.request(reqwest::Method::DELETE, &format!("/kyb/companies/{company}/")))
            .await;
    assert_eq!(again.status, 404);
    let gone = emulator.decide(Vendor::Idenfy, &company, Choice::Approve).await.unwrap_err();
    assert!(matches!(gone, EmulatorError::UnknownSession { .. }), "{gone:?}");
    let page = format!(
        "{}?authToken={}",
        emulator.idenfy_kyb_ui_url(),
        token["tokenString"].as_str().unwrap()
    );
    assert_eq!(reqwest::get(page).await.unwrap().status(), 404);

    // Unknown, and unauthenticated.
    assert_eq!(idenfy.company("no-such-company").await.status, 404);
    let anonymous = reqwest::get(format!("{}/kyb/companies/{denied}/", emulator.idenfy_base_url()));
    assert_eq!(anonymous.await.unwrap().status(), 401);

    // A token that runs out before the form is submitted.
    let expiring = idenfy.kyb().await;
    let expiring = expiring["companyId"].as_str().unwrap();
    emulator.decide(Vendor::Idenfy, expiring, Choice::Expire).await.unwrap();
    let expired = hooks.next().await;
    assert_eq!(expired.idenfy_event(&key), "COMPANY_TOKEN_EXPIRED");
    assert_eq!(expired.body(), json!({"clientId": "company-1", "externalRef": "ref-1"}));
    assert!(hooks.none_yet());
}

#[tokio::test]
async fn a_kyb_review_shows_need_to_review_in_between() {
    let review = Duration::from_millis(800);
    let (emulator, mut hooks) = with_receiver(|b| b.with_review_time(review)).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);
    let company = idenfy.kyb().await["companyId"].as_str().unwrap().to_owned();

    emulator.decide(Vendor::Idenfy, &company, Choice::DeclineAfterReview).await.unwrap();
    assert_eq!(hooks.next().await.idenfy_event(&key), "COMPANY_SUBMIT");
    let meta = idenfy.company(&company).await.json()["meta"].clone();
    assert_eq!(
        (meta["status"].as_str(), &meta["approvalStatus"]),
        (Some("NEED_TO_REVIEW"), &Value::Null)
    );
    let again = emulator.decide(Vendor::Idenfy, &company, Choice::Approve).await.unwrap_err();
    assert!(matches!(again, EmulatorError::AlreadyDecided { .. }), "{again:?}");

    let reviewed = hooks.next().await;
    assert_eq!(reviewed.idenfy_event(&key), "COMPANY_REVIEW");
    assert_eq!(reviewed.body()["approvalStatus"], "DENIED");
    let meta = idenfy.company(&company).await.json()["meta"].clone();
    assert_eq!(
        (meta["status"].as_str(), meta["approvalStatus"].as_str()),
        (Some("COMPLETED"), Some("DENIED"))
    );
}

#[tokio::test]
async fn a_review_sends_the_automatic_result_then_the_final_one() {
    let review = Duration::from_millis(800);
    let (emulator, mut hooks) = with_receiver(|b| b.with_review_time(review)).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);
    let scan_ref = idenfy.scan_ref().await;

    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::ApproveAfterReview).await.unwrap();
    let automatic = hooks.next().await;
    assert_eq!(automatic.idenfy_event(&key), "IDENTIFICATION_AUTO_FINISHED");
    let body = automatic.body();
    assert_eq!((&body["final"], &body["scanRef"]), (&json!(false), &json!(scan_ref)));
    let status = &body["status"];
    assert_eq!(
        (&status["autoDocument"], &status["autoFace"]),
        (&json!("DOC_VALIDATED"), &json!("FACE_MATCH"))
    );
    assert_eq!((&status["manualDocument"], &status["manualFace"]), (&Value::Null, &Value::Null));

    // In between: reviewing, not final; the decision is under way.
    let between = idenfy.status(&scan_ref).await;
    assert_eq!((&between["status"], &between["final"]), (&json!("REVIEWING"), &json!(false)));
    assert_eq!((&between["autoFace"], &between["manualFace"]), (&json!("FACE_MATCH"), &json!("")));
    let again = emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Decline).await.unwrap_err();
    assert!(matches!(again, EmulatorError::AlreadyDecided { .. }), "{again:?}");

    let manual = hooks.next().await;
    assert_eq!(manual.idenfy_event(&key), "IDENTIFICATION_MANUAL_FINISHED");
    let body = manual.body();
    assert_eq!((&body["final"], &body["status"]["overall"]), (&json!(true), &json!("APPROVED")));
    assert_eq!(body["status"]["manualDocument"], "DOC_VALIDATED");
    let after = idenfy.status(&scan_ref).await;
    assert_eq!((&after["status"], &after["final"]), (&json!("APPROVED"), &json!(true)));
    assert_eq!(after["manualFace"], "FACE_MATCH");

    // Veriff: submitted, `review` (9121), then the decision; deleting in review is refused.
    let veriff = Veriff::new(&emulator);
    let (id, _) = veriff.session().await;
    emulator.decide(Vendor::Veriff, &id, Choice::DeclineAfterReview).await.unwrap();
    assert_eq!(hooks.next().await.body()["action"], "submitted");
    let in_review = hooks.next().await.body();
    assert_eq!(
        (&in_review["verification"]["status"], &in_review["verification"]["code"]),
        (&json!("review"), &json!(9121))
    );
    assert_eq!(veriff.decision(&id).await.json()["verification"]["status"], "review");
    let refused = veriff.delete(&id).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json(),
        json!({"status": 400, "code": "1305", "message": "Session is not in a completed status."})
    );
    let decided = hooks.next().await.body();
    assert_eq!(
        (&decided["verification"]["status"], &decided["verification"]["code"]),
        (&json!("declined"), &json!(9102))
    );
    assert_eq!(veriff.decision(&id).await.json()["verification"]["status"], "declined");
}

#[tokio::test]
async fn without_a_review_time_both_steps_are_out_when_decide_returns() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);
    let scan_ref = idenfy.scan_ref().await;
    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::DeclineAfterReview).await.unwrap();
    let first = hooks.hooks.try_recv().expect("the automatic result");
    let second = hooks.hooks.try_recv().expect("the reviewer's");
    assert_eq!(first.idenfy_event(&key), "IDENTIFICATION_AUTO_FINISHED");
    assert_eq!(
        (&first.body()["final"], &first.body()["status"]["overall"]),
        (&json!(false), &json!("SUSPECTED")),
        "the automatic verdict, which the review will overturn"
    );
    assert_eq!(second.idenfy_event(&key), "IDENTIFICATION_MANUAL_FINISHED");
    assert_eq!(
        (&second.body()["final"], &second.body()["status"]["overall"]),
        (&json!(true), &json!("DENIED"))
    );
    let status = idenfy.status(&scan_ref).await;
    assert_eq!((&status["status"], &status["final"]), (&json!("DENIED"), &json!(true)));

    // A plain decision is final at once, and so says the status.
    let scan_ref = idenfy.scan_ref().await;
    assert_eq!(idenfy.status(&scan_ref).await["final"], false, "ACTIVE is not final");
    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Approve).await.unwrap();
    let hook = hooks.next().await;
    assert_eq!(
        (hook.idenfy_event(&key), &hook.body()["final"]),
        ("IDENTIFICATION_MANUAL_FINISHED", &json!(true))
    );
    assert_eq!(idenfy.status(&scan_ref).await["final"], true);

    // The page offers the review buttons too.
    let token = idenfy.token(json!({"clientId": "person-2"})).await;
    let page = format!(
        "{}/api/v2/redirect?authToken={}",
        emulator.idenfy_base_url(),
        token["authToken"].as_str().unwrap()
    );
    let page = reqwest::get(page).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("value=\"approve_after_review\"")
            && page.contains("value=\"decline_after_review\""),
        "{page}"
    );
}

#[tokio::test]
async fn running_out_sends_the_expiry_events() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);

    // Run out from code.
    let scan_ref = idenfy.scan_ref().await;
    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Expire).await.unwrap();
    let expired = hooks.next().await;
    assert_eq!(expired.idenfy_event(&key), "IDENTIFICATION_EXPIRED");
    let body = expired.body();
    assert_eq!((&body["final"], &body["status"]["overall"]), (&json!(true), &json!("EXPIRED")));

    // Run out on its own: sent when noticed, once.
    let token = idenfy.token(json!({"clientId": "person-3", "expiryTime": 1})).await;
    let scan_ref = token["scanRef"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let status = idenfy.status(scan_ref).await;
    assert_eq!((&status["status"], &status["final"]), (&json!("EXPIRED"), &json!(true)));
    let expired = hooks.next().await;
    assert_eq!(expired.idenfy_event(&key), "IDENTIFICATION_EXPIRED");
    assert_eq!(expired.body()["scanRef"], scan_ref);
    idenfy.status(scan_ref).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(hooks.none_yet(), "once");

    // Veriff: expired when never opened, abandoned when opened.
    let veriff = Veriff::new(&emulator);
    let (id, _) = veriff.session().await;
    emulator.decide(Vendor::Veriff, &id, Choice::Expire).await.unwrap();
    let decision = hooks.next().await;
    let verification = &decision.body()["verification"];
    assert_eq!((&verification["status"], &verification["code"]), (&json!("expired"), &json!(9104)));
    let (id, _) = veriff.session().await;
    emulator.decide(Vendor::Veriff, &id, Choice::Abandon).await.unwrap();
    assert_eq!(hooks.next().await.body()["action"], "started");
    let decision = hooks.next().await;
    assert_eq!(decision.body()["verification"]["status"], "abandoned");
    let (secret, raw) = (emulator.veriff_credentials().1, &decision.raw);
    assert_eq!(decision.header("x-hmac-signature"), hmac_hex(secret, raw));
    assert_eq!(decision.header("x-auth-client"), emulator.veriff_credentials().0);
}

#[tokio::test]
async fn a_documents_expiry_is_announced_for_a_decided_session() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let key = emulator.idenfy_webhook_key().to_owned();
    let idenfy = Idenfy::new(&emulator);
    let scan_ref = idenfy.scan_ref().await;
    let early = emulator.notify_document_expiration(&scan_ref, DocumentExpiration::Within30Days);
    assert!(matches!(early.await, Err(EmulatorError::NotDecided { .. })));
    let unknown = emulator.notify_document_expiration("nope", DocumentExpiration::Expired);
    assert!(matches!(unknown.await, Err(EmulatorError::UnknownSession { .. })));

    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Approve).await.unwrap();
    hooks.next().await;
    for threshold in DocumentExpiration::ALL {
        emulator.notify_document_expiration(&scan_ref, threshold).await.unwrap();
        let hook = hooks.next().await;
        assert_eq!(hook.idenfy_event(&key), "DOCUMENT_EXPIRATION");
        let body = hook.body();
        assert_eq!(
            keys(&body),
            ["clientId", "documentExpiration", "expirationThreshold", "scanRef"]
        );
        assert_eq!((&body["scanRef"], &body["clientId"]), (&json!(scan_ref), &json!("person-1")));
        assert_eq!(body["expirationThreshold"], threshold.threshold());
        let date = body["documentExpiration"].as_str().unwrap();
        assert!(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(), "{date}");
    }
}

#[tokio::test]
async fn every_documented_language_and_no_other() {
    let emulator = Emulator::builder().start().await.unwrap();
    let idenfy = Idenfy::new(&emulator);
    let documented = [
        "EN", "ES", "FR", "RU", "DE", "IT", "PL", "LT", "LV", "ET", "SV", "CS", "RO", "HU", "JA",
        "BG", "NL", "PT", "UK", "SK", "SI", "VI", "TH", "HI", "ID", "HR", "DA", "FI", "EL", "NO",
        "TR", "SR", "ZH", "ZH_TW", "KO",
    ];
    for code in documented {
        for locale in [code.to_owned(), code.to_lowercase()] {
            let created =
                idenfy.post("/api/v2/token", json!({"clientId": "l", "locale": locale})).await;
            assert_eq!(created.status, 201, "{locale}: {}", created.json());
            assert_eq!(created.json()["locale"], locale.as_str());
        }
    }
    for locale in ["xx", "pt-br", "zh-hant", "zh-tw", "sl", "english", ""] {
        let refused =
            idenfy.post("/api/v2/token", json!({"clientId": "l", "locale": locale})).await;
        assert_eq!(
            (refused.status, refused.json()["identifier"].as_str()),
            (400, Some("BAD_VALUE")),
            "{locale}"
        );
        assert!(refused.json()["message"].is_string());
    }

    let kyb = [
        "en", "es", "fr", "ru", "de", "it", "pl", "lt", "lv", "et", "cs", "ro", "hu", "ja", "bg",
        "nl", "pt",
    ];
    for locale in kyb {
        let body = json!({"clientId": "c", "tokenType": "FORM", "locale": locale});
        assert_eq!(idenfy.post("/kyb/tokens/", body).await.status, 201, "{locale}");
    }
    for locale in ["sv", "zh", "ko", "EN"] {
        let body = json!({"clientId": "c", "tokenType": "FORM", "locale": locale});
        let refused = idenfy.post("/kyb/tokens/", body).await;
        assert_eq!(
            (refused.status, refused.json()["identifier"].as_str()),
            (400, Some("BAD_VALUE")),
            "{locale}"
        );
    }

    // Veriff starts an unsupported language in English: nothing is refused.
    let veriff = Veriff::new(&emulator);
    for lang in ["pl", "xx", "pt-BR", "zh-Hant"] {
        let created = veriff.create(json!({"verification": {"lang": lang}})).await;
        assert_eq!(created.status, 201, "{lang}");
    }
}

#[tokio::test]
async fn idenfys_authentication_errors_carry_no_identifier() {
    let emulator = Emulator::builder().start().await.unwrap();
    let idenfy = Idenfy::new(&emulator);
    let body = json!({"clientId": "f"});
    let funds = json!({"message": "Action not allowed due to lack of funds or exceeded limit."});
    let inactive = json!({"message": "Partner inactive"});
    let testing = json!({"message": "This endpoint is not available for TESTING partners."});
    let credentials = json!({"message": "Invalid authorization credentials"});
    let cases = [
        (Fault::status(402), 402, &funds),
        (Fault::mode(FaultMode::OutOfFunds), 402, &funds),
        (Fault::status(403), 403, &inactive),
        (Fault::mode(FaultMode::PartnerInactive), 403, &inactive),
        (Fault::mode(FaultMode::WrongEnvironment), 403, &testing),
        (Fault::status(401), 401, &credentials),
    ];
    for (fault, status, expected) in cases {
        emulator.set_fault(Vendor::Idenfy, fault.clone().times(1));
        let refused = idenfy.post("/api/v2/token", body.clone()).await;
        assert_eq!((refused.status, &refused.json()), (status, expected), "{fault:?}");
        assert_eq!(idenfy.post("/api/v2/token", body.clone()).await.status, 201, "served again");
    }
    // The same modes over the admin endpoint.
    let admin = format!("http://{}/__emulator/faults/idenfy", emulator.address());
    let put = reqwest::Client::new().put(&admin).body(r#"{"mode": "out_of_funds", "times": 1}"#);
    assert_eq!(put.send().await.unwrap().status(), 204);
    assert_eq!(idenfy.post("/api/v2/token", body.clone()).await.status, 402);

    // Real wrong credentials.
    for (key, secret) in
        [("wrong", emulator.idenfy_credentials().1), (emulator.idenfy_credentials().0, "wrong")]
    {
        let request = reqwest::Client::new()
            .post(format!("{}/api/v2/token", emulator.idenfy_base_url()))
            .basic_auth(key, Some(secret))
            .body(body.to_string());
        let refused = answer(request).await;
        assert_eq!((refused.status, refused.json()), (401, credentials.clone()));
    }

    // KYB not in the contract.
    emulator.set_fault(Vendor::Idenfy, Fault::mode(FaultMode::PartnerContract).times(1));
    let refused = idenfy.post("/kyb/tokens/", json!({"clientId": "c", "tokenType": "FORM"})).await;
    assert_eq!(
        (refused.status, refused.json()["identifier"].as_str()),
        (400, Some("PARTNER_CONTRACT_ERROR"))
    );
    // Other statuses keep their identifiers.
    emulator.set_fault(Vendor::Idenfy, Fault::status(429).times(1));
    assert_eq!(idenfy.post("/api/v2/token", body).await.json()["identifier"], "TOO_MANY_REQUESTS");

    // Veriff's counterparts.
    let veriff = Veriff::new(&emulator);
    for (mode, status, code) in [
        (FaultMode::OutOfFunds, 401, "1804"),
        (FaultMode::PartnerInactive, 401, "1804"),
        (FaultMode::WrongEnvironment, 401, "1803"),
        (FaultMode::PartnerContract, 400, "1301"),
    ] {
        emulator.set_fault(Vendor::Veriff, Fault::mode(mode).times(1));
        let refused = veriff.create(json!({"verification": {}})).await;
        assert_eq!(
            (refused.status, refused.json()["code"].as_str()),
            (status, Some(code)),
            "{mode:?}"
        );
        assert!(veriff.signed_answer(&refused), "signed");
    }
}

#[tokio::test]
async fn veriff_signs_every_answer_unless_told_to_forge() {
    let emulator = Emulator::builder().start().await.unwrap();
    let veriff = Veriff::new(&emulator);
    let created = veriff.create(json!({"verification": {"vendorData": "s"}})).await;
    assert_eq!(created.status, 201);
    assert!(veriff.signed_answer(&created));
    let id = created.json()["verification"]["id"].as_str().unwrap().to_owned();
    let decision = veriff.decision(&id).await;
    assert!(veriff.signed_answer(&decision));
    // Errors are signed too: a wrong request signature, a fault's answer.
    let wrong = answer(
        reqwest::Client::new()
            .get(format!("{}/v1/sessions/{id}/decision", emulator.veriff_base_url()))
            .header("x-auth-client", emulator.veriff_credentials().0)
            .header("x-hmac-signature", hmac_hex("other", id.as_bytes())),
    )
    .await;
    assert_eq!((wrong.status, wrong.json()["code"].as_str()), (401, Some("1818")));
    assert!(veriff.signed_answer(&wrong));
    emulator.set_fault(Vendor::Veriff, Fault::status(503).times(1));
    let unavailable = veriff.decision(&id).await;
    assert_eq!(unavailable.status, 503);
    assert!(veriff.signed_answer(&unavailable));

    // Forged: served, but the signature is not the body's.
    emulator.set_fault(Vendor::Veriff, Fault::mode(FaultMode::ForgedSignature).times(1));
    let forged = veriff.decision(&id).await;
    assert_eq!(forged.status, 200);
    assert_eq!(forged.json()["status"], "success");
    assert!(!veriff.signed_answer(&forged), "forged");
    assert!(forged.headers.contains_key("x-hmac-signature"));
    assert!(veriff.signed_answer(&veriff.decision(&id).await), "once");

    // iDenfy signs no answers; the mode serves it normally.
    emulator.set_fault(Vendor::Idenfy, Fault::mode(FaultMode::ForgedSignature));
    let idenfy = Idenfy::new(&emulator);
    idenfy.scan_ref().await;
}

#[tokio::test]
async fn idenfy_deletes_only_what_is_done() {
    let emulator = Emulator::builder().start().await.unwrap();
    let idenfy = Idenfy::new(&emulator);
    let scan_ref = idenfy.scan_ref().await;
    let refused = idenfy.post("/api/v2/delete", json!({"scanRef": scan_ref})).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json(),
        json!({
            "message": "Token has not expired yet.",
            "identifier": "PARTNER_ERROR",
            "documentation": "",
            "severity": "NOT_SEVERE",
        })
    );
    assert_eq!(idenfy.status(&scan_ref).await["status"], "ACTIVE");

    emulator.decide(Vendor::Idenfy, &scan_ref, Choice::Approve).await.unwrap();
    let deleted = idenfy.post("/api/v2/delete", json!({"scanRef": scan_ref})).await;
    assert_eq!((deleted.status, deleted.raw.len()), (200, 0), "no body");
    let status = idenfy.status(&scan_ref).await;
    assert_eq!((&status["status"], &status["final"]), (&json!("DELETED"), &json!(true)));
    assert_eq!(idenfy.post("/api/v2/delete", json!({"scanRef": scan_ref})).await.status, 200);

    let expired = idenfy.scan_ref().await;
    emulator.decide(Vendor::Idenfy, &expired, Choice::Expire).await.unwrap();
    assert_eq!(idenfy.post("/api/v2/delete", json!({"scanRef": expired})).await.status, 200);
    assert_eq!(idenfy.status(&expired).await["status"], "EXPIRED-DELETED");

    let unknown = idenfy.post("/api/v2/delete", json!({"scanRef": "nope"})).await;
    assert_eq!((unknown.status, unknown.json()["identifier"].as_str()), (400, Some("BAD_VALUE")));
    let missing = idenfy.post("/api/v2/delete", json!({})).await;
    assert_eq!(missing.json()["identifier"], "MISSING_VALUE");
}

#[tokio::test]
async fn veriff_deletes_within_its_rules() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let veriff = Veriff::new(&emulator);

    // Decided: deleted at once, then gone.
    let (id, link) = veriff.session().await;
    emulator.decide(Vendor::Veriff, &id, Choice::Approve).await.unwrap();
    hooks.next().await;
    hooks.next().await;
    let deleted = veriff.delete(&id).await;
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({"status": "success", "verification": {"id": id}}))
    );
    assert!(veriff.signed_answer(&deleted));
    assert_eq!(veriff.decision(&id).await.status, 404);
    assert_eq!(veriff.delete(&id).await.status, 404);
    assert_eq!(reqwest::get(&link).await.unwrap().status(), 404);
    let gone = emulator.decide(Vendor::Veriff, &id, Choice::Decline).await.unwrap_err();
    assert!(matches!(gone, EmulatorError::UnknownSession { .. }));

    // Not decided: the expired or abandoned decision first.
    let (created, _) = veriff.session().await;
    assert_eq!(veriff.delete(&created).await.status, 200);
    assert_eq!(hooks.next().await.body()["verification"]["status"], "expired");
    let (started, link) = veriff.session().await;
    reqwest::get(&link).await.unwrap();
    assert_eq!(hooks.next().await.body()["action"], "started");
    assert_eq!(veriff.delete(&started).await.status, 200);
    assert_eq!(hooks.next().await.body()["verification"]["status"], "abandoned");
    let (resubmit, _) = veriff.session().await;
    emulator.decide(Vendor::Veriff, &resubmit, Choice::Resubmit).await.unwrap();
    hooks.next().await;
    hooks.next().await;
    assert_eq!(veriff.delete(&resubmit).await.status, 200);
    assert_eq!(hooks.next().await.body()["verification"]["status"], "abandoned");

    // Signed with the HMAC of the id.
    let (id, _) = veriff.session().await;
    let unsigned = answer(
        reqwest::Client::new()
            .delete(format!("{}/v1/sessions/{id}", emulator.veriff_base_url()))
            .header("x-auth-client", emulator.veriff_credentials().0)
            .header("x-hmac-signature", hmac_hex("other", id.as_bytes())),
    )
    .await;
    assert_eq!((unsigned.status, unsigned.json()["code"].as_str()), (401, Some("1818")));

    // Five an hour: four were deleted, the fifth is, the sixth is refused.
    assert_eq!(veriff.delete(&id).await.status, 200);
    hooks.next().await;
    let (sixth, _) = veriff.session().await;
    let limited = veriff.delete(&sixth).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["status"], "fail");
    assert_eq!(veriff.decision(&sixth).await.status, 200, "not deleted");
}

#[tokio::test]
async fn veriff_deletion_can_be_off() {
    let emulator = Emulator::builder().with_veriff_deletion(false).start().await.unwrap();
    let veriff = Veriff::new(&emulator);
    let (id, _) = veriff.session().await;
    let refused = veriff.delete(&id).await;
    assert_eq!((refused.status, refused.json()["status"].as_str()), (403, Some("fail")));
    assert_eq!(veriff.decision(&id).await.status, 200, "still there");
}
