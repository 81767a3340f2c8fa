"""An SMTP sink for `make bench` part i: Debian's aiosmtpd on 127.0.0.1:PORT,
accepting everything and keeping only a count, written to COUNT_FILE after
each message (so the bench reads progress without talking to it).

usage: /usr/bin/python3 smtp_sink.py PORT COUNT_FILE
Runs until killed."""
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self, path):
        self.path = path
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += len(envelope.rcpt_tos)
        with open(self.path, "w") as f:
            f.write(f"{self.n}\n")
        return "250 OK"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    c = Controller(Counter(path), hostname="127.0.0.1", port=port, decode_data=False)
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
