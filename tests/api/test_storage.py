"""What lands in the database and the logs: hashes only, never secrets."""
import base64
import os
import shutil
import subprocess

import gesshelp as h


def _pg_dump():
    cands = []
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        cands.append(os.path.join(bindir, "pg_dump"))
    cands += ["/usr/lib/postgresql/15/bin/pg_dump", shutil.which("pg_dump") or ""]
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    raise AssertionError("pg_dump not found")


def test_password_hashes_are_argon2id(gess):
    gess.user()
    total = gess.count("accounts")
    assert total > 0
    bad = gess.sql("SELECT email, left(password_hash, 12) FROM accounts "
                   "WHERE password_hash IS NULL OR password_hash NOT LIKE '$argon2id$%%'")
    assert bad == [], bad
    # libsodium's interactive parameters or stronger: m >= 65536 KiB, t >= 2.
    for (ph,) in gess.sql("SELECT password_hash FROM accounts LIMIT 50"):
        params = dict(kv.split("=") for kv in ph.split("$")[3].split(","))
        assert int(params["m"]) >= 65536 and int(params["t"]) >= 2, ph[:40]


def test_no_secret_in_the_database_or_logs(gess):
    u = gess.user()
    token, password = u["token"], u["password"]
    # Use the token so that last_used and friends are written.
    h.assert_json(gess.req("GET", "/v1/me", headers=u["headers"]), 200)
    gess.user()

    dump = subprocess.run([_pg_dump(), "--data-only", "--no-owner", "-d", gess.db_url],
                          capture_output=True, timeout=60)
    assert dump.returncode == 0, dump.stderr.decode()
    text = dump.stdout
    assert u["email"].encode() in text, "the dump does not contain the account (bad dump?)"
    forms = {token.encode(), token.encode().hex().encode(), password.encode()}
    # If the token is url-safe base64 or hex, its raw bytes' other encodings too.
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        forms |= {raw.hex().encode(), base64.b64encode(raw).rstrip(b"=")}
    except Exception:  # noqa: BLE001
        pass
    try:
        raw = bytes.fromhex(token)
        forms |= {base64.b64encode(raw).rstrip(b"=")}
    except ValueError:
        pass
    for f in forms:
        assert f not in text, f"a secret appears in the database dump: {f[:12]!r}..."
    # The token hash is stored (32 bytes of generichash or so), not the token.
    rows = gess.sql("SELECT token_hash FROM tokens WHERE account_id = %s", (u["account"]["id"],))
    assert len(rows) == 1 and len(bytes(rows[0][0])) >= 16

    log = gess.main.log_text()
    assert token not in log, "the token appears in the server log"
    assert password not in log, "the password appears in the server log"
