//! Onfido's part of the emulator against Onfido's documents and OpenAPI specification, over raw
//! HTTP (no adapter): the token, applicants and workflow runs with their validation and error
//! shapes, the hosted link's outcomes, their signed webhooks, deletion, listing and faults on one
//! route.

mod support;

use std::time::Duration;

use kyc_emulator::{
    Choice, Emulator, EmulatorBuilder, EmulatorError, Fault, FaultMode, RunningEmulator, Vendor,
};
use serde_json::{Value, json};

use support::{Answer, Hook, Receiver, answer, hmac_sha256};

/// `X-SHA2-Signature` as <https://documentation.onfido.com/api/latest/#webhooks> computes it,
/// here: the vectors the emulator's own signer is tested with, through this file's HMAC.
#[test]
fn the_signing_here_is_the_documented_one() {
    let v3 = r#"{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}"#;
    assert_eq!(
        hmac_sha256("_ABC123abc123ABC123abc123ABC123_", v3.as_bytes()),
        "a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e"
    );
    let v1 = r#"{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10","status":"declined","completed_at_iso8601":"2025-03-04T10:15:30Z","href":"https://api.eu.onfido.com/v3.6/workflow_runs/8a1c3f52-2b7e-4d0a-9c61-5e4f7b2d9a10"}}}"#;
    assert_eq!(
        hmac_sha256("emulator_webhook_token_01", v1.as_bytes()),
        "d908e4d3f24b04594742a9802993462eb3e900c3343b704c62bcdbe155eca4cd"
    );
}

impl Hook {
    /// The body, after checking `X-SHA2-Signature` over the raw bytes under `token`.
    fn verified(&self, token: &str) -> Value {
        assert_eq!(self.header("x-sha2-signature"), hmac_sha256(token, &self.raw), "signed");
        serde_json::from_slice(&self.raw).unwrap()
    }
}

impl Answer {
    /// Onfido's error shape, `{"error": {type, message}}`: the type.
    fn onfido_error(&self) -> String {
        let body = self.json();
        let error = &body["error"];
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        error["type"].as_str().unwrap_or_else(|| panic!("a type: {body}")).to_owned()
    }

    /// A 422's `fields`.
    fn fields(&self) -> Value {
        assert_eq!(self.status, 422, "{:?}", String::from_utf8_lossy(&self.raw));
        assert_eq!(self.onfido_error(), "validation_error");
        let body = self.json();
        assert_eq!(body["error"]["message"], "There was a validation error on this request");
        body["error"]["fields"].clone()
    }
}

/// A JSON body (this crate's reqwest has no `json` feature).
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header("content-type", "application/json").body(body.to_string())
    }
}

async fn with_receiver(
    builder: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> (RunningEmulator, Receiver) {
    let receiver = Receiver::start().await;
    let emulator =
        builder(Emulator::builder().with_onfido_webhook_url(&receiver.url)).start().await.unwrap();
    (emulator, receiver)
}

/// Onfido over raw HTTP, with the emulator's token.
struct Onfido<'a> {
    emulator: &'a RunningEmulator,
    client: reqwest::Client,
}

impl<'a> Onfido<'a> {
    fn new(emulator: &'a RunningEmulator) -> Self {
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { emulator, client }
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let url = format!("{}{path}", self.emulator.onfido_base_url());
        let token = format!("Token token={}", self.emulator.onfido_api_token());
        self.client.request(method, url).header("authorization", token)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json_body(&body);
        }
        answer(request).await
    }

    async fn create_applicant(&self, body: Value) -> Answer {
        self.call("POST", "/applicants", Some(body)).await
    }

    /// A new applicant's id.
    async fn applicant(&self) -> String {
        let created =
            self.create_applicant(json!({"first_name": "Jane", "last_name": "Doe"})).await;
        assert_eq!(created.status, 201, "{}", created.json());
        created.json()["id"].as_str().unwrap().to_owned()
    }

    async fn create_run(&self, body: Value) -> Answer {
        self.call("POST", "/workflow_runs", Some(body)).await
    }

    /// A new run for `applicant`, with `extra` fields: the run.
    async fn run_with(&self, applicant: &str, extra: Value) -> Value {
        let mut body = json!({
            "workflow_id": self.emulator.onfido_workflow_id(),
            "applicant_id": applicant,
        });
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            body.extend(extra);
        }
        let created = self.create_run(body).await;
        assert_eq!(created.status, 201, "{}", created.json());
        created.json()
    }

    /// A new applicant's new run: its id.
    async fn run(&self) -> String {
        let applicant = self.applicant().await;
        self.run_with(&applicant, json!({})).await["id"].as_str().unwrap().to_owned()
    }

    async fn get_run(&self, id: &str) -> Answer {
        self.call("GET", &format!("/workflow_runs/{id}"), None).await
    }

    async fn status(&self, id: &str) -> Value {
        let run = self.get_run(id).await;
        assert_eq!(run.status, 200, "{}", run.json());
        run.json()["status"].clone()
    }

    /// The page's form, as a browser posts it: status and `Location`.
    async fn form(&self, token: &str, choice: &str) -> (u16, String) {
        let answer = self
            .client
            .post(format!("http://{}/onfido/decide", self.emulator.address()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={token}&choice={choice}"))
            .send()
            .await
            .unwrap();
        let location = answer.headers().get("location").and_then(|l| l.to_str().ok());
        (answer.status().as_u16(), location.unwrap_or_default().to_owned())
    }

    async fn page(&self, run_id: &str) -> reqwest::Response {
        let url = format!("http://{}/onfido/l/{run_id}", self.emulator.address());
        self.client.get(url).send().await.unwrap()
    }
}

fn is_uuid_v4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
        && parts[3].starts_with(['8', '9', 'a', 'b'])
}

fn rfc3339(value: &Value) -> bool {
    value.as_str().is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
}

