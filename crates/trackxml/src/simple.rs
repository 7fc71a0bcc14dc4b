//! A scanner for the plain markup that makes up nearly all of a track file, so the event loop can skip
//! `quick-xml` for it.
//!
//! Why: a GPX file is hundreds of thousands of tiny elements (`<trkpt lat=".." lon=".."><ele>..</ele><time>..`),
//! and reading them through `quick-xml` was about half of the time of a 3,000-run archive import (profiled: its
//! tokenizer, its UTF-8 check of every piece of an input that is already checked `str`, and moving its events).
//! This scanner only finds where tags and text are; it hands back the very events `quick-xml` would give
//! (borrowed [`BytesStart`](quick_xml::events::BytesStart) content, raw text), and the event loop feeds them to
//! the same code that handles `quick-xml`'s events, so what the readers see is the same by construction.
//!
//! It accepts only what is unambiguous: start, empty and end tags whose names are plain name characters, end tags
//! written exactly as `</name>`, and text without `&`. Anything else (comments, CDATA, processing instructions,
//! references, odd spacing in end tags, `<` inside a tag, a cut-off file) makes it stop, and `quick-xml` reads
//! from there, with its own checks and messages. It only ever returns whole elements, so `quick-xml`'s stack of
//! open names never misses one.

/// One event found by [`scan`], by byte positions in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simple {
    /// `<name ...>` or `<name .../>`: the content between `<` and `>` (without a closing `/`) is
    /// `src[start + 1..content_end]`; the first `name_len` bytes are the name.
    Start { start: usize, content_end: usize, name_len: usize, empty: bool },
    /// `</name>` starting at `start`.
    End { start: usize },
    /// Text `src[start..end]` (never empty, never holding `&` or `<`).
    Text { start: usize, end: usize },
}

impl Simple {
    /// Where the event starts in the document.
    pub(crate) fn start(&self) -> usize {
        match *self {
            Simple::Start { start, .. } | Simple::End { start } | Simple::Text { start, .. } => start,
        }
    }
}

/// Why [`scan`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// At the end tag of the element the scan started in, or at the event limit after a whole child: `quick-xml`
    /// reads on from the end of what was found, and a scan may follow at once.
    Done,
    /// At something only `quick-xml` should read (or the end of the input); the scan looked at bytes up to this
    /// position. The caller lets `quick-xml` read past it before scanning again, so no byte is looked at by two
    /// scans that found nothing: the work stays linear.
    Unusual(usize),
    /// The first child alone has more events than the limit: `quick-xml` reads its start tag (which ends here) and
    /// the next scan starts inside it. Each element costs at most one such scan of the limit's size.
    Enter(usize),
}

/// Deepest nesting inside one scanned element; deeper content is left to `quick-xml` (no track file nests like
/// that, and it keeps a crafted file from making the scan's own depth count matter).
const MAX_NESTING: usize = 32;

/// XML whitespace, as `quick-xml` ends a name on.
#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// Bytes accepted in a name: ASCII letters, digits, `_ - . :` and any non-ASCII byte (UTF-8 of a letter; the
/// input is valid UTF-8, so a name cut at an ASCII byte is whole). A table, as this runs for every byte of every
/// name (a fifth of the scan's time as a chain of comparisons).
static NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':') || !c.is_ascii();
        b += 1;
    }
    t
};

#[inline]
pub(crate) fn is_name_byte(b: u8) -> bool {
    NAME_BYTE[usize::from(b)]
}

/// Bytes that matter inside a tag: its end, quotes, and a `<` that should not be there.
static TAG_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'<' as usize] = true;
    t
};

