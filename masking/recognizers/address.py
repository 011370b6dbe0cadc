"""CN_ADDRESS: postal addresses (administrative divisions, then road/village and number).

Like names, addresses are reported only where the text says so, because an office or a
landmark (``南宁市青秀区民族大道100号``) in administrative prose is not personal data:

- after an address label (住址, 家庭住址, 户籍地址, 居住地, 家住, 住所, 联系地址, 送达地址 …):
  the text up to the next punctuation or field word, when it contains an address word
  (省 市 区 县 镇 乡 村 路 街 号 …) — 0.85;
- a division name (GB/T 2260: ``jutong.reference``, full names and province/city short names)
  followed by a road or village and a number (``…路12号``, ``…村3组``), without a label — 0.45,
  below the default redaction threshold;
- an estate, road or village followed by a building and a room (``阳光花园3栋2单元501室``,
  ``民主路12号院5号楼302``): a home down to the door, without a label — 0.7; a division + road +
  number match that goes down to a building or room is 0.7 too;
- a whole text that is an address (a cell of an address column) — 0.4, raised to 0.85 when the
  column name says address (住址, 地址, dz, address …).

``masking.formats.mask_address`` keeps the divisions down to the county and drops the rest.
"""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import Pattern

from jutong.reference import load_divisions
from masking.recognizers._common import RegexRecognizer

ENTITY = "CN_ADDRESS"
CONTEXT = ["住址", "地址", "住所", "居住地", "户籍地", "家住", "address", "dz", "zz", "jzd", "hjd"]
LABELS = (
    "家庭住址",
    "现住址",
    "户籍地址",
    "户籍所在地",
    "户籍地",
    "居住地址",
    "居住地",
    "经常居住地",
    "联系地址",
    "通讯地址",
    "通信地址",
    "送达地址",
    "收货地址",
    "住所地",
    "住所",
    "住址",
    "地址",
    "家住",
    "现住",
    "住在",
    "居住在",
)
ADDRESS_WORDS = re.compile(r"[省市区县镇乡村路街道巷弄号组屯栋幢楼室苑园旗盟州]")
_PROVINCE_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$")


@cache
def division_levels() -> dict[str, str]:
    """Division name -> level (province, city, county): full names of provinces, cities and
    counties (current and abolished), and the short names of provinces and cities."""
    levels: dict[str, str] = {}
    for d in load_divisions().values():
        if d.name in ("市辖区", "县", "省直辖县级行政区划"):
            continue
        levels.setdefault(d.name, d.level)
        if d.level in ("province", "city"):
            short = _PROVINCE_SUFFIX.sub("", d.name)
            if len(short) >= 2:
                levels.setdefault(short, d.level)
    return levels


@cache
def division_names() -> tuple[str, ...]:
    """The names of ``division_levels``, longest first."""
    return tuple(sorted(division_levels(), key=len, reverse=True))


_CJK = "\u4e00-\u9fff"
_NUM = "[0-9０-９一二三四五六七八九十百零〇]+"
_STOP = r"[\s，,。；;、！!？?（）()\[\]【】《》<>\"“”：:]"
_ESTATE = "(?:小区|花园|苑|公寓|大厦|家园|新村|社区|村|路|大道|街|巷|弄|里|城)"
_FIELD = "(?:电话|手机|联系方式|身份证|邮编|邮箱|姓名|性别：|民族：|出生日期)"


def _patterns() -> list[Pattern]:
    divs = "(?:" + "|".join(map(re.escape, division_names())) + ")"
    label = "(?:" + "|".join(sorted(LABELS, key=len, reverse=True)) + ")"
    body = f"(?:(?!{_FIELD})[^{_STOP[1:-1]}])"  # any character but a stop or a field word
    road = f"[{_CJK}0-9A-Za-z]{{1,12}}?(?:路|大道|街|巷|弄|胡同|村|屯|社区|小区)"
    number = f"{_NUM}(?:号|栋|幢|组|队|弄)(?:[0-9０-９A-Za-z一二三四五六七八九十\\-]+(?:栋|幢|单元|楼|层|室|号|房))*"
    return [
        Pattern(
            "cn_address_label",
            f"{label}(?:[：:]\\s*|\\s*|在|为|是)(?P<addr>{body}{{3,60}})",
            0.85,
        ),
        Pattern("cn_address_division", f"(?P<addr>{divs}{{1,3}}{road}{number})", 0.45),
        Pattern(
            "cn_address_building",
            f"(?P<addr>{divs}{{0,3}}[{_CJK}0-9A-Za-z]{{1,10}}?{_ESTATE}(?:{_NUM}号院?)?"
            f"{_NUM}(?:栋|幢|号楼|座)(?:{_NUM}单元)?(?:{_NUM}(?:楼|层))?{_NUM}(?:室|房|号)?)",
            0.7,
        ),
        Pattern(
            "cn_address_whole",
            f"^\\s*(?P<addr>(?:{divs}|[{_CJK}]{{2,12}}(?:路|大道|街|巷|村|屯|小区))"
            f"[{_CJK}0-9０-９A-Za-z\\-#]{{2,60}})\\s*$",
            0.4,
        ),
    ]


_LABEL_GATE = re.compile("|".join(sorted(LABELS, key=len, reverse=True)))
_BUILDING_GATE = re.compile("栋|幢|号楼|座")
_ROAD_GATE = re.compile(f"(?:路|道|街|巷|弄|胡同|村|屯|社区|小区){_NUM}")


_LEAD = "在到于往的是住放送寄"
_ESTATE_RE = re.compile(_ESTATE)
_DOOR = re.compile("栋|幢|单元|号楼|室")


def _short(text: str) -> bool:
    return len(text) <= 80


class CnAddressRecognizer(RegexRecognizer):
    GATES = {
        "cn_address_label": _LABEL_GATE,
        "cn_address_division": _ROAD_GATE,
        "cn_address_building": _BUILDING_GATE,
        "cn_address_whole": _short,
    }

    def __init__(self) -> None:
        super().__init__(ENTITY, _patterns(), CONTEXT, re.DOTALL)

    def score_match(self, text, match, pattern):
        addr = match.group("addr")
        if not ADDRESS_WORDS.search(addr):
            return None
        if pattern.name == "cn_address_whole" and not (
            re.search(_NUM, addr) or addr.startswith(division_names())
        ):
            return None
        start = match.start("addr")
        if pattern.name == "cn_address_building" and not addr.startswith(division_names()):
            # the estate name starts after the last verb or particle before it (快递放在…)
            head = re.match(f"^.*[{_LEAD}]", addr[: _ESTATE_RE.search(addr).start()])
            if head:
                start += head.end()
        score = pattern.score
        if pattern.name == "cn_address_division" and _DOOR.search(addr):
            score = 0.7  # down to a building or room: a home
        return start, match.end("addr"), score
