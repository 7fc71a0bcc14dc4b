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
    // 10: every row belongs to an athlete. The local app has one, the "local" athlete (id 1), which owns every row
    // written before this step; a clinic server keeps many in one database. Tables whose keys were global (the
    // profile's single row, a day, a session key, a lesson, a setting, a file's content hash) are rebuilt with the
    // athlete in the key; the others gain the column. `DEFAULT 1` only moves old rows to the local athlete: the
    // store names the athlete in every write (the conformance suite checks that with two athletes other than the
    // local one). Indexes lead with the athlete, the journal revision and the label pass are counted per athlete,
    // and list views read real columns (name, UTC offset, ascent, average heart rate, filled from the stored
    // summaries here) instead of parsing each summary. Runs with foreign keys off (see `migrate`), as SQLite's
    // table-rebuild procedure asks, and checks them before it commits.
    r#"
    DROP TRIGGER profile_insert_revision;
    DROP TRIGGER profile_update_revision;
    DROP TRIGGER profile_delete_revision;
    DROP TRIGGER screenings_insert_revision;
    DROP TRIGGER screenings_update_revision;
    DROP TRIGGER screenings_delete_revision;
    DROP TRIGGER assessments_insert_revision;
    DROP TRIGGER assessments_update_revision;
    DROP TRIGGER assessments_delete_revision;
    DROP TRIGGER plans_insert_revision;
    DROP TRIGGER plans_update_revision;
    DROP TRIGGER plans_delete_revision;
    DROP TRIGGER activities_insert_revision;
    DROP TRIGGER activities_update_revision;
    DROP TRIGGER activities_delete_revision;
    DROP TRIGGER pain_reports_insert_revision;
    DROP TRIGGER pain_reports_update_revision;
    DROP TRIGGER pain_reports_delete_revision;
    DROP TRIGGER day_logs_insert_revision;
    DROP TRIGGER day_logs_update_revision;
    DROP TRIGGER day_logs_delete_revision;
    DROP TRIGGER run_context_insert_revision;
    DROP TRIGGER run_context_update_revision;
    DROP TRIGGER run_context_delete_revision;
    DROP TRIGGER routine_sessions_insert_revision;
    DROP TRIGGER routine_sessions_update_revision;
    DROP TRIGGER routine_sessions_delete_revision;
    DROP TRIGGER experiments_insert_revision;
    DROP TRIGGER experiments_update_revision;
    DROP TRIGGER experiments_delete_revision;
    DROP TABLE meta;

    CREATE TABLE athletes (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    INSERT INTO athletes (id, name, created_at) VALUES (1, 'local', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

    CREATE TABLE profile_v10 (
        athlete_id INTEGER PRIMARY KEY REFERENCES athletes (id),
        data       TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    INSERT INTO profile_v10 (athlete_id, data, updated_at) SELECT 1, data, updated_at FROM profile;
    DROP TABLE profile;
    ALTER TABLE profile_v10 RENAME TO profile;

    ALTER TABLE screenings ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    DROP INDEX screenings_taken_at;
    CREATE INDEX screenings_taken_at ON screenings (athlete_id, taken_at);
    ALTER TABLE assessments ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    CREATE INDEX assessments_taken_at ON assessments (athlete_id, taken_at);
    ALTER TABLE plans ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    CREATE INDEX plans_created_at ON plans (athlete_id, created_at);

    CREATE TABLE activities_v10 (
        id             INTEGER PRIMARY KEY,
        athlete_id     INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id),
        start_epoch    INTEGER NOT NULL,
        start_utc      TEXT NOT NULL,
        utc_offset_s   INTEGER,
        sport          TEXT NOT NULL,
        label          TEXT,
        name           TEXT,
        distance_m     REAL NOT NULL,
        elapsed_s      REAL NOT NULL,
        moving_s       REAL NOT NULL,
        ascent_m       REAL,
        avg_hr_bpm     REAL,
        content_hash   TEXT NOT NULL,
        source_path    TEXT NOT NULL,
        format         TEXT NOT NULL,
        imported_at    TEXT NOT NULL,
        summary        TEXT NOT NULL,
        classification TEXT,
        samples        BLOB NOT NULL,
        UNIQUE (athlete_id, content_hash)
    );
    INSERT INTO activities_v10 (id, athlete_id, start_epoch, start_utc, utc_offset_s, sport, label, name, distance_m,
                                elapsed_s, moving_s, ascent_m, avg_hr_bpm, content_hash, source_path, format,
                                imported_at, summary, classification, samples)
    SELECT id, 1, start_epoch, start_utc, json_extract(summary, '$.utc_offset_s'), sport, label,
           json_extract(summary, '$.name'), distance_m, elapsed_s, moving_s, json_extract(summary, '$.ascent_m'),
           json_extract(summary, '$.avg_hr_bpm'), content_hash, source_path, format, imported_at, summary,
           classification, samples
    FROM activities;
    DROP TABLE activities;
    ALTER TABLE activities_v10 RENAME TO activities;
    CREATE INDEX activities_start ON activities (athlete_id, start_epoch);
    CREATE INDEX activities_label ON activities (athlete_id, label, start_epoch);

    ALTER TABLE pain_reports ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    DROP INDEX pain_reports_at;
    CREATE INDEX pain_reports_at ON pain_reports (athlete_id, at_epoch);

    CREATE TABLE day_logs_v10 (
        athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id),
        date       TEXT NOT NULL,
        data       TEXT NOT NULL,
        PRIMARY KEY (athlete_id, date)
    );
    INSERT INTO day_logs_v10 (athlete_id, date, data) SELECT 1, date, data FROM day_logs;
    DROP TABLE day_logs;
    ALTER TABLE day_logs_v10 RENAME TO day_logs;

    ALTER TABLE run_context ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    CREATE INDEX run_context_athlete ON run_context (athlete_id, run_id);

    CREATE TABLE routine_sessions_v10 (
        athlete_id    INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id),
        key           TEXT NOT NULL,
        started_epoch INTEGER NOT NULL,
        routine_id    TEXT NOT NULL,
        completed     INTEGER NOT NULL,
        data          TEXT NOT NULL,
        PRIMARY KEY (athlete_id, key)
    );
    INSERT INTO routine_sessions_v10 (athlete_id, key, started_epoch, routine_id, completed, data)
        SELECT 1, key, started_epoch, routine_id, completed, data FROM routine_sessions;
    DROP TABLE routine_sessions;
    ALTER TABLE routine_sessions_v10 RENAME TO routine_sessions;
    CREATE INDEX routine_sessions_started ON routine_sessions (athlete_id, started_epoch);

    ALTER TABLE break_events ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    DROP INDEX break_events_at;
    CREATE INDEX break_events_at ON break_events (athlete_id, at_epoch);
    ALTER TABLE experiments ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    CREATE INDEX experiments_athlete ON experiments (athlete_id, active);

    CREATE TABLE lesson_progress_v10 (
        athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id),
        lesson_id  TEXT NOT NULL,
        done_at    TEXT NOT NULL,
        PRIMARY KEY (athlete_id, lesson_id)
    );
    INSERT INTO lesson_progress_v10 (athlete_id, lesson_id, done_at) SELECT 1, lesson_id, done_at FROM lesson_progress;
    DROP TABLE lesson_progress;
    ALTER TABLE lesson_progress_v10 RENAME TO lesson_progress;

    CREATE TABLE settings_v10 (
        athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id),
        key        TEXT NOT NULL,
        data       TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete_id, key)
    );
    INSERT INTO settings_v10 (athlete_id, key, data, updated_at) SELECT 1, key, data, updated_at FROM settings;
    DROP TABLE settings;
    ALTER TABLE settings_v10 RENAME TO settings;

    ALTER TABLE posture_checks ADD COLUMN athlete_id INTEGER NOT NULL DEFAULT 1 REFERENCES athletes (id);
    DROP INDEX posture_checks_taken_on;
    CREATE INDEX posture_checks_taken_on ON posture_checks (athlete_id, taken_on);

    CREATE TABLE journal_revision_v10 (
        athlete_id INTEGER PRIMARY KEY REFERENCES athletes (id),
        n          INTEGER NOT NULL
    );
    INSERT INTO journal_revision_v10 (athlete_id, n) SELECT 1, n FROM journal_revision WHERE id = 1;
    DROP TABLE journal_revision;
    ALTER TABLE journal_revision_v10 RENAME TO journal_revision;

    CREATE TABLE label_pass_v10 (
        athlete_id       INTEGER PRIMARY KEY REFERENCES athletes (id),
        stale_from_epoch INTEGER,
        generation       INTEGER NOT NULL
    );
    INSERT INTO label_pass_v10 (athlete_id, stale_from_epoch, generation)
        SELECT 1, stale_from_epoch, generation FROM label_pass WHERE id = 1;
    DROP TABLE label_pass;
    ALTER TABLE label_pass_v10 RENAME TO label_pass;

    CREATE TRIGGER profile_insert_revision AFTER INSERT ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER profile_update_revision AFTER UPDATE ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER profile_delete_revision AFTER DELETE ON profile BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER screenings_insert_revision AFTER INSERT ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER screenings_update_revision AFTER UPDATE ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER screenings_delete_revision AFTER DELETE ON screenings BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER assessments_insert_revision AFTER INSERT ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER assessments_update_revision AFTER UPDATE ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER assessments_delete_revision AFTER DELETE ON assessments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER plans_insert_revision AFTER INSERT ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER plans_update_revision AFTER UPDATE ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER plans_delete_revision AFTER DELETE ON plans BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER activities_insert_revision AFTER INSERT ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER activities_update_revision AFTER UPDATE ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER activities_delete_revision AFTER DELETE ON activities BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER pain_reports_insert_revision AFTER INSERT ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER pain_reports_update_revision AFTER UPDATE ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER pain_reports_delete_revision AFTER DELETE ON pain_reports BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER day_logs_insert_revision AFTER INSERT ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER day_logs_update_revision AFTER UPDATE ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER day_logs_delete_revision AFTER DELETE ON day_logs BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER run_context_insert_revision AFTER INSERT ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER run_context_update_revision AFTER UPDATE ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER run_context_delete_revision AFTER DELETE ON run_context BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER routine_sessions_insert_revision AFTER INSERT ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER routine_sessions_update_revision AFTER UPDATE ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER routine_sessions_delete_revision AFTER DELETE ON routine_sessions BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER experiments_insert_revision AFTER INSERT ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER experiments_update_revision AFTER UPDATE ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER experiments_delete_revision AFTER DELETE ON experiments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    "#,
    // 11: the clinic server's accounts (`crate::accounts`), server-level rather than one athlete's. Secrets are kept
    // only as hashes (hex SHA-256 of tokens and codes, argon2id PHC strings of passwords); expiry times are epoch
    // seconds so a comparison needs no parsing. An athlete account owns one athlete; a clinician's access to an
    // athlete is a row of `clinician_links`, deleted when the athlete revokes it. The local app never writes these.
    r#"
    CREATE TABLE accounts (
        id         INTEGER PRIMARY KEY,
        email      TEXT NOT NULL,
        email_key  TEXT NOT NULL UNIQUE,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('athlete', 'clinician')),
        password   TEXT,
        athlete_id INTEGER UNIQUE REFERENCES athletes (id),
        created_at TEXT NOT NULL,
        CHECK ((role = 'athlete') = (athlete_id IS NOT NULL))
    );
    CREATE TABLE account_sessions (
        token_hash    TEXT PRIMARY KEY,
        account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        expires_epoch INTEGER NOT NULL
    );
    CREATE INDEX account_sessions_account ON account_sessions (account_id);
    CREATE TABLE invitations (
        code_hash     TEXT PRIMARY KEY,
        clinician_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at    TEXT NOT NULL,
        expires_epoch INTEGER NOT NULL,
        used_by       INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
        used_at       TEXT
    );
    CREATE INDEX invitations_clinician ON invitations (clinician_id);
    CREATE TABLE clinician_links (
        clinician_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        athlete_id   INTEGER NOT NULL REFERENCES athletes (id),
        since        TEXT NOT NULL,
        PRIMARY KEY (clinician_id, athlete_id)
    );
    CREATE INDEX clinician_links_athlete ON clinician_links (athlete_id);
    CREATE TABLE devices (
        id         INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used  TEXT
    );
    CREATE INDEX devices_account ON devices (account_id);
    CREATE TABLE reset_codes (
        code_hash     TEXT PRIMARY KEY,
        account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        expires_epoch INTEGER NOT NULL,
        used          INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // Clinic records (issue 19): a clinician's program changes and comments, kept by a stable key so a sync that
    // sends one twice stores it once, and the audit log of who looked at or changed what. Times are microseconds
    // since the epoch (text timestamps of varying precision do not sort). Changes and comments move the journal
    // revision (plans and pages show them); audit entries do not (every clinician view writes one).
    r#"
    CREATE TABLE program_changes (
        seq        INTEGER PRIMARY KEY,
        athlete_id INTEGER NOT NULL REFERENCES athletes (id),
        key        TEXT NOT NULL,
        at_us      INTEGER NOT NULL,
        data       TEXT NOT NULL,
        UNIQUE (athlete_id, key)
    );
    CREATE TABLE clinician_comments (
        seq        INTEGER PRIMARY KEY,
        athlete_id INTEGER NOT NULL REFERENCES athletes (id),
        key        TEXT NOT NULL,
        at_us      INTEGER NOT NULL,
        on_kind    TEXT NOT NULL,
        on_ref     TEXT NOT NULL,
        data       TEXT NOT NULL,
        UNIQUE (athlete_id, key)
    );
    CREATE INDEX clinician_comments_on ON clinician_comments (athlete_id, on_kind, on_ref);
    CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY,
        athlete_id    INTEGER NOT NULL REFERENCES athletes (id),
        at_us         INTEGER NOT NULL,
        actor_account INTEGER NOT NULL,
        actor_name    TEXT NOT NULL,
        action        TEXT NOT NULL,
        detail        TEXT NOT NULL
    );
    CREATE INDEX audit_log_at ON audit_log (athlete_id, at_us);
    CREATE TRIGGER program_changes_insert_revision AFTER INSERT ON program_changes BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER program_changes_update_revision AFTER UPDATE ON program_changes BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER program_changes_delete_revision AFTER DELETE ON program_changes BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    CREATE TRIGGER clinician_comments_insert_revision AFTER INSERT ON clinician_comments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER clinician_comments_update_revision AFTER UPDATE ON clinician_comments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = NEW.athlete_id; END;
    CREATE TRIGGER clinician_comments_delete_revision AFTER DELETE ON clinician_comments BEGIN UPDATE journal_revision SET n = n + 1 WHERE athlete_id = OLD.athlete_id; END;
    "#,
    // Issue 19 scale: a clinician's last look of one kind at one athlete (the dashboard's "last visit", the hourly
    // dashboard entry) is one index seek per action, however long the athlete's audit log has grown.
    r#"
    CREATE INDEX audit_log_actor ON audit_log (athlete_id, actor_account, action, at_us);
    "#,
    // Issue 19 scale: each clinician's dashboard version, a counter that moves in the same transaction as anything
    // their dashboard is made from, whoever writes it (this server, another process on the same database, a sync,
    // the CLI): a followed athlete's journal revision, a link made or ended, a followed athlete's account renamed,
    // added or deleted, and an audit entry by the clinician at an athlete they follow (a visit moves the dashboard's
    // "since"; a dashboard look moves when the next look is due). A server that kept a clinician's dashboard at
    // version v may show it again while the counter still reads v: one primary-key read instead of the dashboard's
    // state. A row appears with the clinician's first link; a clinician without one reads as version 0, and has no
    // athletes to show. No foreign key to `accounts`: deleting a clinician's account ends their links by cascade,
    // and those triggers must still find (or miss) the row without a dangling reference. Writes of athletes nobody
    // follows touch nothing here.
    r#"
    CREATE TABLE clinician_dashboard (
        clinician_id INTEGER PRIMARY KEY,
        version      INTEGER NOT NULL
    );
    INSERT INTO clinician_dashboard (clinician_id, version) SELECT DISTINCT clinician_id, 1 FROM clinician_links;
    CREATE TRIGGER journal_revision_dashboard AFTER UPDATE OF n ON journal_revision BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id IN (SELECT clinician_id FROM clinician_links WHERE athlete_id = NEW.athlete_id);
    END;
    CREATE TRIGGER clinician_links_insert_dashboard AFTER INSERT ON clinician_links BEGIN
        INSERT OR IGNORE INTO clinician_dashboard (clinician_id, version) VALUES (NEW.clinician_id, 0);
        UPDATE clinician_dashboard SET version = version + 1 WHERE clinician_id = NEW.clinician_id;
    END;
    CREATE TRIGGER clinician_links_update_dashboard AFTER UPDATE ON clinician_links BEGIN
        INSERT OR IGNORE INTO clinician_dashboard (clinician_id, version) VALUES (NEW.clinician_id, 0);
        UPDATE clinician_dashboard SET version = version + 1 WHERE clinician_id IN (OLD.clinician_id, NEW.clinician_id);
    END;
    CREATE TRIGGER clinician_links_delete_dashboard AFTER DELETE ON clinician_links BEGIN
        UPDATE clinician_dashboard SET version = version + 1 WHERE clinician_id = OLD.clinician_id;
    END;
    CREATE TRIGGER accounts_insert_dashboard AFTER INSERT ON accounts WHEN NEW.athlete_id IS NOT NULL BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id IN (SELECT clinician_id FROM clinician_links WHERE athlete_id = NEW.athlete_id);
    END;
    CREATE TRIGGER accounts_update_dashboard AFTER UPDATE OF name, athlete_id ON accounts BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id IN (SELECT clinician_id FROM clinician_links
                                 WHERE athlete_id IN (OLD.athlete_id, NEW.athlete_id));
    END;
    CREATE TRIGGER accounts_delete_dashboard AFTER DELETE ON accounts WHEN OLD.athlete_id IS NOT NULL BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id IN (SELECT clinician_id FROM clinician_links WHERE athlete_id = OLD.athlete_id);
    END;
    CREATE TRIGGER audit_log_insert_dashboard AFTER INSERT ON audit_log BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id = NEW.actor_account
           AND EXISTS (SELECT 1 FROM clinician_links
                        WHERE clinician_id = NEW.actor_account AND athlete_id = NEW.athlete_id);
    END;
    CREATE TRIGGER audit_log_delete_dashboard AFTER DELETE ON audit_log BEGIN
        UPDATE clinician_dashboard SET version = version + 1
         WHERE clinician_id = OLD.actor_account
           AND EXISTS (SELECT 1 FROM clinician_links
                        WHERE clinician_id = OLD.actor_account AND athlete_id = OLD.athlete_id);
    END;
    "#,
];
