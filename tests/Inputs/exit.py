"""`%exit N COMMAND...`: runs COMMAND with standard input, output and error
untouched and succeeds only when it exits with exactly N.

lit's `not` accepts any non-zero code, so a usage error (2), an
inconclusive solver (3) or an internal error (4) would pass a test that
expects findings (1); docs/cli.md gives each code one meaning."""
import subprocess
import sys

if len(sys.argv) < 3 or not sys.argv[1].isdigit():
    sys.exit("usage: %exit N COMMAND [ARGS...]")
want = int(sys.argv[1])
try:
    got = subprocess.call(sys.argv[2:])
except OSError as e:
    sys.exit("%%exit: cannot run %s: %s" % (sys.argv[2], e))
if got != want:
    what = "killed by signal %d" % -got if got < 0 else "exit code %d" % got
    sys.stderr.write("%%exit: expected exit code %d, got %s from: %s\n" % (want, what, " ".join(sys.argv[2:])))
    sys.exit(1)
