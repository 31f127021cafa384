//! `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.

use std::time::{Duration, SystemTime};

use reqwest::header::{DATE, HeaderMap, RETRY_AFTER};

/// Longest wait believed: a server asking for more (`u64::MAX` seconds, a date in 9999) is
/// broken, and an app must not add such a value to a clock or show it as "584 billion years".
const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The wait the server asked for, at most a day. An HTTP-date is measured against the
/// server's own `Date` header when present (so a skewed local clock does not distort it),
/// else against now.
pub(crate) fn parse(headers: &HeaderMap) -> Option<Duration> {
    requested(headers).map(|wait| wait.min(MAX_WAIT))
}

fn requested(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // delay-seconds beyond u64 (20 digits or more) is as absurd as u64::MAX.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let now = headers
        .get(DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .unwrap_or_else(SystemTime::now);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn seconds_and_dates() {
        assert_eq!(
            parse(&headers(&[("retry-after", "7".into())])),
            Some(Duration::from_secs(7))
        );
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = date + Duration::from_secs(120);
        let h = headers(&[
            ("date", httpdate::fmt_http_date(date)),
            ("retry-after", httpdate::fmt_http_date(later)),
        ]);
        assert_eq!(parse(&h), Some(Duration::from_secs(120)));
        let past = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT".into())]);
        assert_eq!(parse(&past), Some(Duration::ZERO));
        assert_eq!(parse(&headers(&[("retry-after", "soon".into())])), None);
        assert_eq!(parse(&headers(&[("retry-after", "-3".into())])), None);
        assert_eq!(parse(&HeaderMap::new()), None);
    }

    #[test]
    fn absurd_waits_are_capped_at_a_day() {
        for value in [
            u64::MAX.to_string(),
            "99999999999999999999999".into(),
            "31536000".into(),
            "Fri, 31 Dec 9999 23:59:59 GMT".into(),
        ] {
            let h = headers(&[("retry-after", value.clone())]);
            assert_eq!(parse(&h), Some(MAX_WAIT), "{value}");
        }
    }
}
