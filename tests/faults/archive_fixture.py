"""A generated legacy archive (JSONL, the format of docs/operations.md and
tests/fixtures/legacy_fixture.jsonl): `import-archive` signs thousands of alerts in seconds, far
faster than publishing them one by one."""
import json

COUNTRIES = ["TN", "IN", "US", "KE", "EG", "BR", "SN", "MX"]
CATEGORIES = ["press-freedom", "internet-censorship", "detention", "freedom-of-assembly"]
LANGS = ["en", "fr", "es"]


def write_archive(path, count, prefix, body_bytes=600):
    """`count` valid records with legacy ids PREFIX-00001...; bodies of about `body_bytes`."""
    with open(path, "w") as f:
        for i in range(1, count + 1):
            filler = f"Record {i} of the {prefix} archive describes a raid on a newsroom. "
            body = (filler * (body_bytes // len(filler) + 1))[:body_bytes].strip()
            record = {"legacy_id": f"{prefix}-{i:05d}",
                      "date": f"{2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                      "country": COUNTRIES[i % len(COUNTRIES)], "lang": LANGS[i % len(LANGS)],
                      "categories": [CATEGORIES[i % len(CATEGORIES)]],
                      "title": f"{prefix} archive alert {i}", "summary": f"Summary {i}",
                      "body": body, "tags": ["fault-test"]}
            f.write(json.dumps(record) + "\n")
    return path
