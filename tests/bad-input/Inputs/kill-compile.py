# Kills `carepath compile` with SIGKILL at delays spread over a whole run
# and checks, after every kill, that the destination is byte-identical to
# either the previous output or the complete new one: never missing, never
# partial. (A killed run may leave its hidden temporary file
# `.NAME.tmp-XXXXXX` behind; nothing under NAME itself.)
#   kill-compile.py CAREPATH OLD.care NEW.care WORKDIR [--kills N]
import argparse, glob, os, shutil, signal, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("carepath"); ap.add_argument("old"); ap.add_argument("new"); ap.add_argument("workdir")
ap.add_argument("--kills", type=int, default=40)
a = ap.parse_args()
os.makedirs(a.workdir, exist_ok=True)
out = os.path.join(a.workdir, "out.table.json")
compile_ = lambda src, dst: [a.carepath, "compile", "--no-verify", src, "-o", dst]

subprocess.run(compile_(a.new, out), check=True, stderr=subprocess.DEVNULL)
new = open(out, "rb").read()
start = time.monotonic()
subprocess.run(compile_(a.old, out), check=True, stderr=subprocess.DEVNULL)
full = time.monotonic() - start
old = open(out, "rb").read()
assert old != new

killed = completed = 0
for k in range(a.kills):
    # Restore the previous output, then start the new compile and kill it.
    with open(out, "wb") as f:
        f.write(old)
    delay = full * 1.2 * k / a.kills
    p = subprocess.Popen(compile_(a.new, out), stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    code = p.wait()
    if code == -signal.SIGKILL: killed += 1
    else: completed += 1
    got = open(out, "rb").read() if os.path.exists(out) else None
    if got is None:
        sys.exit(f"kill {k} at {delay:.3f} s: {out} is missing")
    if got != old and got != new:
        sys.exit(f"kill {k} at {delay:.3f} s: {out} is partial ({len(got)} bytes; old {len(old)}, new {len(new)})")
visible = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a.workdir, "*")))
if visible != ["out.table.json"]:
    sys.exit(f"unexpected files left: {visible}")
print(f"kills: {a.kills}, killed mid-run: {killed}, finished first: {completed}, destination always whole: yes")
