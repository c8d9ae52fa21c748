-- The projector's bookkeeping: one checkpoint per built generation of a projection, which generation
-- queries read, and the tables each generation created (so they can be dropped after a switch even
-- when the code that created them is gone). Read-model tables themselves are created at run time from
-- each projection's schema, under the prefix of its version and generation.

-- `position` is the next log position to apply. It moves in the same transaction as the read-model
-- changes it accounts for. `state` is 'running', 'failed' (stopped at `error_position`, kept across
-- restarts until a rebuild or a retry) or 'retired' (replaced by a newer generation, about to be
-- dropped).
CREATE TABLE projection_checkpoints (
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 0),
    generation INTEGER NOT NULL CHECK (generation >= 0),
    position INTEGER NOT NULL CHECK (position >= 0),
    state TEXT NOT NULL CHECK (state IN ('running', 'failed', 'retired')),
    error_position INTEGER,
    error_reason TEXT,
    updated_at_us INTEGER NOT NULL,
    PRIMARY KEY (name, version, generation)
) STRICT;

-- The generation queries read, one row per projection name.
CREATE TABLE projection_active (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    generation INTEGER NOT NULL
) STRICT;

-- The tables a generation created, in creation order (dropped in reverse).
CREATE TABLE projection_tables (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    table_name TEXT NOT NULL UNIQUE,
    PRIMARY KEY (name, version, generation, seq)
) STRICT;
