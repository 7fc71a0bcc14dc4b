//! The crate's single error type. Every variant names the field that was wrong so the CLI can point the runner (or
//! the journal line) at it.

/// Something the caller handed the engine cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InsightsError {
    /// A value is outside its allowed range or not a number.
    #[error("{field}: {value} is out of range (allowed {allowed})")]
    OutOfRange { field: String, value: String, allowed: String },
    /// A value is inconsistent with another value or with the state it is applied to.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

impl InsightsError {
    pub(crate) fn out_of_range(field: &str, value: impl ToString, allowed: &str) -> Self {
        InsightsError::OutOfRange { field: field.to_string(), value: value.to_string(), allowed: allowed.to_string() }
    }

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        InsightsError::Invalid { field: field.to_string(), reason: reason.into() }
    }
}

/// Checks a float is finite and within `[min, max]`.
pub(crate) fn check_f64(field: &str, value: f64, min: f64, max: f64) -> Result<f64, InsightsError> {
    if !value.is_finite() || value < min || value > max {
        return Err(InsightsError::out_of_range(field, value, &format!("{min}–{max}")));
    }
    Ok(value)
}

/// Checks a 0–10 rating.
pub(crate) fn check_rating(field: &str, value: u8) -> Result<u8, InsightsError> {
    if value > 10 {
        return Err(InsightsError::out_of_range(field, value, "0–10"));
    }
    Ok(value)
}