#[tokio::test]
async fn every_call_needs_the_api_token() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let url = format!("{}/applicants", emulator.onfido_base_url());
    let body = json!({"first_name": "Jane", "last_name": "Doe"});
    let token = emulator.onfido_api_token();
    for authorization in [
        None,
        Some(format!("Bearer {token}")),
        Some(format!("Token {token}")),
        Some("Token token=api_sandbox.someone.else".to_owned()),
        Some(format!("token token={token}")),
    ] {
        let mut request = onfido.client.post(&url).json_body(&body);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let refused = answer(request).await;
        assert_eq!(refused.status, 401, "{authorization:?}");
        assert_eq!(refused.onfido_error(), "authorization_error");
    }
    // Unquoted, as Onfido's clients send it, or quoted.
    let quoted = onfido.client.post(&url).json_body(&body);
    let quoted = quoted.header("authorization", format!("Token token=\"{token}\""));
    assert_eq!(answer(quoted).await.status, 201);
    let ping = onfido.call("GET", "/ping", None).await;
    assert_eq!((ping.status, ping.raw.as_slice()), (200, b"OK".as_slice()));
    assert!(ping.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let refused = answer(onfido.client.get(format!("{}/ping", emulator.onfido_base_url()))).await;
    assert_eq!(refused.status, 401);
    // The runs' routes too.
    for (method, path) in [("GET", "/workflow_runs"), ("POST", "/workflow_runs")] {
        let url = format!("{}{path}", emulator.onfido_base_url());
        let request = onfido.client.request(method.parse().unwrap(), url);
        assert_eq!(answer(request).await.status, 401, "{method} {path}");
    }
    assert_eq!(emulator.requests_received(Vendor::Onfido), 10);
}

#[tokio::test]
async fn an_applicant_echoes_what_it_was_given() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let created = onfido
        .create_applicant(json!({
            "first_name": "Jane",
            "last_name": "Doe",
            "dob": "1990-01-22",
            "email": "jane.doe@example.com",
            "phone_number": "351911111111",
            "id_numbers": [{"type": "passport", "value": "123456789"}],
            "address": {
                "postcode": "SW4 6EH", "country": "GBR", "town": "London",
                "street": "Main Street", "building_number": "100", "line1": "100 Main Street",
            },
            "location": {"ip_address": "127.0.0.1", "country_of_residence": "GBR"},
            "consents": [{"name": "privacy_notices_read", "granted": true}],
            "not_an_onfido_field": 42,
        }))
        .await;
    assert_eq!(created.status, 201);
    let applicant = created.json();
    let id = applicant["id"].as_str().unwrap();
    assert!(is_uuid_v4(id), "{id}");
    assert_eq!(applicant["href"], format!("/v3.6/applicants/{id}"));
    assert!(rfc3339(&applicant["created_at"]));
    assert_eq!((&applicant["delete_at"], &applicant["sandbox"]), (&Value::Null, &json!(true)));
    assert_eq!(
        (&applicant["first_name"], &applicant["last_name"], &applicant["dob"]),
        (&json!("Jane"), &json!("Doe"), &json!("1990-01-22"))
    );
    assert_eq!(applicant["email"], "jane.doe@example.com");
    assert_eq!(applicant["phone_number"], "351911111111");
    assert_eq!(applicant["id_numbers"][0]["type"], "passport");
    let address = &applicant["address"];
    assert_eq!((&address["postcode"], &address["country"]), (&json!("SW4 6EH"), &json!("GBR")));
    assert_eq!(
        (&address["flat_number"], &address["line1"]),
        (&Value::Null, &json!("100 Main Street"))
    );
    assert_eq!(address.as_object().unwrap().len(), 12, "every address key: {address}");
    assert_eq!(applicant["location"]["country_of_residence"], "GBR");
    assert!(applicant.get("consents").is_none(), "consents are not echoed");
    assert!(applicant.get("not_an_onfido_field").is_none());

    let read = onfido.call("GET", &format!("/applicants/{id}"), None).await;
    assert_eq!((read.status, read.json()), (200, applicant.clone()));

    // The least: names only; the rest null or empty.
    let least = onfido.create_applicant(json!({"first_name": "J", "last_name": "D"})).await.json();
    assert_eq!((&least["address"], &least["id_numbers"]), (&Value::Null, &json!([])));
    assert_eq!((&least["dob"], &least["email"]), (&Value::Null, &Value::Null));

    // A live token's applicants are not sandbox ones.
    let live = Emulator::builder().with_onfido_api_token("api_live.x.y").start().await.unwrap();
    let live = Onfido::new(&live);
    let created = live.create_applicant(json!({"first_name": "J", "last_name": "D"})).await;
    assert_eq!(created.json()["sandbox"], false);

    // Unknown or malformed ids: 404, Onfido's message.
    for unknown in ["6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10", "not-a-uuid"] {
        let missing = onfido.call("GET", &format!("/applicants/{unknown}"), None).await;
        assert_eq!((missing.status, missing.onfido_error()), (404, "resource_not_found".into()));
        assert_eq!(
            missing.json()["error"]["message"],
            format!("Could not find the following resource: Applicant with id={unknown}")
        );
    }
}

