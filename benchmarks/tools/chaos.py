#!/usr/bin/env python3
"""A seeded fault-injection run: SMTP clients that retry as a real MTA would, two gateways sharing one Redis, the
sandbox as the API, and a fault schedule drawn from the seed. At the end, what every client was told is joined with
what the sandbox holds, and each category is reported as one line and, last, one JSON object.

Started by benchmarks/scripts/chaos.sh, which builds the jars and passes the ports; run alone with --help for the options.

Clients: each message has its own subject, Message-ID and Date, one to three recipients out of a pool; it goes to
either gateway over implicit TLS with AUTH (Python's smtplib), and a 4xx reply, a refused connection or a connection
lost without an answer is tried again with the same bytes after a backoff (1 s doubling to 8 s), as an MTA's queue
does, until a 2xx or 5xx or the end of the run (plus a last round after the faults stop).

Faults, at random moments: for some recipients, the API cuts the connection before taking the message or after
taking it, answers 500 after taking it, answers 503, answers 429 with Retry-After, answers after the message's
deadline having taken it, or answers 201 with status rejected or error (a refusal: in a message the API took for other
recipients, the gateway's to dead-letter); the API's address refuses connections and resets those open, for a few
seconds; every access token expires, or every token is revoked; Redis is killed (SIGKILL) for a few seconds and
started again (with its append-only file, as a durable Redis is run), or made slow (DEBUG SLEEP, past the gateway's
Redis timeout); a gateway is stopped with SIGTERM (it drains) or SIGKILL and started again on its ports. Some clients
vanish after the end of DATA without reading the reply (the message's fate is theirs to lose: counted, not joined).
Clients use either listener (implicit TLS, STARTTLS), pipeline MAIL, RCPT and DATA for 30 % of the messages, and reach
the last gateway through PROXY v1 headers from addresses of 198.51.100.0/24, as behind a balancer.

Categories, each with its target:
  ok_250_without_submission       a recipient of a message answered 250 that the API neither got nor refused (0)
  duplicate_submissions           a recipient submitted twice for one message                            (0)
  duplicates_after_lost_answer    of those, messages whose client saw no answer at some try (counted)    (-)
  submitted_never_answered_250    a message the API got for some recipient that never got its 250        (0 at the end)
  unfinished_messages             messages still deferred when the run ended                             (0)
  hung_sessions                   tries that got neither a reply nor a close within 30 s                  (0)
  leaks                           LEAK reports in the gateways' logs (run with paranoid leak detection)  (0)

Beside them, the gateways' own counters (smtp_replies_total for messages, smtp_messages_client_left_total), read from
/metrics up to each stop, against the 250s the clients read.
"""
import argparse
import json
import os
import random
import signal
import smtplib
import ssl
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from email.utils import formatdate

USER = "sandbox@example.com"
PASSWORD = "sandbox"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--duration", type=int, default=120, help="seconds of faults and load")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--jar", required=True, help="the gateway's runnable jar")
    p.add_argument("--gateways", type=int, default=2, help="how many gateways share Redis")
    p.add_argument("--sandbox", type=int, required=True, help="the sandbox's port")
    p.add_argument("--logs", required=True, help="a directory for the gateways' logs")
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--redis-dir", required=True)
    p.add_argument("--redis-pid-file", required=True)
    return p.parse_args()


