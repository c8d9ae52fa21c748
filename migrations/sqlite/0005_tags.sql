-- Tags: `key:value` strings an event is found by (conditional appends, read_by_tags). Derived data
-- outside the Merkle leaf: the caller computes them from the payload, so they can be rebuilt from
-- the log (ARCHITECTURE.md, "Tags"). The primary key (tag, position) is the index every tag query
-- probes, in position order.
CREATE TABLE event_tags (
    tag TEXT NOT NULL,
    position INTEGER NOT NULL REFERENCES events (position),
    PRIMARY KEY (tag, position)
) STRICT, WITHOUT ROWID;

-- Like the log, tags are never changed or removed (a rebuild may only add missing ones).
CREATE TRIGGER event_tags_no_update BEFORE UPDATE ON event_tags
BEGIN SELECT RAISE(ABORT, 'the log is append-only: UPDATE on event_tags is refused'); END;
CREATE TRIGGER event_tags_no_delete BEFORE DELETE ON event_tags
BEGIN SELECT RAISE(ABORT, 'the log is append-only: DELETE on event_tags is refused'); END;
