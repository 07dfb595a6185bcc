"""Words that mean the same product, as people in different regions write them.

Each group lists folded phrases (no diacritics, đ → d, lower case: what the search
index holds) that a search treats as one: a query for "chè" also finds "trà".
Kept to phrases that cannot catch an unrelated word: "heo"/"lợn" only as meat
("lon" alone is also "lớn"), "bột mì"/"bột mỳ" only as flour ("my" is also "Mỹ"),
"mè"/"vừng" only with the word beside it ("vung" alone is also "vùng").
"""

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("che", "tra"),  # chè ↔ trà (tea)
    # mè ↔ vừng (sesame) as phrases only: "vung" alone is also "vùng" (region)
    ("hat me", "hat vung"),
    ("me den", "vung den"),
    ("me trang", "vung trang"),
    ("dau me", "dau vung"),
    ("muoi me", "muoi vung"),
    ("keo me", "keo vung"),
    ("lac", "dau phong"),  # lạc ↔ đậu phộng (peanut)
    ("thit heo", "thit lon"),  # thịt heo ↔ thịt lợn (pork)
    ("mo heo", "mo lon"),  # mỡ heo ↔ mỡ lợn (lard)
    ("cha heo", "cha lon"),  # chả heo ↔ chả lợn
    ("bot mi", "bot my"),  # bột mì ↔ bột mỳ (wheat flour)
    ("ngo", "bap"),  # ngô ↔ bắp (maize)
    ("ca phe", "cafe", "coffee"),  # cà phê
    ("cu san", "khoai mi"),  # củ sắn ↔ khoai mì (cassava)
    ("hoa qua", "trai cay"),  # hoa quả ↔ trái cây (fruit)
)
