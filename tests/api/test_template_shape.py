"""What no template compiler catches in the pages' and mails' templates: a section
opened inside a section of the same name. Mustache renders a list section once per item,
so `{{#items}}<ul>{{#items}}<li>…{{/items}}</ul>{{/items}}` (a list used as "if any")
repeats the whole list once per item; the home page did that with its events, /me with
the registrations. "Whether there is any" is a boolean of its own (has_events)."""
import glob
import os
import re

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TAG = re.compile(r"\{\{([#^/])\s*([^}]+?)\s*\}\}")


def test_no_section_is_opened_inside_a_section_of_the_same_name():
    found = []
    files = sorted(glob.glob(os.path.join(REPO, "web", "pages", "*.html"))
                   + glob.glob(os.path.join(REPO, "web", "mail", "*")))
    assert files
    for path in files:
        text = open(path, encoding="utf-8").read()
        stack = []
        for m in TAG.finditer(text):
            kind, name = m.groups()
            if kind == "/":
                while stack and stack[-1][1] != name:
                    stack.pop()
                if stack:
                    stack.pop()
                continue
            if kind == "#" and any(k == "#" and n == name for k, n in stack):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{os.path.relpath(path, REPO)}:{line}: {{{{#{name}}}}} inside itself")
            stack.append((kind, name))
    assert not found, "\n".join(found)
