"""Runs a command with stderr merged into stdout, then prints `exit=N`, so a
lit test can pin an exact exit code (lit's shell has no `$?`)."""
import subprocess
import sys

stdin = None
args = sys.argv[1:]
if len(args) >= 2 and args[0] == "--stdin":
    stdin = open(args[1], "rb")
    args = args[2:]
proc = subprocess.run(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.buffer.write(proc.stdout)
sys.stdout.write("exit=%d\n" % proc.returncode)
