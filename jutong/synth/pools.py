"""Word pools of the synthetic province: given-name characters, minority name parts,
road and place words, company name words, licence and land-use vocabularies.

Fixed lists kept in the repository (not drawn from Faker at run time), so that the same seed
gives the same province whatever Faker version is installed; surnames are reference data
(``jutong.reference.surnames``), shared with the PII recognizer. Every character here is
encodable in GBK (the household register, 公安户籍, is written in GBK), except the
``DOT_VARIANTS``, which only other departments' extracts carry.
"""

from __future__ import annotations

# fmt: off

# --- persons -------------------------------------------------------------------------------

# Given-name characters. Each pool maps a character to a homophone or look-alike that a clerk
# in another department might type instead (the name:variant dirt); every character in a pool
# has a variant, so the realised variant rate equals the requested one.
GIVEN_MALE_OLD: dict[str, str] = {
    "伟": "玮", "军": "君", "明": "铭", "华": "桦", "建": "健", "志": "智", "勇": "永", "峰": "锋", "斌": "彬",
    "波": "博", "辉": "晖", "刚": "钢", "涛": "韬", "鹏": "朋", "超": "潮", "俊": "峻", "东": "冬", "林": "琳",
    "平": "萍", "春": "椿", "新": "鑫", "荣": "蓉", "成": "诚", "德": "得", "金": "锦", "龙": "隆", "江": "疆",
    "家": "嘉", "庆": "青", "文": "雯", "光": "广", "生": "升", "福": "富", "贵": "桂", "忠": "中", "世": "仕",
    "全": "泉", "标": "彪",
}
GIVEN_FEMALE_OLD: dict[str, str] = {
    "丽": "莉", "芳": "方", "娟": "鹃", "敏": "闽", "静": "婧", "秀": "琇", "英": "瑛", "玲": "铃", "艳": "燕",
    "燕": "艳", "霞": "侠", "梅": "玫", "红": "虹", "兰": "岚", "婷": "亭", "琳": "林", "洁": "杰", "慧": "惠",
    "萍": "苹", "月": "悦", "莲": "连", "凤": "风", "桂": "贵", "珍": "贞", "琴": "芹", "云": "芸", "香": "湘",
    "菊": "局", "妹": "美", "金": "锦", "秋": "湫", "群": "裙",
}
GIVEN_MALE_NEW: dict[str, str] = {
    "宇": "禹", "浩": "皓", "子": "梓", "梓": "子", "轩": "宣", "睿": "瑞", "泽": "择", "铭": "明", "嘉": "佳",
    "晨": "辰", "俊": "峻", "博": "波", "文": "汶", "杰": "捷", "凯": "恺", "昊": "浩", "天": "添", "宏": "弘",
    "鑫": "新", "航": "杭", "一": "依", "宸": "辰", "烨": "晔", "锦": "金", "霖": "林", "奕": "亦", "皓": "浩",
}
GIVEN_FEMALE_NEW: dict[str, str] = {
    "欣": "馨", "怡": "宜", "涵": "晗", "萱": "轩", "诗": "施", "雨": "语", "思": "斯", "佳": "嘉", "可": "珂",
    "彤": "桐", "妍": "研", "婷": "亭", "颖": "莹", "雪": "薛", "琪": "祺", "悦": "月", "梓": "紫", "紫": "梓",
    "晴": "情", "诺": "娜", "依": "伊", "语": "雨", "欢": "环", "瑶": "遥", "琳": "霖", "菲": "霏", "倩": "茜",
    "静": "婧",
}
# Surnames that departments really do mix up (覃 is read qín or tán; 陆 and 卢 are homophones).
SURNAME_VARIANTS: dict[str, str] = {
    "覃": "谭", "谭": "覃", "陆": "卢", "卢": "陆",
}

# Names in the style of Xinjiang minorities: first name + 「·」 + father's name.
MINORITY_FIRST_MALE: tuple[str, ...] = (
    "艾力", "买买提", "阿不都", "艾尔肯", "吐尔逊", "努尔", "热合曼", "亚森", "依明", "卡德尔", "阿迪力", "麦麦提",
)
MINORITY_FIRST_FEMALE: tuple[str, ...] = (
    "阿依古丽", "古丽娜尔", "热依拉", "阿娜尔", "米热古丽", "帕提古丽", "迪丽娜尔", "努尔古丽", "再娜甫", "阿米娜",
)
MINORITY_FATHER: tuple[str, ...] = (
    "买买提", "艾山", "吐尔洪", "阿不力孜", "玉素甫", "卡斯木", "热依木", "司马义", "依布拉音", "肉孜", "艾海提", "吾守尔",
)
# What another system makes of the middle dot.
DOT_VARIANTS: tuple[str, ...] = (
    ".", "•", "・", "",
)

