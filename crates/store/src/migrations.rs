//! Versioned schema migrations, applied in order on open. `PRAGMA user_version` holds the applied version.
//! Never edit a released migration: add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: profile, screens, assessments, plans.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE profile (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        data       TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE screenings (
        id                   INTEGER PRIMARY KEY,
        taken_at             TEXT NOT NULL,
        level                TEXT,
        clinician_checked_at TEXT,
        data                 TEXT NOT NULL
    );
    CREATE INDEX screenings_taken_at ON screenings (taken_at);
    CREATE TABLE assessments (
        id       INTEGER PRIMARY KEY,
        taken_at TEXT NOT NULL,
        data     TEXT NOT NULL
    );
    CREATE TABLE plans (
        id            INTEGER PRIMARY KEY,
        created_at    TEXT NOT NULL,
        screening_id  INTEGER REFERENCES screenings (id) ON DELETE SET NULL,
        assessment_id INTEGER REFERENCES assessments (id) ON DELETE SET NULL,
        mode          TEXT NOT NULL,
        data          TEXT NOT NULL
    );
    "#,
    // 2: imported activities. Summary (incl. laps) as JSON, samples in the compact codec, a few indexed columns.
    r#"
    CREATE TABLE activities (
        id             INTEGER PRIMARY KEY,
        start_epoch    INTEGER NOT NULL,
        start_utc      TEXT NOT NULL,
        sport          TEXT NOT NULL,
        label          TEXT,
        distance_m     REAL NOT NULL,
        elapsed_s      REAL NOT NULL,
        moving_s       REAL NOT NULL,
        content_hash   TEXT NOT NULL UNIQUE,
        source_path    TEXT NOT NULL,
        format         TEXT NOT NULL,
        imported_at    TEXT NOT NULL,
        summary        TEXT NOT NULL,
        classification TEXT,
        samples        BLOB NOT NULL
    );
    CREATE INDEX activities_start ON activities (start_epoch);
    CREATE INDEX activities_label ON activities (label, start_epoch);
    "#,
    // 3: the journal: pain reports, daily context, run context.
    r#"
    CREATE TABLE pain_reports (
        id       INTEGER PRIMARY KEY,
        at_epoch INTEGER NOT NULL,
        run_id   INTEGER REFERENCES activities (id) ON DELETE SET NULL,
        data     TEXT NOT NULL
    );
    CREATE INDEX pain_reports_at ON pain_reports (at_epoch);
    CREATE INDEX pain_reports_run ON pain_reports (run_id);
    CREATE TABLE day_logs (
        date TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE run_context (
        run_id INTEGER PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
        data   TEXT NOT NULL
    );
    "#,
    // 4: guided-session completions and sitting-break reminder events (stored as the companion writes them).
    r#"
    CREATE TABLE routine_sessions (
        key           TEXT PRIMARY KEY,
        started_epoch INTEGER NOT NULL,
        routine_id    TEXT NOT NULL,
        completed     INTEGER NOT NULL,
        data          TEXT NOT NULL
    );
    CREATE INDEX routine_sessions_started ON routine_sessions (started_epoch);
    CREATE TABLE break_events (
        id       INTEGER PRIMARY KEY,
        at_epoch INTEGER NOT NULL,
        kind     TEXT NOT NULL,
        data     TEXT NOT NULL
    );
    CREATE INDEX break_events_at ON break_events (at_epoch);
    "#,
    // 5: self-experiments, stored as the insights engine serializes them.
    r#"
    CREATE TABLE experiments (
        id      INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        active  INTEGER NOT NULL,
        data    TEXT NOT NULL
    );
    "#,
    // 6: breathing-course lessons marked done (shared by `runtall learn` and the web course page), and settings
    // stored as JSON by key (the sitting-break reminder settings of `runtall remind` and the web Settings page).
    r#"
    CREATE TABLE lesson_progress (
        lesson_id TEXT PRIMARY KEY,
        done_at   TEXT NOT NULL
    );
    CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        data       TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    "#,
    // 7: a counter that every change to the runner's records bumps (triggers, so the CLI, the web app and any other
    // writer all count), letting the web app cache the insights report until the journal actually changes.
    r#"
    CREATE TABLE journal_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n  INTEGER NOT NULL
    );
    INSERT INTO journal_revision (id, n) VALUES (1, 0);
    CREATE TRIGGER profile_insert_revision AFTER INSERT ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER profile_update_revision AFTER UPDATE ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER profile_delete_revision AFTER DELETE ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER screenings_insert_revision AFTER INSERT ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER screenings_update_revision AFTER UPDATE ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER screenings_delete_revision AFTER DELETE ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER assessments_insert_revision AFTER INSERT ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER assessments_update_revision AFTER UPDATE ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER assessments_delete_revision AFTER DELETE ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER plans_insert_revision AFTER INSERT ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER plans_update_revision AFTER UPDATE ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER plans_delete_revision AFTER DELETE ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER activities_insert_revision AFTER INSERT ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER activities_update_revision AFTER UPDATE ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER activities_delete_revision AFTER DELETE ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER pain_reports_insert_revision AFTER INSERT ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER pain_reports_update_revision AFTER UPDATE ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER pain_reports_delete_revision AFTER DELETE ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER day_logs_insert_revision AFTER INSERT ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER day_logs_update_revision AFTER UPDATE ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER day_logs_delete_revision AFTER DELETE ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER run_context_insert_revision AFTER INSERT ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER run_context_update_revision AFTER UPDATE ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER run_context_delete_revision AFTER DELETE ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER routine_sessions_insert_revision AFTER INSERT ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER routine_sessions_update_revision AFTER UPDATE ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER routine_sessions_delete_revision AFTER DELETE ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER experiments_insert_revision AFTER INSERT ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER experiments_update_revision AFTER UPDATE ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    CREATE TRIGGER experiments_delete_revision AFTER DELETE ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE id = 1; END;
    "#,
    // 8 (posture): posture checks from side photos and run videos. `data` holds a photo's landmarks or a video's
    // summary (never the video, never per-frame landmarks); `photo` names the kept photo file beside the database
    // when the runner chose to keep it. No journal-revision triggers: nothing the insights cache keeps reads posture
    // (pages read it fresh), so a new check need not make the next insights view recompute.
    r#"
    CREATE TABLE posture_checks (
        id         INTEGER PRIMARY KEY,
        taken_on   TEXT NOT NULL,
        kind       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        photo      TEXT,
        data       TEXT NOT NULL
    );
    CREATE INDEX posture_checks_taken_on ON posture_checks (taken_on);
    "#,
    // 9: run labels are derived from the runs before them, so adding or deleting a run makes later labels stale.
    // Every such write records, in the same transaction, the earliest start from which labels must be worked out
    // again; the pass that does it clears the mark only if no writer marked again meanwhile (the generation). A
    // pass killed half-way leaves the mark, so the next import or open finishes it.
    r#"
    CREATE TABLE label_pass (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        stale_from_epoch INTEGER,
        generation       INTEGER NOT NULL
    );
    INSERT INTO label_pass (id, stale_from_epoch, generation) VALUES (1, NULL, 0);
    "#,
];
