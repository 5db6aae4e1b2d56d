#!/usr/bin/env python3
"""Writes examples/xinzhuang-2017/evidence/*.txt (示例数据，虚构，非真实考核结果).

Each village's file holds the 考核组's score for every one of the 116 sub-items of the 15 items,
the 民主测评 tally, and the 7 党政班子成员's scores on the 15 categories. 新庄村 (the README's
hand computation) is written out by hand below; the other seven villages are drawn from a small
linear congruential generator with a fixed seed, so the output never changes between runs or
Python versions. 太昌村 gets full marks on every 党建工作 sub-item, so the document's 100.5 is
seen to be kept within 100.
`expected()` recomputes every village in exact fractions (independently of kaohe) and prints the
item table and the totals for the README.
Run: python3 make_evidence.py   (rewrites evidence/, prints the tables)
"""
import os
from fractions import Fraction as F

# (item label, [(sub-item label, points, evidence name)]); 党建工作's 民主测评 is a vote tally.
ITEMS = [
    ("党建工作", [("三会一课等党内组织生活制度落实", "19", "党建_组织生活"), ("党建责任清单落实", "5.5", "党建_责任清单"),
              ("做合格党员", "13", "党建_合格党员"), ("承诺、亮诺、践诺、评诺", "5", "党建_承诺践诺"),
              ("六大行动（组织、堡垒行动上级党组织负责）", "9", "党建_六大行动"), ("基层党建七项重点任务", "6", "党建_七项任务"),
              ("党员冬训", "6", "党建_冬训"), ("约谈工作", "4", "党建_约谈"), ("专题研讨", "4", "党建_专题研讨"),
              ("“两学一做”学习教育", "3", "党建_两学一做"), ("学习执行情况", "2", "党建_学习执行"),
              ("决策与权利监督", "1", "党建_决策监督"), ("党群创业互助会资料", "5", "党建_互助会"),
              ("发展党员情况", "2", "党建_发展党员"), ("集体经济", "8", "党建_集体经济"), ("阵地建设", "3", "党建_阵地"),
              ("民主测评", "5", None)]),
    ("党风廉政建设", [("日常检查", "10", "廉政_日常检查"), ("党风廉政建设主体责任", "30", "廉政_主体责任"),
                ("党风廉政建设监督责任", "25", "廉政_监督责任"), ("重点工作完成情况", "25", "廉政_重点工作"),
                ("民主评议", "10", "廉政_民主评议")]),
    ("精神文明建设", [("创城暨全域无垃圾", "40", "文明_创城"), ("精神文明宣传", "16", "文明_宣传"),
                ("群众性文化活动开展", "18", "文明_文化活动"), ("扫黄打非工作", "6", "文明_扫黄打非"),
                ("农家书屋建设", "20", "文明_农家书屋")]),
    ("社会治安综合治理（平安建设）", [("年度综治目标责任书签订情况", "10", "综治_责任书"),
                      ("信访、人民调解、矛盾纠纷排查调解工作", "45", "综治_信访调解"), ("禁毒工作", "15", "综治_禁毒"),
                      ("防邪工作", "5", "综治_防邪"), ("维稳工作", "13", "综治_维稳"), ("政法其他工作", "16", "综治_政法其他")]),
    ("精准扶贫帮扶工作", [("安排部署帮扶工作情况", "8", "帮扶_安排部署"), ("是否对各级帮扶文件进行收集整理归档", "6", "帮扶_文件归档"),
                  ("制定贫困村脱贫规划", "6", "帮扶_脱贫规划"), ("帮扶单位帮扶贫困村年度帮扶计划", "6", "帮扶_单位计划"),
                  ("驻村工作队帮扶计划", "6", "帮扶_工作队计划"), ("建档立卡贫困户帮扶计划清单", "6", "帮扶_计划清单"),
                  ("帮办实事好事台账", "6", "帮扶_实事台账"), ("入户帮扶工作台账", "6", "帮扶_入户台账"),
                  ("接访工作台账", "6", "帮扶_接访台账"), ("驻村帮扶工作队工作日志", "6", "帮扶_工作日志"),
                  ("驻村帮扶工作队出勤情况", "6", "帮扶_出勤情况"), ("上级督查整改落实台账", "6", "帮扶_整改台账"),
                  ("帮扶干部、帮扶责任人联系贫困户花名", "6", "帮扶_联系花名"), ("驻村帮扶工作队年出勤和休假计划", "6", "帮扶_休假计划"),
                  ("发放连心卡与户主合影及其他各类开展帮扶工作的影像资料", "6", "帮扶_影像资料"),
                  ("建档立卡贫困户帮扶计划清单是否发放到位并规范填写", "8", "帮扶_清单发放")]),
    ("精准扶贫", [("精准识别", "20", "扶贫_精准识别"), ("精准施策", "20", "扶贫_精准施策"), ("精准退出", "20", "扶贫_精准退出"),
              ("户内资料", "30", "扶贫_户内资料"), ("扶贫贷款", "5", "扶贫_扶贫贷款"), ("信访", "5", "扶贫_信访")]),
    ("农业经济", [("富民产业", "50", "农经_富民产业"), ("惠农政策", "20", "农经_惠农政策"), ("农业普查", "4", "农经_农业普查"),
              ("畜牧兽医", "9", "农经_畜牧兽医"), ("农技农经", "4", "农经_农技农经"), ("农机", "2", "农经_农机"),
              ("土地管理", "6", "农经_土地管理"), ("沼气管理", "1", "农经_沼气管理"), ("环保", "4", "农经_环保")]),
    ("社会保险", [("城乡居民基本医疗保险", "50", "社保_居民医保"), ("农村居民医疗保险", "40", "社保_农村医保"),
              ("计生工作", "10", "社保_计生")]),
    ("民政工作", [("社会救助", "55", "民政_社会救助"), ("救灾救济", "10", "民政_救灾救济"),
              ("福利慈善和社会养老事业", "4", "民政_福利养老"), ("双拥工作", "5", "民政_双拥"), ("救助工作", "5", "民政_救助工作"),
              ("统计报表", "8", "民政_统计报表"), ("信访", "8", "民政_信访"), ("项目建设", "5", "民政_项目建设")]),
    ("安全生产", [("安全生产监管职责落实情况", "30", "安全_监管职责"), ("安监室标准化建设情况", "20", "安全_安监室"),
              ("落实村党支部交通安全全责", "10", "安全_支部交通"), ("落实村委交通安全第一责任", "10", "安全_村委交通"),
              ("劝导站点工作开展情况", "5", "安全_劝导站"), ("交管室标准化建设", "5", "安全_交管室"),
              ("道路安全隐患排查", "5", "安全_隐患排查"), ("开展交通安全“五进”活动", "5", "安全_五进"),
              ("农村道路维修养护", "10", "安全_道路养护")]),
    ("村级财务", [("固定资产登记", "15", "财务_固定资产"), ("财务、账务", "15", "财务_账务"), ("扶贫互助协会运行", "20", "财务_互助协会"),
              ("村集体经济收入", "30", "财务_集体收入"), ("党群创业资金", "20", "财务_创业资金")]),
    ("林业管理", [("护林员选聘", "20", "林业_选聘"), ("护林员管理", "25", "林业_护林员管理"), ("林地管理", "45", "林业_林地管理"),
              ("信息报送", "10", "林业_信息报送")]),
    ("电子商务", [("电商点的建设", "20", "电商_站点建设"), ("电子商务应用", "30", "电商_应用"), ("电商培训", "30", "电商_培训"),
              ("信息报送", "20", "电商_信息报送")]),
    ("劳务输转", [("城乡富余劳动力调查表", "5", "劳务_富余劳动力"), ("外出务工人员花名册", "5", "劳务_务工花名册"),
              ("建档立卡贫困户外出务工花名册", "10", "劳务_贫困户务工"), ("境外务工人员花名册", "5", "劳务_境外务工"),
              ("常年整户外出务工花名册", "10", "劳务_整户外出"), ("新庄镇在外优秀人才信息采集表", "5", "劳务_优秀人才"),
              ("登记回乡创业人员花名册", "5", "劳务_回乡创业"), ("是否在村、社发布张贴务工信息", "5", "劳务_务工信息"),
              ("两后生摸底花名册", "5", "劳务_两后生"), ("精准扶贫劳动力培训摸底表", "10", "劳务_培训摸底"),
              ("2017年已培训人员花名册", "5", "劳务_已培训"), ("示范性培训花名册", "5", "劳务_示范培训"),
              ("就业技能培训花名册", "5", "劳务_技能培训"), ("创业培训花名册", "5", "劳务_创业培训"),
              ("劳务品牌培训花名册", "5", "劳务_品牌培训"), ("建档立卡贫困户使用技术培训花名册", "5", "劳务_技术培训"),
              ("培训证书是否发放到户", "5", "劳务_证书发放")]),
    ("食品药品安全", [("会议落实", "40", "食药_会议落实"), ("人事管理", "20", "食药_人事管理"), ("信息报送", "40", "食药_信息报送")]),
]