# Ethnicity weights (percent), Guangxi-like; 维吾尔族 over-represented so that names with a
# middle dot occur in small provinces too.
ETHNICITIES: dict[str, float] = {
    "汉族": 61.5, "壮族": 31.4, "瑶族": 3.3, "苗族": 1.0, "侗族": 0.7, "仫佬族": 0.4, "毛南族": 0.15, "回族": 0.1,
    "京族": 0.05, "彝族": 0.04, "水族": 0.04, "仡佬族": 0.03, "维吾尔族": 0.6,
}

# --- places --------------------------------------------------------------------------------

ROAD_WORDS: tuple[str, ...] = (
    "人民", "解放", "中山", "建设", "新华", "朝阳", "民主", "文化", "工业", "东环", "西环", "北环", "南环", "金桂", "凤凰",
    "龙腾", "桂花", "荔枝", "榕树", "青山", "白沙", "江滨", "滨江", "沿江", "五一", "八一", "民族", "友谊", "和平", "胜利",
    "新民", "长寿", "振兴", "花园", "壮锦", "铜鼓", "木棉", "红星", "育才", "学院", "体育", "公园", "城站", "迎宾", "园湖",
    "秀厢", "古城", "双拥", "望州", "金鸡", "东兴", "北部湾", "海景", "星光",
)
ROAD_SUFFIXES: tuple[str, ...] = (
    "路", "路", "路", "大道", "街", "东路", "西路", "北路", "南路", "巷",
)
ESTATE_WORDS: tuple[str, ...] = (
    "阳光", "锦绣", "碧桂", "翠苑", "金湾", "幸福", "和美", "龙光", "盛世", "绿城", "御景", "书香", "丽景", "东方", "华庭",
    "江南", "半岛", "湖畔", "凤岭", "荔园",
)
ESTATE_SUFFIXES: tuple[str, ...] = (
    "小区", "花园", "苑", "家园", "新城", "公寓",
)
# Zhuang-style village names: first syllables 那 板 六 百 弄 岜 are typical of Guangxi.
VILLAGE_FIRST: tuple[str, ...] = (
    "那", "板", "六", "百", "弄", "岜", "思", "古", "东", "新", "大", "小", "上", "下", "平", "龙", "石", "南",
    "北", "江",
)
VILLAGE_SECOND: tuple[str, ...] = (
    "坡", "良", "塘", "岭", "林", "洞", "龙", "豆", "马", "贯", "光", "兰", "合", "安", "丰", "排", "阳", "甲",
    "旺", "河",
)
TOWN_SUFFIXES: tuple[str, ...] = (
    "镇", "镇", "乡", "街道",
)

# --- organisations -------------------------------------------------------------------------

TRADE_NAME_CHARS: tuple[str, ...] = (
    "华", "兴", "盛", "达", "鑫", "荣", "泰", "恒", "昌", "源", "宏", "通", "新", "利", "嘉", "德", "晟", "锦",
    "润", "丰", "汇", "诚", "信", "安", "瑞", "祥", "金", "桂", "邕", "柳", "壮", "景", "博", "众", "联", "优",
    "创", "智", "远", "胜", "龙", "海", "天", "佳", "和", "美", "凯", "腾", "路", "顺", "益", "禾", "力", "越",
    "星", "辰", "航", "铭", "家", "正",
)
INDUSTRIES: tuple[str, ...] = (
    "科技", "贸易", "商贸", "建筑工程", "建设", "物流", "食品", "农业开发", "房地产开发", "机械制造", "医药", "餐饮管理", "文化传媒",
    "电子商务", "信息技术", "环保科技", "汽车销售", "新能源", "糖业", "林业", "茶业", "水产养殖", "旅游开发", "物业服务", "劳务",
    "装饰工程", "广告", "电力工程", "生物科技", "供应链管理",
)
SOLE_PROPRIETOR_FORMS: tuple[str, ...] = (
    "商行", "经营部", "厂", "店",
)
SHOP_KINDS: tuple[str, ...] = (
    "便利店", "小吃店", "五金店", "美发店", "经营部", "汽车修理店", "粉店", "副食店", "水果店", "服装店", "手机维修店", "药店", "农资店",
    "烧烤店", "茶叶店",
)
COOP_KINDS: tuple[str, ...] = (
    "种养专业合作社", "农民专业合作社", "水果种植专业合作社", "蔗糖专业合作社", "养殖专业合作社", "茶叶专业合作社",
)
SOCIETY_KINDS: tuple[str, ...] = (
    "商会", "个体劳动者协会", "书法家协会", "摄影家协会", "餐饮行业协会", "建筑业协会", "老年人体育协会", "青年企业家协会",
)
PRIVATE_NONPROFIT_KINDS: tuple[str, ...] = (
    "幼儿园", "培训学校", "养老院", "职业技能培训学校", "康复中心",
)
GOVERNMENT_BODIES: tuple[str, ...] = (
    "农业农村局", "教育局", "财政局", "自然资源局", "住房和城乡建设局", "交通运输局", "水利局", "商务局", "文化广电体育和旅游局", "卫生健康局",
    "生态环境局", "统计局",
)
PUBLIC_INSTITUTIONS: tuple[str, ...] = (
    "中学", "实验小学", "人民医院", "中医医院", "疾病预防控制中心", "图书馆", "职业技术学校",
)