#[tokio::test]
async fn applicant_rules_are_answered_with_their_fields() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let names = json!({"first_name": "Jane", "last_name": "Doe"});
    let with = |extra: Value| {
        let mut body = names.clone();
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            body.extend(extra);
        }
        body
    };
    for (body, expected) in [
        (json!({}), json!({"first_name": ["can't be blank"], "last_name": ["can't be blank"]})),
        (json!({"first_name": "", "last_name": "Doe"}), json!({"first_name": ["can't be blank"]})),
        (json!({"first_name": "Ja$ne", "last_name": "Doe"}), json!({"first_name": ["is invalid"]})),
        (json!({"first_name": "Jane", "last_name": "Do\"e"}), json!({"last_name": ["is invalid"]})),
        (json!({"first_name": 7, "last_name": "Doe"}), json!({"first_name": ["must be a string"]})),
        (with(json!({"dob": "1990-1-22"})), json!({"dob": ["is not a valid date (YYYY-MM-DD)"]})),
        (with(json!({"dob": "2023-02-29"})), json!({"dob": ["is not a valid date (YYYY-MM-DD)"]})),
        (with(json!({"dob": "22/01/1990"})), json!({"dob": ["is not a valid date (YYYY-MM-DD)"]})),
        (
            with(json!({"address": {"town": "London"}})),
            json!({"address": {"postcode": ["can't be blank"], "country": ["can't be blank"]}}),
        ),
        (
            with(json!({"address": {"postcode": "SW4 6EH"}})),
            json!({"address": {"country": ["can't be blank"]}}),
        ),
        (
            with(json!({"address": {"postcode": "SW4 6EH", "country": "GB"}})),
            json!({"address": {"country": ["is not included in the list"]}}),
        ),
        (
            with(
                json!({"address": {"postcode": "1", "country": "GBR", "line2": "a=b", "line3": "x^y"}}),
            ),
            json!({"address": {"line2": ["is invalid"], "line3": ["is invalid"]}}),
        ),
        (with(json!({"address": "London"})), json!({"address": ["must be an object"]})),
        (
            with(json!({"location": {"country_of_residence": "XXX"}})),
            json!({"location": {"country_of_residence": ["is not included in the list"]}}),
        ),
        (
            with(json!({"id_numbers": [{"type": "ssn", "value": "1"}, {"type": "badge"}]})),
            json!({"id_numbers": [{}, {"type": ["is not included in the list"]}]}),
        ),
        (
            with(json!({"consents": [{"name": "privacy_notices_read"}]})),
            json!({"consents": [{"granted": ["must be true or false"]}]}),
        ),
        (
            with(json!({"consents": [{"name": "cookies", "granted": true}]})),
            json!({"consents": [{"name": ["is not included in the list"]}]}),
        ),
    ] {
        let refused = onfido.create_applicant(body.clone()).await;
        assert_eq!(refused.fields(), expected, "{body}");
    }
    // Every rule at once.
    let all = json!({"first_name": "<b>", "dob": "tomorrow", "address": {"country": "FR"}});
    let fields = onfido.create_applicant(all).await.fields();
    let keys: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{fields}");
    assert_eq!(fields["address"]["postcode"], json!(["can't be blank"]));
    // What the rules allow: the characters the patterns do not forbid, every country of the list.
    for body in [
        json!({"first_name": "Zoë-Anne O'Brien", "last_name": "Ünal (né Smith)"}),
        with(
            json!({"address": {"postcode": "75001", "country": "FRA", "line1": "1, rue #3; {x}"}}),
        ),
        with(json!({"address": {"postcode": "10000", "country": "RKS", "line1": null}})),
        with(json!({"dob": "2024-02-29", "email": null})),
    ] {
        assert_eq!(onfido.create_applicant(body.clone()).await.status, 201, "{body}");
    }
    // No JSON object at all: 400, Onfido's shape.
    for raw in ["not json", "[1, 2]", ""] {
        let request = onfido.request("POST", "/applicants").body(raw);
        let refused = answer(request.header("content-type", "application/json")).await;
        assert_eq!((refused.status, refused.onfido_error()), (400, "bad_request".into()), "{raw}");
    }
}

#[tokio::test]
async fn a_workflow_run_carries_its_applicant_and_link() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let run = onfido
        .run_with(
            &applicant,
            json!({
                "customer_user_id": "user-8841",
                "tags": ["signup", "req-01HV3X9QK2"],
                "link": {
                    "completed_redirect_url": "https://app.example.com/kyc/done",
                    "expired_redirect_url": "https://app.example.com/kyc/expired",
                    "expires_at": "2099-03-11T10:00:00Z",
                    "language": "de_DE",
                },
                "custom_data": {"age": 18},
                "unknown": true,
            }),
        )
        .await;
    let id = run["id"].as_str().unwrap();
    assert!(is_uuid_v4(id), "{id}");
    assert_eq!(
        (&run["applicant_id"], &run["status"]),
        (&json!(applicant), &json!("awaiting_input"))
    );
    assert_eq!(run["workflow_id"], emulator.onfido_workflow_id());
    assert_eq!(run["workflow_version_id"], 1);
    assert_eq!(run["dashboard_url"], format!("https://dashboard.onfido.com/results/{id}"));
    assert_eq!(
        (&run["output"], &run["reasons"], &run["error"]),
        (&Value::Null, &json!([]), &Value::Null)
    );
    let sdk_token = run["sdk_token"].as_str().unwrap();
    assert_eq!(sdk_token.split('.').count(), 3, "JWT-shaped: {sdk_token}");
    let link = &run["link"];
    assert_eq!(link["url"], format!("http://{}/onfido/l/{id}", emulator.address()));
    assert_eq!(link["completed_redirect_url"], "https://app.example.com/kyc/done");
    assert_eq!(link["expired_redirect_url"], "https://app.example.com/kyc/expired");
    assert_eq!(
        (&link["expires_at"], &link["language"]),
        (&json!("2099-03-11T10:00:00Z"), &json!("de_DE"))
    );
    assert_eq!(run["tags"], json!(["signup", "req-01HV3X9QK2"]));
    assert_eq!(run["customer_user_id"], "user-8841");
    assert!(rfc3339(&run["created_at"]) && rfc3339(&run["updated_at"]));
    assert!(run.get("unknown").is_none() && run.get("custom_data").is_none());

    // Read back, the same.
    let read = onfido.get_run(id).await;
    assert_eq!((read.status, read.json()), (200, run.clone()));

    // The least: no link settings, no expiry (`expires_at` null), no tags.
    let bare = onfido.run_with(&applicant, json!({})).await;
    let link = &bare["link"];
    assert_eq!((&link["expires_at"], &link["language"]), (&Value::Null, &Value::Null));
    assert_eq!((&bare["tags"], &bare["customer_user_id"]), (&json!([]), &Value::Null));
    assert!(link["url"].as_str().unwrap().ends_with(bare["id"].as_str().unwrap()));

    // Listed by applicant: a bare array of both, newest first; another applicant's not.
    let other = onfido.applicant().await;
    onfido.run_with(&other, json!({"tags": ["signup"]})).await;
    let listed =
        onfido.call("GET", &format!("/workflow_runs?applicant_id={applicant}"), None).await;
    assert_eq!(listed.status, 200);
    let ids: Vec<Value> =
        listed.json().as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [bare["id"].clone(), run["id"].clone()]);
    let ascending = format!("/workflow_runs?applicant_id={applicant}&sort=asc");
    assert_eq!(onfido.call("GET", &ascending, None).await.json()[0]["id"], run["id"]);
    let tagged = onfido.call("GET", "/workflow_runs?tags=signup", None).await.json();
    assert_eq!(tagged.as_array().unwrap().len(), 2, "{tagged}");
    let both = onfido.call("GET", "/workflow_runs?tags=signup&tags=req-01HV3X9QK2", None).await;
    assert_eq!(both.json().as_array().unwrap().len(), 1);
    let all = onfido.call("GET", "/workflow_runs?status=awaiting_input,approved", None).await;
    assert_eq!(all.json().as_array().unwrap().len(), 3);
    let none = onfido.call("GET", "/workflow_runs?status=approved", None).await;
    assert_eq!(none.json(), json!([]));
    let nobody = "/workflow_runs?applicant_id=6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10";
    assert_eq!(onfido.call("GET", nobody, None).await.json(), json!([]));
    let page_two = onfido.call("GET", "/workflow_runs?page=2", None).await;
    assert_eq!(page_two.json(), json!([]));
    let malformed = onfido.call("GET", "/workflow_runs?applicant_id=nope&page=0", None).await;
    let fields = malformed.fields();
    assert!(fields.get("applicant_id").is_some() && fields.get("page").is_some(), "{fields}");

    let unknown = onfido.get_run("6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10").await;
    assert_eq!((unknown.status, unknown.onfido_error()), (404, "resource_not_found".into()));
}

