#!/usr/bin/env python3
"""Held-out evaluation of the bar-raiser scorer (standard library only).

Usage: python3 eval/evaluate.py path/to/bar-raiser [--set N] [--details]

Reads eval/heldout.jsonl and eval/pairs.jsonl (or heldoutN.jsonl and pairsN.jsonl with --set N),
scores every text with `bar-raiser score --jsonl`, and prints: AUC of `total` strong-vs-weak
(overall and for answers of 150+ words), accuracy of a 50-point threshold, the share of pairs where
the improved answer scores higher, recall per expected flag and overall, flags raised on strong
answers (false alarms), and metamorphic checks on the strong answers (numbers removed, "I" turned
into "we", made hypothetical, ending cut, repeated, whitespace changed).
With --details, lists every misranked, misclassified or misflagged case.
"""
import re
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLD = 50


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(binary, items):
    """items: list of (id, answer, question|None) -> dict id -> score object."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        for i, a, q in items:
            row = {"id": i, "answer": a}
            if q:
                row["question"] = q
            tmp.write(json.dumps(row, ensure_ascii=False) + "\n")
        path = tmp.name
    try:
        out = subprocess.run([binary, "score", "--jsonl", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        sys.exit(f"scorer failed (exit {out.returncode}):\n{out.stderr}")
    res = {}
    for line in out.stdout.splitlines():
        if line.strip():
            obj = json.loads(line)
            res[obj["id"]] = obj
    missing = [i for i, _, _ in items if i not in res]
    if missing:
        sys.exit(f"scorer returned no result for: {missing}")
    return res


def auc(pos, neg):
    """Probability a random positive outscores a random negative (ties count 1/2)."""
    if not pos or not neg:
        return float("nan")
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))


def words(text):
    return len(text.split())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    details = "--details" in sys.argv[2:]
    suffix = ""
    if "--set" in sys.argv[2:]:
        suffix = sys.argv[sys.argv.index("--set") + 1]
        suffix = "" if suffix == "1" else suffix
    rows = load(f"heldout{suffix}.jsonl")
    pairs = load(f"pairs{suffix}.jsonl")

    res = score(binary, [(r["id"], r["answer"], r.get("question")) for r in rows])
    pitems = []
    for p in pairs:
        pitems.append((p["id"] + ":original", p["original"], None))
        pitems.append((p["id"] + ":improved", p["improved"], None))
    pres = score(binary, pitems)

    strong = [r for r in rows if r["label"] == "strong"]
    weak = [r for r in rows if r["label"] == "weak"]
    tot = lambda r: res[r["id"]]["total"]
    print(f"held-out answers: {len(rows)} ({len(strong)} strong, {len(weak)} weak); pairs: {len(pairs)}")
    print(f"AUC (all): {auc([tot(r) for r in strong], [tot(r) for r in weak]):.3f}")
    s150 = [r for r in strong if words(r["answer"]) >= 150]
    w150 = [r for r in weak if words(r["answer"]) >= 150]
    print(f"AUC (150+ words; {len(s150)} strong, {len(w150)} weak): "
          f"{auc([tot(r) for r in s150], [tot(r) for r in w150]):.3f}")
    correct = sum(1 for r in strong if tot(r) >= THRESHOLD) + sum(1 for r in weak if tot(r) < THRESHOLD)
    print(f"accuracy at threshold {THRESHOLD}: {correct}/{len(rows)} = {correct / len(rows):.3f} "
          f"(strong >= {THRESHOLD}: {sum(1 for r in strong if tot(r) >= THRESHOLD)}/{len(strong)}, "
          f"weak < {THRESHOLD}: {sum(1 for r in weak if tot(r) < THRESHOLD)}/{len(weak)})")
    print(f"mean total: strong {sum(map(tot, strong)) / len(strong):.1f}, weak {sum(map(tot, weak)) / len(weak):.1f}")

    better = [p for p in pairs if pres[p["id"] + ":improved"]["total"] > pres[p["id"] + ":original"]["total"]]
    print(f"pairs improved > original: {len(better)}/{len(pairs)} = {len(better) / len(pairs):.3f}")

    # flag recall
    per_flag = {}
    for r in weak + strong:
        raised = set(res[r["id"]].get("flags", []))
        for f in r.get("expected_flags", []):
            hit, n = per_flag.get(f, (0, 0))
            per_flag[f] = (hit + (f in raised), n + 1)
    print("flag recall (raised / expected):")
    th = tn = 0
    for f in sorted(per_flag, key=lambda k: (-per_flag[k][1], k)):
        hit, n = per_flag[f]
        th += hit
        tn += n
        print(f"  {f:18s} {hit}/{n}")
    print(f"  {'overall':18s} {th}/{tn} = {th / tn:.3f}")
    fa = [(r["id"], res[r["id"]].get("flags", [])) for r in strong if res[r["id"]].get("flags")]
    nfa = sum(len(f) for _, f in fa)
    print(f"false-alarm flags on strong answers: {nfa} flags on {len(fa)}/{len(strong)} answers")
    counts = {}
    for _, fl in fa:
        for f in fl:
            counts[f] = counts.get(f, 0) + 1
    for f, c in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {f:18s} {c}")

    metamorphic(binary, strong)

    if details:
        print("\n== misclassified at threshold (strong < 50 or weak >= 50) ==")
        for r in sorted(rows, key=lambda r: r["id"]):
            t = tot(r)
            if (r["label"] == "strong") != (t >= THRESHOLD):
                print(f"  {r['id']} {r['label']:6s} total={t:3d} words={words(r['answer'])} "
                      f"flags={res[r['id']].get('flags', [])}")
        print("\n== weak answers scoring above the lowest-scoring strong answer (misranked) ==")
        min_strong = min(map(tot, strong))
        max_weak = max(map(tot, weak))
        for r in sorted(weak, key=lambda r: -tot(r)):
            if tot(r) > min_strong:
                print(f"  {r['id']} weak total={tot(r)} flags={res[r['id']].get('flags', [])}")
        print("  -- strong answers below the highest-scoring weak answer --")
        for r in sorted(strong, key=tot):
            if tot(r) < max_weak:
                print(f"  {r['id']} strong total={tot(r)} flags={res[r['id']].get('flags', [])}")
        print("\n== missed expected flags ==")
        for r in sorted(weak, key=lambda r: r["id"]):
            raised = set(res[r["id"]].get("flags", []))
            miss = [f for f in r["expected_flags"] if f not in raised]
            if miss:
                print(f"  {r['id']} total={tot(r)} missed={miss} raised={sorted(raised)}")
        print("\n== flags raised on strong answers ==")
        for i, fl in fa:
            print(f"  {i} total={res[i]['total']} flags={fl}")
        print("\n== pairs not improved ==")
        for p in pairs:
            o, im = pres[p["id"] + ":original"], pres[p["id"] + ":improved"]
            if im["total"] <= o["total"]:
                print(f"  {p['id']} original={o['total']} {o.get('flags', [])} "
                      f"improved={im['total']} {im.get('flags', [])}")
        print("\n== all scores ==")
        for r in sorted(rows, key=lambda r: (r["label"], -tot(r))):
            x = res[r["id"]]
            dims = " ".join(f"{k[:4]}={v['score']}/{v['max']}" for k, v in x.get("dimensions", {}).items())
            print(f"  {r['id']} {r['label']:6s} {x['total']:3d} {dims} flags={x.get('flags', [])}")
        for p in pairs:
            print(f"  {p['id']} pair  {pres[p['id'] + ':original']['total']:3d} -> {pres[p['id'] + ':improved']['total']:3d}")


# Metamorphic variants: (name, transform, dimension that must drop, or None for "total unchanged").
def drop_numbers(text):
    return re.sub(r"[$€£]?\d[\d,.]*\s*(%|percent|x|k|ms|s|h|days?|hours?|minutes?|weeks?)?", "", text)


def i_to_we(text):
    # Typed answers often write the pronoun in lower case ("i checked the logs").
    out = re.sub(r"\b[Ii]\b", "we", text)
    out = re.sub(r"\b(my|My)\b", lambda m: "our" if m.group(1) == "my" else "Our", out)
    out = re.sub(r"\bme\b", "us", out)
    return re.sub(r"(^|[.!?]\s+)we\b", lambda m: m.group(1) + "We", out)


def hypothetical(text):
    out = re.sub(r"\bI (\w+ed)\b", r"I would have \1", text)
    return "If this happened to me, this is what I would do. " + out


def cut_ending(text):
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    keep = max(1, int(len(sentences) * 0.6))
    return " ".join(sentences[:keep])


def repeat(text):
    return text + " " + text


def whitespace(text):
    return "  " + re.sub(r" ", "   ", text) + "\n\n"


VARIANTS = [
    ("numbers removed", drop_numbers, "result"),
    ("I -> we", i_to_we, "ownership"),
    ("hypothetical", hypothetical, "authenticity"),
    ("ending cut", cut_ending, "result"),
    ("repeated", repeat, "structure"),
    ("whitespace", whitespace, None),
]


def metamorphic(binary, strong):
    items = []
    for r in strong:
        items.append((r["id"] + ":orig", r["answer"], None))
        for name, fn, _ in VARIANTS:
            items.append((r["id"] + ":" + name, fn(r["answer"]), None))
    res = score(binary, items)
    print("metamorphic checks on strong answers (dimension must drop, or total unchanged):")
    for name, fn, dim in VARIANTS:
        ok = total = 0
        fails = []
        for r in strong:
            o, v = res[r["id"] + ":orig"], res[r["id"] + ":" + name]
            if fn(r["answer"]) == r["answer"]:
                continue
            total += 1
            if dim is None:
                good = o["total"] == v["total"]
            else:
                good = v["dimensions"][dim]["score"] < o["dimensions"][dim]["score"]
            ok += good
            if not good:
                fails.append(r["id"])
        print(f"  {name:16s} {ok}/{total}" + (f"  fails: {fails}" if fails else ""))


if __name__ == "__main__":
    main()
