"""Runs a command and checks its exit code: exit-code.py EXPECTED CMD...
Prints the command's output, then 'exit code N'; fails when N differs."""
import subprocess
import sys

expected = int(sys.argv[1])
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode())
print(f"exit code {r.returncode}")
sys.exit(0 if r.returncode == expected else 1)
