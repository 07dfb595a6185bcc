"""Check the licence of every installed dependency of this project.

    python tools/check_licenses.py              # exit 1 on a licence we have not accepted
    python tools/check_licenses.py --markdown   # the table of THIRD_PARTY_LICENSES.md

The dependencies are those of pyproject.toml (the [project] dependencies and every
extra) and everything they require, as installed in this environment; the licence
of each is read from its installed metadata (License-Expression, else the License
field, else the trove classifiers; "BSD" is told apart by its licence file).

Two scopes, two lists. What the application imports and the Docker image ships
(the [project] dependencies and what they require) is combined with our code, so it
must be compatible with our licence, GPL-3.0-or-later. What only the extras bring
(tests, benchmarks, the demo's localstripe) runs beside the application and is never
shipped with it, so any free licence will do. A package whose metadata names no
licence we recognise fails, unless it is in REVIEWED with the licence found upstream
and the reason; that licence is then checked like any other.

Needs only the standard library and ``packaging`` (required by pytest, gunicorn and
limits, so always installed beside this project).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_LICENSE = "GPL-3.0-or-later"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# Compatible with GPL-3.0-or-later for a combined work (the FSF's list of licences
# compatible with GPLv3; each SPDX "WITH" exception only adds permissions).
RUNTIME_ALLOWED = frozenset(
    {
        "0BSD",
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSL-1.0",
        "CC0-1.0",
        "HPND",
        "ISC",
        "MIT",
        "MIT-0",
        "MIT-CMU",
        "MPL-2.0",  # section 3.3: may be combined with the GPL (no "Incompatible" notice)
        "PSF-2.0",
        "Python-2.0",
        "Unicode-3.0",
        "Unicode-DFS-2016",
        "Unlicense",
        "X11",
        "Zlib",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
    }
)

# Tools run beside the application (tests, benchmarks, the demo) and never shipped
# with it: any free licence, copyleft included.
TOOLING_ALLOWED = RUNTIME_ALLOWED | {
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "BSD-4-Clause",
    "CDDL-1.0",
    "CNRI-Python",
    "EPL-1.0",
    "EPL-2.0",
    "GPL-2.0-only",
}

# Extras that only hold tools. An extra not named here is treated as runtime.
TOOLING_EXTRAS = frozenset({"test", "bench", "demo", "localities-data"})


@dataclass(frozen=True)
class Reviewed:
    """A licence read upstream by a person, for a package whose metadata names none
    we recognise. ``version`` pins the review to one release when a new one could
    change its licence."""

    licence: str
    reason: str
    version: str | None = None


REVIEWED: dict[str, Reviewed] = {
    "vietnam-provinces": Reviewed(
        "GPL-3.0-or-later",
        version="2025.10.1",
        reason=(
            "The wheel carries no licence field or file. Its source, "
            "github.com/sunshine-tech/VietnamProvinces at tag v2025.10.1, declares "
            '`license = { text = "GPL-3.0-or-later" }` in pyproject.toml, as every '
            "release has since v0.2 (2020); the repository has no LICENSE file. "
            "This is why the project is GPL-3.0-or-later."
        ),
    ),
    "pypdfium2": Reviewed(
        "Apache-2.0 AND BSD-3-Clause",
        reason=(
            'License field is "BSD-3-Clause, Apache-2.0, dependency licenses". The '
            "licences of the bundled PDFium build are in its dist-info "
            "(licenses/BUILD_LICENSES): PDFium BSD-3-Clause; FreeType FTL or "
            "GPL-2.0-or-later; ICU Unicode-3.0; abseil Apache-2.0; libjpeg-turbo IJG, "
            "BSD-3-Clause and Zlib; OpenJPEG BSD-2-Clause; libpng, libtiff, lcms2, "
            "zlib, AGG 2.3 permissive notices. All compatible with GPLv3."
        ),
    ),
    "antlr4-python3-runtime": Reviewed(
        "BSD-3-Clause",
        reason=(
            'Metadata says only "BSD", with no licence file. Upstream '
            "github.com/antlr/antlr4 LICENSE.txt is the 3-clause BSD licence. "
            "Test-only (moto[server] -> cfn-lint)."
        ),
    ),
    "axe-playwright-python": Reviewed(
        "MIT AND MPL-2.0",
        version="0.1.8",
        reason=(
            "Metadata names no licence. The wheel's licenses/LICENSE is the MIT licence "
            "(Ruslan Iskov, Pamela Fox) for the Python wrapper; the bundled axe.min.js "
            "(axe-core 4.12.1) opens with Deque's MPL-2.0 notice. Test-only "
            "(tests/e2e/test_accessibility.py)."
        ),
    ),
}

# The trove classifiers that name one licence (the generic "OSI Approved" does not).
CLASSIFIERS = {
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: BSD License": "BSD",
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: zlib/libpng License": "Zlib",
    "License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": (
        "LGPL-2.1-or-later"
    ),
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": (
        "LGPL-3.0-or-later"
    ),
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": (
        "GPL-2.0-or-later"
    ),
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": (
        "GPL-3.0-or-later"
    ),
    "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": (
        "AGPL-3.0-or-later"
    ),
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "License :: Other/Proprietary License": "LicenseRef-Proprietary",
}

# Free-text License fields seen in the wild, lower-cased, for the licence they name.
# "BSD" alone is resolved from the licence file (2, 3 or 4 clauses).
ALIASES = {
    "apache 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "mit license": "MIT",
    "the mit license": "MIT",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd": "BSD",
    "bsd license": "BSD",
    "3-clause bsd": "BSD-3-Clause",
}

SPDX_ID = re.compile(r"^[A-Za-z0-9.+-]+$")
KNOWN_IDS = RUNTIME_ALLOWED | TOOLING_ALLOWED | {"LicenseRef-Proprietary"}


@dataclass
class Entry:
    name: str
    version: str
    licence: str | None  # an SPDX expression, None when unknown
    source: str  # where the licence was read
    scopes: set[str] = field(default_factory=set)  # "runtime" and/or extra names
    problem: str | None = None

    @property
    def runtime(self) -> bool:
        return bool(self.scopes - TOOLING_EXTRAS)


@dataclass
class Report:
    entries: list[Entry]
    missing: list[str]  # required but not installed (extras not installed here)

    @property
    def problems(self) -> list[str]:
        return [f"{e.name} {e.version}: {e.problem}" for e in self.entries if e.problem]


# -- SPDX expressions -------------------------------------------------------------


def _words(expression: str) -> list[str]:
    return re.findall(r"\(|\)|[^\s()]+", expression)


def expression_ids(expression: str) -> set[str]:
    """The licence ids of an SPDX expression (exceptions after WITH left out)."""
    ids, after_with = set(), False
    for word in _words(expression):
        if word in ("(", ")", "AND", "OR"):
            continue
        if word == "WITH":
            after_with = True
            continue
        if not after_with:
            ids.add(word.removesuffix("+"))
        after_with = False
    return ids


def satisfies(expression: str, allowed: frozenset[str] | set[str]) -> bool:
    """Whether an SPDX expression can be complied with using only ``allowed``
    licences: OR needs one side, AND needs both; "X WITH exception" is X plus a
    permission."""
    words = _words(expression)
    pos = 0

    def peek() -> str | None:
        return words[pos] if pos < len(words) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(words):
            raise ValueError(f"incomplete licence expression: {expression!r}")
        pos += 1
        return words[pos - 1]

    def atom() -> bool:
        word = take()
        if word == "(":
            value = disjunction()
            if take() != ")":
                raise ValueError(f"unbalanced licence expression: {expression!r}")
            return value
        if word in (")", "AND", "OR", "WITH") or not SPDX_ID.match(word):
            raise ValueError(f"bad licence expression: {expression!r}")
        if peek() == "WITH":
            take()
            take()
        return word in allowed

    def conjunction() -> bool:
        value = atom()
        while peek() == "AND":
            take()
            value = atom() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    if pos != len(words):
        raise ValueError(f"bad licence expression: {expression!r}")
    return result


def _is_expression(text: str) -> bool:
    try:
        satisfies(text, KNOWN_IDS)
    except ValueError:
        return False
    return expression_ids(text) <= KNOWN_IDS


# -- reading the metadata ------------------------------------------------------------


def _licence_files_text(dist: md.Distribution) -> str:
    texts = []
    for path in dist.files or []:
        if ".dist-info" in str(path) and re.search(r"licen[cs]e|copying", path.name, re.I):
            try:
                texts.append(Path(dist.locate_file(path)).read_text(errors="replace"))
            except OSError:
                continue
    return "\n".join(texts)


def _bsd_variant(dist: md.Distribution) -> str | None:
    text = " ".join(_licence_files_text(dist).split()).lower()
    if "redistributions in binary form" not in text:
        return None
    if "advertising materials" in text:
        return "BSD-4-Clause"
    if "endorse or promote" in text:
        return "BSD-3-Clause"
    return "BSD-2-Clause"


def _from_text(text: str) -> str | None:
    text = text.strip()
    if _is_expression(text):
        return text
    first = text.splitlines()[0].strip().lower()
    if first in ALIASES:
        return ALIASES[first]
    if first.startswith("bsd license (see"):  # reportlab: "BSD license (see license.txt ...)"
        return "BSD"
    # The whole licence pasted into the field (vietnam-address-converter).
    head = " ".join(text.split()[:12])
    if head.startswith("Apache License Version 2.0"):
        return "Apache-2.0"
    return None


def declared_licence(dist: md.Distribution) -> tuple[str | None, str]:
    """(SPDX expression or None, where it was read) from the installed metadata."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression, "License-Expression"
    candidates: list[tuple[str | None, str]] = []
    if (meta.get("License") or "").strip():
        candidates.append((_from_text(meta["License"]), "License field"))
    named = [c for c in meta.get_all("Classifier") or [] if _names(c)]
    ids = [CLASSIFIERS.get(c) for c in named]
    if ids and None not in ids:
        candidates.append((" AND ".join(sorted(set(ids))), "classifiers"))
    for found, source in candidates:
        if found is None:
            continue
        if "BSD" in expression_ids(found):
            variant = _bsd_variant(dist)
            if variant is None:
                continue
            found = " AND ".join(
                sorted({variant if i == "BSD" else i for i in found.split(" AND ")})
            )
            source += " + licence file"
        return found, source
    return None, "none"