# 党政班子成员评分: the 15 categories and their weights (the rater's full marks per category)
CATEGORIES = [("党建工作", 20), ("党风廉政建设", 10), ("精神文明建设", 5), ("社会治安综合治理", 10), ("帮扶工作", 5),
              ("精准扶贫", 15), ("农业经济", 10), ("社会保险", 5), ("民政工作", 5), ("安全生产", 5), ("村级财务", 4),
              ("林业", 1), ("电子商务", 1), ("劳务输转", 2), ("食品药品安全", 2)]
RATERS = ["张晓岩", "苏虎林", "郑亚娜", "李建平", "杨志强", "张学红", "赵秉鸿"]
VOTE_VALUES = ["好", "较好", "一般", "较差"]
VOTE_WEIGHT = {"好": F(1), "较好": F(8, 10), "一般": F(6, 10), "较差": F(0)}

# file, village, quality (0..1, how well the village does), seed
VILLAGES = [("caojia", "曹家村", 0.86, 11), ("luojia", "罗家村", 0.80, 12), ("majiahe", "马家河村", 0.90, 13),
            ("nanzhuang", "南庄村", 0.84, 14), ("taichang", "太昌村", 0.93, 15), ("xitou", "西头村", 0.76, 16),
            ("xinzhuang", "新庄村", None, 0), ("yangjiayuan", "杨家塬村", 0.88, 17)]

