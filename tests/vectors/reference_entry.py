#!/usr/bin/env python3
"""A second, independent implementation of the ifexnode entry encoding (docs/protocol.md).

It shares no code with the C++ implementation: Ed25519 is written out from RFC 8032 section 6,
the canonical encoding from the spec. It prints the published test vectors; with
--check DOC it checks that DOC (docs/protocol.md) holds exactly this output, so a change to the
encoding, the vectors or the doc that is not made in all three fails the tests.

Python 3 standard library only. Slow (pure Python big integers) but small.
"""

import hashlib
import json
import sys

# --- Ed25519, RFC 8032 section 6 -----------------------------------------------------------------

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493  # the group order, called L in the RFC
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def sha512(data):
    return hashlib.sha512(data).digest()


def point_add(a, b):
    # Extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z.
    e1, f1 = (a[1] - a[0]) * (b[1] - b[0]) % P, (a[1] + a[0]) * (b[1] + b[0]) % P
    c1, d1 = 2 * a[3] * b[3] * D % P, 2 * a[2] * b[2] % P
    e, f, g, h = f1 - e1, d1 - c1, d1 + c1, f1 + e1
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_mul(s, pt):
    acc = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            acc = point_add(acc, pt)
        pt = point_add(pt, pt)
        s >>= 1
    return acc


def recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 % P == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


G_Y = 4 * pow(5, P - 2, P) % P
G_X = recover_x(G_Y, 0)
G = (G_X, G_Y, 1, G_X * G_Y % P)


def compress(pt):
    zinv = pow(pt[2], P - 2, P)
    x, y = pt[0] * zinv % P, pt[1] * zinv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def decompress(data):
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def sha512_mod_q(data):
    return int.from_bytes(sha512(data), "little") % Q


