"""The six quality dimensions rated by data users (GX-Open art. 20(7); GX-Reg art. 24), the
same as the quality scorecard's (``jutong.quality.scores.DIMENSIONS``)."""

DIMENSIONS = {
    "conformity": "规范性",
    "completeness": "完整性",
    "accuracy": "准确性",
    "consistency": "一致性",
    "timeliness": "时效性",
    "usability": "可用性",
}
