//! Strava's `activities.csv`: which name and type the runner gave each exported file.
//!
//! A small RFC 4180 reader instead of the `csv` crate: we need three columns of one file, and the
//! quirks that matter (quoted fields with commas, doubled quotes and line breaks inside
//! descriptions, a BOM, CRLF, repeated column names in newer exports) fit in a page.

use std::collections::HashMap;

use crate::types::EntryMeta;

/// Split CSV text into records of fields.
pub(crate) fn parse_records(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            // A quote opens a quoted field only at its start; elsewhere it is a literal character.
            '"' if field.is_empty() => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Why the index could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexError(pub String);

/// Read the index into a map from the file's path inside the export (as written in the
/// `Filename` column, e.g. `activities/123.fit.gz`) to its name and type.
pub(crate) fn strava_index(text: &str) -> Result<HashMap<String, EntryMeta>, IndexError> {
    let mut records = parse_records(text).into_iter();
    let header = records.next().ok_or_else(|| IndexError("the file is empty".into()))?;
    // Newer exports repeat some column names ("Distance", "Elapsed Time"): the first one wins.
    let col = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let file_col = col("Filename").ok_or_else(|| IndexError("it has no Filename column".into()))?;
    let name_col = col("Activity Name");
    let type_col = col("Activity Type");
    let mut map = HashMap::new();
    for r in records {
        let Some(file) = r.get(file_col).map(|f| f.trim()).filter(|f| !f.is_empty()) else { continue };
        let get = |c: Option<usize>| c.and_then(|c| r.get(c)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        map.insert(normalize(file), EntryMeta { name: get(name_col), activity_type: get(type_col) });
    }
    Ok(map)
}

/// Compare paths the way the export writes them: forward slashes, no leading `./` or `/`.
pub(crate) fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.trim_start_matches("./").trim_start_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_line_breaks() {
        let text = "\u{feff}a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\nand left\"\r\n2,,\n";
        let r = parse_records(text);
        assert_eq!(r.len(), 3);
        assert_eq!(r[1], vec!["1", "x, y", "he said \"hi\"\nand left"]);
        assert_eq!(r[2], vec!["2", "", ""]);
        assert_eq!(parse_records("a\"b,c\n")[0], vec!["a\"b", "c"]);
    }

    #[test]
    fn strava_columns() {
        let text = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename,Distance\n\
                    123,\"Jan 1, 2024, 7:00:00 AM\",Morning Run,Run,\"legs, tired\",3600,10.0,activities/123.fit.gz,10000\n\
                    124,\"Jan 2, 2024\",Yoga,Yoga,,600,0,,0\n";
        let m = strava_index(text).expect("index");
        assert_eq!(m.len(), 1);
        let e = &m["activities/123.fit.gz"];
        assert_eq!(e.name.as_deref(), Some("Morning Run"));
        assert_eq!(e.activity_type.as_deref(), Some("Run"));
        assert!(strava_index("a,b\n1,2\n").is_err());
    }
}
