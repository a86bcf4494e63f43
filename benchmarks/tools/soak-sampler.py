"""Samples a gateway under a soak, once a minute: its RSS, its heap after a full GC (jcmd GC.run, then the heap in
use from /metrics), the p99 of the minute's replies (the smtp_processing_duration_seconds bucket it falls in: 1,
2.5, 5 ms ...), and the leaks Netty's detector reported in its log. Prints one JSON object: the samples, the leaks, and whether the lines
stayed flat (last third against the first third after the first two minutes: RSS and heap within 10 %).
Usage: soak-sampler.py GATEWAY_PID HTTP_PORT GATEWAY_LOG MINUTES"""
import json
import os
import subprocess
import sys
import time
import urllib.request

pid, port, log, minutes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
jcmd = os.path.join(os.path.dirname(os.path.realpath(subprocess.check_output(["which", "java"]).decode().strip())), "jcmd")


def metrics():
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()


def buckets(text):
    found = {}
    for line in text.splitlines():
        if line.startswith("smtp_processing_duration_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            found[float("inf") if bound == "+Inf" else float(bound)] = float(line.rsplit(" ", 1)[1])
    return found


def p99(before, after):
    delta = sorted((bound, after[bound] - before.get(bound, 0.0)) for bound in after)
    total = delta[-1][1] if delta else 0
    for bound, count in delta:
        if total and count >= 0.99 * total:
            return None if bound == float("inf") else round(bound * 1000, 3)
    return None


def heap_after_gc():
    subprocess.run([jcmd, pid, "GC.run"], capture_output=True, timeout=60)
    used = sum(float(line.rsplit(" ", 1)[1]) for line in metrics().splitlines()
               if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line)
    return round(used / 2**20, 1)


def rss():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)


samples = []
previous = buckets(metrics())
for minute in range(1, minutes + 1):
    time.sleep(60)
    current = buckets(metrics())
    samples.append({"minute": minute, "rss_mib": rss(), "heap_after_gc_mib": heap_after_gc(),
                    "p99_ms": p99(previous, current)})
    previous = buckets(metrics())
    print(json.dumps(samples[-1]), file=sys.stderr)

with open(log, errors="replace") as lines:
    leaks = sum(1 for line in lines if "LEAK:" in line)
settled = samples[2:] or samples
third = max(1, len(settled) // 3)


def growth(key):
    first = sum(s[key] for s in settled[:third]) / third
    last = sum(s[key] for s in settled[-third:]) / third
    return round(last / first, 3) if first else None


result = {"samples": samples, "leaks": leaks, "rss_growth": growth("rss_mib"),
          "heap_after_gc_growth": growth("heap_after_gc_mib")}
result["flat"] = (leaks == 0 and result["rss_growth"] is not None and result["rss_growth"] <= 1.10
                  and result["heap_after_gc_growth"] is not None and result["heap_after_gc_growth"] <= 1.10)
print(json.dumps(result))
