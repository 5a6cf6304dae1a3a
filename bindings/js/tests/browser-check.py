#!/usr/bin/env python3
"""The browser example (bindings/js/example/index.html) in headless Chromium.

The built package is served from a local HTTP server with a compiled table
and patients next to it (those given, and the first made invalid); the
page loads the table and evaluates each patient with nothing but the
package, and the result it prints (the
conformance suite's form) must equal what the native runtime (libcarepath.so,
through the Python binding) gives the same patient.

Usage: browser-check.py CAREPATH PACKAGE_DIR OUT PROTOCOL.care PATIENT.json...
Needs CAREPATH_LIBRARY and the Python binding and conformance/ on PYTHONPATH.
Exit 0: all good; 1: a problem (printed); 77: no Chromium (skipped).
"""
import functools
import html.parser
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import carepath
import conformance

carepath_bin, package, out, protocol = sys.argv[1:5]
patients = sys.argv[5:]
chromium = next((shutil.which(c) for c in ("chromium", "chromium-browser") if shutil.which(c)), None)
if chromium is None:
    print("SKIP: no chromium on PATH (scripts/deps.sh installs it)")
    sys.exit(77)

site = os.path.join(out, "site")
shutil.rmtree(site, ignore_errors=True)
shutil.copytree(package, site)
table_path = os.path.join(site, "table.json")
p = subprocess.run([carepath_bin, "compile", protocol, "-o", table_path], capture_output=True, text=True, timeout=120)
if p.returncode != 0:
    print("FAIL: carepath compile exited %d:\n%s" % (p.returncode, p.stderr))
    sys.exit(1)
table = carepath.load(table_path)


class Quiet(http.server.SimpleHTTPRequestHandler):
    # Modules need a JavaScript MIME type, whatever Python's table says.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript"}

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
threading.Thread(target=server.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % server.server_address[1]


class Result(html.parser.HTMLParser):
    """The text of <pre id="result"> and the body's data-state."""

    def __init__(self):
        super().__init__()
        self.inside, self.text, self.state = False, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "pre" and a.get("id") == "result":
            self.inside = True
        if tag == "body":
            self.state = a.get("data-state")

    def handle_endtag(self, tag):
        if tag == "pre":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)


problems = []
# The patients given, and the first one made invalid (the error path).
cases = []
for path in patients:
    with open(path, encoding="utf-8") as f:
        cases.append((os.path.basename(path), json.load(f)))
if cases:
    cases.append(("invalid " + cases[0][0], dict(cases[0][1], weight="900 kg", colour="red")))
def browse(profile, url):
    """Starts a headless Chromium that prints the page's DOM."""
    argv = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", "--user-data-dir=" + profile,
            "--virtual-time-budget=20000", "--dump-dom", url]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc):
    """(the page's result text or None when it had not finished, the problem)."""
    try:
        dom_text, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None, "chromium did not finish in 120 s"
    dom = Result()
    dom.feed(dom_text)
    if dom.state != "ready":
        return None, "the page did not finish (exit %d): %s" % (proc.returncode, err[-2000:])
    return "".join(dom.text), None


try:
    with tempfile.TemporaryDirectory() as profiles:
        # One browser per patient, all at once.
        browsers = []
        for i, (label, patient) in enumerate(cases):
            name = "patient%d.json" % i
            with open(os.path.join(site, name), "w", encoding="utf-8") as f:
                json.dump(patient, f)
            expected = conformance.observe(carepath, table, {"patient": patient})
            expected.pop("outputs", None)  # the page prints the plan, not the outputs
            url = "%s/example/index.html?table=../table.json&patient=../%s" % (base, name)
            browsers.append((label, expected, url, browse(os.path.join(profiles, str(i)), url)))
        for i, (label, expected, url, proc) in enumerate(browsers):
            text, problem = finish(proc)
            # Chromium dumps the DOM when its virtual time runs out, which it
            # can do while the WebAssembly still compiles (no network then)
            # on a loaded machine: such a page is loaded again, alone.
            for attempt in range(2):
                if text is not None or not problem.startswith("the page did not finish"):
                    break
                text, problem = finish(browse(os.path.join(profiles, "%d-%d" % (i, attempt)), url))
            if text is None:
                problems.append("%s: %s" % (label, problem))
                continue
            try:
                got = json.loads(text)
            except ValueError:
                problems.append("%s: the page printed no result: %r" % (label, text[:500]))
                continue
            if not conformance.same(expected, got):
                problems.append("%s: the page and the native runtime differ\n  native %s\n  page   %s"
                                % (label, json.dumps(expected), json.dumps(got)))
            elif "error" in got:
                print("%s: %s, %d problems, as the native runtime" % (label, got["error"], len(got["problems"])))
            else:
                print("%s: %d actions, %d rules fired, as the native runtime" %
                      (label, len(got["actions"]), len(got["fired"])))
finally:
    server.shutdown()

for p in problems:
    print("FAIL: " + p)
sys.exit(1 if problems else 0)
