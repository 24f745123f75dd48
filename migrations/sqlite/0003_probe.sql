-- The live credential probe. The first schema's probe_audit (hashed columns) was never written
-- to; an audit row must name who probed what, so it is replaced. Never a secret or a token.
DROP TABLE probe_audit;
CREATE TABLE probe_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    platform    TEXT   NOT NULL,
    user_id     TEXT   NOT NULL,
    via         TEXT   NOT NULL,
    cloud       TEXT   NOT NULL,
    tenant      TEXT   NOT NULL,
    client_id   TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    error_code  TEXT
);
CREATE INDEX probe_audit_at ON probe_audit (at);

-- One-time links to /probe: only a SHA-256 of the token is kept. Single use (used_at), bound to
-- the chat user it was issued to, expiring. reply is where the summary goes back (adapter JSON).
CREATE TABLE probe_links (
    token_hash  TEXT   PRIMARY KEY,
    platform    TEXT   NOT NULL,
    user_id     TEXT   NOT NULL,
    user_name   TEXT   NOT NULL,
    guide_code  TEXT,
    reply       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Probe rate limits as fixed-window counters, shared by every replica: one row per bucket
-- (user:..., tenant:...) and window start, incremented atomically.
CREATE TABLE probe_rate (
    bucket        TEXT   NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
