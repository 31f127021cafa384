//! `upbond doctor`: upbond-core's diagnosis of the configured issuer (DNS, TCP, TLS, discovery
//! with an exact issuer match, the endpoints upbond uses, PKCE S256, signing keys, clock skew,
//! response time), one pass / warn / fail line per check with its fix.

use serde_json::json;
use upbond_core::{CheckStatus, Config, DoctorReport};

use crate::config::Settings;
use crate::error::{CliError, Exit};
use crate::output::{Output, printable};

/// Client id used when none is configured: the checks make no client-specific call.
const ANONYMOUS_CLIENT: &str = "upbond-doctor";

/// Arguments of `upbond doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the core's checks and reports them all; any failure exits with status 7.
pub async fn run(_args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let issuer = settings.issuer()?;
    let client_id = settings.client_id().unwrap_or(ANONYMOUS_CLIENT);
    let report = upbond_core::doctor(Config::new(issuer, client_id)).await;
    show(&report, out);
    let checks = report.checks.len();
    let failed = count(&report, CheckStatus::Fail);
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::already_reported(
            Exit::DoctorFailed,
            "doctor_failed",
            format!("{failed} of {checks} checks failed"),
        ))
    }
}

fn count(report: &DoctorReport, status: CheckStatus) -> usize {
    report.checks.iter().filter(|c| c.status == status).count()
}

fn show(report: &DoctorReport, out: Output) {
    let ok = report.status() != CheckStatus::Fail;
    out.result(&json!({ "issuer": report.issuer, "ok": ok, "checks": report.checks }));
    if out.is_json() {
        return;
    }
    out.heading(&format!("Checking {}", report.issuer));
    for check in &report.checks {
        let label = match check.status {
            CheckStatus::Pass => out.green("pass"),
            CheckStatus::Warn => out.yellow("warn"),
            CheckStatus::Fail => out.red("fail"),
        };
        // Details quote what the issuer answered.
        out.say(format!(
            "  {label}  {:<14} {}",
            printable(&check.name),
            printable(&check.detail)
        ));
        if let Some(fix) = &check.fix {
            out.say(format!("        fix: {}", printable(fix)));
        }
    }
    out.say(format!(
        "Summary: {} checks, {} failed, {} with a warning",
        report.checks.len(),
        count(report, CheckStatus::Fail),
        count(report, CheckStatus::Warn)
    ));
}
