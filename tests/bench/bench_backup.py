#!/usr/bin/env python3
"""Backup and restore benchmark: times `ifexnode backup` of a data dir (read only: the source is
never written) and `ifexnode restore` of the archive into a new dir (strict read, index rebuild,
verify), and reports the sizes. Prints figures, asserts nothing about time
(docs/performance.md, "Backup and restore", records the output and this command).

  bench_backup.py --bin build/node/ifexnode --data build/bench-cache/archive-1000000-1 \\
      --work /tmp/backup-bench

--work is made empty for the run and removed at the end unless --keep.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time


def size_of(path):
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    return sum(os.stat(os.path.join(d, f)).st_blocks * 512
               for d, _, files in os.walk(path) for f in files)


def timed(args):
    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=7200)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if os.path.exists(a.work):
        shutil.rmtree(a.work)
    os.makedirs(a.work)
    try:
        archive = os.path.join(a.work, "backup.tar")
        seconds, out = timed([a.bin, "backup", "--data", a.data, "--out", archive])
        print(out, end="")
        store = os.path.join(a.data, "store", "data.mdb")
        print(f"backup: {seconds:.1f} s; store {size_of(store) / 2**20:,.0f} MiB on disk -> "
              f"archive {os.stat(archive).st_size / 2**20:,.0f} MiB")
        restored = os.path.join(a.work, "restored")
        seconds, out = timed([a.bin, "restore", "--in", archive, "--data", restored])
        print(out, end="")
        print(f"restore: {seconds:.1f} s; restored dir {size_of(restored) / 2**20:,.0f} MiB "
              f"(index {size_of(os.path.join(restored, 'index')) / 2**20:,.0f} MiB)")
    finally:
        if not a.keep:
            shutil.rmtree(a.work, ignore_errors=True)


if __name__ == "__main__":
    main()
