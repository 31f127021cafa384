//! `upbond demo` end to end: every step runs against the in-process emulator and is reported.

mod common;

use common::{assert_no_jwt, json, run, upbond};

const STEPS: [&str; 11] = [
    "Start emulator",
    "Discovery",
    "Device login",
    "Userinfo",
    "Refresh",
    "Browser login (PKCE)",
    "Client credentials",
    "Documented error",
    "Social login error",
    "Revoke",
    "Sign-out",
];

#[test]
fn demo_walks_every_flow_and_reports_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).arg("demo"));
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    for step in STEPS {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("✓") && l.contains(step)),
            "step {step} not reported:\n{stdout}"
        );
    }
    assert!(stdout.contains("and enter the code: "), "{stdout}");
    assert!(stdout.contains('█'), "no QR code:\n{stdout}");
    assert!(
        stdout.contains("EMAIL_007") && stdout.contains("KOE101"),
        "{stdout}"
    );
    assert!(stdout.contains("All 11 steps passed"), "{stdout}");
    assert_no_jwt(&stdout);
    assert_no_jwt(&stderr);
    assert!(!stdout.contains("demo-service-secret"));
}

#[test]
fn demo_json_lists_the_steps() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["demo", "--json"]));
    assert_eq!(code, 0, "stderr:\n{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["ok"], true);
    assert!(
        doc["issuer"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let steps = doc["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, STEPS);
    assert!(
        steps
            .iter()
            .all(|s| s["ms"].is_u64() && s["detail"].is_string())
    );
    // The device prompt went to stderr, keeping stdout one JSON document.
    assert!(stderr.contains("and enter the code: "), "{stderr}");
    assert_no_jwt(&stdout);
}
