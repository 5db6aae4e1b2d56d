#!/usr/bin/env python3
"""Writes examples/wenzhou-party-building/evidence/*.txt (示例数据，虚构，非真实考核结果).

Every department starts from a baseline that meets every requirement, and the table DEPARTMENTS
lists what differs, so each file says in a comment what it exercises. The 满意度测评分 are
chosen so that the 5th- and 6th-lowest tie (90.8): 末5位 then takes six departments
(并列均计入). `expected()` mirrors the scheme's rules in plain Python (exact, with Fraction) as
an independent check of kaohe's numbers; the README's hand computation is done separately.
Run: python3 make_evidence.py   (rewrites evidence/, prints the expected table)
"""
import os
from fractions import Fraction as F

BASE = {
    "中心组学习计划": "yes", "中心组学习总结": "yes",
    "sessions": [("2021-02-26", 2, 100), ("2021-04-23", 2, 93), ("2021-06-25", 2, 100),
                 ("2021-08-27", 2, 86), ("2021-10-29", 2, 100), ("2021-12-24", 2, 93)],
    "无中心发言": 0, "无学习心得": 0, "亲笔签到": "yes", "学习秘书": "yes",
    "工作规则": "yes", "民主生活会按时召开": "yes", "会前征求意见": "yes", "会后整改措施": "yes",
    "班子战斗力不强": "no",
    "效能革命不力": "no", "满意度测评分": None, "领导干部最低出席率": "88%", "组织生活公示上报": "yes",
    "廉政计划分工": "yes", "专题党课教育": "yes", "班子成员违纪": "no",
    "保障措施落实": "yes", "党建责任制健全": "yes", "党建计划总结": "yes", "专题听取汇报": 2, "换届延期": 0,
    "负责人按要求配备": "yes", "专职副书记列席": "yes",
    "负责人任免经同意": "yes", "专职专用": "yes",
    "及时改选补选": "yes", "议事规则": "yes", "党费收缴": "yes", "统计表按时上报": "yes",
    "支部计划总结场所": "yes", "四个好年度考核": "yes", "整顿未达标支部": "yes", "考核结果通报": "yes",
    "学习制度健全": "yes", "机关集中学习天数": 12, "党课次数": 4,
    "长效监督机制": "yes", "文明创建": "yes", "社区报到率": "95%",
    "组织生活会次数": 12, "发展党员六制": "yes", "cases": [], "信访报结": "yes",
    "群团组织健全": "yes", "社团党建": "yes", "计生工作": "yes",
}

# file, unit, what it exercises, overrides
DEPARTMENTS = [
    ("caizheng", "市财政局", "中心组集中学习只有5次10天：缺1次扣2分、缺2天扣4分，第1.1项扣完为止",
     {"满意度测评分": "95.2",
      "sessions": [("2021-03-19", 2, 100), ("2021-05-21", 2, 92), ("2021-07-23", 2, 100),
                   ("2021-09-24", 2, 92), ("2021-11-26", 2, 100)]}),
    ("fagai", "市发展和改革委员会", "各项均达标，满分100",
     {"满意度测评分": "96.5"}),
    ("jiaotong", "市交通运输局", "末5位（87.9）扣5分，领导干部最低出席率78%扣2分，第1.3项扣完为止",
     {"满意度测评分": "87.9", "领导干部最低出席率": "78%"}),
    ("jiaoyu", "市教育局", "手算单位：一次学习出席率75%、无中心发言1人、末5位并列（90.8）、违纪被查1例自查2例",
     {"满意度测评分": "90.8",
      "sessions": [("2021-02-24", 2, 92), ("2021-04-21", 2, 75), ("2021-06-23", 2, 100),
                   ("2021-08-25", 2, 100), ("2021-10-27", 2, 92), ("2021-12-22", 3, 83)],
      "无中心发言": 1,
      "cases": [("挪用公款（市纪委查处）", "被查"), ("违规收受礼金（自查）", "自查"),
                ("违规驾驶公车（自查）", "自查")]}),
    ("minzheng", "市民政局", "社区报到率恰为90%（不扣分），党课只有3次扣5分",
     {"满意度测评分": "94.8", "社区报到率": "90%", "党课次数": 3}),
    ("nongye", "市农业局", "工青妇组织不健全扣3分、计生工作不到位扣2分，第3.6项得0",
     {"满意度测评分": "92.7", "群团组织健全": "no", "计生工作": "no"}),
    ("renshe", "市人力资源和社会保障局", "末5位（88.3），社区报到率89.5%扣3分，专题听取汇报1次扣2分",
     {"满意度测评分": "88.3", "社区报到率": "89.5%", "专题听取汇报": 1}),
    ("shenji", "市审计局", "班子成员违纪扣3分，党员违纪自查1例扣1分",
     {"满意度测评分": "93.1", "班子成员违纪": "yes", "cases": [("违规兼职取酬（自查）", "自查")]}),
    ("tongji", "市统计局", "考核结果未通报扣5分；无不是党组成员的专职副书记，专职副书记列席取默认",
     {"满意度测评分": "91.4", "考核结果通报": "no", "专职副书记列席": None}),
    ("weisheng", "市卫生局", "末5位（89.6），民主生活会会前未征求意见扣2分，组织生活会10次扣4分",
     {"满意度测评分": "89.6", "会前征求意见": "no", "组织生活会次数": 10}),
    ("wenguang", "市文化广电新闻出版局", "末5位并列（90.8），机关集中学习11天扣5分",
     {"满意度测评分": "90.8", "机关集中学习天数": 11}),
    ("zhujian", "市住房和城乡建设委员会", "满意度最低（86.2）扣5分、效能革命不力扣3分，第1.3项扣完为止；换届延期2例扣4分",
     {"满意度测评分": "86.2", "效能革命不力": "yes", "换届延期": 2}),
]