#[tokio::test]
async fn workflow_run_rules_are_answered_with_their_fields() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let workflow = emulator.onfido_workflow_id().to_owned();
    let with = |extra: Value| {
        let mut body = json!({"workflow_id": workflow, "applicant_id": applicant});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            body.extend(extra);
        }
        body
    };
    let many: Vec<String> = (0..31).map(|n| format!("tag-{n}")).collect();
    for (body, expected) in [
        (json!({}), json!({"workflow_id": ["can't be blank"], "applicant_id": ["can't be blank"]})),
        (json!({"workflow_id": workflow}), json!({"applicant_id": ["can't be blank"]})),
        (
            json!({"workflow_id": "basic", "applicant_id": "42"}),
            json!({"workflow_id": ["is not a valid UUID"], "applicant_id": ["is not a valid UUID"]}),
        ),
        (with(json!({"tags": many})), json!({"tags": ["is too long (maximum is 30 tags)"]})),
        (
            with(json!({"tags": [""]})),
            json!({"tags": ["each tag must be 1 to 128 characters long"]}),
        ),
        (
            with(json!({"tags": ["x".repeat(129)]})),
            json!({"tags": ["each tag must be 1 to 128 characters long"]}),
        ),
        (with(json!({"tags": [1]})), json!({"tags": ["must be a list of strings"]})),
        (with(json!({"tags": "signup"})), json!({"tags": ["must be a list"]})),
        (
            with(json!({"customer_user_id": "u".repeat(257)})),
            json!({"customer_user_id": ["is too long (maximum is 256 characters)"]}),
        ),
        (
            with(json!({"link": {"language": "en"}})),
            json!({"link": {"language": ["is not included in the list"]}}),
        ),
        (
            with(json!({"link": {"expires_at": "tomorrow"}})),
            json!({"link": {"expires_at": ["is not a valid date-time"]}}),
        ),
        (
            with(json!({"link": {"completed_redirect_url": 5}})),
            json!({"link": {"completed_redirect_url": ["must be a string"]}}),
        ),
        (with(json!({"link": "https://x"})), json!({"link": ["must be an object"]})),
        (with(json!({"custom_data": [1]})), json!({"custom_data": ["must be an object"]})),
    ] {
        let refused = onfido.create_run(body.clone()).await;
        assert_eq!(refused.fields(), expected, "{body}");
    }
    // The limits themselves are allowed, every language too; nulls are none; unknown fields
    // ignored.
    let thirty: Vec<String> = (0..30).map(|n| format!("{n}{}", "t".repeat(120))).collect();
    let edge = with(json!({"tags": thirty, "customer_user_id": "u".repeat(256), "extra": {}}));
    assert_eq!(onfido.create_run(edge).await.status, 201);
    for language in ["en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "pt_PT", "nl_NL"] {
        let body = with(
            json!({"link": {"language": language, "expires_at": "2099-01-01T00:00:00.5+02:00"}}),
        );
        let created = onfido.create_run(body).await;
        assert_eq!(created.status, 201, "{language}");
        assert_eq!(created.json()["link"]["expires_at"], "2098-12-31T22:00:00.500Z");
    }
    let nulls = with(json!({"tags": null, "link": null, "customer_user_id": null}));
    assert_eq!(onfido.create_run(nulls).await.status, 201);

    // Existence, after the rules: the workflow, then the applicant: 404.
    let other_workflow = "b42cf165-031f-4792-a57e-eea4fa10c4e2";
    let refused =
        onfido.create_run(json!({"workflow_id": other_workflow, "applicant_id": applicant})).await;
    assert_eq!((refused.status, refused.onfido_error()), (404, "resource_not_found".into()));
    assert_eq!(
        refused.json()["error"]["message"],
        format!("Could not find the following resource: Workflow with id={other_workflow}")
    );
    let nobody = "6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10";
    let refused = onfido.create_run(json!({"workflow_id": workflow, "applicant_id": nobody})).await;
    assert_eq!((refused.status, refused.onfido_error()), (404, "resource_not_found".into()));
    assert_eq!(
        refused.json()["error"]["message"],
        format!("Could not find the following resource: Applicant with id={nobody}")
    );
    // Upper-case UUIDs are the same ids.
    let upper =
        json!({"workflow_id": workflow.to_uppercase(), "applicant_id": applicant.to_uppercase()});
    let created = onfido.create_run(upper).await;
    assert_eq!((created.status, &created.json()["applicant_id"]), (201, &json!(applicant)));
    // No JSON object: 400.
    let request = onfido
        .request("POST", "/workflow_runs")
        .body("{")
        .header("content-type", "application/json");
    let refused = answer(request).await;
    assert_eq!((refused.status, refused.onfido_error()), (400, "bad_request".into()));
}

