//! The cases, one public function each, grouped by what they cover. Each takes a [`Backend`] and panics with a
//! message saying which rule broke.

mod activities;
mod athletes;
mod clinic;
mod companion;
mod journal;
mod records;

pub use activities::*;
pub use athletes::*;
pub use clinic::*;
pub use companion::*;
pub use journal::*;
pub use records::*;

use crate::Backend;
use runtall_store::{AddOutcome, Database, Store};

/// A fresh database with two new athletes and a handle for each.
fn two<B: Backend>(backend: &B) -> (B::Db, <B::Db as Database>::Store, <B::Db as Database>::Store) {
    let db = backend.fresh();
    let ana = db.create_athlete("Ana").expect("create Ana");
    let ben = db.create_athlete("Ben").expect("create Ben");
    assert_ne!(ana, ben, "two athletes, two ids");
    let (a, b) = (db.athlete(ana).expect("Ana's handle"), db.athlete(ben).expect("Ben's handle"));
    assert_eq!((a.athlete_id(), b.athlete_id()), (ana, ben), "a handle knows whose it is");
    (db, a, b)
}

/// The id of an activity that must be new.
fn added(store: &dyn Store, a: &runtall_domain::activity::Activity) -> i64 {
    match store.add_activity(a, None).expect("add activity") {
        AddOutcome::Added { id } => id,
        other => panic!("{} was not added: {other:?}", a.source.content_hash),
    }
}
