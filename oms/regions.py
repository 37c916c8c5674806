"""China's provincial-level divisions (ISO 3166-2:CN codes) with their capitals' coordinates.

Used as the region of addresses and warehouses, and as the fallback location of an address
that has no coordinates of its own.
"""

import math
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Province(NamedTuple):
    code: str
    name: str
    capital: str
    latitude: float
    longitude: float
    area: str


AREAS = {
    "north": _("North China"),
    "northeast": _("Northeast China"),
    "east": _("East China"),
    "central": _("Central China"),
    "south": _("South China"),
    "southwest": _("Southwest China"),
    "northwest": _("Northwest China"),
}

PROVINCES = [
    Province("BJ", pgettext_lazy("province", "Beijing"), "Beijing", 39.904, 116.407, "north"),
    Province("TJ", pgettext_lazy("province", "Tianjin"), "Tianjin", 39.125, 117.190, "north"),
    Province("HE", pgettext_lazy("province", "Hebei"), "Shijiazhuang", 38.042, 114.515, "north"),
    Province("SX", pgettext_lazy("province", "Shanxi"), "Taiyuan", 37.870, 112.549, "north"),
    Province("NM", pgettext_lazy("province", "Inner Mongolia"), "Hohhot", 40.842, 111.749, "north"),
    Province("LN", pgettext_lazy("province", "Liaoning"), "Shenyang", 41.806, 123.432, "northeast"),
    Province("JL", pgettext_lazy("province", "Jilin"), "Changchun", 43.817, 125.324, "northeast"),
    Province(
        "HL", pgettext_lazy("province", "Heilongjiang"), "Harbin", 45.803, 126.535, "northeast"
    ),
    Province("SH", pgettext_lazy("province", "Shanghai"), "Shanghai", 31.230, 121.474, "east"),
    Province("JS", pgettext_lazy("province", "Jiangsu"), "Nanjing", 32.060, 118.797, "east"),
    Province("ZJ", pgettext_lazy("province", "Zhejiang"), "Hangzhou", 30.274, 120.155, "east"),
    Province("AH", pgettext_lazy("province", "Anhui"), "Hefei", 31.821, 117.227, "east"),
    Province("FJ", pgettext_lazy("province", "Fujian"), "Fuzhou", 26.074, 119.296, "east"),
    Province("JX", pgettext_lazy("province", "Jiangxi"), "Nanchang", 28.682, 115.858, "east"),
    Province("SD", pgettext_lazy("province", "Shandong"), "Jinan", 36.651, 117.120, "east"),
    Province("TW", pgettext_lazy("province", "Taiwan"), "Taipei", 25.033, 121.565, "east"),
    Province("HA", pgettext_lazy("province", "Henan"), "Zhengzhou", 34.747, 113.625, "central"),
    Province("HB", pgettext_lazy("province", "Hubei"), "Wuhan", 30.593, 114.305, "central"),
    Province("HN", pgettext_lazy("province", "Hunan"), "Changsha", 28.228, 112.939, "central"),
    Province("GD", pgettext_lazy("province", "Guangdong"), "Guangzhou", 23.129, 113.264, "south"),
    Province("GX", pgettext_lazy("province", "Guangxi"), "Nanning", 22.817, 108.367, "south"),
    Province("HI", pgettext_lazy("province", "Hainan"), "Haikou", 20.044, 110.199, "south"),
    Province("HK", pgettext_lazy("province", "Hong Kong"), "Hong Kong", 22.320, 114.169, "south"),
    Province("MO", pgettext_lazy("province", "Macao"), "Macao", 22.199, 113.544, "south"),
    Province(
        "CQ", pgettext_lazy("province", "Chongqing"), "Chongqing", 29.563, 106.551, "southwest"
    ),
    Province("SC", pgettext_lazy("province", "Sichuan"), "Chengdu", 30.573, 104.066, "southwest"),
    Province("GZ", pgettext_lazy("province", "Guizhou"), "Guiyang", 26.647, 106.630, "southwest"),
    Province("YN", pgettext_lazy("province", "Yunnan"), "Kunming", 25.038, 102.718, "southwest"),
    Province("XZ", pgettext_lazy("province", "Tibet"), "Lhasa", 29.650, 91.172, "southwest"),
    Province("SN", pgettext_lazy("province", "Shaanxi"), "Xi'an", 34.342, 108.940, "northwest"),
    Province("GS", pgettext_lazy("province", "Gansu"), "Lanzhou", 36.061, 103.834, "northwest"),
    Province("QH", pgettext_lazy("province", "Qinghai"), "Xining", 36.617, 101.778, "northwest"),
    Province("NX", pgettext_lazy("province", "Ningxia"), "Yinchuan", 38.487, 106.231, "northwest"),
    Province("XJ", pgettext_lazy("province", "Xinjiang"), "Urumqi", 43.825, 87.617, "northwest"),
]

PROVINCES_BY_CODE = {p.code: p for p in PROVINCES}
REGION_CHOICES = [(p.code, p.name) for p in PROVINCES]


def region_label(code: str) -> str:
    province = PROVINCES_BY_CODE.get(code)
    return str(province.name) if province else code


def region_coordinates(code: str) -> tuple[float, float] | None:
    """The capital's coordinates, standing in for an address without its own."""
    province = PROVINCES_BY_CODE.get(code)
    return (province.latitude, province.longitude) if province else None


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# What platforms and files append to a province's name: 浙江省, 上海市, 广西壮族自治区.
_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def _names_to_codes() -> dict[str, str]:
    from django.utils import translation

    names: dict[str, str] = {}
    for province in PROVINCES:
        names[province.code.casefold()] = province.code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(province.name).casefold()] = province.code
    return names


def region_from_text(value: str) -> str | None:
    """The province code for a code ("ZJ"), an English name ("Zhejiang") or a Chinese one
    with or without its suffix ("浙江", "浙江省"); None when it names no province."""
    global _NAMES
    if _NAMES is None:
        _NAMES = _names_to_codes()
    text = value.strip().casefold()
    if text in _NAMES:
        return _NAMES[text]
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)] in _NAMES:
            return _NAMES[text[: -len(suffix)]]
    return None


_NAMES: dict[str, str] | None = None
