//! Session benchmarks against a local emulator: a cached `access_token` call (no network) and
//! 1000 concurrent callers on one refresh.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use upbond_core::{
    AuthorizationOptions, Client, Config, DEFAULT_MIN_TTL, MemoryStore, RateBudgets, Session,
    SessionRecord, TokenSet, TokenStore,
};
use upbond_emulator::Emulator;

/// A real login of the demo user.
async fn login(emulator: &Emulator, client: &Client) -> TokenSet {
    let (url, pending) = client
        .begin_authorization(AuthorizationOptions::default())
        .await
        .expect("authorization URL");
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_emulator/authorize", emulator.issuer()))
        .json(&json!({"url": url.as_str(), "email": "demo-user@example.com"}))
        .send()
        .await
        .expect("hook answers")
        .json()
        .await
        .expect("JSON");
    let callback = answer["redirect_url"].as_str().expect("redirect_url");
    client
        .complete_authorization(&pending, callback)
        .await
        .expect("login")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

fn sessions(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.enabled = false;
    let emulator = runtime.block_on(Emulator::start(config)).expect("emulator");
    let client = Client::new(Config {
        redirect_uri: Some("http://127.0.0.1/callback".into()),
        rate_budgets: RateBudgets::disabled(),
        ..Config::new(emulator.issuer(), "demo-app")
    })
    .expect("client");
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(client.clone(), store.clone());
    runtime.block_on(async {
        let tokens = login(&emulator, &client).await;
        session.sign_in(tokens).await.expect("sign in");
    });

    c.bench_function("access_token cached", |b| {
        b.to_async(&runtime)
            .iter(|| async { session.access_token(DEFAULT_MIN_TTL).await.expect("token") })
    });

    let mut group = c.benchmark_group("refresh");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("1000 concurrent callers, one refresh", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                // Untimed: a session whose stored access token has just expired.
                let bytes = store.load().expect("load").expect("record");
                let mut record = SessionRecord::from_bytes(&bytes).expect("record");
                record.expires_at = Some(now() - 1);
                store
                    .save(&record.to_bytes().expect("bytes"))
                    .expect("save");
                let expired = Session::new(client.clone(), store.clone());
                total += runtime.block_on(async {
                    let started = Instant::now();
                    let callers: Vec<_> = (0..1000)
                        .map(|_| {
                            let session = expired.clone();
                            tokio::spawn(async move { session.access_token(DEFAULT_MIN_TTL).await })
                        })
                        .collect();
                    for caller in callers {
                        caller.await.expect("task").expect("token");
                    }
                    started.elapsed()
                });
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
