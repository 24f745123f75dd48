-- Values errkb makes once per installation and keeps: the salt of the user-id hashes when
-- ERRKB_USER_HASH_SALT is not set. One row per name; the first replica to start writes it.
CREATE TABLE service_secrets (
    name        TEXT   PRIMARY KEY,
    value       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
