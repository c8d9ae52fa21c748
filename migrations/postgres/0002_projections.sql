-- The projector's bookkeeping: one checkpoint per built generation of a projection, which generation
-- queries read, and the tables each generation created (so they can be dropped after a switch even
-- when the code that created them is gone). Read-model tables themselves are created at run time from
-- each projection's schema, under the prefix of its version and generation.

-- `position` is the next log position to apply. It moves in the same transaction as the read-model
-- changes it accounts for. `state` is 'running', 'failed' (stopped at `error_position`, kept across
-- restarts until a rebuild or a retry) or 'retired' (replaced by a newer generation, about to be
-- dropped).
CREATE TABLE projection_checkpoints (
    name text NOT NULL,
    version bigint NOT NULL CHECK (version >= 0),
    generation bigint NOT NULL CHECK (generation >= 0),
    position bigint NOT NULL CHECK (position >= 0),
    state text NOT NULL CHECK (state IN ('running', 'failed', 'retired')),
    error_position bigint,
    error_reason text,
    updated_at_us bigint NOT NULL,
    PRIMARY KEY (name, version, generation)
);

-- The generation queries read, one row per projection name.
CREATE TABLE projection_active (
    name text PRIMARY KEY,
    version bigint NOT NULL,
    generation bigint NOT NULL
);

-- The tables a generation created, in creation order (dropped in reverse).
CREATE TABLE projection_tables (
    name text NOT NULL,
    version bigint NOT NULL,
    generation bigint NOT NULL,
    seq bigint NOT NULL,
    table_name text NOT NULL UNIQUE,
    PRIMARY KEY (name, version, generation, seq)
);
