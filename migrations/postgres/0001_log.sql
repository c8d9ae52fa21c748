-- The log: events with dense global positions, the one-row head that serializes writers,
-- the completed Merkle subtree nodes, and the request ids seen (idempotency).

-- One row. Every writer locks it (SELECT ... FOR UPDATE) before assigning positions, so positions are
-- handed out in commit order and a reader that sees position p also sees every position below p.
CREATE TABLE log_head (
    id smallint PRIMARY KEY CHECK (id = 1),
    size bigint NOT NULL CHECK (size >= 0),
    last_recorded_at_us bigint NOT NULL
);
INSERT INTO log_head (id, size, last_recorded_at_us) VALUES (1, 0, 0);

CREATE TABLE events (
    -- Never a sequence or identity column: sequences are not gap-free.
    position bigint PRIMARY KEY CHECK (position >= 0),
    stream_id text NOT NULL,
    category text NOT NULL,
    stream_version bigint NOT NULL CHECK (stream_version >= 1),
    event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    schema_version integer NOT NULL CHECK (schema_version >= 1),
    -- Text, not jsonb: the leaf commits to these bytes exactly as written.
    payload text NOT NULL,
    metadata text NOT NULL,
    occurred_from_us bigint NOT NULL,
    occurred_to_us bigint NOT NULL,
    time_precision integer NOT NULL,
    recorded_at_us bigint NOT NULL,
    request_id text NOT NULL,
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_category_position ON events (category, position);
CREATE INDEX events_type_position ON events (event_type, position);

-- Completed subtrees of the Merkle tree over all leaves, level >= 1. They never change once written.
CREATE TABLE merkle_nodes (
    level integer NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx bigint NOT NULL CHECK (idx >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- One row per successful append, written in the same transaction, so a retried request id finds
-- the original answer. Kept forever: the log is small enough, and auditors can see every request.
CREATE TABLE append_requests (
    request_id text PRIMARY KEY,
    content_hash bytea NOT NULL,
    stream_id text NOT NULL,
    first_position bigint NOT NULL,
    event_count integer NOT NULL,
    stream_version bigint NOT NULL,
    recorded_at_us bigint NOT NULL
);

-- The log is append-only: the database itself refuses to change or remove history.
CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER append_requests_append_only BEFORE UPDATE OR DELETE ON append_requests
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
