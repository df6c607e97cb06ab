"""Parses a nethost HTML report and checks it.

usage: check_html.py FILE MODE HOSTS FAILED_HOST
  MODE run:  written by `nethost run -o report.html` (audit: its own table is in it)
  MODE file: written by `nethost report results.jsonl`
  MODE evil: hostile contents; FAILED_HOST is a raw host name that must come back as text
Exits 1 with a message on the first failed check.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "input", "br", "img", "link", "hr"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []        # open elements: (tag, attrs)
        self.tags = []         # every start tag: (tag, attrs)
        self.tables = {}       # id -> {"class", "head": [...], "rows": [[cells], attrs]}
        self.table = None
        self.row = None
        self.cell = None
        self.text = {"style": [], "script": [], "h2": [], "title": []}
        self.errors = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in VOID:
            self.stack.append((tag, a))
        if tag == "table":
            self.table = {"id": a.get("id"), "class": a.get("class", ""), "head": [], "rows": []}
            self.tables[a.get("id") or "t%d" % len(self.tables)] = self.table
        elif tag == "tr" and self.table is not None:
            self.row = {"attrs": a, "cells": [], "th": []}
        elif tag in ("td", "th") and self.row is not None:
            self.cell = {"tag": tag, "attrs": a, "text": []}

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, [t for t, _ in self.stack[-3:]]))
            return
        self.stack.pop()
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = "".join(self.cell["text"])
            (self.row["th"] if tag == "th" else self.row["cells"]).append((text, self.cell["attrs"]))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if self.row["th"]:
                self.table["head"] = [t for t, _ in self.row["th"]]
            else:
                self.table["rows"].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"].append(data)
        if self.stack and self.stack[-1][0] in self.text:
            self.text[self.stack[-1][0]].append(data)


def fail(msg):
    print("check_html: FAIL: " + msg)
    sys.exit(1)


def main():
    path, mode, nhosts, failed_host = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    raw = open(path, encoding="utf-8").read()
    page = Page()
    page.feed(raw)
    page.close()
    if page.errors:
        fail("%s: %s" % (path, page.errors[0]))
    if page.stack:
        fail("unclosed elements: %s" % [t for t, _ in page.stack])

    # Self-contained: no element loads anything, no CSS url()/@import, a CSP forbids it all.
    for tag, a in page.tags:
        for attr in ("src", "href", "action", "data", "poster", "srcset"):
            if attr in a:
                fail("<%s %s=%r>: a reference outside the file" % (tag, attr, a[attr]))
        if tag in ("link", "img", "iframe", "object", "embed", "base", "frame"):
            fail("a <%s> element" % tag)
        for k in a:
            if k.startswith("on"):
                fail("<%s %s=...>: an event handler attribute" % (tag, k))
    css = "".join(page.text["style"])
    if re.search(r"url\(|@import", css):
        fail("the CSS loads something")
    script = "".join(page.text["script"])
    if re.search(r"https?:|//[a-z0-9]", script.replace("\\/", "/"), re.I) and "http" in script:
        fail("the script names a URL")
    csp = [a.get("content", "") for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    if not csp or "default-src 'none'" not in csp[0]:
        fail("no Content-Security-Policy default-src 'none'")
    if [t for t, a in page.tags if t == "script" and a]:
        fail("a <script> with attributes")
    if len([t for t, _ in page.tags if t == "script"]) != 1:
        fail("expected exactly one inline <script>")

    hosts = [t for t in page.tables.values() if "hosts" in t["class"].split()]
    if len(hosts) != 1:
        fail("expected one host table, found %d" % len(hosts))
    table = hosts[0]
    if table["head"][:6] != ["host", "status", "changed", "error kind", "error", "elapsed"]:
        fail("host table header: %s" % table["head"])
    rows = [r for r in table["rows"] if "detail" not in r["attrs"].get("class", "")]
    if len(rows) != nhosts:
        fail("host table: %d rows, expected %d" % (len(rows), nhosts))
    by_host = {r["cells"][0][0]: r for r in rows}
    if failed_host not in by_host:
        fail("host %r not in the table (hosts: %s)" % (failed_host, sorted(by_host)))
    bad = by_host[failed_host]
    status = bad["cells"][1][0]
    if status not in ("failed", "aborted") or bad["attrs"].get("data-status") != status:
        fail("%s: status %r" % (failed_host, status))
    for r in rows:
        if r is not bad and r["cells"][1][0] not in ("ok", "changed"):
            fail("%s: status %s" % (r["cells"][0][0], r["cells"][1][0]))
        el = r["cells"][5][1].get("data-sort")
        if el is None or float(el) < 0:
            fail("%s: no sortable elapsed time" % r["cells"][0][0])
    details = [r for r in table["rows"] if "detail" in r["attrs"].get("class", "")]
    if not any(failed_host in "".join(c[0] for c in d["cells"]) for d in details):
        fail("no folded details for %s" % failed_host)
    if not any(t == "details" for t, _ in page.tags):
        fail("no <details> elements")

    # Summary cards, failure groups, histogram.
    cards = {a.get("data-field") for t, a in page.tags if t == "div" and "card" in a.get("class", "")}
    for need in ("hosts", "ok", "failed"):
        if need not in cards:
            fail("summary card %r missing" % need)
    groups = [t for t in page.tables.values() if "failures" in t["class"].split()]
    if not groups or not groups[0]["rows"]:
        fail("no failure groups")
    g = groups[0]["rows"][0]["cells"]
    if int(g[1][0]) != 1 or failed_host not in g[2][0]:
        fail("failure group: %s" % [c[0] for c in g])
    bars = [int(a["data-count"]) for t, a in page.tags if t == "div" and a.get("class") == "bar"]
    if len(bars) != 12 or sum(bars) != nhosts:
        fail("histogram: %s for %d hosts" % (bars, nhosts))
    # A filter box and a status select for the host table.
    filters = [a for t, a in page.tags if t == "div" and a.get("class") == "filter"]
    if not any(a.get("data-table") == table["id"] for a in filters):
        fail("no filter for the host table")

    if mode == "run":
        h2 = " | ".join(page.text["h2"])
        if "audit: software versions" not in h2:
            fail("the audit's own table is missing (sections: %s)" % h2)
        sec = [t for t in page.tables.values() if "section" in t["class"].split()]
        if not sec or sec[0]["head"][:2] != ["host", "status"] or len(sec[0]["rows"]) != nhosts:
            fail("audit table: %s" % (sec and (sec[0]["head"], len(sec[0]["rows"]))))
    if mode == "evil":
        # The hostile texts came back as text, exactly.
        text = "".join(c[0] for r in table["rows"] for c in r["cells"])
        for needle in ('"><img src=http://198.51.100.1/x.png onerror=alert(2)>',
                       "</pre><iframe src=//198.51.100.1/></iframe>",
                       "ok-host' onmouseover='alert(3)",
                       "<link rel=stylesheet href=https://198.51.100.1/x.css>"):
            if needle not in text:
                fail("hostile text %r not shown as text" % needle)
    print("check_html: %s ok (%d hosts)" % (path, nhosts))


main()
