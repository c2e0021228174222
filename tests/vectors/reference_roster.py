#!/usr/bin/env python3
"""A second, independent implementation of the federation roster (docs/protocol.md, "Federation
roster"): the genesis, proposal and approval payloads of `roster` entries (kind 5), the
invitation text, and the roster rule, written from the spec and sharing no code with the C++.

It signs a small scenario in the members' logs and prints the published roster vectors; with
--check DOC it checks that DOC (docs/protocol.md) holds exactly this output. Ed25519, the
canonical encoding and the entry come from reference_entry.py (same directory), which is the
independent implementation of those.

Python 3 standard library only.
"""

import base64
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_entry as ref  # noqa: E402  (the entry encoding and Ed25519, written out)

# --- payloads (docs/protocol.md, "Federation roster", "Payload") ---------------------------------

KIND_ROSTER = 5
ROSTER_FORMAT = 1
GENESIS, PROPOSAL, APPROVAL = 1, 2, 3
ADD, REMOVE, THRESHOLD, REVOKE, ROTATE, REMOVE_AFTER = 1, 2, 3, 4, 5, 6
OP_NAMES = {ADD: "add", REMOVE: "remove", THRESHOLD: "threshold", REVOKE: "revoke",
            ROTATE: "rotate", REMOVE_AFTER: "remove_after"}
# An ended log's entries after its end that every node still carries (docs/protocol.md,
# "Ended logs"); beyond them the rule reads nothing of the key.
ENDED_LOG_MARGIN = 64
ENDS_A_KEY = (REVOKE, ROTATE)  # take slots from their base on, first


def genesis_payload(name, threshold, members):
    """members: (key, name) pairs, in any order: the encoding sorts them by key."""
    members = sorted(members, key=lambda m: m[0])
    return (ref.FLAG + ref.u8(ROSTER_FORMAT) + ref.u8(GENESIS) + ref.text(name) +
            ref.u64(threshold) + ref.u64(len(members)) +
            b"".join(key + ref.text(n) for key, n in members))


def proposal_payload(genesis_id, base, op, key=None, name=None, value=None, successor=None):
    body = {ADD: lambda: key + ref.text(name),
            REMOVE: lambda: key,
            THRESHOLD: lambda: ref.u64(value),
            REVOKE: lambda: key + ref.u64(value),
            REMOVE_AFTER: lambda: key + ref.u64(value),
            ROTATE: lambda: key + successor + ref.u64(value)}[op]()
    return (ref.FLAG + ref.u8(ROSTER_FORMAT) + ref.u8(PROPOSAL) + genesis_id + ref.u64(base) +
            ref.u8(op) + body)


def approval_payload(genesis_id, proposal_id):
    return ref.FLAG + ref.u8(ROSTER_FORMAT) + ref.u8(APPROVAL) + genesis_id + proposal_id