#[tokio::test]
async fn each_outcome_ends_the_run_and_is_signed() {
    let (emulator, mut hooks) =
        with_receiver(|b| b.with_onfido_webhook_token("hook-token-1")).await;
    assert_eq!(emulator.onfido_webhook_token(), "hook-token-1");
    let onfido = Onfido::new(&emulator);
    assert_eq!(
        Choice::offered_by(Vendor::Onfido),
        [
            Choice::Approve,
            Choice::Decline,
            Choice::Review,
            Choice::Fail,
            Choice::Expire,
            Choice::Abandon
        ]
    );
    assert_eq!((Choice::Review.name(), Choice::Fail.name()), ("review", "error"));
    let base = emulator.onfido_base_url();

    for (choice, expected) in [
        (Choice::Approve, "approved"),
        (Choice::Decline, "declined"),
        (Choice::Review, "review"),
        (Choice::Fail, "error"),
    ] {
        let id = onfido.run().await;
        emulator.decide(Vendor::Onfido, &id, choice).await.unwrap();
        // The interactive task, then the run: delivered before `decide` returned.
        let task = hooks.hooks.try_recv().expect("delivered").verified("hook-token-1");
        let payload = &task["payload"];
        assert_eq!(
            (&payload["resource_type"], &payload["action"], &payload["object"]["status"]),
            (&json!("workflow_task"), &json!("workflow_task.completed"), &json!("completed"))
        );
        let task_id = payload["object"]["id"].as_str().unwrap();
        assert!(task_id.starts_with("profile_") && task_id.len() == 13, "{task_id}");
        assert_eq!(payload["object"]["workflow_run_id"], id);
        assert!(rfc3339(&payload["object"]["completed_at_iso8601"]));
        let done = hooks.hooks.try_recv().expect("delivered").verified("hook-token-1");
        let payload = &done["payload"];
        assert_eq!(
            (&payload["resource_type"], &payload["action"]),
            (&json!("workflow_run"), &json!("workflow_run.completed"))
        );
        let object = &payload["object"];
        assert_eq!((&object["id"], &object["status"]), (&json!(id), &json!(expected)));
        assert_eq!(object["href"], format!("{base}/workflow_runs/{id}"));
        assert!(rfc3339(&object["completed_at_iso8601"]), "{object}");
        let resource = &payload["resource"];
        assert_eq!((&resource["id"], &resource["status"]), (&json!(id), &json!(expected)));
        assert_eq!(resource["sdk_token"], Value::Null, "as Onfido's sample");
        let read = onfido.get_run(&id).await.json();
        assert_eq!(read["status"], expected, "{choice:?}");
        assert_eq!(read["updated_at"], object["completed_at_iso8601"]);
        if choice == Choice::Fail {
            assert!(read["error"]["type"].is_string() && read["error"]["message"].is_string());
            assert_eq!(resource["error"], read["error"]);
        } else {
            assert_eq!(read["error"], Value::Null);
        }
        // A decision stands.
        let again = emulator.decide(Vendor::Onfido, &id, Choice::Approve).await;
        assert!(matches!(again, Err(EmulatorError::AlreadyDecided { .. })), "{again:?}");
        let late = emulator.decide(Vendor::Onfido, &id, Choice::Expire).await;
        assert!(matches!(late, Err(EmulatorError::AlreadyDecided { .. })), "{late:?}");
    }

    // Running out: `abandoned` both; abandoning opens the task first.
    let id = onfido.run().await;
    emulator.decide(Vendor::Onfido, &id, Choice::Expire).await.unwrap();
    let done = hooks.hooks.try_recv().expect("delivered").verified("hook-token-1");
    assert_eq!(done["payload"]["action"], "workflow_run.completed");
    assert_eq!(done["payload"]["object"]["status"], "abandoned");
    assert!(hooks.none_yet(), "no task event");
    assert_eq!(onfido.status(&id).await, "abandoned");
    let late = emulator.decide(Vendor::Onfido, &id, Choice::Approve).await;
    assert!(matches!(late, Err(EmulatorError::Expired { .. })), "{late:?}");

    let id = onfido.run().await;
    emulator.decide(Vendor::Onfido, &id, Choice::Abandon).await.unwrap();
    let started = hooks.hooks.try_recv().expect("delivered").verified("hook-token-1");
    assert_eq!(started["payload"]["action"], "workflow_task.started");
    assert_eq!(started["payload"]["object"]["status"], "started");
    assert!(rfc3339(&started["payload"]["object"]["started_at_iso8601"]));
    let done = hooks.hooks.try_recv().expect("delivered").verified("hook-token-1");
    assert_eq!(done["payload"]["object"]["status"], "abandoned");
    assert_eq!(onfido.status(&id).await, "abandoned");

    // Other vendors' outcomes are refused, and Onfido's by the others.
    let id = onfido.run().await;
    for choice in [Choice::Resubmit, Choice::Suspect, Choice::ApproveAfterReview] {
        let refused = emulator.decide(Vendor::Onfido, &id, choice).await.unwrap_err();
        assert!(matches!(refused, EmulatorError::NotOffered { vendor: Vendor::Onfido, .. }));
    }
    for vendor in [Vendor::Idenfy, Vendor::Veriff, Vendor::Sumsub] {
        for choice in [Choice::Review, Choice::Fail] {
            let refused = emulator.decide(vendor, "any", choice).await.unwrap_err();
            assert!(
                matches!(refused, EmulatorError::NotOffered { vendor: v, choice: c } if v == vendor && c == choice),
                "{refused:?}"
            );
        }
    }
    let unknown = emulator.decide(Vendor::Onfido, "no-such-run", Choice::Approve).await;
    assert!(matches!(unknown, Err(EmulatorError::UnknownSession { .. })), "{unknown:?}");
    assert_eq!(onfido.status(&id).await, "awaiting_input", "nothing changed");
}

