//! Shared by the development examples (`scenarios`, `diagnose`): settings to try, given as JSON over the defaults.

use runtall_insights::AnalysisConfig;

/// The default settings with the keys of `json` put over them (objects merged key by key), so a trial names only
/// what it changes (`'{"cutoffs":{"sitting_hours":7}}'`).
pub fn merged_config(json: &str) -> Result<AnalysisConfig, String> {
    fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
        match (base, over) {
            (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    merge(b.entry(k).or_insert(serde_json::Value::Null), v);
                }
            }
            (b, o) => *b = o,
        }
    }
    let mut base = serde_json::to_value(AnalysisConfig::default()).map_err(|e| e.to_string())?;
    let over: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    merge(&mut base, over);
    serde_json::from_value(base).map_err(|e| e.to_string())
}