class Reader:
    """Reads the canonical encoding; any failure raises ValueError (the entry is then ignored)."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise ValueError("truncated")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u64(self):
        return int.from_bytes(self.take(8), "little")

    def text(self, limit):
        n = self.u64()
        if n > limit:
            raise ValueError("too_large")
        s = self.take(n).decode("utf-8")  # strict: invalid UTF-8 raises
        if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in s):
            raise ValueError("a control character")
        return s

    def end(self):
        if self.at != len(self.data):
            raise ValueError("trailing_bytes")


def decode_roster(payload):
    """A dict for a valid payload; ValueError for anything the rules refuse (`bad_roster`)."""
    r = Reader(payload)
    if r.u8() != 1 or r.u8() != ROSTER_FORMAT:
        raise ValueError("unknown format")
    kind = r.u8()
    if kind == GENESIS:
        out = {"type": GENESIS, "name": r.text(256), "threshold": r.u64(), "members": []}
        count = r.u64()
        if not 1 <= count <= 10000:
            raise ValueError("member count")
        for _ in range(count):
            out["members"].append((r.take(32), r.text(256)))
        keys = [k for k, _ in out["members"]]
        if any(a >= b for a, b in zip(keys, keys[1:])):
            raise ValueError("members not sorted or not unique")
        if not 1 <= out["threshold"] <= count:
            raise ValueError("threshold")
    elif kind == PROPOSAL:
        out = {"type": PROPOSAL, "genesis": r.take(32), "base": r.u64(), "op": r.u8(),
               "key": bytes(32), "name": "", "value": 0, "successor": bytes(32)}
        op = out["op"]
        if op not in OP_NAMES:
            raise ValueError("unknown op")
        if op in (ADD, REMOVE, REVOKE, ROTATE, REMOVE_AFTER):
            out["key"] = r.take(32)
        if op == ROTATE:
            out["successor"] = r.take(32)
        if op == ADD:
            out["name"] = r.text(256)
        if op in (THRESHOLD, REVOKE, ROTATE, REMOVE_AFTER):
            out["value"] = r.u64()
        if op == ROTATE and out["key"] == out["successor"]:
            raise ValueError("a rotation names two different keys")
        if op == THRESHOLD and not 1 <= out["value"] <= 10000:
            raise ValueError("threshold")
    elif kind == APPROVAL:
        out = {"type": APPROVAL, "genesis": r.take(32), "proposal": r.take(32)}
    else:
        raise ValueError("unknown type")
    r.end()
    return out


# --- the roster rule (docs/protocol.md, "Federation roster", "The rule") -------------------------


def entry_fields(signed):
    """author, seq, kind, payload and id of a signed entry made by ref.make_entry."""
    n = int.from_bytes(signed[84:92], "little")
    return {"author": signed[2:34], "seq": int.from_bytes(signed[34:42], "little"),
            "kind": int.from_bytes(signed[82:84], "little"), "payload": signed[92:92 + n],
            "id": hashlib.blake2b(signed, digest_size=32).digest()}


def compute_roster(genesis_signed, entries_signed, margin=ENDED_LOG_MARGIN):
    g_entry = entry_fields(genesis_signed)
    g = decode_roster(g_entry["payload"])
    assert g["type"] == GENESIS and g_entry["author"] in dict(g["members"])
    genesis_id = g_entry["id"]

    # The input is a set: each entry once, whatever the order.
    entries = {}
    for signed in entries_signed:
        e = entry_fields(signed)
        if e["kind"] == KIND_ROSTER and e["id"] != genesis_id:
            entries[e["id"]] = e
    changes, ignored = [], 0
    for e in entries.values():
        try:
            change = decode_roster(e["payload"])
        except ValueError:
            ignored += 1
            continue
        if change["type"] in (PROPOSAL, APPROVAL) and change["genesis"] == genesis_id:
            changes.append((e, change))
        else:
            ignored += 1  # a second genesis, or another federation's entry

    # Ended logs: the rule reads an ended key's entries up to its end plus the margin only. Which
    # logs end is the rule's own result, so it runs until the ends it finds are those it was
    # given; on a cycle, once more with the earliest end of every key met in the cycle.
    def beyond(ends, author, seq):
        return author in ends and seq > min(ends[author] + margin, 2**64 - 1)

    def proposed_ends(drop_beyond):
        # Per key, the lowest end a held revoke, rotate or remove_after proposal names.
        ends = {}
        for e, change in changes:
            if change["type"] != PROPOSAL or change["op"] not in (REVOKE, ROTATE, REMOVE_AFTER):
                continue
            if drop_beyond is not None and beyond(drop_beyond, e["author"], e["seq"]):
                continue
            ends[change["key"]] = min(change["value"], ends.get(change["key"], change["value"]))
        return ends

    # Round 1 starts from the proposed ends (without the proposals beyond their margins).
    tried, ends = [], proposed_ends(proposed_ends(None))
    while True:
        state = run_rule(g, g_entry, changes, ignored, ends, margin)
        state["rounds"], state["settled"] = len(tried) + 1, True
        if state["ended_after"] == ends:
            return state
        tried.append(ends)
        if state["ended_after"] in tried or len(tried) >= 64:
            start = tried.index(state["ended_after"]) if state["ended_after"] in tried else 0
            union = {}
            for met in tried[start:]:
                for key, seq in met.items():
                    union[key] = min(seq, union.get(key, seq))
            state = run_rule(g, g_entry, changes, ignored, union, margin)
            state["rounds"], state["settled"] = len(tried) + 1, False
            return state
        ends = state["ended_after"]


def run_rule(g, g_entry, changes, ignored, ends, margin):
    genesis_id = g_entry["id"]
    state = {"name": g["name"], "genesis": genesis_id, "founder": g_entry["author"],
             "threshold": g["threshold"], "members": {k: (n, 0, []) for k, n in g["members"]},
             "ended_after": {}, "removed": set(), "applied": [], "pending": [],
             "ignored": ignored, "void": 0}
    proposals, approvals = {}, []
    for e, change in changes:
        if e["author"] in ends and e["seq"] > min(ends[e["author"]] + margin, 2**64 - 1):
            state["void"] += 1
            continue
        if change["type"] == PROPOSAL:
            proposals[e["id"]] = {"id": e["id"], "proposer": e["author"], "change": change,
                                  "signatures": {(e["author"], e["seq"])}}
        else:
            approvals.append((change["proposal"], e["author"], e["seq"]))
    for proposal_id, author, seq in approvals:
        if proposal_id in proposals:
            proposals[proposal_id]["signatures"].add((author, seq))

    def counts(author, seq):
        return author in state["members"]  # a key whose log ended is no member, never again

    def signers(p):
        # Each author at most once: it counts if an entry of its that names the proposal counts.
        counting = {a for a, seq in p["signatures"] if counts(a, seq)}
        others = {a for a, _ in p["signatures"]} - counting
        return sorted(counting), len(others)

    def fits(c):
        members, k = state["members"], state["threshold"]
        if c["op"] == ADD:
            return c["key"] not in members and c["key"] not in state["ended_after"]
        if c["op"] in (REMOVE, REMOVE_AFTER):
            return c["key"] in members and len(members) - 1 >= k
        if c["op"] == THRESHOLD:
            return c["value"] != k and 1 <= c["value"] <= len(members)
        if c["op"] == REVOKE:
            return (c["key"] not in state["ended_after"] and
                    (c["key"] not in members or len(members) - 1 >= k))
        return (c["key"] in members and c["successor"] not in members and
                c["successor"] not in state["ended_after"])

    def qualifies(p):
        return fits(p["change"]) and len(signers(p)[0]) >= state["threshold"]

    def decision(p):
        approvers, others = signers(p)
        return {"id": p["id"], "proposer": p["proposer"], "change": p["change"],
                "approvers": approvers, "others": others, "fits": fits(p["change"])}

    left = dict(proposals)
    while True:
        slot = len(state["applied"])
        by_id = sorted(left.values(), key=lambda p: p["id"])
        revocations = [p for p in by_id if p["change"]["op"] in ENDS_A_KEY and
                       p["change"]["base"] <= slot and qualifies(p)]
        in_slot = [p for p in by_id
                   if p["change"]["op"] not in ENDS_A_KEY and p["change"]["base"] == slot and
                   qualifies(p)]
        chosen = (revocations or in_slot or [None])[0]
        if chosen is None:
            break
        d = decision(chosen)  # as it stood when it took effect
        del left[chosen["id"]]
        c, number = chosen["change"], slot + 1
        if c["op"] == ADD:
            state["members"][c["key"]] = (c["name"], number, [])
        elif c["op"] == REMOVE:
            del state["members"][c["key"]]
        elif c["op"] == REMOVE_AFTER:  # leaves, and its log ends: as a revocation's, not stolen
            del state["members"][c["key"]]
            state["ended_after"][c["key"]] = c["value"]
            state["removed"].add(c["key"])
        elif c["op"] == THRESHOLD:
            state["threshold"] = c["value"]
        elif c["op"] == REVOKE:
            state["members"].pop(c["key"], None)
            state["ended_after"][c["key"]] = c["value"]
        else:  # rotate: the same organisation under the new key
            name, since, earlier = state["members"].pop(c["key"])
            state["members"][c["successor"]] = (name, since, earlier + [c["key"]])
            state["ended_after"][c["key"]] = c["value"]
        state["applied"].append(d)
    for p in sorted(left.values(), key=lambda p: p["id"]):
        d = decision(p)
        d["stale"] = (p["change"]["op"] not in ENDS_A_KEY and
                      p["change"]["base"] < len(state["applied"]))
        state["pending"].append(d)
    return state


# --- invitation (docs/protocol.md, "Invitation"; docs/keys.md, "Base32") -------------------------

INVITATION_PREFIX = b"ifexinv1"


def base32(data):
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")


def typed_text(prefix, body):
    checksum = hashlib.blake2b(prefix + body, digest_size=32).digest()[:4]
    return prefix.decode("ascii") + base32(body + checksum)


def invitation_body(network_key, genesis_id, founder, peers):
    return (ref.FLAG + ref.u8(1) + network_key + genesis_id + founder + ref.u64(len(peers)) +
            b"".join(key + ref.text(url) for key, url in peers))


# --- the scenario --------------------------------------------------------------------------------

# Identity i has the seed i, i + 1, ..., i + 31 (so A is the entry vectors' author).
LETTERS = "ABCDEFGH"
SEEDS = {letter: bytes((i + j) % 256 for j in range(32)) for i, letter in enumerate(LETTERS)}
KEYS = {letter: ref.public_key(seed) for letter, seed in SEEDS.items()}
NAMES = {"A": "Alpha", "B": "Beta", "C": "Ça presse", "D": "Delta", "E": "Epsilon", "F": "Zeta"}
FEDERATION = "IFEX roster vectors"
NETWORK_KEY = bytes(range(0x80, 0xa0))
PEERS = [("A", "wss://alpha.example.org/gossip"), ("B", "ws://192.0.2.10:7400/gossip")]
CREATED_MS = 1700000000000  # entry n is dated CREATED_MS + 60000 * n

# (author, what, payload maker). Makers take the ids of the entries so far (1-based numbers).
# base: the number of changes the proposer saw in effect.
SCENARIO = [
    ("A", 'genesis "IFEX roster vectors", K = 2, members A, B, C',
     lambda ids: genesis_payload(FEDERATION, 2, [(KEYS[m], NAMES[m]) for m in "CAB"])),
    ("A", "proposal, base 0: add D",
     lambda ids: proposal_payload(ids[1], 0, ADD, KEYS["D"], NAMES["D"])),
    ("B", "approval of entry 2", lambda ids: approval_payload(ids[1], ids[2])),
    ("C", "approval of entry 2", lambda ids: approval_payload(ids[1], ids[2])),
    ("A", "proposal, base 1: revoke C after seq 1",
     lambda ids: proposal_payload(ids[1], 1, REVOKE, KEYS["C"], value=1)),
    ("D", "approval of entry 5", lambda ids: approval_payload(ids[1], ids[5])),
    # Two proposals for slot 2 (base 2), each signed by K = 2 members: the lower id takes it.
    ("B", "proposal, base 2: add E", lambda ids: proposal_payload(ids[1], 2, ADD, KEYS["E"],
                                                                  NAMES["E"])),
    ("D", "approval of entry 7", lambda ids: approval_payload(ids[1], ids[7])),
    ("D", "proposal, base 2: add F", lambda ids: proposal_payload(ids[1], 2, ADD, KEYS["F"],
                                                                  NAMES["F"])),
    ("A", "approval of entry 9", lambda ids: approval_payload(ids[1], ids[9])),
    # C's approval after the revocation took effect (slot 2 > slot 1): it does not count.
    ("C", "approval of entry 9", lambda ids: approval_payload(ids[1], ids[9])),
    ("A", "proposal, base 3: threshold 3",
     lambda ids: proposal_payload(ids[1], 3, THRESHOLD, value=3)),
    ("B", "approval of entry 12", lambda ids: approval_payload(ids[1], ids[12])),
    # G is no member: its genesis names another federation, its approval does not count.
    ("G", 'genesis "Another federation", K = 1, members G',
     lambda ids: genesis_payload("Another federation", 1, [(KEYS["G"], "Eta")])),
    ("G", "approval of entry 12", lambda ids: approval_payload(ids[1], ids[12])),
    # Under K = 3, two signatures are not enough: pending.
    ("D", "proposal, base 4: remove B", lambda ids: proposal_payload(ids[1], 4, REMOVE, KEYS["B"])),
    ("A", "approval of entry 16", lambda ids: approval_payload(ids[1], ids[16])),
    # A late approval of the revocation by a genesis member: the revocation could qualify at
    # slot 0 now, but it was made for slot 1 (base 1), so the history stays as it is.
    ("B", "approval of entry 5", lambda ids: approval_payload(ids[1], ids[5])),
    # E moves to the key H, one organisation: a rotation takes slot 4 ahead of the removal made
    # for it (which is then stale), with K = 3 signatures.
    ("A", "proposal, base 4: rotate E to H after seq 0",
     lambda ids: proposal_payload(ids[1], 4, ROTATE, KEYS["E"], value=0, successor=KEYS["H"])),
    ("B", "approval of entry 19", lambda ids: approval_payload(ids[1], ids[19])),
    ("D", "approval of entry 19", lambda ids: approval_payload(ids[1], ids[19])),
    # A holds D's log up to seq 3 when it proposes D's removal: D's log ends there. Entries 16
    # and 21 (D's seqs 4 and 5) are void for readers but within the margin: the rule still
    # reads them, and D's approval of the rotation (entry 21) still counts in slot 4.
    ("A", "proposal, base 5: remove D after seq 3",
     lambda ids: proposal_payload(ids[1], 5, REMOVE_AFTER, KEYS["D"], value=3)),
    ("B", "approval of entry 22", lambda ids: approval_payload(ids[1], ids[22])),
    ("H", "approval of entry 22", lambda ids: approval_payload(ids[1], ids[22])),
]
# (entries, title, margin)
ROSTERS = [(17, "entries 1 to 17", ENDED_LOG_MARGIN),
           (18, "entries 1 to 18 (B approves the revocation late)", ENDED_LOG_MARGIN),
           (21, "entries 1 to 21 (E moves to the key H)", ENDED_LOG_MARGIN),
           (24, "entries 1 to 24 (D is removed, its log ends after seq 3)", ENDED_LOG_MARGIN),
           # Not the protocol's margin: with 1, D's seq 5 (entry 21) is beyond it, the rotation
           # then lacks a signature, D's removal never gets its slot, and the rule goes round a
           # cycle of ends (docs/protocol.md, "Ended logs").
           (24, "entries 1 to 24 with a margin of 1 (a cycle of ends)", 1)]


def make_scenario():
    heads = {}  # author -> (seq, id) of its last entry
    ids, entries = {}, []
    for n, (author, _, maker) in enumerate(SCENARIO, start=1):
        seq, prev = heads.get(author, (0, bytes(32)))
        payload = maker(ids)
        e = ref.make_entry(SEEDS[author], seq + 1, prev, CREATED_MS + 60000 * n, KIND_ROSTER,
                           payload)
        heads[author] = (seq + 1, e["id"])
        ids[n] = e["id"]
        entries.append({**e, "n": n, "letter": author, "seq": seq + 1, "payload": payload})
    return entries


# --- output --------------------------------------------------------------------------------------


def render_roster(state, letter_of, number_of):
    def who(keys):
        return " ".join(letter_of[k] for k in keys) or "none"

    def change(c):
        if c["op"] == THRESHOLD:
            return f"threshold {c['value']}"
        if c["op"] in (REVOKE, REMOVE_AFTER):
            verb = "revoke" if c["op"] == REVOKE else "remove"
            return f"{verb} {letter_of[c['key']]} after seq {c['value']}"
        if c["op"] == ROTATE:
            return (f"rotate {letter_of[c['key']]} to {letter_of[c['successor']]} "
                    f"after seq {c['value']}")
        return f"{OP_NAMES[c['op']]} {letter_of[c['key']]}"

    def decided(d):
        return (f"entry {number_of[d['id']]} ({change(d['change'])}, base {d['change']['base']}) "
                f"by {letter_of[d['proposer']]}: counting {who(d['approvers'])}; "
                f"not counting {d['others']}")

    out = [f"  federation: \"{state['name']}\", genesis entry {number_of[state['genesis']]}, "
           f"founder {letter_of[state['founder']]}",
           f"  threshold: {state['threshold']}", "  members (by key):"]
    for key in sorted(state["members"]):
        name, since, earlier = state["members"][key]
        keys = f", earlier keys {' '.join(letter_of[k] for k in earlier)}" if earlier else ""
        out.append(f"    {letter_of[key]} \"{name}\", since change {since}{keys}")
    out.append("  ended logs:" + ("" if state["ended_after"] else " none"))
    for key in sorted(state["ended_after"]):
        why = "removed" if key in state["removed"] else "revoked"
        out.append(f"    {letter_of[key]} after seq {state['ended_after'][key]} ({why})")
    out.append("  applied:" + ("" if state["applied"] else " none"))
    for i, d in enumerate(state["applied"], start=1):
        out.append(f"    change {i}: {decided(d)}")
    out.append("  pending (by id):" + ("" if state["pending"] else " none"))
    for d in state["pending"]:
        flags = ("fits" if d["fits"] else "does not fit") + (", stale" if d["stale"] else "")
        out.append(f"    {decided(d)}; {flags}")
    out.append(f"  ignored entries: {state['ignored']}; beyond a margin: {state['void']}")
    out.append(f"  rounds: {state['rounds']}" + ("" if state["settled"] else ", a cycle"))
    return out


def vectors():
    entries = make_scenario()
    letter_of = {key: letter for letter, key in KEYS.items()}
    number_of = {e["id"]: e["n"] for e in entries}
    out = ["keys (identity i: the seed i, i + 1, ..., i + 31):"]
    for i, letter in enumerate(LETTERS):
        out.append(f"  {letter} (seed {i}): {KEYS[letter].hex()}")
    for e in entries:
        out.append("")
        out.append(f"entry {e['n']}: {e['letter']} seq {e['seq']}, {SCENARIO[e['n'] - 1][1]}")
        out.append(f"payload ({len(e['payload'])} bytes):\n{ref.wrapped_hex(e['payload'])}")
        out.append(f"id:\n{ref.wrapped_hex(e['id'])}")
    genesis = entries[0]
    for upto, title, margin in ROSTERS:
        state = compute_roster(genesis["signed"], [e["signed"] for e in entries[:upto]], margin)
        out.append("")
        out.append(f"roster from {title}:")
        out.extend(render_roster(state, letter_of, number_of))
    body = invitation_body(NETWORK_KEY, genesis["id"], KEYS["A"],
                           [(KEYS[who], url) for who, url in PEERS])
    out.append("")
    out.append("invitation: network key 80 81 ... 9f, genesis entry 1, founder A, peers " +
               ", ".join(f"{who} {url}" for who, url in PEERS))
    out.append(f"body ({len(body)} bytes):\n{ref.wrapped_hex(body)}")
    text = typed_text(INVITATION_PREFIX, body)
    out.append(f"text ({len(text)} characters, one line, wrapped here):")
    out.extend("  " + text[i:i + 64] for i in range(0, len(text), 64))
    return "\n".join(out)


def check(doc_path):
    return ref.check_block(doc_path, "reference_roster.py", vectors() + "\n", "roster vector")


def self_test():
    ref.self_test()
    # docs/keys.md's example public key text: the same base32 and checksum as the invitation.
    assert typed_text(b"ifexpk1", ref.public_key(bytes(32))) == (
        "ifexpk1hnvcppgow2sc2yvdvdicu3ynonsteflxdxrehjr2ybekdc2z3iu4hx4ysq")
    # docs/protocol.md's 72-byte genesis of a federation of one.
    public_key_a = ref.public_key(bytes(range(32)))
    one = genesis_payload("IFEX", 1, [(public_key_a, "A")])
    assert one == (bytes.fromhex("010101" "0400000000000000" "49464558" "0100000000000000"
                                 "0100000000000000") + public_key_a +
                   bytes.fromhex("0100000000000000" "41"))
    assert decode_roster(one)["members"] == [(public_key_a, "A")]


def main(argv):
    self_test()
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) != 1:
        print("usage: reference_roster.py [--check docs/protocol.md]", file=sys.stderr)
        return 2
    print(vectors())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
