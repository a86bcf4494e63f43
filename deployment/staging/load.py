#!/usr/bin/env python3
"""Steady SMTP load through the balancer, for the staging run (deployment/staging.sh).

WORKERS threads, each a sequence of sessions: a session connects to the balancer (STARTTLS on SMTP_PORT and implicit
TLS on SMTPS_PORT, in turn), logs in, sends up to PER_SESSION messages, each to a recipient of its own, and quits. The
workers together send RATE messages a second, until the file STOP exists. Every reply the clients get and every way a
session ends is recorded; OUTPUT receives one JSON object:

  messages   {recipient: reply to the end of its data, "250 ..." or another reply, or "error: <kind>"}
  sessions   how many sessions were opened
  failures   {kind: count}: replies other than 2xx/3xx to any command (by code), and sessions that ended without a
             reply ("reset", "closed", "timeout", "refused"), each with where it happened (connect, login, mail, ...)

Usage: load.py SMTP_PORT SMTPS_PORT USER PASSWORD WORKERS RATE PER_SESSION STOP OUTPUT
"""
import json
import os
import smtplib
import socket
import ssl
import sys
import threading
import time
from collections import Counter

smtp_port, smtps_port = int(sys.argv[1]), int(sys.argv[2])
user, password = sys.argv[3], sys.argv[4]
workers, rate, per_session = int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
stop_file, output = sys.argv[8], sys.argv[9]

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE

lock = threading.Lock()
messages = {}
failures = Counter()
sessions = 0


def kind(error):
    """What ended a session, as the client saw it."""
    if isinstance(error, smtplib.SMTPResponseException):
        return str(error.smtp_code)
    if isinstance(error, (ConnectionResetError, BrokenPipeError)):
        return "reset"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(error, (smtplib.SMTPServerDisconnected, ssl.SSLEOFError, EOFError)):
        return "closed"
    return type(error).__name__


def message(recipient):
    return ("From: %s\r\nTo: %s\r\nSubject: Staging %s\r\nMessage-ID: <%s>\r\n\r\nThrough the balancer.\r\n"
            % (user, recipient, recipient, recipient)).encode("ascii")


def session(worker, number, pace):
    """One session; returns whether the run goes on."""
    global sessions
    step = "connect"
    recipient = None
    client = None
    try:
        if number % 2:
            client = smtplib.SMTP_SSL("127.0.0.1", smtps_port, context=context, timeout=30)
        else:
            client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=30)
            step = "starttls"
            client.starttls(context=context)
        with lock:
            sessions += 1
        step = "login"
        client.login(user, password)
        for sent in range(per_session):
            if os.path.exists(stop_file):
                break
            pace()
            recipient = "staging-%d-%d-%d@example.net" % (worker, number, sent)
            step = "mail"
            client.mail(user)
            step = "rcpt"
            code, text = client.rcpt(recipient)
            if code >= 400:
                raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
            step = "data"
            code, text = client.data(message(recipient))
            with lock:
                messages[recipient] = "%d %s" % (code, text.decode(errors="replace"))
            recipient = None
        step = "quit"
        client.quit()
    except smtplib.SMTPRecipientsRefused as refused:
        code = next(iter(refused.recipients.values()))[0]
        record(step, str(code), recipient)
    except Exception as error:  # every way a session can end is what this client reports
        record(step, kind(error), recipient)
    finally:
        if client is not None:
            client.close()


def record(step, what, recipient):
    with lock:
        failures["%s at %s" % (what, step)] += 1
        if recipient is not None:
            messages[recipient] = ("error: " if not what.isdigit() else "") + what


def worker(index):
    interval = workers / rate
    next_slot = [time.monotonic() + index * interval / workers]

    def pace():
        delay = next_slot[0] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_slot[0] = max(next_slot[0] + interval, time.monotonic() - interval)

    number = 0
    while not os.path.exists(stop_file):
        session(index, number, pace)
        number += 1


threads = [threading.Thread(target=worker, args=(index,)) for index in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with open(output, "w") as out:
    json.dump({"messages": messages, "sessions": sessions, "failures": failures}, out)
