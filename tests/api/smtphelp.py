"""An SMTP sink for the notify tests (issue 16): Debian's aiosmtpd on a free
127.0.0.1 port, on a thread of the test process, and a helper starting
`gessd notify` against it.

The sink answers by the recipient's local part, so one test can mix
behaviours in one run:
  fail550+...@    550 at RCPT, always (a permanent refusal)
  fail451once+...@ 451 at RCPT the first time this address is seen, then 250
  fail421+...@    421 at RCPT, always (the relay closing: a temporary one)
  slow+...@       accepted after `slow_s` seconds in DATA
anything else is accepted. `mail_reply`, when set, is the answer to every
MAIL FROM (a relay refusing the sender, e.g. 530 authentication required). Every accepted message is kept (envelope
recipient, raw bytes, arrival time) in `messages`.
"""
import asyncio
import email
import email.policy
import os
import re
import threading
import time

from aiosmtpd.controller import Controller

import gesshelp as h


class Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.sink.lock:
            self.sink.mail_attempts += 1
            reply = self.sink.mail_reply
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        with self.sink.lock:
            self.sink.rcpt_attempts.append(address)
            if local.startswith("fail550"):
                return "550 5.1.1 no such mailbox"
            if local.startswith("fail421"):
                return "421 4.3.0 try again later"
            if local.startswith("fail451once") and address not in self.sink.seen_once:
                self.sink.seen_once.add(address)
                return "451 4.7.1 greylisted, try again"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@", 1)[0].lower().startswith("slow") for a in envelope.rcpt_tos):
            await asyncio.sleep(self.sink.slow_s)
        if self.sink.delay_s:
            await asyncio.sleep(self.sink.delay_s)
        with self.sink.lock:
            for rcpt in envelope.rcpt_tos:
                self.sink.messages.append((rcpt, bytes(envelope.content),
                                           time.monotonic()))
        return "250 Message accepted"


class Sink:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.rcpt_attempts = []
        self.seen_once = set()
        self.slow_s = 2.0
        self.delay_s = 0.0
        self.mail_reply = None
        self.mail_attempts = 0
        self.port = h.free_port()
        # decode_data=False keeps the bytes as sent (8bit parts, CRLF)
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port,
                                     decode_data=False)
        self.controller.start()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self):
        self.controller.stop()

    def to(self, rcpt):
        """The raw messages received for rcpt."""
        with self.lock:
            return [m[1] for m in self.messages if m[0].lower() == rcpt.lower()]

    def by_message_id(self, message_id):
        """The raw messages whose Message-ID is <message_id@gess> (one, unless delivered twice)."""
        want = f"<{message_id}@gess>".encode()
        with self.lock:
            raw = [m[1] for m in self.messages]
        return [b for b in raw
                if re.search(rb"^Message-ID: " + re.escape(want), b, re.M | re.I)]

    def parsed(self, rcpt):
        return [email.message_from_bytes(b, policy=email.policy.default) for b in self.to(rcpt)]

    def message_ids(self, suffix=None):
        """The Message-ID of every message received (for recipients ending with suffix)."""
        with self.lock:
            raw = [m[1] for m in self.messages if suffix is None or m[0].endswith(suffix)]
        out = []
        for b in raw:
            m = re.search(rb"^Message-ID: (<[^>]+>)", b, re.M | re.I)
            out.append(m.group(1).decode() if m else None)
        return out

    def count(self, suffix):
        with self.lock:
            return sum(1 for m in self.messages if m[0].endswith(suffix))


# The timing keys that make retries and leases quick enough for a test.
FAST = {
    "GESS_MAIL_RETRY_S": "1",
    "GESS_OUTBOX_POLL_MS": "50",
    "GESS_OUTBOX_LEASE_S": "3",
    "GESS_SMTP_TLS": "off",
    "GESS_MAIL_FROM": "GESS Congreso <no-reply@gess.test>",
    "GESS_PUBLIC_URL": "https://gess.test",
}


def start_notify(gess, sink=None, env=None, name=None, maildir=None):
    """`gessd notify` as a subprocess (conftest's Instance, without /healthz:
    notify has no listener), delivering to sink or into maildir; returns once
    its start line is logged."""
    from conftest import Instance  # noqa: WPS433 (conftest is the test package's root)
    e = dict(FAST)
    if maildir is not None:
        e.update({"GESS_MAIL_TRANSPORT": "maildir", "GESS_MAIL_DIR": maildir})
    else:
        e.update({"GESS_MAIL_TRANSPORT": "smtp", "GESS_SMTP_URL": sink.url})
    e.update(env or {})
    inst = Instance(gess, e, ["notify"], name or f"notify-{len(gess.instances)}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if "notify started" in inst.log_text():
            return inst
        if inst.proc.poll() is not None:
            raise AssertionError(f"gessd notify exited with {inst.proc.returncode}:\n"
                                 + inst.log_text()[-3000:])
        time.sleep(0.05)
    raise AssertionError("gessd notify did not start:\n" + inst.log_text()[-3000:])


def set_aside_pending(gess):
    """Rows other tests left pending are not this test's mail: marked sent,
    so a notify started here delivers only the rows the test writes."""
    gess.sql("UPDATE outbox SET status = 'sent', sent_at = now() WHERE status = 'pending'")


def insert_rows(gess, kind, emails, payload='{"n": 1}', account_id=None):
    """Outbox rows written as the writers do, with a fixed address each; returns their ids."""
    rows = gess.sql(
        "INSERT INTO outbox (kind, account_id, payload, to_email)"
        " SELECT %s, %s, %s::jsonb, e FROM unnest(%s::text[]) AS e RETURNING id",
        (kind, account_id, payload, list(emails)))
    return [r[0] for r in rows]


def wait_for(pred, timeout=30, what="condition"):
    """Polls until pred() is truthy (an empty list is not: wait_until takes any value but
    None and False)."""
    return h.wait_until(lambda: bool(pred()) or None, timeout, interval=0.05, what=what)


def maildir_files(path):
    new = os.path.join(path, "new")
    return sorted(os.path.join(new, f) for f in os.listdir(new)) if os.path.isdir(new) else []