class Record:
    """What the clients sent and were told; guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = {}  # subject -> {"recipients": [...], "replies": [...], "lost": bool, "final": code or None}

    def new(self, subject, recipients):
        with self.lock:
            self.messages[subject] = {"recipients": recipients, "replies": [], "texts": [], "lost": False,
                                      "final": None, "vanished": False, "hung": 0}

    def reply(self, subject, code, text):
        with self.lock:
            m = self.messages[subject]
            m["replies"].append(code)
            m["texts"].append("%s %s" % (code, text))
            if text == VANISHED:
                m["vanished"] = True
            elif text == HUNG:
                m["hung"] += 1
            if code is None:
                m["lost"] = True
            elif code < 400 or code >= 500:
                m["final"] = code


VANISHED = "vanished"
HUNG = "hung"
CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE


class Connection(smtplib.SMTP):
    """smtplib on either listener of a gateway: implicit TLS, or STARTTLS after EHLO; behind a PROXY v1 header, as a
    balancer would send it, when the gateway expects one."""

    def __init__(self, port, implicit, proxy_from=None):
        self._implicit = implicit
        self._proxy_from = proxy_from
        super().__init__("127.0.0.1", port, timeout=30)
        if not implicit:
            self.starttls(context=CONTEXT)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), timeout)
        if self._proxy_from:
            sock.sendall(("PROXY TCP4 %s 127.0.0.1 %d %d\r\n" % (self._proxy_from, 40000 + port % 20000, port)).encode())
        return CONTEXT.wrap_socket(sock, server_hostname=host) if self._implicit else sock


def send(route, recipients, body, vanish, pipelined):
    """One try over {route} (gateway, listener, PROXY): the reply code to the end of data (None when no answer came)
    and its text. With pipelined, MAIL, the RCPTs and DATA leave in one write (PIPELINING) and their replies are read
    after; with vanish, the client sends the whole message and closes without reading the reply (code None, text
    VANISHED). What QUIT gets does not change the message's reply: a gateway that is shutting down says 421 to it,
    after the message's own reply."""
    gateway, implicit, proxy_from = route
    smtp = None
    try:
        smtp = Connection(gateway.smtps if implicit else gateway.smtp, implicit, proxy_from)
        smtp.login(USER, PASSWORD)
        if pipelined:
            smtp.send("MAIL FROM:<%s>\r\n" % USER + "".join("RCPT TO:<%s>\r\n" % r for r in recipients) + "DATA\r\n")
            replies = [smtp.getreply() for _ in range(len(recipients) + 2)]
            refusal = next(((code, text) for code, text in replies[:-1] if code >= 300), None)
            code, text = replies[-1]
            if refusal is not None or code != 354:
                return refusal or (code, text.decode(errors="replace"))
        else:
            code, text = smtp.mail(USER)
            if code != 250:
                return code, text.decode(errors="replace")
            for r in recipients:
                code, text = smtp.rcpt(r)
                if code >= 300:
                    return code, text.decode(errors="replace")
            code, text = smtp.docmd("DATA")
            if code != 354:
                return code, text.decode(errors="replace")
        smtp.send(body.replace("\r\n.", "\r\n..").encode() + b".\r\n")
        if vanish:
            smtp.sock.shutdown(socket.SHUT_RDWR)  # gone: the reply is never read, and no QUIT follows
            smtp.close()
            return None, VANISHED
        code, text = smtp.getreply()
        return code, text.decode(errors="replace")
    except smtplib.SMTPServerDisconnected:
        return None, "disconnected"
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, e.smtp_error.decode(errors="replace")
    except (TimeoutError, socket.timeout):
        return None, HUNG
    except (OSError, smtplib.SMTPException) as e:
        return None, str(e)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            smtp.close()


def client(number, args, record, rng, stop, gateways):
    sent = 0
    while not stop.is_set():
        sent += 1
        subject = "chaos-%d-%d-%d" % (args.seed, number, sent)
        recipients = sorted(rng.sample(["r%d@example.net" % i for i in range(40)], rng.randint(1, 3)))
        body = (
            "From: Chaos <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@chaos.example>\r\nDate: %s\r\n\r\n"
            "Chaos run message %s\r\n" % (USER, ", ".join(recipients), subject, subject, formatdate(), subject)
        )
        record.new(subject, recipients)
        backoff = 1.0
        deadline = None
        vanish = rng.random() < 0.03
        pipelined = rng.random() < 0.3
        while True:
            gateway = rng.choice(gateways)
            route = (gateway, rng.random() < 0.5, "198.51.100.%d" % rng.randint(1, 254) if gateway.proxy else None)
            code, text = send(route, recipients, body, vanish, pipelined)
            record.reply(subject, code, text)
            if text == VANISHED or code is not None and (code < 400 or code >= 500):
                break
            if stop.is_set():  # the faults stopped: a last round of retries, as a queue would keep trying
                deadline = deadline or time.time() + 60
                if time.time() > deadline:
                    break
            time.sleep(backoff * (0.5 + rng.random()))
            backoff = min(8.0, backoff * 2)


