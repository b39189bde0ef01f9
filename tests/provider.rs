//! The facade's promises: any provider works behind `Arc<dyn VerificationSession>`, the mock
//! serves code above the trait, and the stub passes the conformance suite however it is held.

use std::sync::Arc;

use kyc::conformance;
// Scripting the mock's errors: constructing errors is a provider's (or a test's) business.
use kyc::testing::ErrorExt;
use kyc::{
    Capabilities, ClientId, DocumentType, Error, ErrorKind, ExpectedDocument, Field,
    KindCapabilities, MockVerificationSession, Outcome, SessionRequest, StubProvider,
    VerificationSession,
};

fn request(client: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client).unwrap())
}

#[tokio::test]
async fn providers_are_interchangeable_behind_arc_dyn() {
    let providers: Vec<Arc<dyn VerificationSession>> = vec![
        Arc::new(StubProvider::new("first")),
        Arc::new(Box::new(StubProvider::new("second"))),
        Arc::new(Arc::new(StubProvider::new("third"))),
    ];
    for provider in &providers {
        let session = provider.create_session(&request("user-1")).await.unwrap();
        assert_eq!(session.provider, provider.provider());
        assert_eq!(session.client_id.as_str(), "user-1");
        assert!(provider.capabilities().identity.is_some());
    }
}

#[tokio::test]
async fn the_stub_passes_the_conformance_suite() {
    let stub = Arc::new(StubProvider::new("stub"));
    let as_dyn: Arc<dyn VerificationSession> = Arc::clone(&stub) as _;
    conformance::run(as_dyn.as_ref(), stub.as_ref()).await;
}

#[tokio::test]
async fn a_narrow_stub_passes_the_conformance_suite() {
    // Held to exactly what it declares: what it lacks must be refused before sending.
    let stub = StubProvider::new("narrow").with_capabilities(
        Capabilities::new().with_identity(
            KindCapabilities::new()
                .with_fields([Field::FirstName, Field::DocumentTypes])
                .with_document_types([DocumentType::Passport])
                .with_max_chars(Field::ClientId, 100),
        ),
    );
    conformance::run(&stub, &stub).await;
    assert_eq!(stub.provider(), "narrow");
}

#[tokio::test]
async fn refused_requests_never_reach_the_provider() {
    let stub = StubProvider::new("stub").with_capabilities(
        Capabilities::new()
            .with_identity(KindCapabilities::new().with_fields([Field::DocumentTypes])),
    );
    let unsupported = request("user-1")
        .with_document(ExpectedDocument::default().with_type(DocumentType::Aadhaar));
    let error = stub.create_session(&unsupported).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(error.to_string(), "stub does not support document type aadhaar");
    assert_eq!(error.outcome(), Outcome::NotSent);
    assert!(stub.requests().is_empty());
}

/// Code above the trait, as a user would write it: falls back to a second provider when the
/// first one is unavailable and nothing was created there.
async fn create_with_fallback(
    primary: &dyn VerificationSession,
    fallback: &dyn VerificationSession,
    request: &SessionRequest,
) -> Result<kyc::Session, Error> {
    match primary.create_session(request).await {
        Err(error) if error.is_retryable() && !error.outcome().may_have_created_session() => {
            fallback.create_session(request).await
        }
        other => other,
    }
}

#[tokio::test]
async fn the_mock_tests_code_above_the_trait() {
    let mut primary = MockVerificationSession::new();
    primary
        .expect_create_session()
        .withf(|request| request.client_id.as_str() == "user-9")
        .times(1)
        .returning(|_| Err(Error::unavailable("primary", 503)));
    let fallback = StubProvider::new("fallback");

    let session = create_with_fallback(&primary, &fallback, &request("user-9")).await.unwrap();
    assert_eq!(session.provider, "fallback");

    // A 500 may have created a session: the code above must not spend a second credit.
    let mut primary = MockVerificationSession::new();
    primary.expect_create_session().times(1).returning(|_| Err(Error::unavailable("primary", 500)));
    let error = create_with_fallback(&primary, &fallback, &request("user-9")).await.unwrap_err();
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert_eq!(fallback.requests().len(), 1, "fallback was called only the first time");
}

