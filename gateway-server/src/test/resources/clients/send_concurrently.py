"""Sends COUNT messages of one KIND at once over STARTTLS with smtplib, one connection each, and prints one line
per message: the reply to its end of data ("250 2.0.0 ..."), or "dropped: <error>" when the connection failed.

usage: send_concurrently.py PORT USER PASSWORD COUNT KIND
KIND: small (a short text), pdfs (text and two 10 MiB PDFs), latin2 (24 MiB of ISO-8859-2 text), control (8 MiB
of control characters)
"""
import os
import smtplib
import ssl
import sys
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

port, user, password, count, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
MiB = 1024 * 1024


def text_message(charset, body):
    head = ("From: %s\r\nTo: to@example.net\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" % (user, kind, charset))
    return head.encode("ascii") + body


def lines(unit, size):
    line = unit * (900 // len(unit)) + b"\r\n"
    return line * (size // len(line))


def message():
    if kind == "small":
        return text_message("us-ascii", b"Hello\r\n")
    if kind == "pdfs":
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = user, "to@example.net", "Two reports"
        msg.set_content("The reports are attached.")
        for name in ("first.pdf", "second.pdf"):
            msg.add_attachment(os.urandom(10 * MiB), maintype="application", subtype="pdf", filename=name)
        return msg.as_bytes()
    if kind == "latin2":
        return text_message("iso-8859-2", lines("Zażółć gęślą jaźń. ".encode("iso-8859-2"), 24 * MiB))
    if kind == "control":
        return text_message("us-ascii", lines(b"\x01\x02\x03\x04", 8 * MiB))
    raise SystemExit("unknown kind " + kind)


def send(_):
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
            s.starttls(context=ssl._create_unverified_context())
            s.login(user, password)
            s.mail(user)
            s.rcpt("to@example.net")
            code, text = s.data(message())
            return "%d %s" % (code, text.decode())
    except Exception as e:  # a reply the client never got is what this script reports
        return "dropped: %r" % (e,)


with ThreadPoolExecutor(max_workers=count) as pool:
    for outcome in pool.map(send, range(count)):
        print(outcome, flush=True)
