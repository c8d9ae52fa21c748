-- Personal data keys (crypto-shredding, PIPL Art. 47): one key per practitioner, under which their
-- name, gender and licence number are sealed before they enter the log. This table is not part of
-- the log and not in the Merkle tree: erasing a practitioner's personal data deletes their row, so
-- no later dump (pg_dump) holds it, and every sealed copy in the log, in exports and in backups of
-- the log can no longer be read. Dumps taken before the erasure still hold the key: keep them as
-- briefly as the retention policy allows (docs in ARCHITECTURE.md, "Personal data").
-- `subject` is the practitioner's stream id; `key_hex` the 32-byte XChaCha20-Poly1305 key in hex.
CREATE TABLE personal_data_keys (
    subject text PRIMARY KEY,
    key_hex text NOT NULL CHECK (length(key_hex) = 64),
    created_at_us bigint NOT NULL
);
