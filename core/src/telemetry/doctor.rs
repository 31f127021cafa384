//! The doctor: diagnoses the configured issuer step by step (DNS, TCP, TLS, discovery and
//! issuer match, endpoints, PKCE, JWKS, clock skew, response time), each check with a status
//! and a fix.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;
use url::Url;

use crate::http::{Operation, innermost_cause};
use crate::{Client, Config, Error, NetworkErrorKind, ProviderMetadata};

/// Skew up to this is normal.
const SKEW_OK_SECS: i64 = 5;
/// Answers slower than this get a warning, and ten times this a failure.
const SLOW: Duration = Duration::from_secs(1);

/// The result of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Works, but worth fixing.
    Warn,
    /// Broken: sign-ins will fail.
    Fail,
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        })
    }
}

/// One diagnosis step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DoctorCheck {
    /// `configuration`, `dns`, `tcp`, `tls`, `discovery`, `endpoints`, `pkce`, `jwks`,
    /// `clock_skew` or `response_time`.
    pub name: String,
    /// The verdict.
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// What to do, for a warning or failure.
    pub fix: Option<String>,
}

/// Every check that ran, in order; later checks are skipped when an earlier one they
/// depend on failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    /// The issuer diagnosed.
    pub issuer: String,
    /// The checks in the order they ran.
    pub checks: Vec<DoctorCheck>,
}

impl DoctorReport {
    /// The worst status of all checks.
    pub fn status(&self) -> CheckStatus {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(CheckStatus::Pass)
    }

    /// The check with this name, if it ran.
    pub fn check(&self, name: &str) -> Option<&DoctorCheck> {
        self.checks.iter().find(|c| c.name == name)
    }

    fn add(&mut self, name: &str, status: CheckStatus, detail: String, fix: Option<&str>) {
        self.checks.push(DoctorCheck {
            name: name.to_owned(),
            status,
            detail,
            fix: fix.map(str::to_owned),
        });
    }

    fn pass(&mut self, name: &str, detail: String) {
        self.add(name, CheckStatus::Pass, detail, None);
    }

    fn fail(&mut self, name: &str, detail: String, fix: &str) {
        self.add(name, CheckStatus::Fail, detail, Some(fix));
    }

    fn warn(&mut self, name: &str, detail: String, fix: &str) {
        self.add(name, CheckStatus::Warn, detail, Some(fix));
    }

    /// Fails a check with the error, and the catalog's first resolution step as the fix.
    fn fail_with(&mut self, name: &str, error: &Error) {
        let fix = error
            .resolution()
            .first()
            .copied()
            .unwrap_or("See the error code.");
        self.fail_with_fix(name, error, fix);
    }

    /// Fails a check with the error and a fix specific to this check.
    fn fail_with_fix(&mut self, name: &str, error: &Error, fix: &str) {
        let detail = format!("{} ({})", error.message(), error.code());
        self.fail(name, detail, fix);
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "doctor for {}: {}", self.issuer, self.status())?;
        for c in &self.checks {
            writeln!(f, "[{}] {}: {}", c.status, c.name, c.detail)?;
            if let Some(fix) = &c.fix {
                writeln!(f, "       fix: {fix}")?;
            }
        }
        Ok(())
    }
}

/// Diagnoses `config`'s issuer; an invalid configuration is reported as a failed check.
pub async fn doctor(config: Config) -> DoctorReport {
    let issuer = config.issuer.clone();
    match Client::new(config) {
        Ok(client) => client.doctor().await,
        Err(error) => {
            let mut report = DoctorReport {
                issuer,
                checks: Vec::new(),
            };
            report.fail_with("configuration", &error);
            report
        }
    }
}