def post(sandbox, path, payload=None, method="POST"):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (sandbox, path), data=data, method=method)
    request.add_header("Content-Type", "application/json")
    urllib.request.urlopen(request, timeout=10).read()


def start_redis(args):
    process = subprocess.Popen(
        ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--dir", args.redis_dir,
         "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "local"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(args.redis_pid_file, "w") as f:
        f.write(str(process.pid))
    wait_port(args.redis_port, "redis-server")
    return process


def wait_port(port, what, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %d" % (what, port))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """A gateway jar on ports of its own, which the schedule stops (SIGTERM or SIGKILL) and starts again on them."""

    def __init__(self, number, args):
        self.number = number
        self.args = args
        self.smtps, self.smtp, self.http = free_port(), free_port(), free_port()
        self.log = os.path.join(args.logs, "gateway-%d.log" % number)
        self.process = None
        self.counted = {}  # counters of the gateway's earlier lives, read from /metrics before each stop
        self.proxy = number == args.gateways and args.gateways > 1  # the last one behind a "balancer" sending PROXY

    def start(self):
        env = dict(os.environ)
        env.update(GATEWAY_API_URL="http://127.0.0.1:%d" % self.args.api_port, GATEWAY_API_H2C="true",
                   GATEWAY_REDIS_URL="redis://127.0.0.1:%d/0" % self.args.redis_port,
                   GATEWAY_SMTPS_PORT=str(self.smtps), GATEWAY_SMTP_PORT=str(self.smtp),
                   GATEWAY_HTTP_PORT=str(self.http), GATEWAY_BIND_ADDRESS="127.0.0.1",
                   GATEWAY_API_DEADLINE="4s", GATEWAY_DRAIN_DELAY="1s", GATEWAY_DRAIN_TIMEOUT="5s",
                   GATEWAY_PROXY_PROTOCOL="on" if self.proxy else "off", GATEWAY_PROXY_TRUSTED_CIDRS="127.0.0.1/32",
                   GATEWAY_DOUBT_CHECK_AFTER="2s", GATEWAY_REDIS_TIMEOUT="500ms", GATEWAY_LOG_LEVEL=os.environ.get("CHAOS_GATEWAY_LOG_LEVEL", "warn"))
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                ["java", "-Dio.netty.leakDetection.level=paranoid", "-jar", self.args.jar],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.smtps, "gateway %d" % self.number)

    def stop(self, sig):
        """Stops the gateway with {sig}; its counters are read up to its end (during a drain too), or just before a
        SIGKILL."""
        last = self.scrape()
        self.process.send_signal(sig)
        end = time.time() + 60
        while self.process.poll() is None and time.time() < end:
            last = self.scrape() or last
            time.sleep(0.1)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.add(last)

    COUNTERS = {"answered_2xx": ('smtp_replies_total', 'code="2xx"', 'command="DATA"'),
                "answered_4xx": ('smtp_replies_total', 'code="4xx"', 'command="DATA"'),
                "answered_after_client_left": ('smtp_messages_client_left_total',)}

    def scrape(self):
        """The counters this life of the gateway has: replies to messages, answers after the client left."""
        try:
            text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.http, timeout=5).read().decode()
        except OSError:
            return {}
        counters = {}
        for name, parts in self.COUNTERS.items():
            counters[name] = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                                 if line.startswith(parts[0]) and all(part in line for part in parts[1:]))
        return counters

    def add(self, counters):
        for name, value in counters.items():
            self.counted[name] = self.counted.get(name, 0) + value

    def leaks(self):
        with open(self.log, errors="replace") as log:
            return sum(1 for line in log if "LEAK:" in line)


class ApiProxy:
    """A TCP relay between the gateways and the sandbox that the schedule takes down: while down, connections to it are
    refused and those it relayed are reset, as when the API's address stops answering."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.lock = threading.Lock()
        self.connections = []
        self.listener = None
        self.up()

    def up(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def down(self):
        self.listener.close()
        with self.lock:
            connections, self.connections = self.connections, []
        for connection in connections:
            try:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                connection.close()
            except OSError:
                pass

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # taken down
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(source, target), daemon=True).start()

    @staticmethod
    def pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        for side in (source, target):
            try:
                side.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def redis_sleep(args, seconds):
    """Makes Redis answer nothing for {seconds}: DEBUG SLEEP on a connection of its own (in the background)."""
    def sleep():
        try:
            with socket.create_connection(("127.0.0.1", args.redis_port), timeout=seconds + 5) as conn:
                command = ["DEBUG", "SLEEP", "%.1f" % seconds]
                conn.sendall(("*%d\r\n" % len(command) + "".join(
                    "$%d\r\n%s\r\n" % (len(part), part) for part in command)).encode())
                conn.recv(64)
        except OSError:
            pass  # Redis was killed meanwhile: the other fault holds
    threading.Thread(target=sleep, daemon=True).start()


API_FAULTS = ["reset_before", "reset_after", "error_after", "unavailable", "too_many", "late_after", "rejected",
              "status_error"]
OTHER_FAULTS = ["api_down", "token_expire", "token_revoke", "redis_kill", "redis_slow", "gateway_term", "gateway_kill"]


def faults(args, rng, stop, counts, redis, gateways, api):
    """The fault schedule, drawn from the seed; each kind counted."""
    end = time.time() + args.duration
    while time.time() < end:
        time.sleep(rng.uniform(2, 6))
        kind = rng.choice(API_FAULTS + OTHER_FAULTS)
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "redis_kill":
            os.kill(redis[0].pid, signal.SIGKILL)
            redis[0].wait()
            time.sleep(rng.uniform(1, 4))
            redis[0] = start_redis(args)
        elif kind == "api_down":
            api.down()
            time.sleep(rng.uniform(1, 3))
            api.up()
        elif kind == "redis_slow":
            redis_sleep(args, rng.uniform(0.8, 2.5))
        elif kind in ("token_expire", "token_revoke"):
            post(args.sandbox, "/sandbox/tokens/" + kind.split("_")[1], {})
        elif kind in ("gateway_term", "gateway_kill"):
            gateway = rng.choice(gateways)
            gateway.stop(signal.SIGTERM if kind == "gateway_term" else signal.SIGKILL)
            time.sleep(rng.uniform(0.5, 2))
            gateway.start()
        else:
            post(args.sandbox, "/sandbox/faults", api_fault(kind, rng))
    post(args.sandbox, "/sandbox/faults", method="DELETE")
    stop.set()


def api_fault(kind, rng):
    """A fault of the API for some recipients, a few times."""
    fault = {"path": "/v2/emails", "recipient": "^r%d[0-9]?@" % rng.randint(0, 3), "times": rng.randint(1, 6)}
    if kind == "reset_before":
        fault.update(reset=True, delay_ms=300)
    elif kind == "reset_after":
        fault.update(reset=True, delay_ms=300, taken=True)
    elif kind == "error_after":
        fault.update(status=500, taken=True)
    elif kind == "unavailable":
        fault.update(status=503, retry_after=1)
    elif kind == "too_many":
        fault.update(status=429, retry_after=1)
    elif kind == "late_after":
        fault.update(delay_ms=6000, taken=True)
    elif kind == "rejected":
        fault.update(email_status="rejected")
    elif kind == "status_error":
        fault.update(email_status="error")
    return fault


def main():
    args = parse_args()
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    print("seed %d, %d s, %d clients" % (args.seed, args.duration, args.clients), flush=True)
    master = random.Random(args.seed)
    record = Record()
    stop = threading.Event()
    counts = {}
    os.makedirs(args.logs, exist_ok=True)
    redis = [start_redis(args)]
    api = ApiProxy(args.sandbox)
    args.api_port = api.port
    gateways = [Gateway(number, args) for number in range(1, args.gateways + 1)]
    for gateway in gateways:
        gateway.start()
    threads = [threading.Thread(target=client, args=(i, args, record, random.Random(master.random()), stop, gateways))
               for i in range(args.clients)]
    for t in threads:
        t.start()
    try:
        faults(args, random.Random(master.random()), stop, counts, redis, gateways, api)
        for t in threads:
            t.join()
    finally:
        stop.set()
        for gateway in gateways:
            gateway.stop(signal.SIGTERM)
        redis[0].terminate()
    inbox = json.load(urllib.request.urlopen("http://127.0.0.1:%d/sandbox/messages" % args.sandbox, timeout=30))
    submitted = {}
    refused = set()  # what the API answered 201 with status rejected or error: refused, not taken
    for email in inbox:
        key = (email["subject"], email["to"])
        if email.get("status") in ("rejected", "error"):
            refused.add(key)
        else:
            submitted[key] = submitted.get(key, 0) + 1
    report = {"seed": args.seed, "duration_s": args.duration, "faults": counts,
              "messages": len(record.messages),
              "tries": sum(len(m["replies"]) for m in record.messages.values()),
              "submissions": sum(submitted.values()), "refused_by_the_api": len(refused)}
    ok_without = duplicates = lost_duplicates = submitted_not_250 = unfinished = vanished = hung = 0
    for subject, m in record.messages.items():
        counts_per_rcpt = [submitted.get((subject, r), 0) for r in m["recipients"]]
        hung += m["hung"]
        if m["final"] == 250 and any(c == 0 and (subject, r) not in refused
                                     for c, r in zip(counts_per_rcpt, m["recipients"])):
            ok_without += 1  # a recipient the API refused is the gateway's to dead-letter, as the others took it
        twice = sum(1 for c in counts_per_rcpt if c > 1)
        duplicates += twice
        if twice and (m["lost"] or m["vanished"]):
            lost_duplicates += twice
        if m["vanished"]:
            vanished += 1  # the client left before its reply: its message's fate is not the gateway's to report
        elif m["final"] != 250 and any(counts_per_rcpt):
            submitted_not_250 += 1
        elif m["final"] is None:
            unfinished += 1
    leaks = sum(gateway.leaks() for gateway in gateways)
    counted = {name: int(sum(gateway.counted.get(name, 0) for gateway in gateways)) for name in Gateway.COUNTERS}
    received_250 = sum(1 for m in record.messages.values() for c in m["replies"] if c == 250)
    report.update(ok_250_without_submission=ok_without, duplicate_submissions=duplicates,
                  duplicates_after_lost_answer=lost_duplicates, submitted_never_answered_250=submitted_not_250,
                  unfinished_messages=unfinished, hung_sessions=hung, leaks=leaks, vanished_clients=vanished,
                  gateway_counters=counted, clients_received_250=received_250,
                  replies={str(code): sum(1 for m in record.messages.values() for c in m["replies"] if c == code)
                           for code in sorted({c for m in record.messages.values() for c in m["replies"]},
                                              key=lambda c: (c is None, c or 0))})
    unexplained = [(subject, m) for subject, m in record.messages.items() if not m["vanished"] and (
        m["final"] is None or (m["final"] != 250 and any(submitted.get((subject, r), 0) for r in m["recipients"]))
        or not m["lost"] and any(submitted.get((subject, r), 0) > 1 for r in m["recipients"]))]
    for subject, m in unexplained[:5]:
        print("example %s to %s: %s" % (subject, m["recipients"], " | ".join(m["texts"][-3:])), file=sys.stderr)
    for key in ("ok_250_without_submission", "duplicate_submissions", "duplicates_after_lost_answer",
                "submitted_never_answered_250", "unfinished_messages", "hung_sessions", "leaks", "vanished_clients"):
        print("%s: %d" % (key, report[key]))
    # read from /metrics up to each stop: what a gateway answered after its last read (a SIGKILL, the very end of a
    # drain) is not in them, so they are a lower bound to set beside the clients' own count
    print("the gateways counted 2xx answers to %d messages (%d after the client left); the clients read 250 %d times"
          % (counted["answered_2xx"], counted["answered_after_client_left"], received_250))
    print("faults: " + ", ".join("%s %d" % (kind, counts.get(kind, 0)) for kind in API_FAULTS + OTHER_FAULTS))
    print(json.dumps(report))
    failed = ok_without or duplicates - lost_duplicates or submitted_not_250 or unfinished or hung or leaks
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