# (registration authority + organisation category of the credit code, weight)
ORG_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("91", 0.70),  # 工商: 企业
    ("92", 0.15),  # 工商: 个体工商户
    ("93", 0.05),  # 工商: 农民专业合作社
    ("51", 0.015),  # 民政: 社会团体
    ("52", 0.015),  # 民政: 民办非企业单位
    ("53", 0.005),  # 民政: 基金会
    ("11", 0.02),  # 机构编制: 机关
    ("12", 0.02),  # 机构编制: 事业单位
    ("Y1", 0.005),  # 其他
    ("N2", 0.007),  # 农业: 村级集体经济组织
    ("N3", 0.003),  # 农业: 乡镇级集体经济组织
)
COMPANY_TYPES: tuple[tuple[str, float], ...] = (
    ("有限责任公司(自然人投资或控股)", 0.62),
    ("有限责任公司(自然人独资)", 0.15),
    ("有限责任公司(非自然人投资或控股的法人独资)", 0.08),
    ("股份有限公司(非上市、自然人投资或控股)", 0.04),
    ("个人独资企业", 0.06),
    ("普通合伙企业", 0.03),
    ("有限责任公司分公司(自然人投资或控股)", 0.02),
)
OTHER_TYPES: dict[str, str] = {
    "92": "个体工商户", "93": "农民专业合作社", "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "11": "机关",
    "12": "事业单位", "Y1": "其他组织", "N2": "农村集体经济组织", "N3": "农村集体经济组织",
}
ORG_STATUSES: tuple[tuple[str, float], ...] = (
    ("存续", 0.55),
    ("在业", 0.3),
    ("吊销", 0.05),
    ("注销", 0.08),
    ("迁出", 0.02),
)

# --- land and licences ---------------------------------------------------------------------

# (land use, parcel feature code 宗地特征码, weight, smallest and largest area in m²)
LAND_USES_PERSON: tuple[tuple[str, str, float, float, float], ...] = (
    ("城镇住宅用地", "GB", 0.45, 60, 220),
    ("农村宅基地", "JC", 0.3, 80, 300),
    ("耕地", "JA", 0.15, 300, 6000),
    ("商服用地", "GB", 0.05, 40, 400),
    ("园地", "JA", 0.05, 300, 8000),
)
LAND_USES_ORG: tuple[tuple[str, str, float, float, float], ...] = (
    ("工业用地", "GB", 0.4, 2000, 60000),
    ("商服用地", "GB", 0.3, 200, 12000),
    ("仓储用地", "GB", 0.12, 1000, 30000),
    ("城镇住宅用地", "GB", 0.13, 3000, 50000),
    ("林地", "JA", 0.05, 5000, 200000),
)

# (licence type, validity in years or 0 for none, holder kinds "p", "o" or "po")
LICENCE_TYPES: tuple[tuple[str, int, str], ...] = (
    ("食品经营许可证", 5, "po"),
    ("建筑施工企业安全生产许可证", 3, "o"),
    ("道路运输经营许可证", 4, "po"),
    ("药品经营许可证", 5, "o"),
    ("医师执业证书", 0, "p"),
    ("排污许可证", 5, "o"),
    ("出版物经营许可证", 6, "o"),
    ("危险化学品经营许可证", 3, "o"),
    ("营业性演出许可证", 2, "o"),
)
LICENCE_STATUSES: tuple[tuple[str, float], ...] = (
    ("有效", 0.86),
    ("注销", 0.08),
    ("吊销", 0.03),
    ("暂扣", 0.03),
)

# Placeholders departments write where an ID is unknown.
ID_PLACEHOLDERS: tuple[str, ...] = (
    "000000000000000000", "无", "/", "123456789012345678", "-",
)
# fmt: on