# 新庄村, by hand: every sub-item full except these; the rater table; the tally.
XINZHUANG_LOST = {"党建_组织生活": "17", "党建_集体经济": "6", "廉政_日常检查": "9", "文明_创城": "36",
                  "帮扶_出勤情况": "5", "扶贫_户内资料": "27", "农经_富民产业": "45", "民政_社会救助": "52",
                  "财务_集体收入": "24", "电商_应用": "25", "电商_培训": "26", "劳务_培训摸底": "8",
                  "食药_信息报送": "38"}
XINZHUANG_RATERS = [  # one column per rater, in RATERS order; one row per category
    [18, 19, 17, 18, 19, 17, 18], [9, 9.5, 8.5, 9, 10, 8, 9], [4.5, 5, 4, 4.5, 5, 4, 4.5],
    [10, 9.5, 9, 9.5, 10, 9, 9.5], [5, 4.5, 4.5, 4, 4.5, 5, 4], [14, 15, 13, 14, 14.5, 13.5, 14],
    [9, 9, 9.5, 8.5, 9, 9, 9], [5] * 7, [4.5] * 7, [5] * 7, [3.5, 4, 3, 3.5, 4, 3, 3.5], [1] * 7,
    [1, 0.5, 1, 1, 0.5, 1, 1], [2] * 7, [1.5, 2, 1, 1.5, 2, 1, 1.5]]
XINZHUANG_VOTES = [20, 8, 4, 0]


class Lcg:
    """Numerical Recipes' LCG: the same numbers on every machine and Python version."""
    def __init__(self, seed):
        self.state = seed * 2654435761 % 2**32

    def unit(self):
        self.state = (1664525 * self.state + 1013904223) % 2**32
        return self.state / 2**32


def half_steps(x):
    """x rounded down to a multiple of 0.5, as a Fraction."""
    return F(int(x * 2), 2)


def draw(rng, full, quality):
    """A score in 0..full, in steps of 0.5, around quality × full."""
    full = F(full)
    q = quality + (rng.unit() - 0.5) * 0.16
    return min(full, max(F(0), half_steps(float(full) * min(1.0, q) + 0.25)))


