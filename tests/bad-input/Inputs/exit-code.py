# Runs a command, passes its output through, and succeeds only when it exits
# with the expected code:  exit-code.py N COMMAND [ARGS...]
import subprocess, sys
sys.exit(0 if subprocess.run(sys.argv[2:]).returncode == int(sys.argv[1]) else 1)
