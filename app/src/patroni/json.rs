//! Reading a key's value as JSON, with a warning that names the key when
//! the value is not what Patroni writes.

use serde_json::{Map, Value};

/// `text` as JSON; `None`, with a warning naming `key`, when it is not.
pub(crate) fn parse_json(key: &str, text: &str, warnings: &mut Vec<String>) -> Option<Value> {
    serde_json::from_str(text)
        .map_err(|e| warnings.push(format!("{key}: malformed JSON ({e})")))
        .ok()
}

/// `text` as a JSON object; `None`, with a warning naming `key`, when it is
/// malformed or another kind of JSON.
pub(crate) fn object(
    key: &str,
    text: &str,
    warnings: &mut Vec<String>,
) -> Option<Map<String, Value>> {
    as_object(key, parse_json(key, text, warnings)?, warnings)
}

pub(crate) fn as_object(
    key: &str,
    v: Value,
    warnings: &mut Vec<String>,
) -> Option<Map<String, Value>> {
    match v {
        Value::Object(map) => Some(map),
        _ => {
            warnings.push(format!("{key}: not a JSON object"));
            None
        }
    }
}