def expand_seed(seed):
    h = sha512(seed)
    a = int.from_bytes(h[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return a, h[32:]


def public_key(seed):
    a, _ = expand_seed(seed)
    return compress(point_mul(a, G))


def sign(seed, message):
    a, prefix = expand_seed(seed)
    pub = compress(point_mul(a, G))
    r = sha512_mod_q(prefix + message)
    big_r = compress(point_mul(r, G))
    s = (r + sha512_mod_q(big_r + pub + message) * a) % Q
    return big_r + s.to_bytes(32, "little")


# y coordinates of the 8 points of small order (identity, order 2, 4, 8); libsodium refuses keys
# and R values with these y, whatever the sign bit, including the non-canonical y = p, p + 1.
Y_ORDER_8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022
SMALL_ORDER_Y = {0, 1, P - 1, Y_ORDER_8, P - Y_ORDER_8}


def has_small_order(encoded):
    return (int.from_bytes(encoded, "little") & ((1 << 255) - 1)) % P in SMALL_ORDER_Y


def verify(pub, message, sig):
    """As strict as libsodium's crypto_sign_verify_detached (docs/protocol.md, "Signatures")."""
    big_r, s = sig[:32], int.from_bytes(sig[32:], "little")
    if s >= Q or has_small_order(big_r):
        return False
    if int.from_bytes(pub, "little") & ((1 << 255) - 1) >= P or has_small_order(pub):
        return False
    a = decompress(pub)
    if a is None:
        return False
    h = sha512_mod_q(big_r + pub + message)
    minus_a = ((P - a[0]) % P, a[1], a[2], (P - a[3]) % P)
    # Cofactorless: the encoding of [S]B - [h]A must equal R byte for byte.
    return compress(point_add(point_mul(s, G), point_mul(h, minus_a))) == big_r


# --- canonical encoding (docs/protocol.md, "Canonical encoding") ---------------------------------

FLAG = b"\x01"  # cereal portable binary, little-endian


def u8(v):
    return v.to_bytes(1, "little")


def u16(v):
    return v.to_bytes(2, "little")


def u64(v):
    return v.to_bytes(8, "little")


def blob(data):
    return u64(len(data)) + data


def text(s):
    return blob(s.encode("utf-8"))


def text_list(items):
    return u64(len(items)) + b"".join(text(s) for s in items)


# --- alert payload (docs/protocol.md, "Alert payload") -------------------------------------------


def utf8_order(s):
    return s.encode("utf-8")  # byte order, as C++ std::string compares


def canonical_alert(alert):
    out = dict(alert)
    key = utf8_order
    out["translations"] = sorted(alert["translations"], key=lambda t: key(t["lang"]))
    out["categories"] = sorted(set(alert["categories"]), key=key)
    out["tags"] = sorted(set(alert["tags"]), key=key)
    out["sources"] = list(dict.fromkeys(alert["sources"]))
    return out


def text_block(t):
    return text(t["lang"]) + text(t["title"]) + text(t["summary"]) + text(t["body"])


def encode_alert(alert):
    a = canonical_alert(alert)
    return (FLAG + u8(1) + text_block(a["original"]) + u64(len(a["translations"])) +
            b"".join(text_block(t) for t in a["translations"]) + text(a["country"]) +
            text_list(a["categories"]) + text(a["event_date"]) + text_list(a["sources"]) +
            text_list(a["tags"]) + text(a["legacy_id"]))


# --- entry (docs/protocol.md, "Entry") -----------------------------------------------------------

DOMAIN = b"ifexnode/entry/v1"
KIND_ALERT = 1


def make_entry(seed, seq, prev, created_ms, kind, payload):
    author = public_key(seed)
    unsigned = (FLAG + u8(1) + author + u64(seq) + prev + u64(created_ms) + u16(kind) +
                blob(payload))
    signature = sign(seed, DOMAIN + unsigned)
    assert verify(author, DOMAIN + unsigned, signature)
    signed = unsigned + signature
    entry_id = hashlib.blake2b(signed, digest_size=32).digest()
    return {"author": author, "signed": signed, "signature": signature, "id": entry_id}


# --- the vectors ---------------------------------------------------------------------------------

SEED = bytes(range(32))

# Lists deliberately out of canonical order: the encoder sorts them.
ALERT_1 = {
    "original": {
        "lang": "fr",
        "title": "Un journaliste détenu à Exempleville",
        "summary": "Vecteur de test : alerte fictive, publiée pour vérifier les implémentations.",
        "body": "Première ligne du corps.\nDeuxième ligne : « guillemets » et accents éèàç.",
    },
    "translations": [{
        "lang": "en",
        "title": "A journalist detained in Exampletown",
        "summary": "Test vector: a fictional alert, published to check implementations.",
        "body": "First line of the body.\nSecond line.",
    }],
    "country": "FR",
    "categories": ["press-freedom", "detention"],
    "event_date": "2023-11-14",
    "sources": ["https://example.org/alertes/1", "http://example.net/a?b=c"],
    "tags": ["vecteur-de-test"],
    "legacy_id": "",
}

# Right-to-left text with an explicit RIGHT-TO-LEFT MARK (U+200F) and a ZERO WIDTH JOINER
# (U+200D): invisible characters that must survive byte for byte.
ALERT_2 = {
    "original": {
        "lang": "ar",
        "title": "صحفي محتجز في مدينة المثال",
        "summary": "متجه اختبار: تنبيه خيالي منذ 2024\u200f.",
        "body": "السطر الأول.\nالسطر الثاني\u200dمع وصلة.",
    },
    "translations": [
        {
            "lang": "fr",
            "title": "Un journaliste détenu à Ville-Exemple",
            "summary": "Vecteur de test : alerte fictive.",
            "body": "",
        },
        {
            "lang": "en",
            "title": "A journalist detained in Example City",
            "summary": "Test vector: a fictional alert.",
            "body": "",
        },
    ],
    "country": "JO",
    "categories": ["attack-on-journalist"],
    "event_date": "2024-02-29",
    "sources": ["https://example.org/ar/2"],
    "tags": ["test-vector", "arabic"],
    "legacy_id": "IFEX-TEST-0002",
}


def show_json(value):
    out = json.dumps(value, ensure_ascii=False, indent=2)
    # Invisible format characters are spelled out so the doc shows them.
    return out.replace("\u200f", "\\u200f").replace("\u200d", "\\u200d")


def wrapped_hex(data, width=64):
    h = data.hex()
    return "\n".join("  " + h[i:i + width] for i in range(0, len(h), width)) if h else "  (empty)"


def vectors():
    out = []
    prev = bytes(32)
    specs = [(1, 1700000000000, ALERT_1, "seq 1: French original, English translation"),
             (2, 1700000060000, ALERT_2, "seq 2: Arabic original, chained to vector 1")]
    for seq, created_ms, alert, title in specs:
        if out:
            out.append("")
        payload = encode_alert(alert)
        e = make_entry(SEED, seq, prev, created_ms, KIND_ALERT, payload)
        out.append(f"vector {seq} ({title})")
        out.append("alert (as given to the encoder, before canonical ordering):")
        out.append("\n".join("  " + line for line in show_json(alert).split("\n")))
        out.append(f"seed:\n{wrapped_hex(SEED)}")
        out.append(f"author (public key):\n{wrapped_hex(e['author'])}")
        out.append(f"seq: {seq}")
        out.append(f"prev:\n{wrapped_hex(prev)}")
        out.append(f"created_ms: {created_ms}")
        out.append(f"kind: {KIND_ALERT} (alert)")
        out.append(f"payload ({len(payload)} bytes):\n{wrapped_hex(payload)}")
        out.append(f"entry ({len(e['signed'])} bytes, signature last):\n{wrapped_hex(e['signed'])}")
        out.append(f"signature:\n{wrapped_hex(e['signature'])}")
        out.append(f"id:\n{wrapped_hex(e['id'])}")
        prev = e["id"]
    return "\n".join(out)


def check_block(doc_path, script, expected, what):
    """Whether docs/protocol.md's block marked as the output of `script` is `expected`."""
    begin = f"<!-- begin: output of tests/vectors/{script} -->\n```text\n"
    end_marker = f"```\n<!-- end: output of tests/vectors/{script} -->"
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    start = doc.find(begin)
    end = doc.find(end_marker, start + 1)
    if start < 0 or end < 0:
        print(f"{doc_path}: the {what} block markers are missing", file=sys.stderr)
        return 1
    in_doc = doc[start + len(begin):end]
    if in_doc != expected:
        doc_lines, our_lines = in_doc.split("\n"), expected.split("\n")
        for i, (a, b) in enumerate(zip(doc_lines, our_lines)):
            if a != b:
                print(f"{doc_path}: {what} block differs at its line {i + 1}:\n  doc:       {a}\n"
                      f"  reference: {b}", file=sys.stderr)
                break
        else:
            print(f"{doc_path}: {what} block has {len(doc_lines)} lines, the reference "
                  f"{len(our_lines)}", file=sys.stderr)
        return 1
    print(f"{doc_path}: {what}s match the reference implementation")
    return 0


def check(doc_path):
    return check_block(doc_path, "reference_entry.py", vectors() + "\n", "test vector")


def self_test():
    # RFC 8032 section 7.1, test 1, so the Ed25519 above is known good before it makes vectors.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    sig = sign(seed, b"")
    assert public_key(seed).hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    assert sig.hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
        "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert verify(public_key(seed), b"", sig)
    # S + L verifies under a lax implementation; a strict one (libsodium, this) refuses it.
    s = int.from_bytes(sig[32:], "little") + Q
    assert not verify(public_key(seed), b"", sig[:32] + s.to_bytes(32, "little"))


def main(argv):
    self_test()
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) != 1:
        print("usage: reference_entry.py [--check docs/protocol.md]", file=sys.stderr)
        return 2
    print(vectors())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
