/**
 * Numbered schema migrations. Append only: a released migration is never edited, so every
 * database can be brought forward from whatever version it has.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the experiment store of architecture.md
  `
  CREATE TABLE datasets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('mosi','mosei','iemocap')),
    task         TEXT NOT NULL CHECK (task IN ('regression','classification')),
    builtin      INTEGER NOT NULL DEFAULT 0,
    format       TEXT NOT NULL,
    source_path  TEXT,
    source_size  INTEGER,
    source_sha256 TEXT,
    path         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    seq_len      INTEGER NOT NULL,
    dims         TEXT NOT NULL,
    split_sizes  TEXT NOT NULL,
    report       TEXT,
    created_at   TEXT NOT NULL
  );
  CREATE TABLE scenarios (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    spec       TEXT NOT NULL,
    builtin    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    grid        TEXT NOT NULL,
    scenario_id INTEGER REFERENCES scenarios(id),
    created_at  TEXT NOT NULL
  );
  CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    experiment_id   INTEGER REFERENCES experiments(id),
    dataset_id      TEXT NOT NULL,
    method          TEXT NOT NULL,
    seed            INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','cancelled')),
    backend         TEXT,
    requested_backend TEXT,
    config          TEXT NOT NULL,
    config_hash     TEXT NOT NULL,
    code_version    TEXT NOT NULL,
    dataset_sha256  TEXT,
    host            TEXT NOT NULL,
    epochs_planned  INTEGER NOT NULL,
    epochs_done     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    error           TEXT,
    outcome         TEXT,
    checkpoint_path TEXT,
    timings         TEXT
  );
  CREATE INDEX runs_by_status ON runs(status);
  CREATE TABLE epochs (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase   TEXT NOT NULL,
    epoch   INTEGER NOT NULL,
    train   TEXT NOT NULL,
    valid   TEXT NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (run_id, phase, epoch)
  );
  CREATE TABLE evaluations (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    protocol  TEXT NOT NULL CHECK (protocol IN ('inter','intra')),
    condition TEXT NOT NULL,
    metrics   TEXT NOT NULL,
    PRIMARY KEY (run_id, protocol, condition)
  );
  CREATE TABLE predictions (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    protocol  TEXT NOT NULL,
    condition TEXT NOT NULL,
    n         INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    labels    BLOB NOT NULL,
    values_f32 BLOB NOT NULL,
    PRIMARY KEY (run_id, protocol, condition)
  );
  CREATE TABLE representations (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    condition TEXT NOT NULL,
    n         INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    labels    BLOB NOT NULL,
    values_f32 BLOB NOT NULL,
    PRIMARY KEY (run_id, condition)
  );
  CREATE TABLE projections (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    condition TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    params    TEXT NOT NULL,
    seed      INTEGER NOT NULL,
    points    BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 2: which supervisor process holds a running run, so a restarted queue resumes only the runs
  // whose supervisor died, never one another live process is working on
  `
  ALTER TABLE runs ADD COLUMN supervisor_pid INTEGER;
  ALTER TABLE runs ADD COLUMN supervisor_host TEXT;
  `,
  // 3: the evaluation mask seed of each run (a scenario's; NULL for earlier runs, which used the
  // paper protocol's seed 0), and experiments' runs found without a table scan
  `
  ALTER TABLE runs ADD COLUMN mask_seed INTEGER;
  CREATE INDEX runs_by_experiment ON runs(experiment_id);
  `,
  // 4: the teacher's test metrics under the complete condition, for methods that distil from one
  // (HRLF): the student's complete-condition score is judged against it
  `
  ALTER TABLE runs ADD COLUMN teacher_metrics TEXT;
  `,
  // 5: the engine process that last ran each run (pid, its start time where the OS tells it, and
  // host), so a run is resumed only after that process is gone, never beside it
  `
  ALTER TABLE runs ADD COLUMN engine_pid INTEGER;
  ALTER TABLE runs ADD COLUMN engine_started TEXT;
  ALTER TABLE runs ADD COLUMN engine_host TEXT;
  `,
  // 6: the check of a finished run's stored test predictions for constant or one-sided output
  // (src-shared/metrics/degenerate.ts), computed once from the predictions and kept
  `
  ALTER TABLE runs ADD COLUMN prediction_check TEXT;
  `,
  // 7: runs sent to a cluster queue (BullMQ on Redis): the job a run belongs to, its attempt
  // counter (a retry is a new job), the worker execution whose results are being stored (results
  // of an older execution are ignored), and the worker that ran it; and a key-value table for the
  // home's settings (the queue URL chosen in the UI, this store's coordinator id)
  `
  ALTER TABLE runs ADD COLUMN remote_job TEXT;
  ALTER TABLE runs ADD COLUMN remote_attempt INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN remote_exec TEXT;
  ALTER TABLE runs ADD COLUMN worker TEXT;
  CREATE INDEX runs_by_remote_job ON runs(remote_job);
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];
