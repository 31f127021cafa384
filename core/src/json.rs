//! Lenient readers for JSON members: `null` is absent, wrong types are absent, unknown
//! members are ignored. Nothing here can panic on server input.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::error::Category;

use crate::Error;

/// Reads a `what` (e.g. "pending authorization") from JSON text this library wrote. A failure
/// is a storage error naming the problem, the field and the position, never the text's
/// values: they may be a PKCE verifier, a state or a token.
pub(crate) fn from_text<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| {
            let field = e.path().to_string();
            (e.into_inner(), Some(field))
        })
        .and_then(|value| reader.end().map(|()| value).map_err(|e| (e, None)));
    value.map_err(|(error, field)| {
        let problem = match error.classify() {
            Category::Syntax | Category::Io => "it is not valid JSON".to_owned(),
            Category::Eof => "the JSON text ends early".to_owned(),
            Category::Data => data_problem(&error, field.as_deref()),
        };
        Error::Storage(format!(
            "not a {what}: {problem} (line {}, column {})",
            error.line(),
            error.column()
        ))
    })
}

/// A data error in words: serde's "missing field" message names only a field of the type;
/// every other message may quote the value, so only the path is shown.
fn data_problem(error: &serde_json::Error, field: Option<&str>) -> String {
    let message = error.to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(|name| format!("missing field `{name}`"));
    match (missing, field) {
        (Some(text), _) => text,
        (None, Some(field)) if field != "." => {
            format!("`{field}` has the wrong type or an invalid value")
        }
        (None, _) => "the value has the wrong type or shape".to_owned(),
    }
}

/// A string member; `null`, missing or non-string is `None`.
pub(crate) fn string(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// A list of strings given as a JSON array (non-strings skipped) or a space-separated string.
pub(crate) fn strings(value: &Value, name: &str) -> Vec<String> {
    match value.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// A JWT NumericDate (RFC 7519 section 2): a JSON number of seconds, never a string; the
/// fraction is dropped. `Err` when the member is there with another type or is negative.
pub(crate) fn numeric_date(value: &Value, name: &str) -> Result<Option<u64>, ()> {
    match value.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(secs) if secs >= 0.0 => Ok(number_to_secs(secs)),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// A non-negative number of seconds as a JSON number or a numeric string ("3600", "3600.0").
/// Negative values count as zero; anything else is `None`.
pub(crate) fn seconds(value: &Value, name: &str) -> Option<u64> {
    match value.get(name)? {
        Value::Number(n) => number_to_secs(n.as_f64()?),
        Value::String(s) => number_to_secs(s.trim().parse::<f64>().ok()?),
        _ => None,
    }
}

fn number_to_secs(n: f64) -> Option<u64> {
    if !n.is_finite() {
        return None;
    }
    // Saturating float-to-int conversion: negative becomes 0, huge becomes u64::MAX.
    Some(n.max(0.0).floor() as u64)
}

/// A boolean given as `true`/`false` or as the strings "true"/"false".
pub(crate) fn boolean(value: &Value, name: &str) -> Option<bool> {
    match value.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_members() {
        let v = json!({"a": null, "n": 3600, "s": "120", "f": 12.7, "neg": -5, "bad": "soon",
                       "list": ["x", 1, "y"], "spaced": "x  y", "b": "TRUE", "o": {"k": 1}});
        assert_eq!(string(&v, "a"), None);
        assert_eq!(string(&v, "n"), None);
        assert_eq!(string(&v, "s").as_deref(), Some("120"));
        assert_eq!(seconds(&v, "n"), Some(3600));
        assert_eq!(seconds(&v, "s"), Some(120));
        assert_eq!(seconds(&v, "f"), Some(12));
        assert_eq!(seconds(&v, "neg"), Some(0));
        assert_eq!(seconds(&v, "bad"), None);
        assert_eq!(seconds(&v, "o"), None);
        assert_eq!(seconds(&v, "missing"), None);
        assert_eq!(strings(&v, "list"), ["x", "y"]);
        assert_eq!(strings(&v, "spaced"), ["x", "y"]);
        assert_eq!(boolean(&v, "b"), Some(true));
        assert_eq!(boolean(&v, "n"), None);
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // only read by serde
    struct Pair {
        key: String,
        number: u64,
    }

    #[test]
    fn text_errors_name_field_and_position_but_never_values() {
        let problem = |text: &str| from_text::<Pair>(text, "pair").unwrap_err().to_string();
        assert_eq!(
            problem(r#"{"key": "hunter2-secret", "number": "hunter3-secret"}"#),
            "storage failure: not a pair: `number` has the wrong type or an invalid value \
             (line 1, column 52)"
        );
        assert_eq!(
            problem(r#"{"key": "hunter2-secret"}"#),
            "storage failure: not a pair: missing field `number` (line 1, column 25)"
        );
        assert_eq!(
            problem(r#"{"key": hunter2-secret}"#),
            "storage failure: not a pair: it is not valid JSON (line 1, column 9)"
        );
        assert_eq!(
            problem(r#"{"key": "hunter2-secret""#),
            "storage failure: not a pair: the JSON text ends early (line 1, column 24)"
        );
        assert_eq!(
            problem(r#""hunter2-secret""#),
            "storage failure: not a pair: the value has the wrong type or shape (line 1, column 16)"
        );
        assert!(
            problem(r#"{"key": "k", "number": 1} "hunter2-secret""#).contains("not valid JSON")
        );
    }
}
