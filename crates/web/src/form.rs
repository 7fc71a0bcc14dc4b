//! Form bodies as name/value pairs, with helpers that collect field-level errors.
//!
//! Parsed by hand rather than through serde: checkbox groups repeat a name (`regions=neck&regions=mid-back`),
//! and validation wants every bad field reported at once, by name, with the allowed range — not the first
//! deserializer error.

use crate::error::HttpError;
use axum::extract::{FromRequest, Request};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(bytes: &[u8]) -> FormData {
        FormData { pairs: form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// Every non-blank value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = HttpError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT)
            .await
            .map_err(|_| HttpError::bad("The form is too large."))?;
        Ok(FormData::parse(&bytes))
    }
}

/// Field errors collected while reading a form; empty means valid.
#[derive(Debug, Default, Clone)]
pub struct Errors(pub BTreeMap<String, String>);

impl Errors {
    pub fn add(&mut self, field: &str, msg: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| msg.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A number in `[min, max]`; blank is `None` (the caller decides whether it is required).
    pub fn number(&mut self, form: &FormData, field: &str, min: f64, max: f64, unit: &str) -> Option<f64> {
        let raw = form.get(field)?;
        match raw.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() && (min..=max).contains(&v) => Some(v),
            Ok(v) => {
                self.add(field, format!("{v} is out of range (allowed {min}–{max}{unit})"));
                None
            }
            Err(_) => {
                self.add(field, format!("'{raw}' is not a number (allowed {min}–{max}{unit})"));
                None
            }
        }
    }

    /// Like [`Errors::number`] but required.
    pub fn required(&mut self, form: &FormData, field: &str, min: f64, max: f64, unit: &str) -> Option<f64> {
        if form.get(field).is_none() {
            self.add(field, format!("required (allowed {min}–{max}{unit})"));
            return None;
        }
        self.number(form, field, min, max, unit)
    }

    pub fn into_http(self) -> HttpError {
        HttpError::Invalid(self.0)
    }
}

/// Parses a kebab-case enum value through serde, so ids stay exactly those of the domain types.
pub fn enum_id<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
}

/// The kebab-case id serde gives an enum value.
pub fn id_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A yes/no/unknown radio group: `yes`, `no`, or blank.
pub fn tri(form: &FormData, field: &str) -> Option<bool> {
    match form.get(field) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}
