"""Producers' descriptions: a little rich text, nothing that runs.

Producers write Markdown (the editor's toolbar: bold, italic, heading, bulleted and
numbered lists, links). ``render_markdown`` turns it into HTML with markdown-it-py,
drops any raw HTML typed into it, and passes the result through nh3 with the few
tags those features produce: the stored HTML is the only producer HTML a page ever
renders as HTML. Descriptions saved before the editor hold HTML only;
``html_to_markdown`` gives the editor their Markdown when they are next edited.
"""

import html
import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

# What the editor's features produce, and nothing else.
MARKDOWN_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a"}
# Descriptions stored as HTML before the editor (and the demo's seed) also kept these.
ALLOWED_TAGS = MARKDOWN_TAGS | {"b", "i", "u", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# A producer's link is user content: no ranking credit, no access to our window.
LINK_REL = "nofollow ugc noopener"
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*(?:[a-z][a-z0-9]*)\b[^>]*>", re.IGNORECASE)


def _clean(fragment: str, tags: set[str]) -> str:
    return nh3.clean(
        fragment,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def sanitize_description(raw: str) -> str:
    """HTML (or plain text) from before the editor: keep paragraphs, emphasis, lists
    and plain links; drop scripts, event handlers, styles and ``javascript:`` URLs.
    Plain text gets paragraphs."""
    raw = (raw or "").strip()
    if raw and not _LOOKS_LIKE_HTML.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return _clean(raw, ALLOWED_TAGS)


_OPENS = re.compile(r"<\s*(script|style)\b", re.IGNORECASE)
_CLOSES = re.compile(r"<\s*/\s*(script|style)\b", re.IGNORECASE)


def _drop_inline_scripts(state) -> None:
    """A script or style written inside a paragraph loses its text too, not only its
    tags (the tags themselves render as nothing)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, inside = [], False
        for token in block.children:
            if token.type == "html_inline" and _OPENS.match(token.content):
                inside = True
            elif token.type == "html_inline" and _CLOSES.match(token.content):
                inside = False
            elif not inside:
                kept.append(token)
        block.children = kept


def _markdown() -> MarkdownIt:
    # "zero" enables nothing; each feature of the toolbar is turned on by name. Raw
    # HTML is parsed (so that its tags can be dropped, below) rather than shown as
    # text: a pasted "<script>" must not reach the page even as words.
    md = MarkdownIt("zero", {"html": True, "breaks": True, "linkify": False})
    md.enable(
        [
            "emphasis",
            "heading",
            "lheading",
            "list",
            "link",
            "newline",
            "escape",
            "entity",
            "html_block",
            "html_inline",
        ]
    )

    def html_block(self, tokens, idx, options, env):
        # Pasted HTML keeps its words, not its tags (nor a script's or style's text).
        text = nh3.clean(tokens[idx].content, tags=set(), clean_content_tags={"script", "style"})
        return f"<p>{text.strip()}</p>\n" if text.strip() else ""

    md.add_render_rule("html_block", html_block)
    md.add_render_rule("html_inline", lambda *args: "")
    md.core.ruler.push("drop_inline_scripts", _drop_inline_scripts)

    def heading(self, tokens, idx, options, env):
        # The page already has its h1 (the product) and h2 ("Mô tả"): "#", "##" and
        # "###" become h3, deeper ones h4.
        token = tokens[idx]
        level = len(token.markup) if token.markup.startswith("#") else 1  # or underlined
        token.tag = "h3" if level <= 3 else "h4"
        return self.renderToken(tokens, idx, options, env)

    def heading_close(self, tokens, idx, options, env):
        tokens[idx].tag = tokens[idx - 2].tag  # open, inline, close
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading_close)
    return md


_MD = _markdown()
MAX_MARKDOWN = 10_000


def render_markdown(source: str) -> str:
    """The description's Markdown as sanitised HTML."""
    return _clean(_MD.render((source or "").strip()), MARKDOWN_TAGS).strip()


def plain_text(fragment: str) -> str:
    return html.unescape(nh3.clean(fragment or "", tags=set())).strip()


class _ToMarkdown(HTMLParser):
    """The Markdown of a sanitised HTML fragment (the tags of ALLOWED_TAGS)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [tag, next number]
        self.href: list[str | None] = []

    def _text(self) -> str:
        return "".join(self.out)

    def _block(self) -> None:
        """End the current block with one blank line."""
        text = self._text().rstrip(" ")
        self.out = [text]
        if text and not text.endswith("\n\n"):
            self.out.append("\n" if text.endswith("\n") else "\n\n")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "blockquote"):
            if not self.lists:
                self._block()
        elif tag in ("h1", "h2", "h3"):
            self._block()
            self.out.append("### ")
        elif tag in ("h4", "h5", "h6"):
            self._block()
            self.out.append("#### ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n" + "   " * len(self.lists))
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._block()
            start = attrs.get("start") or "1"
            self.lists.append([tag, int(start) if start.isdigit() else 1])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            text = self._text().rstrip(" ")
            self.out = [text]
            if text and not text.endswith("\n"):
                self.out.append("\n")
            indent = "   " * (len(self.lists) - 1)
            if kind[0] == "ol":
                self.out.append(f"{indent}{kind[1]}. ")
                kind[1] += 1
            else:
                self.out.append(f"{indent}- ")
        elif tag == "a":
            self.href.append(attrs.get("href"))
            self.out.append("[")

    def handle_endtag(self, tag):
        if tag in ("p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"):
            if not self.lists:
                self._block()
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._block()
        elif tag == "a" and self.href:
            href = self.href.pop()
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        if not self._text() or self._text().endswith(("\n", "- ", ". ")):
            text = text.lstrip()
        if not text:
            return
        # Characters Markdown would read as syntax are escaped.
        self.out.append(re.sub(r"([\\*_\[\]<>`#])", r"\\\1", text))


def html_to_markdown(fragment: str) -> str:
    """The Markdown of a description stored as HTML before the editor existed."""
    parser = _ToMarkdown()
    parser.feed(fragment or "")
    parser.close()
    text = "".join(parser.out)
    return "\n".join(line.rstrip() for line in text.strip().splitlines()).strip()
