# Mutation test: N random byte mutations of a protocol (deterministic seeds)
# given to `carepath check` and `carepath verify`. Every run must end with
# exit 0, 1 or 3: never a signal (a crash: exit >= 128 or killed), never an
# internal error (4) or a usage error (2), never a hang (per-run timeout).
#   mutate.py CAREPATH PROTOCOL WORKDIR [--count N] [--jobs J] [--verify-timeout MS]
import argparse, os, random, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("carepath"); ap.add_argument("protocol"); ap.add_argument("workdir")
ap.add_argument("--count", type=int, default=400)
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--verify-timeout", type=int, default=100, help="solver limit per property, ms")
ap.add_argument("--run-timeout", type=float, default=120.0, help="per command, seconds: beyond it is a hang")
args = ap.parse_args()

original = open(args.protocol, "rb").read()
os.makedirs(args.workdir, exist_ok=True)
stdlib = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.protocol))), "stdlib")


def mutate(seed):
    """1-8 byte edits: flip a bit, set a random or an interesting byte, insert, delete, duplicate a span."""
    rng = random.Random(seed)
    data = bytearray(original)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        i = rng.randrange(len(data)) if data else 0
        if op == 0 and data: data[i] ^= 1 << rng.randrange(8)
        elif op == 1 and data: data[i] = rng.randrange(256)
        elif op == 2: data.insert(i, rng.choice(b'(){}[]<>=-+*/."0123456789 \n\x00\xff'))
        elif op == 3 and data: del data[i]
        elif op == 4 and data:
            j = min(len(data), i + rng.randint(1, 64)); data[i:i] = data[i:j]
        elif op == 5 and data:
            j = min(len(data), i + rng.randint(1, 64)); del data[i:j]
    return bytes(data)


def run_one(seed):
    path = os.path.join(args.workdir, f"m{seed}.care")
    with open(path, "wb") as f:
        f.write(mutate(seed))
    bad = []
    for cmd in (["check"], ["verify", "--timeout", str(args.verify_timeout)]):
        argv = [args.carepath] + cmd + [path, "--stdlib", stdlib]
        start = time.monotonic()
        try:
            r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=args.run_timeout)
            code = r.returncode
        except subprocess.TimeoutExpired:
            bad.append(f"seed {seed}: {cmd[0]} hung (> {args.run_timeout} s): {path}")
            continue
        if code not in (0, 1, 3):
            tail = r.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            bad.append(f"seed {seed}: {cmd[0]} exited {code}: {path}: " + " | ".join(tail))
        dur = time.monotonic() - start
        times.append(dur)
    if not bad:
        os.remove(path)  # keep only the inputs that failed, for replay
    return seed, bad


times = []
start = time.monotonic()
failures = []
with ThreadPoolExecutor(max_workers=args.jobs) as pool:
    for seed, bad in pool.map(run_one, range(args.count)):
        failures += bad
elapsed = time.monotonic() - start
print(f"mutations: {args.count}, runs: {2 * args.count}, failures: {len(failures)}, "
      f"slowest run: {max(times) if times else 0:.1f} s, total: {elapsed:.0f} s")
for f in failures:
    print("FAIL " + f)
sys.exit(1 if failures else 0)
