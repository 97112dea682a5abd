//! Reading data out of a `serde_json::Value`, field by field, each problem at its path
//! (`tasks[2].steps[3].ms: invalid value: integer `-5`, expected u64`), in serde's words.
//!
//! Scenarios and lessons are read this way rather than through serde's derive: their
//! tagged and many-shaped parts would otherwise bring derived deserializers and
//! `serde_path_to_error` into the page (about 17 kB gzipped), and the page has the
//! `Value` parser anyway.

use super::ScenarioError;
use serde_json::{Map, Value};

/// `v` described as serde describes an unexpected value: ``integer `5` ``, `string "x"`.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// The fields a thing takes, for the error about one it does not: "expected `mutex`",
/// "expected `mutex` or `key`", "expected one of `a`, `b`, `c`".
pub(crate) fn expected(fields: &[&str]) -> String {
    match fields {
        [] => "there are none".to_string(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        _ => format!("expected one of {}", fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// The error for a name that is none of `names` (an `op`, a `kind`).
pub(crate) fn unknown_variant(path: String, name: &str, names: &[&str]) -> ScenarioError {
    ScenarioError::new(path, format!("unknown variant `{name}`, {}", expected(names)))
}

/// A JSON object being read, with its path.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    /// Where it is (empty for the document itself).
    pub(crate) path: String,
}

impl<'a> Obj<'a> {
    /// `v` as an object whose fields are all in `known` (else the first other one is the
    /// error, at its path). `what` names it in a type error ("struct Scenario").
    pub(crate) fn new(v: &'a Value, path: &str, what: &str, known: &[&str]) -> Result<Obj<'a>, ScenarioError> {
        let Value::Object(map) = v else {
            return Err(ScenarioError::new(path, format!("invalid type: {}, expected {what}", describe(v))));
        };
        let obj = Obj { map, path: path.to_string() };
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ScenarioError::new(obj.at(k), format!("unknown field `{k}`, {}", expected(known))));
        }
        Ok(obj)
    }

    /// The path of field `key`.
    pub(crate) fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Field `key`, if present and not `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Field `key` as it is, `null` included (for a value that may be `null`).
    pub(crate) fn get_raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// Whether field `key` is there (even as `null`).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The error for a missing field.
    pub(crate) fn missing(&self, key: &str) -> ScenarioError {
        ScenarioError::new(self.path.clone(), format!("missing field `{key}`"))
    }

    fn wrong(&self, key: &str, v: &Value, what: &str) -> ScenarioError {
        ScenarioError::new(self.at(key), format!("invalid type: {}, expected {what}", describe(v)))
    }

    /// A string field, if present.
    pub(crate) fn opt_string(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, v, "a string")),
        }
    }

    /// A string field that must be there.
    pub(crate) fn string(&self, key: &str) -> Result<String, ScenarioError> {
        self.opt_string(key)?.ok_or_else(|| self.missing(key))
    }

    /// A whole number field from 0 to `max` (serde's `u64` or `u32`, named `ty`), if present.
    fn opt_unsigned(&self, key: &str, max: u64, ty: &str) -> Result<Option<u64>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match (v.as_u64(), v.as_i64()) {
                (Some(n), _) if n <= max => Ok(Some(n)),
                (Some(n), _) => {
                    Err(ScenarioError::new(self.at(key), format!("invalid value: integer `{n}`, expected {ty}")))
                }
                (None, Some(n)) => {
                    Err(ScenarioError::new(self.at(key), format!("invalid value: integer `{n}`, expected {ty}")))
                }
                _ => Err(self.wrong(key, v, ty)),
            },
        }
    }

    /// A `u64` field, if present.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, ScenarioError> {
        self.opt_unsigned(key, u64::MAX, "u64")
    }

    /// A `u32` field, if present.
    pub(crate) fn opt_u32(&self, key: &str) -> Result<Option<u32>, ScenarioError> {
        Ok(self.opt_unsigned(key, u64::from(u32::MAX), "u32")?.map(|n| n as u32))
    }

    /// An `i64` field, if present.
    pub(crate) fn opt_i64(&self, key: &str) -> Result<Option<i64>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) => Ok(Some(n)),
                None if v.is_u64() => {
                    Err(ScenarioError::new(self.at(key), format!("invalid value: {}, expected i64", describe(v))))
                }
                None => Err(self.wrong(key, v, "i64")),
            },
        }
    }

    /// A boolean field, if present.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| self.wrong(key, v, "a boolean")),
        }
    }

    /// A list field, if present.
    pub(crate) fn opt_list(&self, key: &str) -> Result<Option<&'a [Value]>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.wrong(key, v, "a sequence")),
        }
    }
}