#[tokio::test]
async fn the_mock_works_as_arc_dyn() {
    let mut mock = MockVerificationSession::new();
    mock.expect_provider().return_const("mock".to_owned());
    let provider: Arc<dyn VerificationSession> = Arc::new(mock);
    assert_eq!(provider.provider(), "mock");
}

/// A provider that declares narrow capabilities but sends whatever it gets: the suite must
/// catch it.
#[derive(Debug)]
struct IgnoresItsCapabilities {
    inner: StubProvider,
    declared: Capabilities,
}

#[async_trait::async_trait]
impl VerificationSession for IgnoresItsCapabilities {
    fn provider(&self) -> &str {
        self.inner.provider()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.declared
    }

    async fn create_session(&self, request: &SessionRequest) -> Result<kyc::Session, Error> {
        self.inner.create_session(request).await
    }
}

#[tokio::test]
#[should_panic(expected = "leaky: accepted a request with unsupported the field person.lastName")]
async fn the_suite_catches_a_provider_that_ignores_its_capabilities() {
    let provider = IgnoresItsCapabilities {
        inner: StubProvider::new("leaky"),
        declared: Capabilities::new()
            .with_identity(KindCapabilities::new().with_fields([Field::FirstName])),
    };
    conformance::refuses_unsupported_requests_before_sending(&provider, &provider.inner).await;
}

#[tokio::test]
#[should_panic(expected = "overclaims: identity request using only declared capabilities failed")]
async fn the_suite_catches_a_provider_that_overclaims() {
    // Declares every locale, but the provider behind it only takes English.
    let provider = IgnoresItsCapabilities {
        inner: StubProvider::new("overclaims").with_capabilities(
            Capabilities::new().with_identity(
                KindCapabilities::new()
                    .with_fields([Field::Locale])
                    .with_locales([kyc::Locale::En]),
            ),
        ),
        declared: Capabilities::new().with_identity(
            KindCapabilities::new().with_fields([Field::Locale]).with_locales([kyc::Locale::Lt]),
        ),
    };
    conformance::creates_the_fullest_supported_session(&provider, &provider.inner).await;
}

#[cfg(feature = "idenfy")]
#[tokio::test]
async fn adapters_and_the_stub_compare_side_by_side() {
    // Port 9 (discard) on loopback: were the request not refused first, it would fail to
    // connect instead of leaving this machine.
    let idenfy =
        kyc::Idenfy::builder("key", "secret").with_base_url("http://127.0.0.1:9").build().unwrap();
    let providers: Vec<Arc<dyn VerificationSession>> =
        vec![Arc::new(idenfy), Arc::new(StubProvider::new("stub"))];
    let with_email =
        request("user-1").with_person(kyc::Person::default().with_email("person@example.com"));
    let servable: Vec<&str> = providers
        .iter()
        .filter(|p| p.capabilities().can_serve(&with_email))
        .map(|p| p.provider())
        .collect();
    assert_eq!(servable, ["stub"], "iDenfy's token call takes no email");
    let error = providers[0].create_session(&with_email).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(error.to_string(), "idenfy does not support the field person.email");
}

#[tokio::test]
#[should_panic(expected = "ranged: accepted a request with unsupported linkValiditySeconds of 59s")]
async fn the_suite_catches_a_provider_that_ignores_its_ranges() {
    let provider = IgnoresItsCapabilities {
        inner: StubProvider::new("ranged"),
        declared: Capabilities::new().with_identity(
            KindCapabilities::everything().with_link_validity(
                std::time::Duration::from_secs(60)..=std::time::Duration::from_secs(3600),
            ),
        ),
    };
    conformance::refuses_unsupported_requests_before_sending(&provider, &provider.inner).await;
}
