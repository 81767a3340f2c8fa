"""Helpers for the ?format=ics answers (services/core/ics.c): parse a
VCALENDAR with python3-icalendar and check the wire format.

    events = assert_ics_response(r)          # 200, text/calendar, CRLF, folding
    ev = events[0]; ev["dtstart"]            # aware datetime
    parse_ics(text, tzid="America/Lima")     # also checks the VTIMEZONE / TZIDs
"""
import datetime

from icalendar import Calendar

PRODID = "-//GESS//gess//ES"


def _unfold(text):
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def _split_unescaped(value, sep=","):
    """Splits an RFC 5545 TEXT list on unescaped separators and unescapes
    each part (python3-icalendar 4.0.3 unescapes before splitting, so a
    category holding a comma would come back as two)."""
    parts, cur, i = [], [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            cur.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        if c == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _raw_categories(text):
    """Per VEVENT, in document order, the categories as written."""
    out, current = [], None
    for line in _unfold(text).split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            out.append(current)
            current = None
        elif current is not None and line.upper().startswith("CATEGORIES"):
            value = line.split(":", 1)[1]
            current.extend(_split_unescaped(value))
    return out


def _text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def parse_ics(text, tzid=None):
    """Parses a VCALENDAR; returns one dict per VEVENT, in order:
    {uid, summary, description, location, url, dtstart, dtend (aware
    datetimes; dtend None when absent), status, sequence, categories,
    last_modified}. Asserts VERSION 2.0 and the GESS PRODID; with tzid,
    also that the calendar declares that zone and every DTSTART/DTEND uses it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    cal = Calendar.from_ical(text)
    assert cal.name == "VCALENDAR", cal.name
    assert str(cal.get("version")) == "2.0", cal.get("version")
    assert str(cal.get("prodid")) == PRODID, cal.get("prodid")
    if tzid is not None:
        assert str(cal.get("x-wr-timezone")) == tzid
        zones = [str(z.get("tzid")) for z in cal.walk("VTIMEZONE")]
        assert tzid in zones or tzid == "UTC", zones
    cats = _raw_categories(text)
    events = []
    for i, ev in enumerate(cal.walk("VEVENT")):
        dtstart = ev.decoded("dtstart")
        dtend = ev.decoded("dtend") if ev.get("dtend") is not None else None
        for dt in (dtstart, dtend):
            if dt is not None:
                assert isinstance(dt, datetime.datetime) and dt.tzinfo is not None, dt
        if tzid is not None and tzid != "UTC":
            for name in ("dtstart", "dtend"):
                prop = ev.get(name)
                if prop is not None:
                    assert prop.params.get("TZID") == tzid, (name, prop.params)
        seq = ev.get("sequence")
        events.append({
            "uid": _text(ev, "uid"),
            "summary": _text(ev, "summary"),
            "description": _text(ev, "description"),
            "location": _text(ev, "location"),
            "url": _text(ev, "url"),
            "dtstart": dtstart,
            "dtend": dtend,
            "status": _text(ev, "status"),
            "sequence": None if seq is None else int(seq),
            "categories": cats[i] if i < len(cats) else [],
            "last_modified": ev.decoded("last-modified") if ev.get("last-modified") else None,
            "dtstamp": ev.decoded("dtstamp") if ev.get("dtstamp") else None,
        })
    return events


def assert_ics_wire(body):
    """The raw bytes: UTF-8, CRLF line endings only, every line at most 75
    octets and valid UTF-8 on its own (folding never splits a character)."""
    assert isinstance(body, bytes)
    assert body.startswith(b"BEGIN:VCALENDAR\r\n"), body[:40]
    assert body.endswith(b"END:VCALENDAR\r\n"), body[-40:]
    body.decode("utf-8")
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")


def assert_ics_response(r, tzid=None):
    """A 200 text/calendar answer with a well-formed body; returns
    parse_ics(body) (list of VEVENT dicts)."""
    assert r.status_code == 200, (r.status_code, r.text[:500])
    ctype = r.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip().lower() == "text/calendar", ctype
    assert "charset=utf-8" in ctype.lower().replace(" ", ""), ctype
    assert_ics_wire(r.content)
    return parse_ics(r.content.decode("utf-8"), tzid=tzid)