def _names(classifier: str) -> bool:
    """A licence classifier naming one licence (not the bare "OSI Approved")."""
    return classifier.startswith("License ::") and classifier != "License :: OSI Approved"


# -- the dependency tree -------------------------------------------------------------


def _roots(pyproject: Path) -> list[tuple[str, str]]:
    project = tomllib.loads(pyproject.read_text())["project"]
    roots = [(req, "runtime") for req in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        roots += [(req, extra) for req in reqs]
    return roots


def collect(pyproject: Path = PYPROJECT) -> tuple[dict[str, Entry], list[str]]:
    entries: dict[str, Entry] = {}
    missing: list[str] = []
    visited: set[tuple[str, frozenset[str], str]] = set()

    def walk(requirement: str, scope: str) -> None:
        req = Requirement(requirement)
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras), scope)
        if key in visited:
            return
        visited.add(key)
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            missing.append(f"{req.name} ({scope})")
            return
        if name not in entries:
            licence, source = declared_licence(dist)
            entries[name] = Entry(name, dist.version, licence, source)
        entries[name].scopes.add(scope)
        for child in dist.requires or []:
            sub = Requirement(child)
            if sub.marker and not any(
                sub.marker.evaluate({"extra": extra}) for extra in (req.extras or {""})
            ):
                continue
            walk(child, scope)

    for requirement, scope in _roots(pyproject):
        walk(requirement, scope)
    return entries, missing


