-- errkb store, SQLite flavour. Times are Unix seconds (UTC); `day` is YYYY-MM-DD (UTC).

-- What people asked (redacted before it gets here) and what errkb answered.
CREATE TABLE query_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            BIGINT  NOT NULL,
    day           TEXT    NOT NULL,
    platform      TEXT    NOT NULL,
    query         TEXT    NOT NULL,
    detected_code TEXT,
    answer_kind   TEXT    NOT NULL,
    guide_code    TEXT
);
CREATE INDEX query_log_at ON query_log (at);
CREATE INDEX query_log_code ON query_log (detected_code);

-- Helpful / not helpful votes; one vote per user and answer (a later vote replaces it).
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         BIGINT NOT NULL,
    answer_id  TEXT   NOT NULL,
    guide_code TEXT   NOT NULL,
    vote       BIGINT NOT NULL CHECK (vote IN (-1, 1)),
    platform   TEXT   NOT NULL,
    user_hash  TEXT   NOT NULL,
    UNIQUE (answer_id, user_hash)
);
CREATE INDEX feedback_guide ON feedback (guide_code);

-- Chat events already taken by some replica (Slack and Bot Framework retry deliveries).
CREATE TABLE event_dedup (
    platform   TEXT   NOT NULL,
    event_id   TEXT   NOT NULL,
    claimed_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (platform, event_id)
);
CREATE INDEX event_dedup_expires ON event_dedup (expires_at);

-- Workspaces / tenants that installed the app. Tokens are stored by the adapter that owns them.
CREATE TABLE installations (
    platform      TEXT   NOT NULL,
    team_id       TEXT   NOT NULL,
    enterprise_id TEXT,
    bot_user_id   TEXT,
    bot_token     TEXT,
    scopes        TEXT,
    installed_by  TEXT,
    installed_at  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (platform, team_id)
);

-- Live credential probe audit: who asked (hashed), for which tenant/client (hashed), outcome.
CREATE TABLE probe_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT NOT NULL,
    platform     TEXT   NOT NULL,
    user_hash    TEXT   NOT NULL,
    tenant_hash  TEXT,
    client_hash  TEXT,
    outcome      TEXT   NOT NULL,
    error_code   TEXT
);
CREATE INDEX probe_audit_user_at ON probe_audit (user_hash, at);
