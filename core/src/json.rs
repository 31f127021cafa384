//! Lenient readers for JSON members: `null` is absent, wrong types are absent, unknown
//! members are ignored. Nothing here can panic on server input.

use serde_json::Value;

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
}