impl Client {
    /// Diagnoses the configured issuer: DNS resolution, TCP and TLS connect, discovery and
    /// issuer match, the endpoints this SDK uses, PKCE S256, JWKS, clock skew against the
    /// server and response times. Single attempts, no retries; the discovery cache is not used.
    pub async fn doctor(&self) -> DoctorReport {
        let config = self.config();
        let mut report = DoctorReport {
            issuer: config.issuer.clone(),
            checks: Vec::new(),
        };
        let Ok(url) = Url::parse(&config.issuer) else {
            report.fail(
                "configuration",
                "the issuer is not a URL".into(),
                "Set the issuer URL from the UPBOND console.",
            );
            return report;
        };
        let Some(addrs) = resolve(&mut report, &url, config.connect_timeout).await else {
            return report;
        };
        if !connect(&mut report, &addrs, config.connect_timeout).await {
            return report;
        }
        let started = Instant::now();
        let discovery = self.fetch_discovery(&url).await;
        let discovery_time = started.elapsed();
        match &discovery {
            // No HTTP answer: TLS cannot be judged unless it is what failed.
            Err(e @ Error::Network { kind, .. }) => {
                let name = if *kind == NetworkErrorKind::Tls {
                    "tls"
                } else {
                    "discovery"
                };
                report.fail_with(name, e);
                return report;
            }
            _ if url.scheme() == "https" => {
                report.pass("tls", "TLS handshake and certificate check passed".into());
            }
            _ => report.pass(
                "tls",
                "plain http on a loopback host: no TLS to check".into(),
            ),
        }
        let metadata = match discovery {
            Ok(metadata) => metadata,
            Err(Error::IssuerMismatch { expected, found }) => {
                report.fail(
                    "discovery",
                    format!("the discovery document names the issuer {found:?}, configured is {expected:?}"),
                    &format!("Set the issuer to exactly {found:?} (a trailing slash counts)."),
                );
                return report;
            }
            Err(error) => {
                report.fail_with_fix(
                    "discovery",
                    &error,
                    &format!(
                        "No usable OpenID discovery document under {}/.well-known/openid-configuration: \
                         check the issuer URL (path, trailing slash, environment).",
                        config.issuer
                    ),
                );
                return report;
            }
        };
        report.pass(
            "discovery",
            "discovery document found; its issuer matches exactly".into(),
        );
        check_endpoints(&mut report, &metadata);
        check_pkce(&mut report, &metadata);
        let started = Instant::now();
        self.check_jwks(&mut report, &metadata).await;
        let slowest = discovery_time.max(started.elapsed());
        self.check_skew(&mut report);
        check_response_time(&mut report, slowest);
        report
    }

    async fn fetch_discovery(&self, issuer: &Url) -> Result<ProviderMetadata, Error> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.as_str().trim_end_matches('/')
        );
        let url = Url::parse(&url).map_err(|e| Error::Config(format!("bad issuer URL: {e}")))?;
        let transport = self.transport();
        let raw = transport
            .send(transport.get(&url), Operation::Diagnosis)
            .await?
            .into_json()?;
        ProviderMetadata::from_json(raw, &self.config().issuer)
    }

    async fn check_jwks(&self, report: &mut DoctorReport, metadata: &ProviderMetadata) {
        let transport = self.transport();
        let keys = async {
            let url = ProviderMetadata::require(&metadata.jwks_uri, "a JWKS (jwks_uri)")?;
            let raw = transport
                .send(transport.get(url), Operation::Diagnosis)
                .await?
                .into_json()?;
            crate::parse_jwks(&raw)
        };
        match keys.await {
            Ok(set) if set.keys.is_empty() => report.fail(
                "jwks",
                "the key set is empty".into(),
                "Publish the issuer's signing keys at its jwks_uri.",
            ),
            Ok(set) => report.pass(
                "jwks",
                format!("{} signing key(s) published", set.keys.len()),
            ),
            Err(error) => report.fail_with("jwks", &error),
        }
    }

    fn check_skew(&self, report: &mut DoctorReport) {
        const FIX: &str = "Synchronise this device's clock (automatic time / NTP); \
                           the server's clock may be off too.";
        let leeway = i64::try_from(self.config().clock_leeway.as_secs()).unwrap_or(i64::MAX);
        match self.clock_skew() {
            None => report.add(
                "clock_skew",
                CheckStatus::Warn,
                "the server sent no Date header; skew unknown".into(),
                Some("Make the issuer (or its proxy) send a Date header."),
            ),
            Some(skew) if skew.abs() <= SKEW_OK_SECS => {
                report.pass("clock_skew", format!("{skew:+} s against the server"));
            }
            Some(skew) => {
                let status = if skew.abs() <= leeway {
                    CheckStatus::Warn
                } else {
                    CheckStatus::Fail
                };
                let detail = format!(
                    "this clock is {} s {} the server's (tolerance {leeway} s)",
                    skew.abs(),
                    if skew > 0 { "behind" } else { "ahead of" }
                );
                report.add("clock_skew", status, detail, Some(FIX));
            }
        }
    }
}

