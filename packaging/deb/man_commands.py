#!/usr/bin/env python3
"""Writes the COMMANDS section of ifexnode(1) for help2man (--include): each sub-command's own
`--help`, and its sub-commands' in turn, so the man page is the binary's help and cannot drift.

Usage: man_commands.py IFEXNODE OUT"""
import re
import subprocess
import sys

BIN, OUT = sys.argv[1], sys.argv[2]
MAX_DEPTH = 3  # ifexnode federation member add: three levels at most


def help_text(words):
    done = subprocess.run([BIN, *words, "--help"], capture_output=True, text=True, timeout=30,
                          check=True)
    # The usage line names the binary by the path it was run from; the page names it plainly.
    return done.stdout.replace(BIN, "ifexnode")


def subcommands(text):
    """The names listed under "Subcommands:" in CLI11's help."""
    names, inside = [], False
    for line in text.splitlines():
        if line.strip() == "Subcommands:":
            inside = True
        elif inside and re.match(r"^  \S", line):
            names.append(line.split()[0])
        elif inside and line.strip() == "":
            inside = False
    return names


def roff(text):
    """Verbatim text as roff: escape backslashes, keep lines from reading as requests."""
    lines = []
    for line in text.rstrip().splitlines():
        line = line.replace("\\", "\\e")
        # help2man reads a line opening with '[' as a section name: CLI11's option groups do.
        lines.append("\\&" + line if line.startswith((".", "'", "[")) else line)
    return "\n".join(lines)


def walk(words, out, depth):
    for name in subcommands(help_text(words)):
        path = [*words, name]
        out.append(f".SS ifexnode {' '.join(path)}\n.nf\n{roff(help_text(path))}\n.fi\n")
        if depth < MAX_DEPTH:
            walk(path, out, depth + 1)


sections = []
walk([], sections, 1)
with open(OUT, "w") as f:
    f.write("[COMMANDS]\n" + "\n".join(sections))
    f.write("[FILES]\n.TP\n/var/lib/ifexnode\nThe data directory of the packaged service "
            "(ifexnode.toml, identity.key, the store).\n"
            ".TP\n/etc/ifexnode/ifexnode.env\nThe service's environment "
            "(passphrase file, extra arguments of run).\n"
            "[SEE ALSO]\nsystemctl(1), journalctl(1); /usr/share/doc/ifexnode/operations.md\n")
