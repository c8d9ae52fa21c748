-- How far the events recorded before a tagging scheme existed have been tagged under it: every
-- event below `through` carries the scheme's tags (ARCHITECTURE.md, "Tags"). A marker, not history:
-- `through` only grows, and a new scheme starts its own row.
CREATE TABLE tag_backfill (
    scheme TEXT NOT NULL PRIMARY KEY,
    through INTEGER NOT NULL
) STRICT;
