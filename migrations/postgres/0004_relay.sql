-- The NATS JetStream relay's checkpoint: per target stream, the next log position to publish.
-- It moves only after JetStream has acknowledged every event before it. The stream itself also
-- carries each message's position, and the relay resumes after the later of the two (see the
-- `relay` crate), so a checkpoint lagging behind the stream never republishes an event.
CREATE TABLE relay_checkpoints (
    stream text PRIMARY KEY,
    position bigint NOT NULL CHECK (position >= 0),
    updated_at_us bigint NOT NULL
);
