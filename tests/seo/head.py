"""A page's head as the crawlers read it: meta, link and JSON-LD, by the stdlib parser."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Head:
    meta: dict[str, list[str]] = field(default_factory=dict)  # name or property: contents
    links: list[dict[str, str]] = field(default_factory=list)
    json_ld: list[str] = field(default_factory=list)  # the raw text of each script
    scripts_closed: int = 0

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def link(self, rel: str, **attrs) -> list[str]:
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and all(link.get(k) == v for k, v in attrs.items())
        ]

    @property
    def canonical(self) -> str:
        (href,) = self.link("canonical")
        return href

    @property
    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if "hreflang" in link}

    def structured(self, kind: str) -> list[dict]:
        return [d for d in map(json.loads, self.json_ld) if d.get("@type") == kind]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.head = Head()
        self.in_ld = False
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        if not self.in_head:
            return
        if tag == "meta" and ("name" in a or "property" in a):
            self.head.meta.setdefault(a.get("name") or a["property"], []).append(a["content"])
        elif tag == "link":
            self.head.links.append(a)
        elif tag == "script" and a.get("type") == "application/ld+json":
            self.in_ld = True
            self.head.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script" and self.in_ld:
            self.in_ld = False
            self.head.scripts_closed += 1
        if tag == "head":
            self.in_head = False

    def handle_data(self, data):
        if self.in_ld:
            self.head.json_ld[-1] += data


def parse_head(html: str) -> Head:
    parser = _Parser()
    parser.feed(html)
    return parser.head
