-- Audit: every signed checkpoint, and the index that finds an event by its leaf hash.
-- See the PostgreSQL migration of the same number for what each column means.

CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,
    key_name TEXT NOT NULL,
    signed_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX checkpoints_signed_at ON checkpoints (signed_at_us, tree_size);

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'the log is append-only: UPDATE on checkpoints is refused'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'the log is append-only: DELETE on checkpoints is refused'); END;

CREATE INDEX events_leaf_hash ON events (leaf_hash);
