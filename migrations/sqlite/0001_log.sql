-- The log: events with dense global positions, the one-row head, the completed Merkle subtree nodes,
-- and the request ids seen (idempotency). Writers serialize with BEGIN IMMEDIATE.

CREATE TABLE log_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0),
    last_recorded_at_us INTEGER NOT NULL
) STRICT;
INSERT INTO log_head (id, size, last_recorded_at_us) VALUES (1, 0, 0);

CREATE TABLE events (
    position INTEGER PRIMARY KEY CHECK (position >= 0),
    stream_id TEXT NOT NULL,
    category TEXT NOT NULL,
    stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
    event_id BLOB NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    occurred_from_us INTEGER NOT NULL,
    occurred_to_us INTEGER NOT NULL,
    time_precision INTEGER NOT NULL,
    recorded_at_us INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    UNIQUE (stream_id, stream_version)
) STRICT;
CREATE INDEX events_category_position ON events (category, position);
CREATE INDEX events_type_position ON events (event_type, position);

CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx INTEGER NOT NULL CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE append_requests (
    request_id TEXT PRIMARY KEY,
    content_hash BLOB NOT NULL,
    stream_id TEXT NOT NULL,
    first_position INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    stream_version INTEGER NOT NULL,
    recorded_at_us INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The log is append-only: the database itself refuses to change or remove history.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the log is append-only: UPDATE on events is refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the log is append-only: DELETE on events is refused'); END;
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the log is append-only: UPDATE on merkle_nodes is refused'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the log is append-only: DELETE on merkle_nodes is refused'); END;
CREATE TRIGGER append_requests_no_update BEFORE UPDATE ON append_requests
BEGIN SELECT RAISE(ABORT, 'the log is append-only: UPDATE on append_requests is refused'); END;
CREATE TRIGGER append_requests_no_delete BEFORE DELETE ON append_requests
BEGIN SELECT RAISE(ABORT, 'the log is append-only: DELETE on append_requests is refused'); END;
