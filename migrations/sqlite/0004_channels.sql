-- Support channels: per-channel settings, the answers errkb posted in channels, what people said
-- about them (Solved / Still stuck / Not useful here) and doc-link clicks. Never a message's text.

-- One row per platform and channel (a Slack channel id, a Teams conversation without its thread
-- suffix). escalation is a JSON list of {kind, id, name}: who "Still stuck" calls in.
CREATE TABLE channel_settings (
    platform      TEXT   NOT NULL,
    channel_id    TEXT   NOT NULL,
    channel_name  TEXT,
    answer_mode   TEXT   NOT NULL DEFAULT 'mention' CHECK (answer_mode IN ('mention', 'auto')),
    escalation    TEXT   NOT NULL DEFAULT '[]',
    probe_buttons BIGINT NOT NULL DEFAULT 1,
    updated_by    TEXT   NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (platform, channel_id)
);

-- Every answer errkb posted in a channel or group chat (auto = 1 when nobody asked it to).
CREATE TABLE channel_answers (
    platform    TEXT   NOT NULL,
    channel_id  TEXT   NOT NULL,
    answer_id   TEXT   NOT NULL,
    guide_code  TEXT,
    auto        BIGINT NOT NULL DEFAULT 0,
    at          BIGINT NOT NULL,
    PRIMARY KEY (platform, channel_id, answer_id)
);
CREATE INDEX channel_answers_at ON channel_answers (at);

-- Solved / Still stuck / Not useful here, at most one of each per answer. seconds: from the
-- question to "Solved"; escalated: someone was called in.
CREATE TABLE resolutions (
    platform    TEXT   NOT NULL,
    channel_id  TEXT   NOT NULL,
    answer_id   TEXT   NOT NULL,
    outcome     TEXT   NOT NULL CHECK (outcome IN ('solved', 'stuck', 'hidden')),
    guide_code  TEXT,
    user_hash   TEXT   NOT NULL,
    seconds     BIGINT,
    escalated   BIGINT NOT NULL DEFAULT 0,
    at          BIGINT NOT NULL,
    PRIMARY KEY (platform, channel_id, answer_id, outcome)
);
CREATE INDEX resolutions_at ON resolutions (at);

-- Clicks on the links of an answer (/go/{code}/{n} and Slack link buttons).
CREATE TABLE link_clicks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         BIGINT NOT NULL,
    platform   TEXT   NOT NULL,
    guide_code TEXT   NOT NULL,
    link       TEXT   NOT NULL
);
CREATE INDEX link_clicks_at ON link_clicks (at);