#[tokio::test]
async fn the_hosted_page_decides_as_decide_does() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let token = emulator.onfido_webhook_token().to_owned();
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let done_url = "https://app.example.com/kyc/done";
    let run =
        onfido.run_with(&applicant, json!({"link": {"completed_redirect_url": done_url}})).await;
    let id = run["id"].as_str().unwrap();
    let requests = emulator.requests_received(Vendor::Onfido);

    // The link opens the page: the task starts, once.
    let page = onfido.client.get(run["link"]["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for button in ["approve", "decline", "review", "error"] {
        assert!(page.contains(&format!("value=\"{button}\"")), "{button}: {page}");
    }
    assert!(!page.contains("value=\"abandon\"") && page.contains("no expiry"), "{page}");
    let started = hooks.next().await.verified(&token);
    assert_eq!(started["payload"]["action"], "workflow_task.started");
    assert_eq!(onfido.page(id).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(hooks.none_yet(), "started once");

    // The form: 303 back to the page, the webhooks in the background.
    assert_eq!(onfido.form(id, "review").await, (303, format!("/onfido/l/{id}")));
    let completed = hooks.next().await.verified(&token);
    assert_eq!(completed["payload"]["action"], "workflow_task.completed");
    let done = hooks.next().await.verified(&token);
    assert_eq!(done["payload"]["object"]["status"], "review");
    assert_eq!(onfido.status(id).await, "review");
    let page = onfido.page(id).await.text().await.unwrap();
    assert!(page.contains("Decided: review") && page.contains(done_url), "{page}");
    assert_eq!(onfido.form(id, "approve").await.0, 409);
    assert_eq!(emulator.requests_received(Vendor::Onfido), requests + 1, "pages are not API calls");

    // Refused: another vendor's button, running out (no button), an unknown run.
    let id = onfido.run().await;
    assert_eq!(onfido.form(&id, "resubmit").await.0, 400);
    assert_eq!(onfido.form(&id, "abandon").await.0, 400);
    assert_eq!(onfido.form("6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10", "approve").await.0, 404);
    assert_eq!(onfido.page("no-such-run").await.status(), 404);
    // Each button's status.
    for (button, expected) in [("approve", "approved"), ("decline", "declined"), ("error", "error")]
    {
        let id = onfido.run().await;
        assert_eq!(onfido.form(&id, button).await.0, 303);
        let wait = async {
            while onfido.status(&id).await != expected {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), wait).await.expect(button);
    }
    // Run out: the page answers 410.
    let id = onfido.run().await;
    emulator.decide(Vendor::Onfido, &id, Choice::Expire).await.unwrap();
    assert_eq!(onfido.page(&id).await.status(), 410);
    assert_eq!(onfido.form(&id, "approve").await.0, 410);
}

#[tokio::test]
async fn a_link_past_its_expiry_is_abandoned_when_noticed() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let token = emulator.onfido_webhook_token().to_owned();
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let expires_at = (chrono::Utc::now() + chrono::TimeDelta::milliseconds(400)).to_rfc3339();
    let gone_url = "https://app.example.com/kyc/expired";
    let link = json!({"link": {"expires_at": expires_at, "expired_redirect_url": gone_url}});
    let run = onfido.run_with(&applicant, link).await;
    let id = run["id"].as_str().unwrap();
    assert_eq!(run["status"], "awaiting_input");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(hooks.none_yet(), "nothing until noticed");

    // Noticed by a read: `abandoned`, and its webhook, once.
    let read = onfido.get_run(id).await.json();
    assert_eq!(read["status"], "abandoned");
    let done = hooks.next().await.verified(&token);
    assert_eq!(done["payload"]["object"]["status"], "abandoned");
    assert_eq!(done["payload"]["object"]["completed_at_iso8601"], read["updated_at"]);
    assert_eq!(onfido.status(id).await, "abandoned");
    // The page sends the person to `expired_redirect_url`.
    let page = onfido.page(id).await;
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], gone_url);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(hooks.none_yet(), "sent once");
    let late = emulator.decide(Vendor::Onfido, id, Choice::Approve).await;
    assert!(matches!(late, Err(EmulatorError::Expired { .. })), "{late:?}");

    // An `expires_at` already past is taken: the run is abandoned as soon as it is seen.
    let past = json!({"link": {"expires_at": "2020-01-01T00:00:00Z"}});
    let run = onfido.run_with(&applicant, past).await;
    assert_eq!(run["status"], "abandoned");
    let listed = onfido
        .call("GET", &format!("/workflow_runs?applicant_id={applicant}&status=abandoned"), None)
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn deleting_the_applicant_takes_its_runs_along() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let run = onfido.run_with(&applicant, json!({})).await;
    let id = run["id"].as_str().unwrap();
    let path = format!("/applicants/{applicant}");

    let deleted = onfido.call("DELETE", &path, None).await;
    assert_eq!((deleted.status, deleted.raw.len()), (204, 0));
    let message = format!("Could not find the following resource: Applicant with id={applicant}");
    for answer in [
        onfido.call("GET", &path, None).await,
        onfido.call("DELETE", &path, None).await,
        onfido
            .create_run(
                json!({"workflow_id": emulator.onfido_workflow_id(), "applicant_id": applicant}),
            )
            .await,
    ] {
        assert_eq!((answer.status, answer.onfido_error()), (404, "resource_not_found".into()));
        assert_eq!(answer.json()["error"]["message"], message);
    }
    let gone = onfido.get_run(id).await;
    assert_eq!((gone.status, gone.onfido_error()), (404, "resource_not_found".into()));
    assert_eq!(
        gone.json()["error"]["message"],
        format!("Could not find the following resource: WorkflowRun with id={id}")
    );
    let listed =
        onfido.call("GET", &format!("/workflow_runs?applicant_id={applicant}"), None).await;
    assert_eq!(listed.json(), json!([]));
    assert_eq!(onfido.call("GET", "/workflow_runs", None).await.json(), json!([]));
    assert_eq!(onfido.page(id).await.status(), 404);
    assert_eq!(onfido.form(id, "approve").await.0, 404);
    let refused = emulator.decide(Vendor::Onfido, id, Choice::Approve).await;
    assert!(matches!(refused, Err(EmulatorError::UnknownSession { .. })), "{refused:?}");
    assert!(hooks.none_yet(), "Onfido sends no deletion webhook");

    // Restored: both back.
    let restored = onfido.call("POST", &format!("{path}/restore"), None).await;
    assert_eq!(restored.status, 204);
    assert_eq!(onfido.call("GET", &path, None).await.status, 200);
    assert_eq!(onfido.status(id).await, "awaiting_input");
    assert_eq!(onfido.call("POST", &format!("{path}/restore"), None).await.status, 204, "a no-op");
    let unknown =
        onfido.call("POST", "/applicants/6b0d1e3a-3c2f-4d6e-9d34-1f2a7c9b5e10/restore", None);
    assert_eq!(unknown.await.status, 404);
}

