"""The licence check (tools/check_licenses.py): every installed dependency has a
licence compatible with ours, so CI fails the day someone adds one that is not."""

import importlib.metadata as md
import tomllib

import pytest

from tools import check_licenses as lic
from tools.check_licenses import Entry, Reviewed


@pytest.fixture(scope="module")
def report():
    return lic.check()


def test_every_dependency_has_an_accepted_licence(report):
    assert report.problems == []
    names = {e.name for e in report.entries}
    assert {"flask", "vietnam-provinces", "psycopg", "reportlab", "segno"} <= names
    assert all(e.licence for e in report.entries)


def test_the_project_licence_is_the_one_the_check_enforces():
    project = tomllib.loads(lic.PYPROJECT.read_text())["project"]

    assert project["license"] == lic.PROJECT_LICENSE == "GPL-3.0-or-later"
    text = (lic.PYPROJECT.parent / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE\n")
    assert "Version 3, 29 June 2007" in text


def test_vietnam_provinces_is_gpl_and_shipped_with_the_application(report):
    entries = {e.name: e for e in report.entries}

    provinces = entries["vietnam-provinces"]
    assert provinces.runtime
    assert provinces.licence == "GPL-3.0-or-later"
    assert provinces.source.startswith("reviewed upstream")
    # localstripe (GPL too) only runs beside the tests and the demo.
    assert not entries["localstripe"].runtime


def runtime(licence, name="somelib"):
    return Entry(name, "1.0", licence, "test", {"runtime"})


def tool(licence, name="sometool"):
    return Entry(name, "1.0", licence, "test", {"test"})


@pytest.mark.parametrize(
    "licence",
    ["GPL-2.0-only", "BSD-4-Clause", "AGPL-3.0-or-later", "EPL-2.0", "LicenseRef-Proprietary"],
)
def test_a_licence_incompatible_with_gpl3_fails_in_the_application(licence):
    assert lic.judge(runtime(licence)) is not None


def test_tools_may_be_under_any_free_licence_but_not_a_proprietary_one():
    assert lic.judge(tool("GPL-2.0-only")) is None
    assert lic.judge(tool("Apache-2.0 AND CNRI-Python")) is None
    assert lic.judge(tool("LicenseRef-Proprietary")) is not None


def test_or_needs_one_accepted_side_and_needs_both():
    assert lic.judge(runtime("GPL-2.0-only OR MIT")) is None
    assert lic.judge(runtime("(MIT OR GPL-2.0-only) AND Apache-2.0")) is None
    assert lic.judge(runtime("MIT AND GPL-2.0-only")) is not None
    assert lic.judge(runtime("Apache-2.0 WITH LLVM-exception")) is None
    assert lic.judge(runtime("MIT AND (")) is not None  # a broken expression never passes


def test_an_unknown_licence_fails_unless_reviewed_for_that_version():
    reviewed = {"somelib": Reviewed("MIT", reason="read upstream", version="1.0")}

    unknown = runtime(None)
    assert lic.judge(unknown) is not None

    lic.apply_review(unknown, reviewed)
    assert unknown.licence == "MIT"
    assert lic.judge(unknown) is None

    newer = Entry("somelib", "2.0", None, "none", {"runtime"})
    lic.apply_review(newer, reviewed)
    assert newer.licence is None
    assert "1.0 only" in lic.judge(newer)


def fake_dist(tmp_path, metadata, licence_text=None):
    info = tmp_path / "somelib-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: somelib\nVersion: 1.0\n" + metadata
    )
    record = ""
    if licence_text is not None:
        (info / "LICENSE").write_text(licence_text)
        record = "somelib-1.0.dist-info/LICENSE,,\n"
    (info / "RECORD").write_text(record)
    return md.PathDistribution(info)


BSD = (
    "Redistribution and use in source and binary forms, with or without modification, "
    "are permitted provided that the following conditions are met: ... Redistributions "
    "in binary form must reproduce the above copyright notice ... "
)


def test_bsd_is_told_apart_by_its_licence_file(tmp_path):
    three = fake_dist(
        tmp_path / "a", "License: BSD\n", BSD + "Neither the name ... endorse or promote"
    )
    four = fake_dist(tmp_path / "b", "License: BSD\n", BSD + "All advertising materials mentioning")
    unknown = fake_dist(tmp_path / "c", "License: BSD\n")

    assert lic.declared_licence(three) == ("BSD-3-Clause", "License field + licence file")
    assert lic.declared_licence(four)[0] == "BSD-4-Clause"
    assert lic.judge(runtime(lic.declared_licence(four)[0])) is not None
    assert lic.declared_licence(unknown) == (None, "none")


def test_metadata_is_read_expression_first_then_field_then_classifiers(tmp_path):
    expression = fake_dist(tmp_path / "a", "License-Expression: MIT\nLicense: GPL-2.0-only\n")
    pasted = fake_dist(tmp_path / "b", "License: Apache License\n  Version 2.0, January 2004\n")
    classified = fake_dist(
        tmp_path / "c",
        "Classifier: License :: OSI Approved\n"
        "Classifier: License :: OSI Approved :: GNU General Public License v2 (GPLv2)\n",
    )

    assert lic.declared_licence(expression) == ("MIT", "License-Expression")
    assert lic.declared_licence(pasted) == ("Apache-2.0", "License field")
    assert lic.declared_licence(classified) == ("GPL-2.0-only", "classifiers")


def test_the_command_exits_0_and_prints_the_table(capsys):
    assert lic.main(["--markdown"]) == 0

    out = capsys.readouterr().out
    assert "| vietnam-provinces | 2025.10.1 | GPL-3.0-or-later |" in out


def test_adding_an_incompatible_dependency_to_the_application_fails(tmp_path):
    # regex is installed for the tests (moto -> cfn-lint); part of it is under the
    # CNRI Python 1.6 licence, which the FSF lists as incompatible with the GPL.
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["regex"]\n')

    report = lic.check(pyproject)

    assert report.problems == [
        "regex "
        + md.version("regex")
        + ": Apache-2.0 AND CNRI-Python is not accepted for the application"
        " (project: GPL-3.0-or-later)"
    ]
