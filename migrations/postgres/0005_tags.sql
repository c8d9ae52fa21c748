-- Tags: `key:value` strings an event is found by (conditional appends, read_by_tags). Derived data
-- outside the Merkle leaf: the caller computes them from the payload, so they can be rebuilt from
-- the log (ARCHITECTURE.md, "Tags"). The primary key (tag, position) is the index every tag query
-- probes, in position order.
CREATE TABLE event_tags (
    tag text NOT NULL,
    position bigint NOT NULL REFERENCES events (position),
    PRIMARY KEY (tag, position)
);

-- Like the log, tags are never changed or removed (a rebuild may only add missing ones).
CREATE TRIGGER event_tags_append_only BEFORE UPDATE OR DELETE ON event_tags
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
