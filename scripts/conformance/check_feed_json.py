"""Decodes the feed of the poisoned log with an independent protobuf implementation (Python's
google.protobuf) and converts every event to JSON and back with json_format, as JSON clients
(buf curl, grpc-gateway, Python) do.

Usage: check_feed_json.py DIR

DIR holds what tests/poison.rs writes when MEDAID_POISON_FEED_DIR is set: descriptor.binpb (the
API's FileDescriptorSet) and one <backend>.events file per backend (length-delimited medaid.v1.Event
messages, every event of the log after the hostile writes). The exit status is non-zero when any
event fails to convert, or when there is nothing to check.
"""

import pathlib
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.internal.decoder import _DecodeVarint32


def load_event_class(descriptor_path):
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_path.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    pending = list(files.file)
    added = set()
    # Add files once their dependencies are in, whatever order the set lists them in.
    while pending:
        progress = False
        for file in list(pending):
            if all(dep in added for dep in file.dependency):
                pool.Add(file)
                added.add(file.name)
                pending.remove(file)
                progress = True
        if not progress:
            raise SystemExit(f"unresolved imports: {[f.name for f in pending]}")
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("medaid.v1.Event"))


def events(data):
    at = 0
    while at < len(data):
        size, at = _DecodeVarint32(data, at)
        yield data[at : at + size]
        at += size


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    directory = pathlib.Path(sys.argv[1])
    event_class = load_event_class(directory / "descriptor.binpb")
    failures = 0
    total = 0
    dumps = sorted(directory.glob("*.events"))
    if not dumps:
        raise SystemExit(f"feed-json: no *.events file in {directory}")
    for dump in dumps:
        count = 0
        for raw in events(dump.read_bytes()):
            count += 1
            event = event_class.FromString(raw)
            try:
                text = json_format.MessageToJson(event)
                back = json_format.Parse(text, event_class())
                if back != event:
                    raise ValueError("the JSON form does not convert back to the same event")
            except Exception as error:  # noqa: BLE001  (every failure is reported)
                failures += 1
                print(f"feed-json: {dump.stem}: event {event.position}: {error}")
        print(f"feed-json: {dump.stem}: {count} events of the poisoned log convert to JSON and back")
        total += count
    if failures or total == 0:
        print(f"feed-json: {failures} of {total} events failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
