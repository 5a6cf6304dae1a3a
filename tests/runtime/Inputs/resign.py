# Edits a compiled table with a Python statement on `d` and recomputes its
# digest (the canonical form of docs/tables.md), as a tool that knows the
# format would: tests that the loader checks more than the digest.
import hashlib, json, sys
src, dst, stmt = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(src))
exec(stmt)
d.pop("digest", None)
canonical = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
d["digest"] = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
json.dump(d, open(dst, "w"), indent=2, sort_keys=True)