ORDER = [
    ("1.1 坚持把思想政治建设放在首位", ["中心组学习计划", "中心组学习总结", "sessions", "无中心发言", "无学习心得", "亲笔签到", "学习秘书"]),
    ("1.2 认真贯彻执行民主集中制原则", ["工作规则", "民主生活会按时召开", "会前征求意见", "会后整改措施", "班子战斗力不强"]),
    ("1.3 在加强和改进党的作风建设中起表率作用", ["效能革命不力", "满意度测评分", "领导干部最低出席率", "组织生活公示上报"]),
    ("1.4 廉洁自律、党风廉政建设责任制落实", ["廉政计划分工", "专题党课教育", "班子成员违纪"]),
    ("2.1 机关党建工作责任制落实", ["保障措施落实", "党建责任制健全", "党建计划总结", "专题听取汇报", "换届延期"]),
    ("2.2 支持机关党组织履行《条例》赋予的监督职能", ["负责人按要求配备", "专职副书记列席"]),
    ("2.3 重视抓好党务干部队伍建设", ["负责人任免经同意", "专职专用"]),
    ("3.1 认真履行《条例》和《实施意见》规定的各项工作职责", ["及时改选补选", "议事规则", "党费收缴", "统计表按时上报"]),
    ("3.2 努力提高党支部建设整体水平", ["支部计划总结场所", "四个好年度考核", "整顿未达标支部", "考核结果通报"]),
    ("3.3 全面加强机关思想政治建设", ["学习制度健全", "机关集中学习天数", "党课次数"]),
    ("3.4 积极推进机关作风建设", ["长效监督机制", "文明创建", "社区报到率"]),
    ("3.5 加强对党员的管理和监督", ["组织生活会次数", "发展党员六制", "cases", "信访报结"]),
    ("3.6 加强对统战工作和工青妇等群团组织的领导", ["群团组织健全", "社团党建", "计生工作"]),
]
FULL = [5, 5, 5, 5, 10, 5, 5, 10, 10, 15, 10, 10, 5]


def facts(over):
    f = dict(BASE)
    f.update(over)
    return f


def pct(s):
    return F(s.rstrip("%")) / 100


