"""The three regions (miền) of Vietnam by province, for shipping zones.

Carriers price a parcel by how far it goes: within one province (nội tỉnh), within
one region (nội miền) or across regions (liên miền). The regions are the three
traditional ones, Bắc Bộ (North), Trung Bộ (Central, with the Central Highlands)
and Nam Bộ (South), applied to the 34 provinces of Resolution 202/2025/QH15 (in
force 1 July 2025). Where a new province joins land of two regions, it goes where
its capital is: Lâm Đồng (with the former Bình Thuận and Đắk Nông) and Gia Lai
(with the former Bình Định) are Central; Tây Ninh (with the former Long An) and
Đồng Nai (with the former Bình Phước) are South.

The source is the provinces' geography, not a carrier's table: carriers differ
at the edges (some put Thanh Hóa in the North). Keep it as data: a change is an
edit here. Codes are those of the localities data version below (province codes
were reused with new meanings after the reform).
"""

import enum

DATA_VERSION = "2025-10-18"  # vietnam-provinces, the codes of shop/localities


class Region(enum.StrEnum):
    NORTH = "north"  # Bắc Bộ
    CENTRAL = "central"  # Trung Bộ và Tây Nguyên
    SOUTH = "south"  # Nam Bộ


# province code -> region (34 provinces and centrally run cities)
REGION_OF_PROVINCE: dict[int, Region] = {
    # Bắc Bộ: the north-west and north-east mountains, the Red River delta
    1: Region.NORTH,  # Hà Nội
    4: Region.NORTH,  # Cao Bằng
    8: Region.NORTH,  # Tuyên Quang (with the former Hà Giang)
    11: Region.NORTH,  # Điện Biên
    12: Region.NORTH,  # Lai Châu
    14: Region.NORTH,  # Sơn La
    15: Region.NORTH,  # Lào Cai (with the former Yên Bái)
    19: Region.NORTH,  # Thái Nguyên (with the former Bắc Kạn)
    20: Region.NORTH,  # Lạng Sơn
    22: Region.NORTH,  # Quảng Ninh
    24: Region.NORTH,  # Bắc Ninh (with the former Bắc Giang)
    25: Region.NORTH,  # Phú Thọ (with the former Vĩnh Phúc, Hòa Bình)
    31: Region.NORTH,  # Hải Phòng (with the former Hải Dương)
    33: Region.NORTH,  # Hưng Yên (with the former Thái Bình)
    37: Region.NORTH,  # Ninh Bình (with the former Hà Nam, Nam Định)
    # Trung Bộ: Thanh Hóa to the south-central coast, and the Central Highlands
    38: Region.CENTRAL,  # Thanh Hóa
    40: Region.CENTRAL,  # Nghệ An
    42: Region.CENTRAL,  # Hà Tĩnh
    44: Region.CENTRAL,  # Quảng Trị (with the former Quảng Bình)
    46: Region.CENTRAL,  # Huế
    48: Region.CENTRAL,  # Đà Nẵng (with the former Quảng Nam)
    51: Region.CENTRAL,  # Quảng Ngãi (with the former Kon Tum)
    52: Region.CENTRAL,  # Gia Lai (with the former Bình Định)
    56: Region.CENTRAL,  # Khánh Hòa (with the former Ninh Thuận)
    66: Region.CENTRAL,  # Đắk Lắk (with the former Phú Yên)
    68: Region.CENTRAL,  # Lâm Đồng (with the former Đắk Nông, Bình Thuận)
    # Nam Bộ: the south-east and the Mekong delta
    75: Region.SOUTH,  # Đồng Nai (with the former Bình Phước)
    79: Region.SOUTH,  # Hồ Chí Minh (with the former Bình Dương, Bà Rịa - Vũng Tàu)
    80: Region.SOUTH,  # Tây Ninh (with the former Long An)
    82: Region.SOUTH,  # Đồng Tháp (with the former Tiền Giang)
    86: Region.SOUTH,  # Vĩnh Long (with the former Bến Tre, Trà Vinh)
    91: Region.SOUTH,  # An Giang (with the former Kiên Giang)
    92: Region.SOUTH,  # Cần Thơ (with the former Sóc Trăng, Hậu Giang)
    96: Region.SOUTH,  # Cà Mau (with the former Bạc Liêu)
}


def region_of(province_code: int | None) -> Region | None:
    return REGION_OF_PROVINCE.get(province_code) if province_code is not None else None
