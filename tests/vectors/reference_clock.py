#!/usr/bin/env python3
"""A second, independent implementation of the clock file (docs/protocol.md, "Clock file"),
written from the spec and sharing no code with the C++: it encodes the published vector, decodes
it back, and prints it; with --check DOC it checks that DOC (docs/protocol.md) holds exactly this
output. Python 3 standard library only."""

import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_entry as ref  # noqa: E402  (check_block)

MAGIC, VERSION, RECORD, CHECKSUM = b"IFEXCLCK", 1, 73, 32
FORK_PROOF = 0x01

# (author, fork proof held, head seq, head id), in no particular order: the file sorts them.
LOGS = [(b"\x33" * 32, True, 0x0102030405, b"\xbb" * 32),
        (b"\x11" * 32, False, 5, b"\xaa" * 32),
        (b"\x22" * 32, True, 0, b"\x00" * 32)]


def encode(logs):
    out = MAGIC + bytes([VERSION]) + struct.pack("<I", len(logs))
    for author, proof, seq, head in sorted(logs):
        out += author + bytes([FORK_PROOF if proof else 0]) + struct.pack("<Q", seq) + head
    return out + hashlib.blake2b(out, digest_size=32).digest()


def decode(data):
    assert data[:8] == MAGIC and data[8] == VERSION
    (count,) = struct.unpack_from("<I", data, 9)
    assert len(data) == 13 + count * RECORD + CHECKSUM
    assert hashlib.blake2b(data[:-CHECKSUM], digest_size=32).digest() == data[-CHECKSUM:]
    logs = []
    for i in range(count):
        r = data[13 + i * RECORD:13 + (i + 1) * RECORD]
        assert r[32] in (0, FORK_PROOF)
        (seq,) = struct.unpack_from("<Q", r, 33)
        assert seq != 0 or r[41:] == b"\x00" * 32
        logs.append((r[:32], r[32] == FORK_PROOF, seq, r[41:]))
    assert [log[0] for log in logs] == sorted({log[0] for log in logs})
    return logs


def lines(data, width=32):
    return "\n".join("  " + data[i:i + width].hex() for i in range(0, len(data), width))


def vectors():
    data = encode(LOGS)
    assert decode(data) == sorted(LOGS)
    out = [f"clock file ({len(LOGS)} authors, {len(data)} bytes):", "header:",
           lines(data[:13])]
    for i in range(len(LOGS)):
        out += [f"record {i + 1}:", lines(data[13 + i * RECORD:13 + (i + 1) * RECORD], 41)]
    out += ["checksum:", lines(data[-CHECKSUM:])]
    return "\n".join(out)


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return ref.check_block(argv[2], "reference_clock.py", vectors() + "\n", "clock vector")
    print(vectors())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
