"""Writes each ```care block of a Markdown file to OUT/example-N.care."""
import os
import re
import sys

ACTIONS = ("give ", "do ", "order ", "consider ", "monitor ", "unspecified ")
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```care\n(.*?)```", text, re.S)
assert blocks, "no ```care blocks found"
for i, block in enumerate(blocks):
    if block.lstrip().startswith(ACTIONS):
        block = "pathway p {\n  tier t when true {\n" + block + "  }\n}\n"
    with open(os.path.join(sys.argv[2], "example-%d.care" % i), "w", encoding="utf-8") as f:
        f.write(block)
