"""The review pages of the real protocols, loaded in a real browser.

For each protocol: `carepath doc` writes its page; headless Chromium loads
it, dumps the DOM and takes a screenshot (saved next to the page in OUT);
the DOM must hold the flowchart (an inline <svg> with nodes), every tier
and rule (by its anchor and its name) and every citation key (by its
anchor and its text). The list of rules, tiers and citations comes from
the protocol's compiled table (`carepath compile --no-verify`), not from
this file.

Usage: browser-check.py CAREPATH OUT PROTOCOL.care...
Exit 0: all good; 1: a problem (printed); 77: no Chromium (skipped).
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

carepath, out = sys.argv[1], sys.argv[2]
protocols = sys.argv[3:]
chromium = next((shutil.which(c) for c in ("chromium", "chromium-browser") if shutil.which(c)), None)
if chromium is None:
    print("SKIP: no chromium on PATH (scripts/deps.sh installs it)")
    sys.exit(77)
os.makedirs(out, exist_ok=True)


class Dom(html.parser.HTMLParser):
    """Ids, text, and what is inside the flowchart figure."""

    def __init__(self):
        super().__init__()
        self.ids, self.text = set(), []
        self.figure_depth = 0
        self.svg_in_figure = 0
        self.svg_nodes = 0
        self.svg_links = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "figure" and "flowchart" in (a.get("class") or ""):
            self.figure_depth = 1
        elif self.figure_depth:
            self.figure_depth += 1
            if tag == "svg":
                self.svg_in_figure += 1
            if tag == "g" and a.get("class") == "node":
                self.svg_nodes += 1
            if tag == "a":
                href = a.get("xlink:href") or a.get("href")
                if href:
                    self.svg_links.add(href)

    def handle_endtag(self, tag):
        if self.figure_depth:
            self.figure_depth -= 1

    def handle_data(self, data):
        self.text.append(data)


def expected(table):
    """(anchor, name) of every tier and rule; every citation key."""
    anchors = []
    for pw in table["pathways"]:
        for t in pw["tiers"]:
            anchors.append(("tier-%s-%s" % (pw["name"], t["name"]), "%s.%s" % (pw["name"], t["name"])))
    for tb in table["tables"]:
        for r in tb["rules"]:
            anchors.append(("rule-%s-%s" % (tb["name"], r["name"]), "%s.%s" % (tb["name"], r["name"])))
    keys = {c["id"] for c in table["citations"]}
    return anchors, sorted(keys)


problems = []
browsers = []
with tempfile.TemporaryDirectory() as scratch:
    for protocol in protocols:
        name = os.path.splitext(os.path.basename(protocol))[0]
        page = os.path.abspath(os.path.join(out, name + ".html"))
        table = os.path.join(scratch, name + ".json")
        for argv in ([carepath, "doc", protocol, "-o", page], [carepath, "compile", protocol, "--no-verify", "-o", table]):
            p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
            if p.returncode != 0:
                print("FAIL: %s exited %d:\n%s" % (" ".join(argv), p.returncode, p.stderr))
                sys.exit(1)
        shot = os.path.join(out, name + ".png")
        if os.path.exists(shot):
            os.remove(shot)
        # One browser per page, both at once: the DOM on stdout and the screenshot.
        argv = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(scratch, "profile-" + name),
                "--window-size=1280,4000", "--screenshot=" + shot, "--dump-dom", "file://" + page]
        browsers.append((name, protocol, page, table, shot,
                         subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for name, protocol, page, table, shot, proc in browsers:
        try:
            dom_text, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            problems.append("%s: chromium did not finish in 90 s" % name)
            continue
        if proc.returncode != 0 or "<html" not in dom_text:
            problems.append("%s: chromium exited %d without a DOM: %s" % (name, proc.returncode, err[-2000:]))
            continue
        with open(os.path.join(out, name + ".dom.html"), "w") as f:
            f.write(dom_text)
        dom = Dom()
        dom.feed(dom_text)
        text = "".join(dom.text)
        if dom.svg_in_figure != 1 or dom.svg_nodes < 2:
            problems.append("%s: the flowchart figure has %d <svg> with %d nodes" % (name, dom.svg_in_figure, dom.svg_nodes))
        with open(table) as f:
            anchors, keys = expected(json.load(f))
        for anchor, qualified in anchors:
            if anchor not in dom.ids:
                problems.append("%s: no element with id '%s' (%s)" % (name, anchor, qualified))
            if qualified not in text:
                problems.append("%s: the page never names %s" % (name, qualified))
            if "#" + anchor not in dom.svg_links:
                problems.append("%s: the flowchart does not link to %s" % (name, qualified))
        for key in keys:
            if "source-" + key not in dom.ids:
                problems.append("%s: citation %s has no entry (id source-%s)" % (name, key, key))
            if key not in text:
                problems.append("%s: citation key %s is not in the page's text" % (name, key))
        if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
            problems.append("%s: no screenshot at %s" % (name, shot))
        else:
            with open(shot, "rb") as f:
                if f.read(8) != b"\x89PNG\r\n\x1a\n":
                    problems.append("%s: %s is not a PNG" % (name, shot))
        print("%s: %d tiers and rules, %d citations, %d flowchart nodes; screenshot %s" %
              (name, len(anchors), len(keys), dom.svg_nodes, shot))

for p in problems:
    print("FAIL: " + p)
sys.exit(1 if problems else 0)
