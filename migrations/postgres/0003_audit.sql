-- Audit: every signed checkpoint, and the index that finds an event by its leaf hash.

-- One row per signed tree size, kept forever. `note` is the C2SP signed note exactly as signed; `root`
-- repeats its root hash so the server can check consistency without parsing notes. `signed_at_us` is
-- when this server signed it (microseconds since the Unix epoch); it is not part of the signed text.
CREATE TABLE checkpoints (
    tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
    root bytea NOT NULL CHECK (length(root) = 32),
    note text NOT NULL,
    key_name text NOT NULL,
    signed_at_us bigint NOT NULL
);
CREATE INDEX checkpoints_signed_at ON checkpoints (signed_at_us, tree_size);

CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();

-- Inclusion proofs may name their leaf by hash (the receipt a write returned).
CREATE INDEX events_leaf_hash ON events (leaf_hash);
