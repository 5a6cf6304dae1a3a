"""Runs the carepath commands of a CI recipe (docs/ci/, .pre-commit-hooks.yaml)
as its CI would, with the carepath under test first on PATH, in WORK (which
holds protocols/), skipping the steps that install carepath. Prints what it
ran, each command's exit code, and the files each wrote; fails when the
recipe is not what docs/ci.md says (see check_*).

Usage: run-recipe.py CAREPATH RECIPE WORK"""
import os
import re
import subprocess
import sys

import yaml

carepath, recipe, work = sys.argv[1:4]
env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(carepath)) + os.pathsep + os.environ["PATH"])
doc = yaml.safe_load(open(recipe))
name = os.path.basename(recipe)


def run(script, shell_flags, extra_env=None):
    p = subprocess.run(["bash", *shell_flags, "-c", script], cwd=work, env=dict(env, **(extra_env or {})),
                       capture_output=True, text=True)
    print("ran:", " ".join(script.split()), "-> exit", p.returncode)
    return p.returncode


def wrote(path):
    full = os.path.join(work, path)
    size = os.path.getsize(full) if os.path.exists(full) else -1
    print("wrote:", path, "bytes" if size > 0 else "EMPTY OR MISSING")


if name == "github-actions.yml":
    assert doc["permissions"]["security-events"] == "write"
    (job,) = doc["jobs"].values()
    steps = job["steps"]
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert len(upload) == 1 and upload[0]["if"] == "always()", "upload-sarif runs with if: always()"
    for step in steps:
        if "run" in step and step.get("name") != "Install carepath":
            run(step["run"], ["-e", "-o", "pipefail"])  # GitHub's default shell for run steps
    for path in ("carepath.sarif", "carepath-tests.xml"):
        wrote(path)
elif name == "github-actions-diff.yml":
    # WORK is a git repository whose last commit changes protocols/: BASE is the one before.
    assert doc["permissions"]["pull-requests"] == "write"
    (job,) = doc["jobs"].values()
    steps = job["steps"]
    post = [s for s in steps if s.get("uses", "").startswith("actions/github-script")]
    assert len(post) == 1 and post[0]["if"] == "always()", "the comment is posted with if: always()"
    base = subprocess.run(["git", "rev-parse", "HEAD~1"], cwd=work, capture_output=True, text=True, check=True).stdout.strip()
    for step in steps:
        if "run" in step and step.get("name") != "Install carepath":
            run(step["run"], ["-e", "-o", "pipefail"], {"BASE": base})
    wrote("carepath-diff.md")
elif name == "gitlab-ci.yml":
    (job,) = doc.values()
    assert job["artifacts"]["when"] == "always"
    run("\n".join(job["script"]), ["-e"])
    for path in job["artifacts"]["reports"].values():
        wrote(path)
elif name == ".pre-commit-hooks.yaml":
    files = sorted(os.path.join(d, f)[len(work) + 1:] for d, _, fs in os.walk(work) for f in fs)
    for hook in doc:
        assert hook["language"] == "system"
        matched = [f for f in files if re.search(hook["files"], f)]
        run(hook["entry"] + " " + " ".join(matched), [])
elif name == "pre-commit-config.yaml":
    hooks = {h["id"] for h in yaml.safe_load(open(os.path.join(os.path.dirname(recipe), "..", "..", ".pre-commit-hooks.yaml")))}
    for r in doc["repos"]:
        for h in r["hooks"]:
            assert h["id"] in hooks, h["id"]
            print("hook:", h["id"], "stages", h.get("stages", ["pre-commit"]))
else:
    sys.exit("unknown recipe " + name)