#[tokio::test]
async fn a_fault_may_hit_one_route_only() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);

    // The second call fails, the first succeeds: the half-done state.
    emulator.set_fault(Vendor::Onfido, Fault::status(500).on_route("POST /workflow_runs"));
    let applicant = onfido.applicant().await;
    let body = json!({"workflow_id": emulator.onfido_workflow_id(), "applicant_id": applicant});
    let failed = onfido.create_run(body.clone()).await;
    assert_eq!((failed.status, failed.onfido_error()), (500, "internal_server_error".into()));
    assert_eq!(onfido.call("GET", "/workflow_runs", None).await.json(), json!([]), "not created");
    assert_eq!(onfido.call("GET", &format!("/applicants/{applicant}"), None).await.status, 200);
    emulator.clear_fault(Vendor::Onfido);
    assert_eq!(onfido.create_run(body).await.status, 201);

    // A prefix by segments: `DELETE /applicants` is every deletion, not another method.
    emulator.set_fault(Vendor::Onfido, Fault::status(503).on_route("delete /applicants").times(1));
    let path = format!("/applicants/{applicant}");
    assert_eq!(onfido.call("GET", &path, None).await.status, 200);
    assert_eq!(onfido.call("DELETE", &path, None).await.status, 503);
    assert_eq!(onfido.call("DELETE", &path, None).await.status, 204, "used up");
    // `/applicants` is not `/applicants_x`; a path alone is every method.
    emulator.set_fault(Vendor::Onfido, Fault::status(502).on_route("/workflow_run"));
    assert_eq!(onfido.call("GET", "/workflow_runs", None).await.status, 200);
    emulator.set_fault(Vendor::Onfido, Fault::status(502).on_route("/workflow_runs"));
    assert_eq!(onfido.call("GET", "/workflow_runs", None).await.status, 502);
    assert_eq!(onfido.call("POST", "/workflow_runs", Some(json!({}))).await.status, 502);
    assert_eq!(onfido.call("GET", "/ping", None).await.status, 200);

    // Over the admin endpoint: the route in JSON; a malformed one is refused.
    let admin = format!("http://{}/__emulator/faults/onfido", emulator.address());
    let client = reqwest::Client::new();
    let put =
        client.put(&admin).body(r#"{"status": 429, "route": "POST /applicants", "retryAfter": 3}"#);
    assert_eq!(put.send().await.unwrap().status(), 204);
    let shown = answer(client.get(&admin)).await.json();
    assert_eq!(shown, json!({"status": 429, "route": "POST /applicants", "retryAfter": 3}));
    let limited = onfido.create_applicant(json!({"first_name": "J", "last_name": "D"})).await;
    assert_eq!((limited.status, limited.onfido_error()), (429, "rate_limit".into()));
    assert_eq!(limited.headers["retry-after"], "3");
    assert_eq!(onfido.call("GET", "/ping", None).await.status, 200);
    for bad in [
        r#"{"status": 500, "route": "workflow_runs"}"#,
        r#"{"status": 500, "route": "POST  x"}"#,
        r#"{"status": 500, "route": 5}"#,
    ] {
        assert_eq!(client.put(&admin).body(bad).send().await.unwrap().status(), 400, "{bad}");
    }
    assert_eq!(client.delete(&admin).send().await.unwrap().status(), 204);

    // Every vendor's routes: iDenfy's token is made while its status call fails.
    emulator.set_fault(Vendor::Idenfy, Fault::status(500).on_route("POST /api/v2/status"));
    let (key, secret) = emulator.idenfy_credentials();
    let idenfy = |path: &str, body: &'static str| {
        client
            .post(format!("{}{path}", emulator.idenfy_base_url()))
            .basic_auth(key, Some(secret))
            .header("content-type", "application/json")
            .body(body)
    };
    assert_eq!(idenfy("/api/v2/token", r#"{"clientId": "c"}"#).send().await.unwrap().status(), 201);
    let status = idenfy("/api/v2/status", r#"{"scanRef": "x"}"#).send().await.unwrap();
    assert_eq!(status.status(), 500);
}

#[tokio::test]
async fn an_answer_lost_leaves_the_run_created() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    let applicant = onfido.applicant().await;
    let fault = Fault::mode(FaultMode::AnswerLost).on_route("POST /workflow_runs").times(1);
    assert_eq!(serde_json::to_value(&fault).unwrap()["mode"], "answer_lost");
    emulator.set_fault(Vendor::Onfido, fault);

    let body = json!({
        "workflow_id": emulator.onfido_workflow_id(),
        "applicant_id": applicant,
        "tags": ["req-1"],
    });
    let impatient = onfido
        .request("POST", "/workflow_runs")
        .json_body(&body)
        .timeout(Duration::from_millis(500));
    let lost = impatient.send().await.unwrap_err();
    assert!(lost.is_timeout(), "{lost}");
    // The reconciliation finds it.
    let listed = onfido
        .call("GET", &format!("/workflow_runs?applicant_id={applicant}&tags=req-1"), None)
        .await;
    let runs = listed.json();
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["status"], "awaiting_input");
    // An applicant too: created, unanswered.
    emulator.set_fault(
        Vendor::Onfido,
        Fault::mode(FaultMode::AnswerLost).on_route("POST /applicants").times(1),
    );
    let request = onfido
        .request("POST", "/applicants")
        .json_body(&json!({"first_name": "A", "last_name": "L"}));
    assert!(request.timeout(Duration::from_millis(300)).send().await.unwrap_err().is_timeout());
    // Served means checked: a refused request is refused before the answer is lost.
    emulator.set_fault(Vendor::Onfido, Fault::mode(FaultMode::AnswerLost).times(1));
    let request = onfido.request("POST", "/workflow_runs").json_body(&json!({}));
    assert!(request.timeout(Duration::from_millis(300)).send().await.unwrap_err().is_timeout());
    assert_eq!(
        onfido.call("GET", "/workflow_runs", None).await.json().as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn faults_answer_in_onfidos_shape() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = Onfido::new(&emulator);
    for (fault, status, kind) in [
        (Fault::mode(FaultMode::OutOfFunds), 403, "forbidden"),
        (Fault::mode(FaultMode::PartnerInactive), 403, "forbidden"),
        (Fault::mode(FaultMode::PartnerContract), 403, "forbidden"),
        (Fault::mode(FaultMode::WrongEnvironment), 401, "authorization_error"),
        (Fault::status(401), 401, "authorization_error"),
        (Fault::status(404), 404, "resource_not_found"),
        (Fault::status(429), 429, "rate_limit"),
        (Fault::status(503), 503, "internal_server_error"),
    ] {
        emulator.set_fault(Vendor::Onfido, fault.times(1));
        let refused = onfido.call("GET", "/ping", None).await;
        assert_eq!((refused.status, refused.onfido_error()), (status, kind.to_owned()));
    }
    emulator.set_fault(Vendor::Onfido, Fault::status(422).times(1));
    assert_eq!(onfido.call("GET", "/ping", None).await.fields(), json!({}));
    emulator.set_fault(Vendor::Onfido, Fault::status(429).times(1));
    assert!(onfido.call("GET", "/ping", None).await.headers.get("retry-after").is_none());
    emulator.set_fault(Vendor::Onfido, Fault::mode(FaultMode::ForgedSignature).times(1));
    assert_eq!(onfido.call("GET", "/ping", None).await.status, 200, "Onfido signs no answers");
    // Faults come before the token check.
    emulator.set_fault(Vendor::Onfido, Fault::status(500).times(1));
    let unsigned = answer(onfido.client.get(format!("{}/ping", emulator.onfido_base_url())));
    assert_eq!(unsigned.await.status, 500);
    emulator.set_fault(Vendor::Onfido, Fault::mode(FaultMode::Malformed).times(1));
    let malformed = onfido.call("GET", "/ping", None).await;
    assert!(serde_json::from_slice::<Value>(&malformed.raw).is_err());
    assert_eq!(emulator.requests_received(Vendor::Onfido), 13);
    assert_eq!(emulator.requests_received(Vendor::Sumsub), 0);
}

/// What `vars()` hands out is what the emulator serves, accepts and signs with.
#[tokio::test]
async fn the_variables_configure_an_onfido_client() {
    let (emulator, mut hooks) = with_receiver(|b| b).await;
    let vars = emulator.vars();
    let var = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
    let base = var("ONFIDO_BASE_URL");
    assert_eq!(base, format!("http://{}/onfido/v3.6", emulator.address()));
    assert_eq!(base, emulator.onfido_base_url());
    let token = var("ONFIDO_API_TOKEN");
    assert!(token.starts_with("api_sandbox."), "{token}");
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .header("authorization", format!("Token token={token}"))
            .json_body(&body)
    };
    let applicant = answer(post("/applicants", json!({"first_name": "V", "last_name": "A"}))).await;
    assert_eq!(applicant.status, 201);
    let applicant = applicant.json()["id"].clone();
    let run = post(
        "/workflow_runs",
        json!({"workflow_id": var("ONFIDO_WORKFLOW_ID"), "applicant_id": applicant}),
    );
    let run = answer(run).await;
    assert_eq!(run.status, 201);
    let id = run.json()["id"].as_str().unwrap().to_owned();
    emulator.decide(Vendor::Onfido, &id, Choice::Approve).await.unwrap();
    hooks.next().await.verified(&var("ONFIDO_WEBHOOK_TOKEN"));
    let done = hooks.next().await.verified(&var("ONFIDO_WEBHOOK_TOKEN"));
    assert_eq!(done["payload"]["resource"]["applicant_id"], applicant);
}
