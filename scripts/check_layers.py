#!/usr/bin/env python3
"""Fails when a source file includes a header of a folder it may not depend on.

The allowed dependencies are the table in docs/architecture.md that follows the line
"<!-- layers -->": one folder per line, then the folders it may include directly. A folder may
also include what those may include (the table lists direct dependencies, as CMake links them).
Because the project root is on every target's include path, a header-only include in the wrong
direction would compile; this check is what refuses it.

Also checked: every folder with sources has its own CMakeLists.txt, and each CMakeLists.txt
names only files of its own folder.

Usage: scripts/check_layers.py [ROOT]   (exit 0 when clean, 1 with one line per problem)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
CHECKED_TOPS = ("keys", "protocol", "node")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCE_NAME = re.compile(r'[\w./${}-]+\.(?:cpp|hpp)\b')


def read_table():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    marker = text.find("<!-- layers -->")
    if marker < 0:
        sys.exit("docs/architecture.md: the layer table (after '<!-- layers -->') is missing")
    block = text[marker:].split("```")[1]
    table = {}
    for line in block.strip().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        folder, _, deps = line.partition(":")
        table[folder.strip().rstrip("/")] = [d.rstrip("/") for d in deps.split()]
    for folder, deps in table.items():
        for dep in deps:
            if dep not in table:
                sys.exit(f"docs/architecture.md: {folder} depends on {dep}, which the table lacks")
    return table


def reachable(table, folder, seen=None):
    seen = set() if seen is None else seen
    for dep in table[folder]:
        if dep not in seen:
            seen.add(dep)
            reachable(table, dep, seen)
    return seen


def folder_of(path, table):
    """The deepest folder of the table that holds `path` (e.g. protocol/sim before protocol)."""
    parts = path.split("/")[:-1]
    while parts:
        candidate = "/".join(parts)
        if candidate in table:
            return candidate
        parts.pop()
    return None


def main():
    table = read_table()
    allowed = {folder: reachable(table, folder) | {folder} for folder in table}
    problems = []
    sources = [p for top in CHECKED_TOPS for p in (ROOT / top).rglob("*")
               if p.suffix in (".cpp", ".hpp") and p.is_file()]
    for source in sorted(sources):
        rel = source.relative_to(ROOT).as_posix()
        own = folder_of(rel, table)
        if own is None:
            problems.append(f"{rel}: its folder is not in docs/architecture.md's layer table")
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            if not target.startswith(tuple(t + "/" for t in CHECKED_TOPS)):
                continue  # a generated header or a sibling by plain name
            dep = folder_of(target, table)
            if dep is None:
                problems.append(f"{rel}:{number}: includes {target}, outside every listed folder")
            elif dep not in allowed[own]:
                problems.append(f"{rel}:{number}: {own} may not include {target} ({dep})")
    folders = {s.parent for s in sources if s.suffix == ".cpp"}
    for folder in sorted(folders):
        rel = folder.relative_to(ROOT).as_posix()
        cmake = folder / "CMakeLists.txt"
        if not cmake.exists():
            problems.append(f"{rel}/: compiles sources but has no CMakeLists.txt of its own")
            continue
        code = re.sub(r"#.*", "", cmake.read_text(encoding="utf-8"))
        for name in SOURCE_NAME.findall(code):
            if "/" in name and not name.startswith("${CMAKE_CURRENT_BINARY_DIR}"):
                problems.append(f"{rel}/CMakeLists.txt: names {name}, a file of another folder")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_layers: {len(sources)} files in {len(table)} folders follow the layer table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
