"""CN_VEHICLE_PLATE: motor-vehicle plates (GA 36): the abbreviation of any of the 31
provinces + issuing-office letter + 5 characters (``桂A12345``), the last one possibly 挂 学 警
港 澳 领 使 (``桂A·1234学``, ``桂A1234警``, ``沪A1234领``); new-energy plates with 6 (8 characters
in all: ``桂AD12345``, ``粤B12345F``); embassy plates (``使014578``, ``使·014·578``) and armed
police plates (``WJ桂12345``). A separator may follow the province (``桂 A12345``).

At least two digits are required (plates without digits do not exist in practice, and words
like ``新A`` + letters are not plates). Score 0.6 without context (above the default
threshold: the shape is specific), 0.85 after a vehicle word (车牌, 号牌, 车辆 …).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from masking.recognizers._common import RegexRecognizer, has_any, window_before

ENTITY = "CN_VEHICLE_PLATE"
CONTEXT = [
    "车牌",
    "号牌",
    "车辆",
    "车号",
    "机动车",
    "驾驶",
    "停车",
    "违章",
    "plate",
    "hphm",
    "cphm",
]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"
_SEP = "[·•・\\.\\- ]?"
PLATE_REGEX = (
    f"(?<![A-Za-z])(?:WJ{_SEP}[{PROVINCES}]?{_SEP}[0-9]{{4}}[0-9{_L}]"
    f"|使{_SEP}[0-9]{{3}}{_SEP}[0-9]{{3}}"
    f"|[{PROVINCES}]{_SEP}[{_L}O]{_SEP}"
    f"(?:[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF]|[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领使]))"
    f"(?![A-Za-z0-9])"
)


class CnVehiclePlateRecognizer(RegexRecognizer):
    def __init__(self) -> None:
        super().__init__(
            ENTITY,
            [Pattern(name="cn_vehicle_plate", regex=PLATE_REGEX, score=0.6)],
            CONTEXT,
            re.DOTALL,  # case-sensitive
        )

    def score_match(self, text, match, pattern):
        value = match.group()
        if sum(c.isdigit() for c in value) < 2:
            return None
        score = 0.85 if has_any(window_before(text, match.start(), 10), CONTEXT) else 0.6
        return match.start(), match.end(), score
