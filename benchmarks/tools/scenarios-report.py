"""The last line of scenarios.sh: one JSON object with, per scenario, its result, its reference, their ratio, the
target and whether it was met. Also prints the table, one line a scenario, to standard error.
Usage: scenarios-report.py REPORTS.jsonl QUICK"""
import json
import os
import platform
import sys

runs = {}
for line in open(sys.argv[1]):
    record = json.loads(line)
    runs[record["run"]] = record
FIELDS = ("messages_per_second", "recipients_per_second", "p50_ms", "p99_ms", "p999_ms",
          "cpu_seconds_per_1000_messages", "peak_rss_mib", "errors")


def summary(name):
    return dict({"run": name}, **{field: runs[name][field] for field in FIELDS})


scenarios = []


def scenario(name, result, reference, measure, target, met, note=None):
    if result not in runs or reference not in runs:
        return
    ratio = round(runs[result][measure] / runs[reference][measure], 3) if runs[reference][measure] else None
    entry = {"scenario": name, "result": summary(result), "reference": summary(reference),
             "ratio_of": measure, "ratio": ratio, "target": target,
             "met": None if met is None else bool(ratio is not None and met(ratio, runs[result]))}
    if note:
        entry["note"] = note
    scenarios.append(entry)


clean = lambda run: run["errors"] == 0
scenario("connection per message, 465", "handshakes-465", "peer-handshakes-465", "messages_per_second",
         ">= 2x the Node.js peer", lambda ratio, run: ratio >= 2 and clean(run))
scenario("connection per message, 587 STARTTLS", "handshakes-587", "peer-handshakes-587", "messages_per_second",
         ">= 2x the Node.js peer", lambda ratio, run: ratio >= 2 and clean(run))
scenario("certificate: RSA 2048 against ECDSA P-256, 465", "handshakes-465-rsa", "handshakes-465",
         "messages_per_second", "measured, to choose", None)
scenario("distant API (2,000 sessions)", "distant-api-2000", "instant-api-2000", "messages_per_second",
         ">= 0.8x, RSS < 1 GiB, no error",
         lambda ratio, run: ratio >= 0.8 and run["peak_rss_mib"] < 1024 and clean(run))
scenario("h2 over TLS to the API", "api-h2-tls", "api-h2c", "messages_per_second", ">= 0.9x h2c",
         lambda ratio, run: ratio >= 0.9 and clean(run))
scenario("newsletter: 10 recipients against 1, CPU a message", "newsletter-10", "newsletter-1",
         "cpu_seconds_per_1000_messages", "<= 3x one recipient", lambda ratio, run: ratio <= 3 and clean(run))
scenario("newsletter, 10 recipients, against the 1 KiB run: CPU a message", "newsletter-10", "gateway-1k",
         "cpu_seconds_per_1000_messages", "informative", None)
scenario("1 MiB PDF: CPU a message", "pdf-1m", "gateway-1k", "cpu_seconds_per_1000_messages",
         "informative", None)
scenario("1 KiB on reused sessions against the peer", "gateway-1k", "peer-1k", "messages_per_second",
         ">= 3x the Node.js peer", lambda ratio, run: ratio >= 3 and clean(run))

report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
          "quick": sys.argv[2] == "true", "scenarios": scenarios}
if "soak-samples" in runs:
    soak = runs["soak-samples"]
    report["soak"] = {"run": summary("soak") if "soak" in runs else None, "leaks": soak["leaks"],
                      "rss_growth": soak["rss_growth"], "heap_after_gc_growth": soak["heap_after_gc_growth"],
                      "flat": soak["flat"], "samples": soak["samples"]}
for entry in scenarios:
    met = {True: "met", False: "MISSED", None: "-"}[entry["met"]]
    print(f'{entry["scenario"]}: {entry["ratio"]} ({entry["ratio_of"]}; target {entry["target"]}): {met}',
          file=sys.stderr)
print(json.dumps(report))
