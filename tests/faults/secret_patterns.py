"""The spellings a leaked secret key could take, and a scanner for them.

For a secret of n bytes: the raw bytes; hex in lower and upper case; and the characters of its
base64 (standard and URL-safe alphabets) and base32 (the key text alphabet, docs/keys.md, either
case) encodings that depend on the secret's bits alone. A secret embedded in a longer byte string
is encoded differently depending on where it starts (its offset mod 3 for base64, mod 5 for
base32), and its first and last characters mix in neighbouring bits, so each alignment gives its
own core string; padding never enters a core. For the seed, 16-byte windows of the raw bytes and
32-digit windows of the hex catch a partial leak too (a truncated line, half a buffer)."""
import base64
import binascii
import math


def _cores(secret, group_bits, encode):
    """Core substrings of encode(prefix + secret + suffix) for every alignment of the secret."""
    cores = []
    byte_groups = group_bits // math.gcd(8, group_bits)  # offsets mod this give other cores
    for shift in range(byte_groups):
        text = encode(bytes(shift) + secret + bytes(byte_groups))
        first = -(-8 * shift // group_bits)                  # first char with only secret bits
        end = (8 * (shift + len(secret))) // group_bits      # one past the last such char
        cores.append(text[first:end])
    return cores


def spellings(secret, name, windows=False):
    """[(label, bytes)] to look for."""
    out = [(f"{name} raw", secret),
           (f"{name} hex", binascii.hexlify(secret)),
           (f"{name} HEX", binascii.hexlify(secret).upper())]
    for i, core in enumerate(_cores(secret, 6, base64.b64encode)):
        out.append((f"{name} base64 (alignment {i})", core))
        url = core.replace(b"+", b"-").replace(b"/", b"_")
        if url != core:
            out.append((f"{name} base64url (alignment {i})", url))
    for i, core in enumerate(_cores(secret, 5, base64.b32encode)):
        out.append((f"{name} BASE32 (alignment {i})", core))
        out.append((f"{name} base32 (alignment {i})", core.lower()))
    if windows:
        for start in range(0, len(secret) - 16 + 1, 4):
            out.append((f"{name} raw bytes {start}..{start + 16}", secret[start:start + 16]))
        hexed = binascii.hexlify(secret)
        for start in range(0, len(hexed) - 32 + 1, 8):
            out.append((f"{name} hex digits {start}..{start + 32}", hexed[start:start + 32]))
            out.append((f"{name} HEX digits {start}..{start + 32}", hexed[start:start + 32].upper()))
    return out


def find_all(blob, patterns):
    """[(label, offset)] of every pattern found in `blob` (the first place of each)."""
    hits = []
    for label, pattern in patterns:
        at = blob.find(pattern)
        if at >= 0:
            hits.append((label, at))
    return hits
