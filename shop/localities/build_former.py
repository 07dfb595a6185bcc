"""Regenerate ``former.json``: the 63 former provinces, their districts and wards,
and the current wards (our codes, from vietnam-provinces) each became.

    pip install vietnam-address-converter==1.0.5     # the ``localities-data`` extra
    python -m shop.localities.build_former            # rewrites shop/localities/former.json

The mapping comes from the PyPI package ``vietnam-address-converter`` (Apache-2.0,
by trng28; its data table ``admin_mapping_old_to_new_10_25.xlsx``, version
``10_25``). That package numbers units with codes of its own, so every current
province and ward is matched to ours *by name* within its province: the exact name
first (lower case, without the punctuation that differs between the two sources,
e.g. "Xuân Hương-Đà Lạt" and "Xuân Hương - Đà Lạt"), then without diacritics only
where that is unambiguous ("Hòa"/"Hoà" are one name; "Văn Lăng" and "Văn Lang" are
two communes of Thái Nguyên). The build fails when any name does not match, so a new
release of either package cannot quietly drop a ward. The file records both
packages' versions; the application reads only the file, never the package.
"""

import json
import re
import sys
import unicodedata
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

from shop.text import fold

SOURCE_PACKAGE = "vietnam-address-converter"
OUTPUT = Path(__file__).with_name("former.json")


def name_key(name: str) -> str:
    """ "Phường Xuân Hương-Đà Lạt" -> "phường xuân hương đà lạt": lower case, words
    only, diacritics kept ("Văn Lăng" and "Văn Lang" are two communes of one
    province)."""
    text = unicodedata.normalize("NFC", name).lower()
    return " ".join(re.findall(r"\w+", text))


def folded_key(name: str) -> str:
    return fold(name_key(name))


def _tidy(name: str) -> str:
    # The package writes "Thành Phố Hà Nội"; the official spelling has a small "p".
    return re.sub(r"^(Thành|Thị) (Phố|Xã|Trấn) ", lambda m: f"{m[1]} {m[2].lower()} ", name.strip())


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Thành Phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class UnmatchedName(Exception):
    pass


def build(source: dict, ours: list[dict], versions: dict) -> dict:
    """The compact file from the package's data (``source``) and ours (the nested
    JSON of vietnam-provinces)."""
    our_province = {name_key(_short(p["name"])): p["code"] for p in ours}
    our_ward = {(p["code"], name_key(w["name"])): w["code"] for p in ours for w in p["wards"]}
    # Without diacritics only where that is unambiguous in the province.
    folded: dict[tuple, list[int]] = defaultdict(list)
    for p in ours:
        for w in p["wards"]:
            folded[(p["code"], folded_key(w["name"]))].append(w["code"])

    def ward_of(province: int, name: str) -> int | None:
        exact = our_ward.get((province, name_key(name)))
        if exact is not None:
            return exact
        candidates = folded.get((province, folded_key(name)), [])
        return candidates[0] if len(candidates) == 1 else None

    province_code: dict[str, int] = {}
    for code, p in source["newProvinces"].items():
        match = our_province.get(name_key(p["name"]))
        if match is None:
            raise UnmatchedName(f"province {p['name_with_type']!r}")
        province_code[code] = match
    ward_code: dict[str, int] = {}
    for code, w in source["newWards"].items():
        match = ward_of(province_code[w["parent_code"]], w["name_with_type"])
        if match is None:
            raise UnmatchedName(f"ward {w['path_with_type']!r}")
        ward_code[code] = match
    if len(set(ward_code.values())) != len(ward_code):
        raise UnmatchedName("two wards of the package matched one of ours")

    old_provinces = source["oldProvinces"]
    provinces: dict[str, dict] = {}  # package code -> row
    districts: dict[str, list] = {}  # package code -> [province slug, name]
    wards: dict[tuple, set[int]] = defaultdict(set)  # (district code, name) -> our ward codes
    for row in source["mapping"]["rows"]:
        old, new = row["old"], row["new"]
        p = old_provinces[old["province_code"]]
        target = province_code[new["province_code"]]
        entry = provinces.setdefault(
            old["province_code"],
            {"slug": p["slug"], "name": _tidy(old["province_name"]), "now": target},
        )
        if entry["now"] != target:
            raise UnmatchedName(f"{old['province_name']} became more than one province")
        districts.setdefault(old["district_code"], [p["slug"], _tidy(old["district_name"])])
        wards[(old["district_code"], _tidy(old["ward_name"]))].add(ward_code[new["ward_code"]])

    province_rows = sorted(provinces.values(), key=lambda p: p["slug"])
    district_ids = sorted(
        districts, key=lambda c: (districts[c][0], folded_key(districts[c][1]), districts[c][1])
    )
    index = {code: i for i, code in enumerate(district_ids)}
    return {
        "about": (
            "Former (before 1 July 2025) provinces, districts and wards, and the current "
            "wards each became. Generated by shop/localities/build_former.py; do not edit."
        ),
        "source": {
            "package": SOURCE_PACKAGE,
            "package_version": versions["source"],
            "licence": "Apache-2.0",
            "data_version": source["mapping"]["meta"]["version"],
            "data_file": source["mapping"]["meta"]["source"],
            "rows": source["mapping"]["meta"]["row_count"],
            "matched_to": f"vietnam-provinces {versions['ours']} (data {versions['ours_data']})",
        },
        # slug, name, the current province's code (ours)
        "provinces": [[p["slug"], p["name"], p["now"]] for p in province_rows],
        # former province slug, district name
        "districts": [districts[c] for c in district_ids],
        # district index, ward name ("" for an island district without wards), our
        # ward codes (more than one when the ward was split)
        "wards": sorted(
            ([index[d], name, sorted(codes)] for (d, name), codes in wards.items()),
            key=lambda w: (w[0], folded_key(w[1]), w[1]),
        ),
    }


def dump(data: dict) -> str:
    """One row per line: a new release's changes read as a short diff."""
    lines = ["{"]
    keys = list(data)
    for i, key in enumerate(keys):
        value = data[key]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            rows = [json.dumps(v, ensure_ascii=False) for v in value]
            lines.extend(f"    {r}," for r in rows[:-1])
            lines.append(f"    {rows[-1]}")
            lines.append(f"  ]{end}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate() -> str:
    import vietnam_provinces
    from vietnam_address_converter.data import DEFAULT_DATA

    ours = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    versions = {
        "source": version(SOURCE_PACKAGE),
        "ours": version("vietnam-provinces"),
        "ours_data": vietnam_provinces.__data_version__,
    }
    return dump(build(DEFAULT_DATA, ours, versions))


def main() -> int:
    text = generate()
    OUTPUT.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(
        f"{OUTPUT.name}: {len(data['provinces'])} former provinces, "
        f"{len(data['districts'])} districts, {len(data['wards'])} wards "
        f"({data['source']['package']} {data['source']['package_version']}, "
        f"data {data['source']['data_version']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
