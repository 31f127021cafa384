//! `upbond emulator` serves like the upbond-emulator binary: one `issuer:` line, then requests.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{run, upbond};

#[test]
fn prints_the_issuer_and_serves_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = upbond(dir.path())
        .args(["emulator", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let issuer = line
        .trim()
        .strip_prefix("issuer: ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let doc: serde_json::Value = rt.block_on(async {
        let url = format!("{issuer}/.well-known/openid-configuration");
        reqwest::get(url).await.unwrap().json().await.unwrap()
    });
    assert_eq!(doc["issuer"], issuer.as_str());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_seed_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed.toml");
    std::fs::write(&file, "this is not = = toml").unwrap();
    let (code, _, stderr) = run(upbond(dir.path()).args(["emulator", "--config"]).arg(&file));
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("error[invalid_emulator_config]"),
        "{stderr}"
    );
}
