#!/usr/bin/env python3
"""Keeps a fresh clone from rebuilding crates whose sources did not change.

Cargo decides that a workspace crate is stale when a source file is newer
than its last build. A fresh `git clone` gives every file the current time,
so every run of the test suite on a new clone rebuilt `app` and `server`
(twice: release and wasm) even when nothing in them had changed.

    source-mtimes.py restore TARGET_DIR   before building
    source-mtimes.py save TARGET_DIR      after building

`save` records each tracked file's content hash and mtime, and the newest
mtime of the target dir's fingerprints. `restore` gives a file its recorded
mtime back only when its content is still the same, so a changed file stays
newer than the build and is rebuilt as before. When anything else built into
the target dir since `save` (a fingerprint is newer than recorded), the
builds there may be of other content, so `restore` leaves every mtime alone.
`restore` deletes the record first: a build that fails half-way leaves none.
"""

import hashlib
import json
import os
import subprocess
import sys

RECORD = "patrol-source-mtimes.json"


def tracked_files():
    out = subprocess.run(
        ["git", "ls-files", "-z"], check=True, capture_output=True
    ).stdout
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def newest_fingerprint(target):
    """The newest mtime (ns) of any file in any `.fingerprint` dir below `target`."""
    newest = 0
    for top, dirs, _files in os.walk(target):
        if ".fingerprint" in dirs:
            fp = os.path.join(top, ".fingerprint")
            for unit in os.scandir(fp):
                newest = max(newest, unit.stat().st_mtime_ns)
                if unit.is_dir():
                    for f in os.scandir(unit.path):
                        newest = max(newest, f.stat().st_mtime_ns)
            dirs.remove(".fingerprint")
        # Only cargo's own layout holds fingerprints; skip build outputs.
        dirs[:] = [d for d in dirs if d not in ("deps", "build", "incremental", "examples")]
    return newest


def save(target):
    files = {}
    for path in tracked_files():
        if os.path.isfile(path) and not os.path.islink(path):
            files[path] = [digest(path), os.stat(path).st_mtime_ns]
    record = {"fingerprints": newest_fingerprint(target), "files": files}
    tmp = os.path.join(target, RECORD + ".tmp")
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.replace(tmp, os.path.join(target, RECORD))
    print(f"source-mtimes: recorded {len(files)} files")


def restore(target):
    path = os.path.join(target, RECORD)
    try:
        with open(path) as f:
            record = json.load(f)
        os.remove(path)
    except (OSError, ValueError):
        print("source-mtimes: no record, every file counts as changed")
        return
    if newest_fingerprint(target) > record["fingerprints"]:
        print("source-mtimes: something else built here since, every file counts as changed")
        return
    kept = changed = 0
    for p in tracked_files():
        old = record["files"].get(p)
        if old and os.path.isfile(p) and not os.path.islink(p) and digest(p) == old[0]:
            os.utime(p, ns=(old[1], old[1]))
            kept += 1
        else:
            changed += 1
    print(f"source-mtimes: {kept} files unchanged since the last build, {changed} changed or new")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "restore"):
        sys.exit("usage: source-mtimes.py save|restore TARGET_DIR")
    target = sys.argv[2]
    os.makedirs(target, exist_ok=True)
    (save if sys.argv[1] == "save" else restore)(target)


if __name__ == "__main__":
    main()
