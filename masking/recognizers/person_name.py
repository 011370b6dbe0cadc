"""CN_PERSON_NAME: Chinese personal names (surname + 1-2 given characters, compound surnames,
minority names written with a middle dot such as 艾力·买买提).

Names have no shape of their own: most two-character words begin with a character that is also
a surname (王府井, 高速, 黄色, 张贴, 周年, 方便, 和平 …). So this recognizer only reports a name
where the text says it is one, and its scores encode how sure that is (default redaction
threshold 0.5):

- after a label (姓名, 联系人, 申请人, 当事人, 法定代表人, 户主 …) followed by ``：`` or a space:
  a listed surname + 1-3 characters up to a boundary (punctuation, end, a following field
  word), not an office (…处, …办公室) nor a form filler (见附件, 不详, 本人) — 0.85;
- after a label without a separator (``申请人王小明于…``, ``法定代表人为李四``): only a listed
  surname + 1-2 characters that is not a common word, up to a boundary — 0.85;
- before a form of address (先生, 女士, 同志, 小姐): surname + 1-2 characters — 0.7;
- a minority name with a middle dot and no label — 0.45 (titles like 中国·东盟 look the same);
- a whole text that is only a name (a cell of a name column) — 0.4, raised to 0.85 when the
  external context (the column name: 姓名, 联系人, name, xm …) says so.

Trade-off: a bare name in running text (``王小明提交了申请``) is not redacted by default.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from jutong.reference.surnames import compound_surnames, single_surnames
from masking.recognizers._common import RegexRecognizer

ENTITY = "CN_PERSON_NAME"
CONTEXT = [
    "姓名",
    "名字",
    "联系人",
    "申请人",
    "当事人",
    "法定代表人",
    "法人代表",
    "户主",
    "负责人",
    "经办人",
    "持卡人",
    "户名",
    "name",
    "xm",
    "xingming",
    "lxr",
    "fddbr",
]

SURNAME_CHARS = frozenset(single_surnames())
COMPOUNDS = compound_surnames()

LABELS = (
    "姓名",
    "联系人",
    "申请人",
    "被申请人",
    "当事人",
    "法定代表人",
    "法人代表",
    "户主",
    "负责人",
    "经办人",
    "委托代理人",
    "代理人",
    "监护人",
    "投诉人",
    "举报人",
    "收件人",
    "持卡人",
    "开户人",
    "户名",
    "患者",
    "驾驶人",
    "借款人",
    "担保人",
    "被告人",
    "原告",
    "被告",
    "承办人",
    "受理人",
    "登记人",
    "租户",
    "业主",
)
TITLES = ("先生", "女士", "同志", "小姐")
# Words that start with a surname character and commonly follow a label or precede a title.
_COMMON_WORDS_TEXT = """
    陈述 陈列 申辩 申请 申报 申诉 高速 高度 高于 方便 方面 方式 方法 方案 和平 和谐 黄色 周年 周期 周边 张贴 王府 全部 全面
    全体 安全 安排 应当 应该 应予 应在 可以 时间 时候 及时 成立 成为 成本 单位 单独 明确 明显 金额 金融 林业 江河 常规 常年
    严格 严重 任何 任务 任职 程序 程度 于是 万元 石油 文件 文化 许可 许多 余额 杜绝 代理 代表 关于 车辆 司法 有关 包括 齐全
    向其 向本 向社 向人 从事 通过 通知 东方 东部 西部 南部 北部 上述 下列 其他 其中 依法 依照 按照 根据 未经 不得 不予 如实
    如有 有权 公开 公示 公共 公民 国家 国务 政府 部门 管理 相关 本人 本单 本办 本条 本法 本规 同意 同时 同级 于本 于次 华人
    家庭 家属 平台 平等 邓小 戴帽 谈话 路段 路口 车主 伍佰 左右 干部 干预 宣传 洪水 曲线 党委 党组 党员 连续 连同 利用 利益
    越来 简易 易于 居住 居民 经营 经济 经过 史上 秦岭 段落 雷同 温度 尚未 牛奶 毕业 米饭 童年 颜色 梅花 盛行 田地 田间 胡同
    凌晨 万一 支付 管辖 房屋 房产 席位 季度 强制 贾某 夏季 夏天 蔡某 步骤 都是 满足 国际 广场 广大 东西 欧洲 师生 沙漠 查询
    查看 查验 红色 游客 权利 权益 益处 公司 古代 古城 易地 戈壁 文明 向前 向上 向下 龙头 龙舟 侯车 全国 全市 全区 全省 宁可
    仇恨 燕子 冀望 浦东 尚且 农村 农业 农民 温馨 庄严 柴油 连接 习惯 艾滋 鱼类 容易 容量 向导 古老 易燃 衡量 步行 都市 耿直
    满意 弘扬 国有 文物 寇某 广西 广东 禄位 东盟 利率 越南 师傅 巩固 聂某 冷库 辛苦 简单 简称 那么 那些 空气 空间 曾经 沙发
    养老 养殖 鞠躬 须知 丰富 巢湖 关系 关注 关联 相应 相同 荆州 红旗 游戏 权限 盖章 桓某 公告 覃某 付款 闫某 边境 通报 双方
    双重 党政 苍梧 闻名 申领 申办 扶贫 扶持 堵塞 冉冉 宰相 雍正 桑树 桂林 桂花 濮阳 牛某 寿命 燕京 冀中 尚书 农行 温州 别人
    庄园 晏某 柴胡 瞿某 阎某 谢谢 许久 何时 何处 何种 吕某 施工 施行 孔子 曹某 姜汤 戚某 喻某 柏树 水平 水利 水库 窦某 章程
    章节 云南 云端 潘某 葛某 范围 范某 彭某 郎某 鲁莽 韦某 昌盛 马上 马路 苗木 凤凰 花园 花费 俞某 袁某 柳州 柳树 鲍某 史某
    唐代 费用 廉洁 廉政 岑溪 薛某 雷某 贺州 贺卡 倪某 汤某 滕某 殷某 罗某 毕竟 郝某 邬某 常务 常住 乐业 乐观 时期 傅某 皮肤
    卞某 齐某 康复 伍某 余下 元旦 元月 卜某 顾客 顾问 孟某 平时 平均 和其 穆某 萧某 尹某 姚某 邵某 湛江 汪某 祁某 毛病 禹某
    狄某 米某 贝壳 臧某 计划 计算 伏击 成员 成果 成绩 戴某 谈判 宋代 茅台 庞大 熊猫 纪律 纪委 舒适 屈某 项目 祝贺 董事 梁某
    杜某 阮某 蓝色 闵某 席某 麻烦 强化 路面 娄底 危险 危害 江苏 童某 颜某 郭某 盛某 林某 刁某 钟某 钟表 徐某 邱某 骆某 高等
    高校 夏某 田某 樊某 胡某 凌某 霍某 虞某 万某 支持 柯某 管道 卢某 莫某 经费 房某 裘某 缪某 干净 解决 解释 应用 宗教 丁某
    宣布 邓某 郁某 单某 杭州 洪某 包装 诸如 左侧 石某 崔某 吉林 龚某 程某 邢某 裴某 陆续 荣誉 翁某 荀某 羊肉 甄别 曲某 封闭
    储存 储蓄 靳某 段某 富裕 巫某 乌鲁 焦点 巴士 弓某 牧场 山区 山东 谷物 车站 侯某 全年 班级 班车 仰望 秋季 仲裁 伊始 宫殿
    宁波 甘肃 甘蔗 厉行 戎某 祖国 武装 武汉 符合 刘某 景区 景点 詹某 束缚 龙某 叶子 叶某 幸福 司机 韶关 黎明 黎某 薄弱 印发
    印章 宿舍 白天 白色 怀孕 怀疑 蒲某 从而 鄂州 索取 咸阳 籍贯 赖某 卓越 蔺某 屠宰 蒙古 蒙某 池塘 乔某 阴影 胥某 苍某 双某
    闻某 党某 翟某 谭某 贡献 劳动 劳务 姬某 申某 堵某 冉某 郦某 桑某 桂某 濮某 寿某 通道 边某 扈某 燕某 冀某 浦某 尚某 农某
    温某 别墅 庄某 柴某 连某 习某 艾某 鱼某 容某 向某 古某 易某 慎重 戈某 廖某 庾某 终止 终身 居某 衡某 步某 都某 耿某 满某
    弘某 匡某 国某 文某 广某 禄某 阙某 东某 欧某 殳某 沃土 利某 蔚蓝 越某 夔某 隆重 师某 巩某 厍某 晁某 勾结 敖某 融合 融资
    冷某 訾某 辛某 阚某 那某 简某 饶某 空某 曾某 沙某 乜某 养某 鞠某 须某 丰某 巢某 关某 蒯某 相某 查某 后来 后果 后续 荆某
    红某 游某 竺某 权某 逯某 盖某 益某 公某 付某 黄某 王某 李某 张某 陈某 杨某 赵某 吴某 周某 孙某 马某 朱某 何某
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Never the end of a given name: a following field or verb (lazy match stops before them).
FOLLOW = (
    r"(?=[\s，,。．.；;：:、！!？?（）()\[\]【】《》<>\"“”'‘’0-9０-９A-Za-z/|]|$"
    r"|性别|年龄|民族|出生|身份|证件|电话|手机|联系|住址|地址|家住|住所|户籍|籍贯|职业|工作|单位"
    r"|男|女|于|在|的|是|为|和|与|及|向|对|等|了|已|因|被|将|把|从|由|说|就|也|都|还|所|系|到|去"
    r"|提出|提交|提供|声称|称其|申请|投诉|反映|举报|签字|签名|办理|前来|夫妇|先生|女士|同志|小姐"
    r"|本人|等人)"
)
_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
# What a form field holds instead of a name (见附件, 无, 不详, 本人, 同上 …).
_NOT_A_NAME = (
    "(?!见|详|无|略|不|空|待|同上|本人|该|其|此|各|每|暂|未|如|均|请|须|需|应|可|为|是|由|按|依"
    "|填写|签字|签名|盖章|已|经|在|从|对|向|将)"
)
_MINORITY = f"[{_CJK}]{{2,6}}[·•・][{_CJK}]{{2,8}}?"
_SURNAME = "(?:" + "|".join(COMPOUNDS) + "|[" + "".join(sorted(SURNAME_CHARS)) + "])"
_LABEL = "(?:" + "|".join(sorted(LABELS, key=len, reverse=True)) + ")"

