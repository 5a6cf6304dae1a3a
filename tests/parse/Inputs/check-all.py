"""Runs `carepath check --emit=ast` on every .care file in a folder; fails
listing the files that do not parse."""
import os
import subprocess
import sys

tool, folder = sys.argv[1], sys.argv[2]
failed = []
for name in sorted(os.listdir(folder)):
    path = os.path.join(folder, name)
    proc = subprocess.run([tool, "check", "--emit=ast", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        failed.append(name + ":\n" + proc.stderr.decode("utf-8", "replace"))
if failed:
    sys.exit("\n".join(failed))
print("all parse")
