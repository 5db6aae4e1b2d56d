#!/usr/bin/env python3
"""Writes examples/dinghai-2021/evidence/*.txt from the table below (示例数据，虚构).

The numbers are chosen by hand to exercise the scheme, not drawn at random:
  - 城东司法所 scores 96 + 5 innovation = 101: above 100, the extra at work;
  - 城东市场监督管理所 and 城东派出所 tie at 93 for the last 优秀 place (quota ⌊10 × 20%⌋ = 2):
    the tied pair does not fit, so neither is 优秀 (the quota is never exceeded);
  - 城东自然资源和规划所's innovations add up to 5 + 3 + 2 + 1 = 11, capped at 10;
  - 城东交警中队 scores exactly 80 (良好's threshold), 城东税务所 59.5 (below 合格's 60).
Run: python3 make_evidence.py   (rewrites evidence/; the output is checked in)
"""
import os

ITEMS = ["服务中心得分", "履行职能得分", "作风效能得分", "队伍建设得分",
         "参与平台得分", "工单办理得分", "满意度得分"]
PATHS = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"]

# file, unit, group, staff, item scores (7), self scores (7), self 3.1, innovations [(name, level)]
AGENCIES = [
    ("sifasuo", "城东司法所", "独立派驻", 6,
     [10, 9.5, 14.5, 14, 19, 19.5, 9.5], [10, 10, 15, 14.5, 19.5, 20, 10], 5,
     [("“枫桥式”司法所矛盾纠纷一站式调处", "省"), ("社区矫正“云监管”", "市")]),
    ("shichangjianguan", "城东市场监督管理所", "独立派驻", 9,
     [9.5, 9, 14, 14, 18.5, 18, 9], [10, 9.5, 14.5, 14.5, 19, 19, 9.5], 1,
     [("农贸市场“阳光厨房”", "区")]),
    ("ziranziyuan", "城东自然资源和规划所", "独立派驻", 5,
     [8, 8, 12, 12, 15, 15, 8], [9, 9, 13, 13, 17, 17, 9], 10,
     [("“浙地智用”土地卫片执法", "国家"), ("违法用地“早发现”网格", "省"),
      ("宅基地审批“最多跑一次”", "市"), ("耕地保护田长制", "区")]),
    ("zhifa", "城东综合行政执法中队", "独立派驻", 12,
     [8.5, 8.5, 13, 12.5, 17, 17.5, 8.5], [9, 9, 14, 13.5, 18, 18, 9], 0, []),
    ("paichusuo", "城东派出所", "独立派驻", 24,
     [9, 9, 13, 13, 17.5, 17.5, 9], [9.5, 9.5, 14, 14, 19, 19, 9.5], 5,
     [("“海上枫桥”警务模式", "国家")]),
    ("jiaojing", "城东交警中队", "区域设置", 18,
     [8, 8, 12, 12, 16, 16, 8], [9, 9, 13.5, 13.5, 18, 18, 9], 0, []),
    ("laobao", "城东劳动保障监察中队", "区域设置", 4,
     [7.5, 8, 11.5, 12, 15.5, 15, 8], [8.5, 8.5, 13, 13, 17, 17, 9], 2,
     [("欠薪“码上办”", "区"), ("农民工工资专户巡查", "区")]),
    ("shengtai", "城东生态环境监督站", "区域设置", 3,
     [7, 7, 10, 11, 13, 12, 7], [8, 8, 12, 12, 16, 16, 8], 0, []),
    ("shuiwu", "城东税务所", "区域设置", 7,
     [6, 6.5, 9, 9.5, 12, 10.5, 6], [8, 8, 12, 12, 16, 15, 8], 0, []),
    ("xiaofang", "城东消防救援站", "区域设置", 15,
     [9, 9, 13.5, 13.5, 18, 17.5, 9], [9.5, 9.5, 14, 14, 19, 19, 9.5], 0, []),
]

def num(x):
    return str(x) if isinstance(x, int) or x != int(x) else str(int(x))

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "evidence")
    os.makedirs(out, exist_ok=True)
    for f, unit, group, staff, scores, selfs, self_bonus, innov in AGENCIES:
        base = sum(scores)
        bonus = min(10, sum({"国家": 5, "省": 3, "市": 2, "区": 1}[l] for _, l in innov))
        lines = [f"# {unit} 2021年度派驻机构考核证据（示例数据，虚构，非真实考核结果）",
                 f"# 测评表得分合计 {num(base)}，创新附加 {num(bonus)}，预期总分 {num(base + bonus)}。",
                 f'unit "{unit}"', f"group {group}", ""]
        lines.append("# ---- 测评表得分（街道“四个平台”绩效考核（协调）组）")
        for name, s in zip(ITEMS, scores):
            lines.append(f"{name}: {num(s)}".ljust(32) + ' source "《城东街道派驻机构考核测评表》2021年度"')
        lines.append("# ---- 创新工作（每项取获得肯定的最高层次）")
        if innov:
            for name, level in innov:
                lines.append(f'创新工作 += {{ 名称: "{name}", 层次: {level} }}'.ljust(56) + ' source "上级肯定、推广文件"')
        else:
            lines.append("创新工作: []")
        lines.append(f"人数: {staff}".ljust(32) + ' source "派驻机构人员花名册 2021-12"')
        lines.append("# ---- 自评（《城东街道派驻机构考核自评表》）")
        for path, s in zip(PATHS, selfs):
            lines.append(f"self {path}: {num(s)}".ljust(32) + ' source "《城东街道派驻机构考核自评表》"')
        lines.append(f"self 3.1: {num(self_bonus)}".ljust(32) + ' source "《城东街道派驻机构考核自评表》"')
        with open(os.path.join(out, f + ".txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
