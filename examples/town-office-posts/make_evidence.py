#!/usr/bin/env python3
"""Writes examples/town-office-posts/evidence/*.txt (示例数据，虚构，非真实考核结果).

Eight cadres of four offices, four of them 农村工作指导员. The values are chosen by hand so that
every rule of the scheme fires somewhere; the comment at the top of each file says what that
cadre exercises. Run: python3 make_evidence.py   (rewrites evidence/; the output is checked in)
"""
import os

ZERO = dict(违反禁令=0, 参与赌博="no", 学习会议缺席=0, 学习会议请假=0, 学习活动缺项=0, 未请假外出=0,
            未说明去向=0, 首问责任被举报=0, 工作拖拉=0, 未完成任务=[], 不文明现象=[], 值班缺席=0,
            值班请假=0, 值班失职="no", 档案管理="yes")

# file, name, office, instructor, 线上名次, 指导员工作得分, 信访稳定得分, 机关制度 overrides,
# votes (德 能 勤 绩 廉: 优秀 称职 基本称职 不称职), 先进奖励 records (内容, 区, 市, 省, 国家), note
CADRES = [
    ("chenhaibo", "陈海波", "党政办", True, 2, 14, 37, {},
     [(16, 4, 0, 0), (14, 6, 0, 0), (15, 5, 0, 0), (13, 7, 0, 0), (17, 3, 0, 0)],
     [("农村党建（所在办先进集体）", "八项先进集体", "八项先进集体", "无", "无"),
      ("区优秀共产党员", "先进个人", "无", "无", "无")],
     "指导员；线上第2名上浮1分；机关制度无扣分且值班全出勤（增2分但本项不超过10分）；同一奖励内容区、市两级取高"),
    ("lixiaoyan", "李晓燕", "党政办", False, 3, 0, 0,
     {"学习会议缺席": 1, "值班请假": 2},
     [(12, 7, 1, 0), (11, 8, 1, 0), (12, 8, 0, 0), (10, 9, 1, 0), (14, 6, 0, 0)],
     [("农村党建（所在办先进集体）", "八项先进集体", "八项先进集体", "无", "无")],
     "非指导员（取指导员平均分，手算单位）；线上第3名得基本分25分；学习缺席1次扣1分"),
    ("wangjianguo", "王建国", "经济发展办", True, 5, 13, 35,
     {"工作拖拉": 2, "未完成任务": [("招商项目材料逾期未报", "1.5")], "值班缺席": 1},
     [(10, 8, 2, 0), (9, 9, 2, 0), (11, 8, 1, 0), (8, 10, 2, 0), (12, 8, 0, 0)],
     [("效益农业（所在办先进集体）", "八项先进集体", "其他先进集体", "无", "无")],
     "指导员；线上第5名下降2分；拖拉2次、未认真完成任务1次（酌情1.5分）、值班缺席1次"),
    ("zhangliping", "张丽萍", "经济发展办", False, 4, 0, 0,
     {"学习会议缺席": 3, "学习活动缺项": 1},
     [(8, 10, 2, 0), (7, 11, 2, 0), (6, 10, 3, 1), (8, 9, 3, 0), (10, 9, 1, 0)],
     [("效益农业（所在办先进集体）", "八项先进集体", "其他先进集体", "无", "无")],
     "非指导员；学习缺席3次（“3次以上”一档扣5分）；值班全出勤增2分抵消扣分"),
    ("liuzhiqiang", "刘志强", "社会事务办", True, 1, 12, 38,
     {"首问责任被举报": 1, "不文明现象": [("办公室卫生检查不合格并被通报", "2")], "值班请假": 1},
     [(13, 6, 1, 0), (12, 7, 1, 0), (13, 7, 0, 0), (14, 6, 0, 0), (12, 8, 0, 0)],
     [("社会治安综合治理（所在办先进集体）", "八项先进集体", "无", "其他先进集体", "无"),
      ("市人民调解先进个人", "无", "先进个人", "无", "无")],
     "指导员；线上第1名上浮2分（本项27分）；首问责任被举报1起；不文明现象1次（酌情2分）"),
    ("zhoumin", "周敏", "社会事务办", False, 6, 0, 0,
     {"参与赌博": "yes", "未说明去向": 3, "值班缺席": 3},
     [(4, 10, 5, 1), (6, 10, 4, 0), (5, 9, 5, 1), (6, 10, 4, 0), (3, 9, 6, 2)],
     [("社会治安综合治理（所在办先进集体）", "八项先进集体", "无", "其他先进集体", "无")],
     "非指导员；被查实参与赌博，扣发考核奖3000元（先进奖励不在扣发之列）；值班缺席3次扣5分"),
    ("wujunjie", "吴俊杰", "村镇建设办", True, 8, 11.5, 33,
     {"值班失职": "yes", "档案管理": "no", "工作拖拉": 1,
      "未完成任务": [("危房排查台账未完成", "1"), ("拆违任务未按期完成", "2")]},
     [(7, 10, 3, 0), (6, 11, 3, 0), (7, 9, 3, 1), (5, 11, 3, 1), (9, 10, 1, 0)],
     [],
     "指导员；线上第8名下降5分；机关制度扣10.5分，扣完10分为止"),
    ("zhengxuefen", "郑雪芬", "村镇建设办", False, 7, 0, 0,
     {"学习会议请假": 10},
     [(11, 8, 1, 0), (10, 9, 1, 0), (12, 7, 1, 0), (10, 10, 0, 0), (13, 7, 0, 0)],
     [("文明城镇创建先进个人", "先进个人", "先进个人", "无", "无")],
     "非指导员；学习请假累计10次（一档扣5分）；值班全出勤增2分；同一先进个人区、市两级取高"),
]

