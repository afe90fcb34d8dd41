#!/usr/bin/env python3
"""
Check the tracker's public publication log with nothing but Python's standard library.

    python3 check_publication_log.py https://tracker.example/publication-log.json --save head.json
    python3 check_publication_log.py https://tracker.example/publication-log.json --witness head.json

Downloads the log (or reads a saved copy of publication-log.json), recomputes every entry's hashes and the
chain from the first entry, and checks the head the log gives. --save writes the head (number of entries and
latest hash) to a file; --witness checks that the log still contains a head saved earlier, so entries removed
or rewritten since then are caught. Exits 0 if everything holds, 1 with the reason if not.

How the hashes are made (the tracker's recommendations/services/publication_log.py):
    content_hash = sha256(content)
    entry_hash   = sha256(previous_hash|recorded_at|kind|item_reference|update_id|by|content_hash)
with 64 zeros as the previous hash of the first entry.
"""
import argparse
import hashlib
import json
import sys
from urllib.request import urlopen

GENESIS = "0" * 64


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def read(place):
    if place.startswith(("http://", "https://")):
        with urlopen(place, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))
    with open(place, encoding="utf-8") as handle:
        return json.load(handle)


def check_chain(entries):
    """The head ({"entries", "entry_hash"}) of a chain that holds, or raises ValueError saying where it breaks."""
    previous = GENESIS
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number} (id {entry['id']})"
        if entry["previous_hash"] != previous:
            raise ValueError(f"{where} does not follow the entry before it: an entry was removed or inserted")
        if sha256(entry["content"]) != entry["content_hash"]:
            raise ValueError(f"{where}: its content does not match its content hash")
        fields = [entry["previous_hash"], entry["recorded_at"], entry["kind"], entry["item_reference"],
                  str(entry["update_id"] or ""), entry["by"], entry["content_hash"]]
        if sha256("|".join(fields)) != entry["entry_hash"]:
            raise ValueError(f"{where}: its hash does not match its fields")
        previous = entry["entry_hash"]
    return {"entries": len(entries), "entry_hash": previous}


def check_witness(entries, saved):
    count, expected = int(saved["entries"]), saved["entry_hash"]
    if count == 0:
        return
    if count > len(entries):
        raise ValueError(f"the saved head was entry {count}, but the log has only {len(entries)} entries now: "
                         "entries were removed")
    if entries[count - 1]["entry_hash"] != expected:
        raise ValueError(f"entry {count} no longer has the saved hash {expected}: the log was rewritten")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("log", help="address or file of the tracker's publication-log.json")
    parser.add_argument("--save", metavar="FILE", help="write the log's head to FILE, to check later")
    parser.add_argument("--witness", metavar="FILE", help="a head saved earlier that the log must still contain")
    options = parser.parse_args(argv)
    try:
        data = read(options.log)
        entries = sorted(data["publication-log"], key=lambda entry: entry["id"])
        head = check_chain(entries)
        published = data.get("head")
        if published and (published["entries"], published["entry_hash"]) != (head["entries"], head["entry_hash"]):
            raise ValueError(f"the head the log publishes ({published['entries']} entries, "
                             f"{published['entry_hash']}) is not the end of its chain")
        if options.witness:
            check_witness(entries, read(options.witness))
    except (OSError, KeyError, TypeError, ValueError) as error:
        print(f"The publication log does NOT hold: {error}", file=sys.stderr)
        return 1
    if options.save:
        head["recorded_at"] = entries[-1]["recorded_at"] if entries else None
        with open(options.save, "w", encoding="utf-8") as handle:
            json.dump(head, handle, indent=1)
    witnessed = " and still contains the saved head" if options.witness else ""
    print(f"The publication log holds{witnessed}: {head['entries']} entries, head {head['entry_hash']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