def expected(f, bottom5):
    """The scheme's rules, in plain Python, for the cross-check."""
    y = lambda k: f[k] in ("yes", None) if k == "专职副书记列席" else f[k] == "yes"
    s = f["sessions"]
    d = [0] * 13
    d[0] = (2 * (not y("中心组学习计划")) + 2 * (not y("中心组学习总结")) + 2 * max(0, 6 - len(s))
            + 2 * max(0, 12 - sum(x[1] for x in s)) + 2 * sum(1 for x in s if x[2] < 80)
            + 2 * f["无中心发言"] + 2 * f["无学习心得"] + 2 * (not y("亲笔签到")) + 2 * (not y("学习秘书")))
    d[1] = (2 * (not y("工作规则")) + 2 * (not (y("民主生活会按时召开") and y("会前征求意见") and y("会后整改措施")))
            + 3 * y("班子战斗力不强"))
    d[2] = 3 * y("效能革命不力") + 5 * bottom5 + 2 * (pct(f["领导干部最低出席率"]) < F(8, 10) or not y("组织生活公示上报"))
    d[3] = 2 * (not y("廉政计划分工")) + 2 * (not y("专题党课教育")) + 3 * y("班子成员违纪")
    d[4] = (3 * (not y("保障措施落实")) + 3 * (not y("党建责任制健全")) + 3 * (not y("党建计划总结"))
            + 2 * max(0, 2 - f["专题听取汇报"]) + 2 * f["换届延期"])
    d[5] = 3 * (not y("负责人按要求配备")) + 3 * (not y("专职副书记列席"))
    d[6] = 3 * (not y("负责人任免经同意")) + 3 * (not y("专职专用"))
    d[7] = 3 * (not y("及时改选补选")) + 2 * (not y("议事规则")) + 2 * (not y("党费收缴")) + 3 * (not y("统计表按时上报"))
    d[8] = 3 * (not y("支部计划总结场所")) + 3 * (not y("四个好年度考核")) + 3 * (not y("整顿未达标支部")) + 5 * (not y("考核结果通报"))
    d[9] = 5 * (not y("学习制度健全")) + 5 * max(0, 12 - f["机关集中学习天数"]) + 5 * max(0, 4 - f["党课次数"])
    d[10] = 4 * (not y("长效监督机制")) + 3 * (not y("文明创建")) + 3 * (pct(f["社区报到率"]) < F(9, 10))
    d[11] = (2 * max(0, 12 - f["组织生活会次数"]) + 3 * (not y("发展党员六制"))
             + sum(3 if c[1] == "被查" else 1 for c in f["cases"]) + 2 * (not y("信访报结")))
    d[12] = 3 * (not y("群团组织健全")) + 2 * (not y("社团党建")) + 2 * (not y("计生工作"))
    return [max(0, full - x) for full, x in zip(FULL, d)]


def bottom(depts, n):
    scores = sorted(F(facts(o)["满意度测评分"]) for _, _, _, o in depts)
    cut = scores[n - 1]
    return {u for _, u, _, o in depts if F(facts(o)["满意度测评分"]) <= cut}


def fmt(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else format(float(x), "g")


def write(path, unit, note, f, scores, own):
    out = [f"# {unit} 市直机关党建工作目标管理考核证据（示例数据，虚构，非真实考核结果）",
           f"# 用途：{note}。预期总分 {fmt(sum(scores))}。",
           f'unit "{unit}"', "group 市直机关", ""]
    for i, (title, keys) in enumerate(ORDER):
        out.append(f"# ---- {title}")
        for k in keys:
            v = f[k]
            if k == "sessions":
                for date, days, rate in v:
                    out.append(f'中心组集中学习 += {{ 日期: "{date}", 天数: {days}, 出席率: {rate}% }}   source "中心组学习考勤记录 {date}"')
            elif k == "cases":
                if not v:
                    out.append("违纪案件: []")
                for what, how in v:
                    out.append(f'违纪案件 += {{ 案由: "{what}", 发现: {how} }}   source "市纪委（监察局）通报"')
            elif v is None:
                out.append(f"# {k}: 本单位无此情形，取方案默认值")
            else:
                out.append(f"{k}: {v}")
        # 自查分: what the department finds itself (it cannot know the 末5位 before the run), and on
        # every third item it forgives itself 2 of the points it lost
        self_score = min(FULL[i], own[i] + (2 if own[i] < FULL[i] and i % 3 == 0 else 0))
        out.append(f'self {title.split()[0]}: {fmt(self_score)}   source "《党建工作目标管理考核自查表》"')
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "evidence"), exist_ok=True)
    b5 = bottom(DEPARTMENTS, 5)
    for file, unit, note, over in DEPARTMENTS:
        f = facts(over)
        scores = expected(f, unit in b5)
        write(os.path.join(here, "evidence", file + ".txt"), unit, note, f, scores, expected(f, False))
        print(f"| {unit} | " + " | ".join(fmt(s) for s in scores) + f" | {fmt(sum(scores))} |")


if __name__ == "__main__":
    main()