NAME_PATTERNS = [
    # label + separator + any 2-4 characters (or a minority name) up to a boundary
    Pattern(
        "cn_name_label_sep",
        f"{_LABEL}(?:[：:]\\s*|\\s+){_NOT_A_NAME}(?P<name>{_MINORITY}|{_SURNAME}[{_CJK}]{{1,3}}?){FOLLOW}",
        0.85,
    ),
    # label + (为/是) + surname + 1-2 characters up to a boundary
    Pattern(
        "cn_name_label",
        f"{_LABEL}(?:为|是)?(?P<name>{_MINORITY}|{_SURNAME}[{_CJK}]{{1,2}}?){FOLLOW}",
        0.85,
    ),
    # surname + 1-2 characters before a form of address
    Pattern(
        "cn_name_title",
        f"(?P<name>{_SURNAME}[{_CJK}]{{1,2}}?)(?=" + "|".join(TITLES) + ")",
        0.7,
    ),
    Pattern("cn_name_minority", f"(?<![{_CJK}])(?P<name>{_MINORITY}){FOLLOW}", 0.45),
    # the whole text is a name (a cell of a name column)
    Pattern(
        "cn_name_whole",
        f"^\\s*(?P<name>{_MINORITY}|{_SURNAME}[{_CJK}]{{1,2}})\\s*$",
        0.4,
    ),
]


