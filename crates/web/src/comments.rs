//! A clinician's comments where the athlete reads them: on a run's page and on the report.

use maud::{Markup, html};
use runtall_domain::clinic::Comment;

/// The comments, oldest first, under a heading; nothing when there are none.
pub fn block(title: &str, comments: &[Comment]) -> Markup {
    html! {
        @if !comments.is_empty() {
            section class="card comments" aria-label=(title) {
                h2 { (title) }
                @for c in comments {
                    article class="comment" {
                        p class="muted" { strong { (c.by) } " · " (c.at.strftime("%Y-%m-%d %H:%M")) }
                        p { (c.text) }
                    }
                }
            }
        }
    }
}