def apply_review(entry: Entry, reviewed: dict[str, Reviewed] = REVIEWED) -> None:
    """Take the licence read upstream for a package whose metadata names none."""
    review = reviewed.get(entry.name)
    if entry.licence is not None or review is None:
        return
    if review.version is not None and review.version != entry.version:
        entry.source = f"REVIEWED is for {review.version} only"
        return
    entry.licence, entry.source = review.licence, "reviewed upstream (see REVIEWED)"


def judge(entry: Entry) -> str | None:
    """Why this dependency is not acceptable, or None when it is."""
    if entry.licence is None:
        return f"no licence we recognise ({entry.source}): read it upstream, add it to REVIEWED"
    allowed = RUNTIME_ALLOWED if entry.runtime else TOOLING_ALLOWED
    try:
        ok = satisfies(entry.licence, allowed)
    except ValueError as exc:
        return str(exc)
    if not ok:
        scope = "the application" if entry.runtime else "a tool"
        return f"{entry.licence} is not accepted for {scope} (project: {PROJECT_LICENSE})"
    return None


def check(pyproject: Path = PYPROJECT) -> Report:
    entries, missing = collect(pyproject)
    for entry in entries.values():
        apply_review(entry)
        entry.problem = judge(entry)
    runtime_missing = [m for m in missing if m.endswith("(runtime)")]
    report = Report(sorted(entries.values(), key=lambda e: e.name), missing)
    for name in runtime_missing:
        report.entries.append(
            Entry(name, "-", None, "none", {"runtime"}, "a dependency that is not installed")
        )
    return report


def markdown(report: Report) -> str:
    lines = [
        "| Package | Version | Licence | Read from | Used by |",
        "|---|---|---|---|---|",
    ]
    for e in report.entries:
        scope = "application" if e.runtime else ", ".join(sorted(e.scopes))
        lines.append(f"| {e.name} | {e.version} | {e.licence or '?'} | {e.source} | {scope} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args(argv)
    report = check()
    if args.markdown:
        print(markdown(report))
    else:
        for e in report.entries:
            scope = "app" if e.runtime else "tool"
            mark = "FAIL" if e.problem else "ok"
            print(f"{mark:4} {scope:4} {e.name:28} {e.version:18} {e.licence or '?'}  [{e.source}]")
    for name in report.missing:
        print(f"not installed, not checked: {name}", file=sys.stderr)
    for problem in report.problems:
        print(f"licence problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
