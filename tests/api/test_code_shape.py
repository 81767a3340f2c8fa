"""The shape of the code that no compiler checks (issue 14, DESIGN.md §2):
a statement is named for the SQL function it calls, a domain includes no
other domain's headers, and what SQL answers goes through one contract."""
import os
import re

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = os.path.join(REPO, "services")

STMT = re.compile(r'const struct db_stmt (\w+) = \{\s*"(\w+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+),?\s*\}', re.S)


def _c_files():
    for dirpath, _, files in os.walk(SERVICES):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                path = os.path.join(dirpath, f)
                yield os.path.relpath(path, SERVICES), open(path, encoding="utf-8").read()


ANSWER = re.compile(r'const struct db_stmt (\w+) =\s*DB_ANSWER\((\w+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)',
                    re.S)


def _statements():
    out = []
    for rel, text in _c_files():
        for var, name, sql in STMT.findall(text):
            sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', sql))
            out.append((rel, var, name, sql))
        # DB_ANSWER(fn, "args"): the name is the function's (core/db_pool.h)
        for var, fn, args in ANSWER.findall(text):
            args = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', args))
            out.append((rel, var, fn, f"SELECT status, problem, body FROM {fn}({args})"))
    return out


def test_statements_are_found():
    assert len(_statements()) > 60


def test_statement_names_are_unique():
    """Every statement is prepared under its name on every connection: two
    with one name would fail at start-up, not at build time."""
    names = [name for _, _, name, _ in _statements()]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_a_statement_variable_says_its_name():
    wrong = []
    for rel, var, name, _ in _statements():
        prefix, _, rest = var.partition("_stmt_")
        if not rest or f"{prefix}_{rest}" != name:
            wrong.append(f"{rel}: {var} is named {name!r}")
    assert not wrong, "\n".join(wrong)


def test_a_statement_calling_a_function_has_its_name():
    wrong = []
    for rel, var, name, sql in _statements():
        m = re.match(r"\s*SELECT\s.*?\sFROM\s+(\w+)\s*\(", sql, re.S | re.I)
        if m and m.group(1) != name:
            wrong.append(f"{rel}: statement {name!r} calls {m.group(1)}()")
    assert not wrong, "\n".join(wrong)


# mail/ (templates, MIME, SMTP, maildir: issue 16) is a library without
# routes, like core; gessd notify is the one user of it, since every other
# domain writes mail as outbox rows in SQL.
LIBRARY_USERS = {"mail": {"notify"}}


def test_no_domain_includes_another_domains_headers():
    wrong = []
    for rel, text in _c_files():
        parts = rel.split(os.sep)
        if len(parts) < 2 or parts[0] == "core":
            continue
        for inc in re.findall(r'^#include "(\w+)/', text, re.M):
            if inc not in ("core", parts[0]) and parts[0] not in LIBRARY_USERS.get(inc, ()):
                wrong.append(f"{rel} includes {inc}/")
    assert not wrong, "\n".join(wrong)


def test_answers_select_the_contract_columns():
    """A function that RETURNS api_answer (status, problem, body;
    schema/migrations/0015_answer.sql) is selected as exactly that, so
    req_done_sql reads it by position; and a statement selecting those
    columns calls such a function (no answer of another shape is read as
    one)."""
    shaped = set()
    for f in os.listdir(os.path.join(REPO, "schema", "functions")):
        text = open(os.path.join(REPO, "schema", "functions", f), encoding="utf-8").read()
        for m in re.finditer(r"CREATE OR REPLACE FUNCTION (\w+)\((.*?)\)\s*(RETURNS\s+\w+|LANGUAGE)",
                             text, re.S):
            if re.fullmatch(r"RETURNS\s+api_answer", m.group(3)):
                shaped.add(m.group(1))
    assert len(shaped) > 30, shaped
    wrong = []
    for rel, var, name, sql in _statements():
        m = re.match(r"\s*SELECT\s+(.*?)\s+FROM\s+(\w+)\s*\(", sql, re.S | re.I)
        if not m:
            continue
        contract = re.sub(r"\s+", " ", m.group(1)) == "status, problem, body"
        if m.group(2) in shaped and not contract:
            wrong.append(f"{rel}: {name} selects {m.group(1)!r}")
        if contract and m.group(2) not in shaped:
            wrong.append(f"{rel}: {name} reads the contract from {m.group(2)}(), not an api_answer")
    assert not wrong, "\n".join(wrong)