VALUES = ["优秀", "称职", "基本称职", "不称职"]
ASPECTS = ["德", "能", "勤", "绩", "廉"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "evidence"), exist_ok=True)
    for f, name, office, instr, rank, zd, xf, over, votes, awards, note in CADRES:
        facts = dict(ZERO)
        facts.update(over)
        out = [f"# {name} 机关干部岗位目标考核证据（示例数据，虚构，非真实考核结果）",
               f"# 用途：{note}。", f'unit "{name}"', f"group {office}", "",
               "# ---- 1 线上工作",
               f'线上名次: {rank}                      source "区委、区府对各线考核结果通报"',
               "# ---- 2、3 农村指导员工作、信访稳定工作",
               f"是指导员: {'yes' if instr else 'no'}"]
        if instr:
            out += [f'指导员工作得分: {zd}                source "所驻村打分表"',
                    f'信访稳定得分: {xf}                  source "综治办打分表"']
        else:
            out += ["# 非指导员：以下两项不被读取，本人取指导员平均分",
                    "指导员工作得分: 0", "信访稳定得分: 0"]
        out.append("# ---- 4 机关制度")
        for k, v in facts.items():
            if isinstance(v, list):
                if not v:
                    out.append(f"{k}: []")
                for what, pts in v:
                    out.append(f'{k} += {{ 事由: "{what}", 扣分: {pts} }}   source "各办主任考核记录"')
            else:
                out.append(f"{k}: {v}")
        out.append("# ---- 5 民主评议（20人参加测评）")
        for aspect, counts in zip(ASPECTS, votes):
            assert sum(counts) == 20
            body = ", ".join(f"{v}: {c}" for v, c in zip(VALUES, counts))
            out.append(f'{aspect}: {{ {body} }}   source "民主测评表汇总"')
        out.append("# ---- 先进奖励")
        if not awards:
            out.append("先进事迹: []")
        for what, q, s, p, g in awards:
            out.append(f'先进事迹 += {{ 内容: "{what}", 区: {q}, 市: {s}, 省: {p}, 国家: {g} }}   source "表彰文件"')
        with open(os.path.join(here, "evidence", f + ".txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