def surname_of(name: str) -> str:
    """The surname of a name: a compound surname whole, else the first character."""
    for c in COMPOUNDS:
        if name.startswith(c) and len(name) > len(c):
            return c
    return name[:1]


_ORG_WORD = re.compile("[处科局办室部委厅司院校所站队社会]$|办公|管理|部门|单位|中心|小组|机关")
_LABEL_GATE = re.compile(_LABEL)
_TITLE_GATE = re.compile("|".join(TITLES))
_DOT_GATE = re.compile("[·•・]")


def _short(text: str) -> bool:
    return len(text) <= 24


class CnPersonNameRecognizer(RegexRecognizer):
    GATES = {
        "cn_name_label_sep": _LABEL_GATE,
        "cn_name_label": _LABEL_GATE,
        "cn_name_title": _TITLE_GATE,
        "cn_name_minority": _DOT_GATE,
        "cn_name_whole": _short,
    }

    def __init__(self) -> None:
        super().__init__(
            ENTITY, [Pattern(p.name, p.regex, p.score) for p in NAME_PATTERNS], CONTEXT, re.DOTALL
        )

    def score_match(self, text, match, pattern):
        name = match.group("name")
        if name in COMMON_WORDS or name[:2] in COMMON_WORDS:
            return None
        if "某" in name[1:] and pattern.name != "cn_name_label_sep":
            return None  # 王某, 张某某: already pseudonymised
        if _ORG_WORD.search(name):
            return None  # 数据管理处, 办公室: an office, not a person
        return match.start("name"), match.end("name"), pattern.score
