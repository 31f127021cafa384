//! Foreign-side behaviour through the export layer: a store that throws, listeners and
//! loggers that fail, and cancelling device polling with a `CancelToken`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uniffi::UnexpectedUniFFICallbackError;
use upbond_bindings::{
    CallbackError, CancelToken, Client, Session, SessionEvent, SessionListener, TokenStore,
    UpbondError,
};
use upbond_emulator::Emulator;

mod common;
use common::config;

/// A store whose every call fails the way an undeclared foreign exception arrives.
struct ThrowingStore;

impl TokenStore for ThrowingStore {
    fn load(&self) -> Result<Option<Vec<u8>>, CallbackError> {
        Err(UnexpectedUniFFICallbackError::new("IOError: disk on fire").into())
    }
    fn save(&self, _: Vec<u8>) -> Result<(), CallbackError> {
        Err(UnexpectedUniFFICallbackError::new("IOError: read-only").into())
    }
    fn delete(&self) -> Result<(), CallbackError> {
        Err(UnexpectedUniFFICallbackError::new("IOError: read-only").into())
    }
}

#[tokio::test]
async fn a_throwing_store_gives_a_storage_error() {
    let client = Client::new(config("http://127.0.0.1:9", "demo-app", None)).expect("valid config");
    let session = Session::new(client, Arc::new(ThrowingStore));
    let error = session
        .access_token(None)
        .await
        .expect_err("the store fails");
    let info = error.info();
    assert!(matches!(error, UpbondError::Storage { .. }), "{error}");
    assert_eq!(info.code, "storage_error");
    // Once "storage failure", naming the store operation and the app's exception.
    assert_eq!(
        info.detail,
        "storage failure: the token store's load failed: the app's callback raised \
         IOError: disk on fire"
    );
}

/// A listener that records the events and then fails.
struct FailingListener(Mutex<Vec<String>>);

impl SessionListener for FailingListener {
    fn on_event(&self, event: SessionEvent) -> Result<(), CallbackError> {
        let name = match event {
            SessionEvent::SignedIn => "signed_in",
            SessionEvent::Refreshed => "refreshed",
            SessionEvent::SignedOut => "signed_out",
            SessionEvent::ReauthenticationRequired => "reauthentication_required",
        };
        self.0.lock().expect("not poisoned").push(name.to_owned());
        Err(UnexpectedUniFFICallbackError::new("listener bug").into())
    }
}

#[tokio::test]
async fn a_failing_listener_does_not_fail_the_session() {
    let emulator = Emulator::start(upbond_emulator::Config::default())
        .await
        .expect("emulator starts");
    let service = config(
        emulator.issuer(),
        "demo-service",
        Some("demo-service-secret"),
    );
    let client = Client::new(service).expect("valid config");
    let tokens = client.client_credentials(vec![]).await.expect("tokens");
    let session = Session::in_memory(Arc::clone(&client));
    let listener = Arc::new(FailingListener(Mutex::new(Vec::new())));
    session.set_listener(Some(Arc::clone(&listener) as Arc<dyn SessionListener>));
    session
        .sign_in(tokens)
        .await
        .expect("sign-in despite the listener");
    session
        .sign_out()
        .await
        .expect("sign-out despite the listener");
    assert_eq!(
        *listener.0.lock().expect("not poisoned"),
        ["signed_in", "signed_out"]
    );
}

#[tokio::test]
async fn a_cancel_token_stops_device_polling() {
    let emulator = Emulator::start(upbond_emulator::Config::default())
        .await
        .expect("emulator starts");
    let client = Client::new(config(emulator.issuer(), "demo-app", None)).expect("valid config");
    let device = client
        .start_device_authorization(vec![])
        .await
        .expect("device authorization");
    let cancel = CancelToken::new();
    let trigger = Arc::clone(&cancel);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let Err(error) = client.poll_device_authorization(device, Some(cancel)).await else {
        panic!("polling ended without an error");
    };
    assert_eq!(error.info().code, "cancelled");
    // The first poll waits the 5 s interval: cancelling must not wait for it.
    assert!(started.elapsed() < Duration::from_secs(4));
}
