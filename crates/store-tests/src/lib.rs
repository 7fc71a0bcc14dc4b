//! The conformance suite of the [`Store`](runtall_store::Store) boundary: what every implementation must do, written
//! once against the traits so the embedded SQLite store and a PostgreSQL store for a clinic server (issue 19) are
//! held to the same contract.
//!
//! A backend implements [`Backend`] (make an empty database, open a second connection to it) and expands
//! [`conformance_suite!`] in one of its test files, which gives one `#[test]` per case, so a failure names the case.
//! The cases only use the [`Database`](runtall_store::Database) and [`Store`](runtall_store::Store) traits: they
//! create their own athletes (never assuming the local one exists), compare what comes back rather than how it is
//! stored, and assert the counter rules (the journal revision) as "grows" and "stays", not as exact numbers.
//! `docs/storage.md` explains the contract in words.

pub mod accounts;
pub mod bulk;
pub mod cases;
pub mod fixtures;
pub mod pg_profile;

use runtall_store::Database;

/// A store implementation under test.
pub trait Backend {
    /// A database with its own connection. Handles must be sendable: the suite writes from several threads.
    type Db: Database<Store: Send + 'static> + Send + Sync + 'static;

    /// A new, empty database for one case (an implementation may create athletes of its own; the cases never
    /// read them).
    fn fresh(&self) -> Self::Db;

    /// Another connection to the same database, as a second program or another pooled connection holds it.
    fn connect(&self, db: &Self::Db) -> Self::Db;
}

/// Expands to one `#[test]` per conformance case, each running on a backend made by `$backend` (an expression
/// evaluated once per test).
///
/// ```ignore
/// runtall_store_tests::conformance_suite!(SqliteFiles::new());
/// ```
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr) => {
        $crate::conformance_suite!(@cases $backend;
            athletes_are_listed_and_unknown_ones_are_not_found,
            the_profile_is_one_per_athlete_and_replaced_by_saving,
            screens_keep_their_history_and_the_clinician_check,
            assessments_and_plans_keep_history_and_plans_name_only_the_athletes_records,
            activities_round_trip_with_their_list_fields,
            duplicates_are_recognised_within_one_athlete_only,
            partial_copies_are_one_recording_and_a_better_copy_replaces_in_place,
            a_batch_stores_in_order_labels_against_earlier_runs_and_reports_duplicates,
            activity_filters_and_run_summaries,
            classification_and_the_label_pass_belong_to_one_athlete,
            pain_reports_and_day_logs_round_trip_and_delete,
            deleting_a_run_keeps_its_pain_reports_unlinked,
            run_context_is_kept_only_for_the_athletes_runs,
            a_journal_import_matches_keys_links_later_runs_and_skips_duplicates,
            a_bad_journal_line_keeps_nothing_of_the_import,
            a_run_imported_with_encoded_samples_keeps_them_byte_for_byte,
            sessions_break_events_lessons_and_settings,
            one_experiment_is_active_per_athlete,
            posture_checks_round_trip_and_delete,
            the_revision_counts_the_athletes_own_changes_only,
            delete_all_empties_one_athlete_and_no_other,
            another_athletes_ids_behave_as_missing_everywhere,
            writers_on_two_connections_and_threads_lose_nothing,
            program_changes_are_kept_once_per_key_in_time_order,
            comments_on_runs_and_reports_are_kept_once_per_key,
            the_audit_log_is_the_athletes_own_and_read_by_window,
            delete_all_removes_the_clinic_records_of_one_athlete,
            one_change_sent_twice_at_once_is_stored_once,
        );
    };
    (@cases $backend:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let backend = $backend;
                $crate::cases::$case(&backend);
            }
        )*
    };
}

/// Expands to one `#[test]` per case of the clinic server's accounts ([`accounts`]), for a backend whose database
/// also implements [`runtall_store::accounts::Accounts`].
#[macro_export]
macro_rules! accounts_suite {
    ($backend:expr) => {
        $crate::accounts_suite!(@cases $backend;
            accounts_are_unique_by_email_in_any_case_and_athletes_own_one_athlete,
            sessions_expire_and_end_one_or_all_at_once,
            a_session_and_its_account_come_together_seen_at_most_once_a_minute,
            invitations_link_once_and_the_athlete_revokes,
            device_tokens_name_their_athlete_until_revoked,
            reset_codes_are_single_use_and_expire,
            expired_secrets_are_purged_and_live_ones_kept,
            deleting_an_account_ends_everything_it_held,
            the_dashboard_state_is_the_clinicians_current_athletes_and_nobody_elses,
            the_dashboard_version_moves_with_what_the_dashboard_shows_and_only_that,
            a_clinicians_view_of_an_athlete_comes_with_the_link_check_and_nothing_without_it,
        );
    };
    (@cases $backend:expr; $($case:ident),* $(,)?) => {
        mod accounts {
            use super::*;
            $(
                #[test]
                fn $case() {
                    let backend = $backend;
                    $crate::accounts::$case(&backend);
                }
            )*
        }
    };
}