def village_data(name, quality, seed):
    rng = Lcg(seed)
    subs, raters, votes = {}, [], None
    for _, subitems in ITEMS:
        for label, pts, ev in subitems:
            if ev is None:
                continue
            if name == "新庄村":
                subs[ev] = F(XINZHUANG_LOST.get(ev, pts))
            elif name == "太昌村" and ev.startswith("党建_"):
                subs[ev] = F(pts)
            else:
                subs[ev] = draw(rng, pts, quality)
    if name == "新庄村":
        raters = [[F(str(XINZHUANG_RATERS[c][r])) for c in range(15)] for r in range(7)]
        votes = XINZHUANG_VOTES
    else:
        for _ in RATERS:
            raters.append([draw(rng, w, quality + 0.04) for _, w in CATEGORIES])
        total = 30 + int(rng.unit() * 6)
        good = int(total * (quality - 0.2 + rng.unit() * 0.1))
        fair = int((total - good) * 0.7)
        poor = int((total - good - fair) * 0.8)
        votes = [good, fair, poor, total - good - fair - poor]
    return subs, raters, votes


def expected(subs, raters, votes):
    items = []
    for i, (_, subitems) in enumerate(ITEMS):
        s = sum(subs[ev] for _, _, ev in subitems if ev is not None)
        if i == 0:
            s += 5 * sum(c * VOTE_WEIGHT[v] for c, v in zip(votes, VOTE_VALUES)) / sum(votes)
        items.append(min(F(100), s))
    means = [sum(r[c] for r in raters) / len(raters) for c in range(15)]
    group, board = sum(items), sum(means)
    final = group / 1500 * 1000 * F(9, 10) + board / 100 * 1000 * F(1, 10)
    return items, means, group, board, final


def num(x):
    x = F(x)
    if x.denominator == 1:
        return str(x.numerator)
    s = f"{float(x):.6f}".rstrip("0")
    return s


def round2(x):
    """四舍五入 to 2 places, exactly."""
    x = F(x) * 100
    n = int(x + F(1, 2)) if x >= 0 else -int(-x + F(1, 2))
    return F(n, 100)


def shown(x):
    """x as kaohe prints it under `display 2 half_up`: 四舍五入 to 2 places, always 2 decimals."""
    cents = round2(x) * 100
    assert cents.denominator == 1
    n = int(cents)
    return f"{'-' if n < 0 else ''}{abs(n) // 100}.{abs(n) % 100:02d}"


def write(path, name, subs, raters, votes):
    lines = [f"# {name} 2017年度党务政务工作目标管理综合考核证据（示例数据，虚构，非真实考核结果）",
             "# 由 make_evidence.py 生成，勿手改。", f'unit "{name}"', "group 行政村", "",
             "# ======== 一、考核组现场考核（《2017年度党务政务工作目标管理综合考核评分表》各小项得分）"]
    for n, (item, subitems) in enumerate(ITEMS, 1):
        lines.append(f"# ---- 1.{n} {item}")
        for label, pts, ev in subitems:
            if ev is None:
                body = ", ".join(f"{v}: {c}" for v, c in zip(VOTE_VALUES, votes))
                lines.append(f'民主测评: {{ {body} }}   source "民主测评表汇总（考核组统一收回）"')
            else:
                lines.append(f"{ev}: {num(subs[ev])}")
    lines.append("")
    lines.append("# ======== 二、党政班子成员评分（每人一行，15类依次为：" + "、".join(
        f"{c}{w}" for c, w in CATEGORIES) + "）")
    for rater, row in zip(RATERS, raters):
        body = ", ".join(f"{c}: {num(v)}" for (c, _), v in zip(CATEGORIES, row))
        lines.append(f"班子评分 += {{ 评分人: {rater}, {body} }}")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "evidence"), exist_ok=True)
    item_rows, total_rows = [], []
    for file, name, quality, seed in VILLAGES:
        subs, raters, votes = village_data(name, quality, seed)
        write(os.path.join(here, "evidence", file + ".txt"), name, subs, raters, votes)
        items, means, group, board, final = expected(subs, raters, votes)
        item_rows.append(f"| {name} | " + " | ".join(shown(x) for x in items + means) + " |")
        total_rows.append(f"| {name} | 行政村 | {shown(group)} | {shown(board)} | **{shown(final)}** |")
    print("\n".join(item_rows))
    print()
    print("\n".join(total_rows))


if __name__ == "__main__":
    main()
