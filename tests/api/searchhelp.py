"""Fixture cases for the practices search and export tests: published rows
inserted straight into practices (the trigger practices_published_columns
fills the search and facet columns from `published`), each naming one
organization id of its test module, so a module's queries filtered by
`organization_id` see only its own cases whatever else the session wrote."""
import json
import uuid

import gesshelp as h


def case(title, summary="", **content):
    body = {"title": title, "summary": summary, "kind": "practice", "themes": [],
            "sectors": [], "territories": [], "sdgs": [], "stage": "operation",
            "language": "es", "license": "CC-BY-4.0"}
    body.update(content)
    return body


def insert(gess, org, content, status="published", published=True, days_ago=0):
    """One case of org; content None (with published False) leaves it unpublished."""
    c = dict(content)
    c["organization_ids"] = [org] + c.get("organization_ids", [])
    rows = gess.sql(
        "INSERT INTO practices (status, published, published_at)"
        " VALUES (%s, %s::jsonb, CASE WHEN %s THEN now() - make_interval(days => %s) END)"
        " RETURNING id::text",
        (status, json.dumps(c) if published else None, published, days_ago))
    return rows[0][0]


def new_org():
    return str(uuid.uuid4())


def nonce_word(n=11):
    """A word of letters nobody else in the session writes."""
    return "q" + h.letters(n).lower()