/// Resolves the issuer host; IP literals need no lookup.
async fn resolve(
    report: &mut DoctorReport,
    url: &Url,
    timeout: Duration,
) -> Option<Vec<SocketAddr>> {
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    let port = url.port_or_known_default().unwrap_or(443);
    if let Ok(ip) = host.parse::<IpAddr>() {
        report.pass("dns", format!("{ip} is an IP address: no lookup needed"));
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    let lookup = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await;
    match lookup {
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            report.pass("dns", format!("{host} resolves to {}", shown.join(", ")));
            Some(addrs)
        }
        Ok(Err(e)) => {
            report.fail(
                "dns",
                format!("{host} does not resolve: {}", innermost_cause(&e)),
                "Check the issuer host name for typos and that DNS works on this network.",
            );
            None
        }
        Err(_) => {
            report.fail(
                "dns",
                format!("resolving {host} took longer than {} s", timeout.as_secs()),
                "Check the DNS servers of this network.",
            );
            None
        }
    }
}

/// Opens a TCP connection to the first address that accepts one.
async fn connect(report: &mut DoctorReport, addrs: &[SocketAddr], timeout: Duration) -> bool {
    let mut last = String::from("no address to connect to");
    for addr in addrs {
        let started = Instant::now();
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => {
                let ms = started.elapsed().as_millis();
                report.pass("tcp", format!("connected to {addr} in {ms} ms"));
                return true;
            }
            Ok(Err(e)) => last = format!("{addr}: {}", innermost_cause(&e)),
            Err(_) => last = format!("{addr}: no answer within {} s", timeout.as_secs()),
        }
    }
    report.fail(
        "tcp",
        format!("cannot connect ({last})"),
        "Check that the issuer is up and that no firewall or proxy blocks the host and port.",
    );
    false
}

/// The endpoints this SDK uses: the token endpoint is essential, the others each enable
/// one feature.
fn check_endpoints(report: &mut DoctorReport, metadata: &ProviderMetadata) {
    if metadata.token_endpoint.is_none() {
        report.fail(
            "endpoints",
            "the discovery document lists no token_endpoint: no sign-in can complete".into(),
            "Check that the issuer URL is the OpenID provider's, and that its discovery \
             document publishes a token_endpoint.",
        );
        return;
    }
    let optional = [
        (
            &metadata.authorization_endpoint,
            "authorization_endpoint",
            "browser sign-in",
        ),
        (
            &metadata.device_authorization_endpoint,
            "device_authorization_endpoint",
            "device sign-in",
        ),
        (&metadata.userinfo_endpoint, "userinfo_endpoint", "userinfo"),
        (
            &metadata.revocation_endpoint,
            "revocation_endpoint",
            "token revocation at sign-out",
        ),
        (
            &metadata.end_session_endpoint,
            "end_session_endpoint",
            "browser sign-out",
        ),
    ];
    let missing: Vec<String> = optional
        .iter()
        .filter(|(endpoint, ..)| endpoint.is_none())
        .map(|(_, name, feature)| format!("{name} (no {feature})"))
        .collect();
    if missing.is_empty() {
        report.pass(
            "endpoints",
            "token, authorization, device authorization, userinfo, revocation and end session \
             endpoints are published"
                .into(),
        );
    } else {
        report.warn(
            "endpoints",
            format!("not published: {}", missing.join(", ")),
            "Enable these features for the issuer or client if the app needs them; calls that \
             need a missing endpoint fail with not_supported_by_issuer.",
        );
    }
}

/// PKCE: this SDK always sends an S256 challenge and refuses issuers that list other
/// methods only.
fn check_pkce(report: &mut DoctorReport, metadata: &ProviderMetadata) {
    let methods = &metadata.code_challenge_methods_supported;
    if methods.iter().any(|m| m == "S256") {
        report.pass("pkce", "PKCE with S256 is supported".into());
    } else if methods.is_empty() {
        report.warn(
            "pkce",
            "code_challenge_methods_supported is not published; S256 is assumed".into(),
            "Make the issuer list S256 in code_challenge_methods_supported, or check that it \
             accepts PKCE S256 (browser sign-ins fail otherwise).",
        );
    } else {
        report.fail(
            "pkce",
            format!("PKCE S256 is not supported (only {})", methods.join(", ")),
            "Enable PKCE with S256 for this issuer: browser sign-ins are refused without it.",
        );
    }
}

fn check_response_time(report: &mut DoctorReport, slowest: Duration) {
    let ms = slowest.as_millis();
    if slowest < SLOW {
        report.pass("response_time", format!("slowest answer {ms} ms"));
    } else {
        let status = if slowest < SLOW * 10 {
            CheckStatus::Warn
        } else {
            CheckStatus::Fail
        };
        report.add(
            "response_time",
            status,
            format!("slowest answer {ms} ms"),
            Some("Check the network path to the issuer (proxy, VPN, mobile data) and the issuer's status."),
        );
    }
}