/// Scans the children of an open element from `from` (a position where `quick-xml` would read text next), adding
/// events to `out` for whole children only (and the text between them), at most about `max_events`. Returns the
/// position after the last event added (`from` when none was) and why it stopped.
pub(crate) fn scan(src: &str, from: usize, max_events: usize, out: &mut Vec<Simple>) -> (usize, Stop) {
    let b = src.as_bytes();
    let mut pos = from;
    // Events and position after the last whole child (or text between children).
    let mut committed = (out.len(), from);
    let mut depth = 0usize;
    // Where the start tag of the child being scanned ends.
    let mut first_tag_end = from;
    let mut names: [(usize, usize); MAX_NESTING] = [(0, 0); MAX_NESTING];
    // Text up to the next `<`, then the markup there.
    while let Some(lt) = memchr::memchr(b'<', &b[pos..]).map(|i| pos + i) {
        if lt > pos {
            if memchr::memchr(b'&', &b[pos..lt]).is_some() {
                out.truncate(committed.0);
                return (committed.1, Stop::Unusual(lt));
            }
            out.push(Simple::Text { start: pos, end: lt });
            if depth == 0 {
                committed = (out.len(), lt);
            }
        }
        let Some(&next) = b.get(lt + 1) else { break };
        if next == b'/' {
            // `</name>` exactly.
            let name_start = lt + 2;
            let mut i = name_start;
            while i < b.len() && is_name_byte(b[i]) {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if depth == 0 {
                // The end of the element the scan started in: quick-xml closes it.
                out.truncate(committed.0);
                return (committed.1, Stop::Done);
            }
            let (open_start, open_len) = names[depth - 1];
            if b[i] != b'>' || b[name_start..i] != b[open_start..open_start + open_len] {
                out.truncate(committed.0);
                return (committed.1, Stop::Unusual(lt));
            }
            depth -= 1;
            out.push(Simple::End { start: lt });
            pos = i + 1;
            if depth == 0 {
                committed = (out.len(), pos);
                if out.len() >= max_events {
                    return (committed.1, Stop::Done);
                }
            }
        } else if is_name_byte(next) {
            let name_start = lt + 1;
            let mut i = name_start;
            while i < b.len() && is_name_byte(b[i]) {
                i += 1;
            }
            let name_len = i - name_start;
            // The tag runs to the first `>` outside quotes, as quick-xml reads it.
            let mut quote = 0u8;
            let mut gt = None;
            let mut j = i;
            while j < b.len() {
                let c = b[j];
                if !TAG_BYTE[usize::from(c)] {
                    j += 1;
                    continue;
                }
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    }
                } else if c == b'>' {
                    gt = Some(j);
                    break;
                } else if c == b'"' || c == b'\'' {
                    quote = c;
                } else if c == b'<' {
                    out.truncate(committed.0);
                    return (committed.1, Stop::Unusual(lt));
                }
                j += 1;
            }
            let Some(gt) = gt else { break };
            // After the name: the end of the tag, `/>`, or whitespace before attributes.
            let after = b[i];
            let empty = gt > i && b[gt - 1] == b'/';
            let plain = after == b'>' || (after == b'/' && gt == i + 1) || is_space(after);
            if !plain || name_len == 0 {
                out.truncate(committed.0);
                return (committed.1, Stop::Unusual(lt));
            }
            let content_end = if empty { gt - 1 } else { gt };
            out.push(Simple::Start { start: lt, content_end, name_len, empty });
            pos = gt + 1;
            if depth == 0 {
                first_tag_end = pos;
            }
            if empty {
                if depth == 0 {
                    committed = (out.len(), pos);
                    if out.len() >= max_events {
                        return (committed.1, Stop::Done);
                    }
                }
            } else {
                if depth == MAX_NESTING {
                    out.truncate(committed.0);
                    return (committed.1, Stop::Unusual(lt));
                }
                names[depth] = (name_start, name_len);
                depth += 1;
            }
        } else {
            // `<!`, `<?`, or something that is not markup at all.
            out.truncate(committed.0);
            return (committed.1, Stop::Unusual(lt));
        }
        if depth > 0 && out.len() - committed.0 >= max_events {
            out.truncate(committed.0);
            if committed.1 > from {
                return (committed.1, Stop::Done);
            }
            // One child with more events than the limit: quick-xml opens it, and the scan goes on inside.
            return (committed.1, Stop::Enter(first_tag_end));
        }
    }
    // The input ends inside a child (or in text after the last one).
    out.truncate(committed.0);
    (committed.1, Stop::Unusual(b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(src: &str, from: usize) -> (Vec<Simple>, usize, Stop) {
        let mut out = Vec::new();
        let (end, stop) = scan(src, from, 1000, &mut out);
        (out, end, stop)
    }

    #[test]
    fn whole_children_and_the_text_between_them() {
        let src = "<seg>\n <pt a=\"1\"><ele>2</ele><x/></pt>\n</seg>";
        let (ev, end, stop) = events(src, 5);
        assert_eq!(stop, Stop::Done);
        assert_eq!(&src[end..], "</seg>");
        assert_eq!(ev.len(), 8, "{ev:?}");
        assert_eq!(ev[1], Simple::Start { start: 7, content_end: 16, name_len: 2, empty: false });
        assert!(matches!(ev[5], Simple::Start { empty: true, name_len: 1, .. }));
    }

    #[test]
    fn stops_before_anything_unusual_and_keeps_only_whole_children() {
        for (src, unusual_at) in [
            ("<a><b>1</b><c>x &amp; y</c></a>", "</c>"),
            ("<a><b>1</b><c><!-- hi --></c></a>", "<!--"),
            ("<a><b>1</b><c><![CDATA[x]]></c></a>", "<![CDATA"),
            ("<a><b>1</b><c>1</c ></a>", "</c >"),
            ("<a><b>1</b><c>1</d></a>", "</d>"),
            ("<a><b>1</b><c x=<1>1</c></a>", "<c x="),
        ] {
            let (ev, end, stop) = events(src, 3);
            assert_eq!(&src[end..end + 2], "<c", "{src}");
            assert_eq!(ev.len(), 3, "{src}: {ev:?}");
            assert_eq!(stop, Stop::Unusual(src.find(unusual_at).expect("marker")), "{src}");
        }
    }

    #[test]
    fn a_cut_off_child_is_left_to_quick_xml() {
        let src = "<a><b>1</b><c>12";
        let (ev, end, stop) = events(src, 3);
        assert_eq!((ev.len(), &src[end..], stop), (3, "<c>12", Stop::Unusual(src.len())));
    }

    #[test]
    fn the_event_limit_ends_a_scan_after_a_whole_child() {
        let src = "<a><b><c>1</c><c>2</c><c>3</c></b><d/><d/><d/><d/></a>";
        let mut out = Vec::new();
        let (end, stop) = scan(src, 3, 4, &mut out);
        assert!(out.is_empty());
        assert_eq!((end, stop), (3, Stop::Enter(6)), "one child over the limit is opened by quick-xml");
        let from = src.find("<d/>").expect("d");
        let (end2, stop) = scan(src, from, 2, &mut out);
        assert_eq!((out.len(), &src[end2..], stop), (2, "<d/><d/></a>", Stop::Done));
    }
}
