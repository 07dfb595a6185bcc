"""The OCOP product classification of Decision 148/QĐ-TTg (2023).

Six industries and 26 product sets. The 2019 taxonomy (Decision 1048/QĐ-TTg)
differed, so every row names the legal version it belongs to. The migration that
creates the tables copies these rows; later amendments add rows of a new version.
"""

LEGAL_VERSION_2023 = "148/QĐ-TTg/2023"

# (code, name_vi, name_en, ships_as_parcel)
INDUSTRIES = [
    ("I", "Thực phẩm", "Food", True),
    ("II", "Đồ uống", "Drinks", True),
    ("III", "Dược liệu và sản phẩm từ dược liệu", "Medicinal herbs and herbal products", True),
    ("IV", "Hàng thủ công mỹ nghệ", "Handicrafts", True),
    ("V", "Sinh vật cảnh", "Ornamental plants and animals", False),
    (
        "VI",
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        "Community and eco-tourism services and destinations",
        False,
    ),
]

# (code, industry, name_vi, name_en)
PRODUCT_SETS = [
    ("I.01", "I", "Nông sản tươi sống", "Fresh farm produce"),
    ("I.02", "I", "Thịt, cá, trứng, sữa tươi", "Fresh meat, fish, eggs and milk"),
    ("I.03", "I", "Gạo, ngũ cốc", "Rice and grains"),
    (
        "I.04",
        "I",
        "Mật ong, sản phẩm từ mật ong và nông sản thô khác",
        "Honey and other raw farm foods",
    ),
    ("I.05", "I", "Thực phẩm ăn nhanh", "Fast food"),
    ("I.06", "I", "Chế biến từ gạo, ngũ cốc", "Processed from rice and grains"),
    ("I.07", "I", "Chế biến từ rau, quả, hạt", "Processed from vegetables, fruit and nuts"),
    (
        "I.08",
        "I",
        "Chế biến từ thịt, trứng, sữa, thủy sản",
        "Processed from meat, eggs, milk and fish",
    ),
    ("I.09", "I", "Tương, nước mắm, gia vị dạng lỏng", "Sauces and fish sauce"),
    ("I.10", "I", "Gia vị khác", "Other spices"),
    ("I.11", "I", "Chè", "Tea"),
    ("I.12", "I", "Sản phẩm từ thực vật khác dùng như chè", "Tea-like products from other plants"),
    ("I.13", "I", "Cà phê, ca cao", "Coffee and cocoa"),
    ("II.01", "II", "Rượu trắng", "White spirits"),
    ("II.02", "II", "Đồ uống có cồn khác", "Other alcoholic drinks"),
    (
        "II.03",
        "II",
        "Nước khoáng thiên nhiên, nước uống đóng chai",
        "Natural mineral and bottled water",
    ),
    ("II.04", "II", "Đồ uống không cồn khác", "Other non-alcoholic drinks"),
    (
        "III.01",
        "III",
        "Thực phẩm chức năng, thuốc từ dược liệu, thuốc y học cổ truyền",
        "Functional foods and traditional medicines",
    ),
    ("III.02", "III", "Mỹ phẩm có nguồn gốc từ dược liệu", "Cosmetics from herbs"),
    ("III.03", "III", "Tinh dầu và dược liệu khác", "Essential oils and other herbs"),
    ("IV.01", "IV", "Thủ công mỹ nghệ gia dụng, trang trí", "Household and decorative handicrafts"),
    ("IV.02", "IV", "Vải, may mặc", "Fabrics and garments"),
    ("V.01", "V", "Hoa", "Flowers"),
    ("V.02", "V", "Cây cảnh", "Ornamental plants"),
    ("V.03", "V", "Động vật cảnh", "Ornamental animals"),
    (
        "VI.01",
        "VI",
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        "Community tourism, eco-tourism and destinations",
    ),
]
