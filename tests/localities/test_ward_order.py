"""Ward lists (the address forms, wards.json, the register's filter) follow the
Vietnamese alphabet: "ă" and "â" after "a", "đ" after "d", "ơ" after "ô", "ư"
after "u", tone marks only breaking ties; neither the stored name's binary order
nor the ASCII codename ("xa_dai_dong" before "xa_dien_ha") knows that."""

from shop.localities.collation import collation_key
from shop.localities.services import wards_of

HUNG_YEN = 33  # has "Xã Ân Thi", "Xã Ái Quốc", "Xã A Sào", many "Xã Đ…" and "Xã D…"


def test_letters_with_marks_follow_their_base_letter():
    names = [
        "Xã Ưng Hòe",
        "Xã Ơn Ngãi",
        "Xã Đa Phúc",
        "Xã Ân Thi",
        "Xã Ăn Hải",
        "Xã An Lão",
        "Xã Dương Hà",
        "Xã Uy Nỗ",
        "Xã Ô Diên",
        "Xã Ông Ích",
        "Xã Ea Tu",
        "Xã Ê Đê",
    ]
    assert sorted(names, key=collation_key) == [
        "Xã An Lão",
        "Xã Ăn Hải",  # ă after a
        "Xã Ân Thi",  # â after ă
        "Xã Dương Hà",
        "Xã Đa Phúc",  # đ after every d
        "Xã Ea Tu",
        "Xã Ê Đê",  # ê after e
        "Xã Ô Diên",
        "Xã Ông Ích",
        "Xã Ơn Ngãi",  # ơ after ô
        "Xã Uy Nỗ",
        "Xã Ưng Hòe",  # ư after u
    ]


def test_tones_break_ties_only():
    # "Đông" before "Đồng" (level before grave) only because the letters tie up to there.
    names = ["Xã Đồng Bằng", "Xã Đông Quan", "Xã Đông Anh", "Xã Đồng Anh"]
    assert sorted(names, key=collation_key) == [
        "Xã Đông Anh",
        "Xã Đồng Anh",
        "Xã Đồng Bằng",
        "Xã Đông Quan",
    ]


def test_a_doubled_space_in_the_data_does_not_move_a_name_to_the_top():
    names = ["Xã  Bắc Đông Quan", "Xã A Sào", "Xã Cao Bằng"]
    assert sorted(names, key=collation_key) == ["Xã A Sào", "Xã  Bắc Đông Quan", "Xã Cao Bằng"]


def test_wards_of_a_province_are_in_vietnamese_order(app):
    names = [w.name for w in wards_of(HUNG_YEN)]
    assert names == sorted(names, key=collation_key)
    # The kinds stay grouped, in the alphabet's order: "Phường" before "Xã".
    assert names[0].startswith("Phường ")
    assert names[-1].startswith("Xã ")
    xa = [n for n in names if n.startswith("Xã ")]
    assert xa[:3] == ["Xã A Sào", "Xã Ái Quốc", "Xã Ân Thi"]
    # Every "Xã Đ…" after every "Xã D…", and before "Xã E…"/"Xã G…".
    last_d = max(i for i, n in enumerate(xa) if n.startswith("Xã D"))
    first_dd = min(i for i, n in enumerate(xa) if n.startswith("Xã Đ"))
    last_dd = max(i for i, n in enumerate(xa) if n.startswith("Xã Đ"))
    assert last_d < first_dd
    assert all(n.startswith("Xã Đ") for n in xa[first_dd : last_dd + 1])


def test_wards_json_keeps_that_order(client):
    response = client.get(f"/localities/{HUNG_YEN}/wards.json")
    assert response.status_code == 200
    names = [w["name"] for w in response.get_json()]
    assert names == [w.name for w in wards_of(HUNG_YEN)]
    assert names.index("Xã Ân Thi") == names.index("Xã Ái Quốc") + 1
