-- Identical queries asked in the same second are folded into one row by the writer; `hits`
-- says how many they were. Older rows count once.
ALTER TABLE query_log ADD COLUMN hits BIGINT NOT NULL DEFAULT 1;
