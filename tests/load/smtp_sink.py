"""An SMTP sink for `make bench` part i: Debian's aiosmtpd on 127.0.0.1:PORT,
accepting everything and keeping only a count, written to COUNT_FILE after
each message (so the bench reads progress without talking to it).

usage: /usr/bin/python3 smtp_sink.py PORT COUNT_FILE [LAG_FILE]
With LAG_FILE, each message's Message-ID (the outbox row's message_id) and
the time it was accepted (Unix seconds) are appended there, one per line,
for the outbox lag of part i2. Runs until killed."""
import re
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


MSGID = re.compile(rb"^Message-ID: <([0-9a-f-]{36})@gess>", re.M | re.I)


class Counter:
    def __init__(self, path, lag_path=None):
        self.path = path
        self.n = 0
        self.lag = open(lag_path, "a", buffering=1) if lag_path else None

    async def handle_DATA(self, server, session, envelope):
        accepted = time.time()
        self.n += len(envelope.rcpt_tos)
        with open(self.path, "w") as f:
            f.write(f"{self.n}\n")
        if self.lag is not None:
            m = MSGID.search(envelope.content or b"")
            if m:
                self.lag.write(f"{m.group(1).decode()}\t{accepted:.6f}\n")
        return "250 OK"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    lag_path = sys.argv[3] if len(sys.argv) > 3 else None
    c = Controller(Counter(path, lag_path), hostname="127.0.0.1", port=port, decode_data=False)
    c.start()
    with open(path, "w") as f:  # up: the bench waits for this
        f.write("0\n")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    main()
