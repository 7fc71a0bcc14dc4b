use std::fmt;

/// A value a runner supplied is unusable. Names the field and the allowed range so the message can be acted on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl InputError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { field: field.into(), message: message.into() }
    }
}

/// Checks a number lies in an inclusive range, naming the field and the range on failure.
pub fn check_range<T>(field: &str, value: T, min: T, max: T) -> Result<T, InputError>
where
    T: PartialOrd + fmt::Display + Copy,
{
    if value < min || value > max {
        Err(InputError::new(field, format!("{value} is out of range (allowed {min}–{max})")))
    } else {
        Ok(value)
    }
}

/// Like [`check_range`] for floats, also refusing NaN and infinities.
pub fn check_range_f(field: &str, value: f64, min: f64, max: f64) -> Result<f64, InputError> {
    if !value.is_finite() {
        return Err(InputError::new(field, format!("{value} is not a number (allowed {min}–{max})")));
    }
    check_range(field, value, min, max)
}
