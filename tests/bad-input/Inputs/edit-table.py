# Edits a compiled table and re-seals it with a correct digest, so the test
# reaches the loader's field checks instead of the digest check:
#   edit-table.py IN OUT 'STATEMENT'     (STATEMENT edits `doc`, a dict)
# The digest is "sha256:" + SHA-256 of the canonical form without the digest
# member (docs/tables.md): compact JSON, keys sorted, UTF-8 kept as is.
import hashlib, json, sys

src, dst, statement = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, encoding="utf-8") as f:
    doc = json.load(f)
exec(statement, {"doc": doc})
content = {k: v for k, v in doc.items() if k != "digest"}
canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
doc["digest"] = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
with open(dst, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
