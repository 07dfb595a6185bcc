from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import Model


class Province(Model):
    """A province after the 1 July 2025 reform (34 of them).

    Codes were reused with new meanings after the reform, so each row records the
    data version it comes from.
    """

    __tablename__ = "provinces"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))
    data_version: Mapped[str] = mapped_column(String(20))

    wards: Mapped[list["Ward"]] = relationship(back_populates="province", order_by="Ward.name")

    @property
    def short_name(self) -> str:
        return short_province_name(self.name)

    @property
    def label(self) -> str:
        """The name a list shows: "Hà Nội (thành phố)", "Cao Bằng".

        The short name comes first so that typing "Hà" in a native select finds
        Hà Nội; orders and the register keep the official ``name``.
        """
        return province_label(self.name)


def short_province_name(name: str) -> str:
    """ "Thành phố Hà Nội" -> "Hà Nội"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def province_label(name: str) -> str:
    short = short_province_name(name)
    if short == name:
        return name
    return f"{short} ({name[: -len(short)].strip().lower()})"


class Ward(Model):
    """A commune, ward or special zone (xã, phường, đặc khu)."""

    __tablename__ = "wards"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))

    province: Mapped[Province] = relationship(back_populates="wards")
