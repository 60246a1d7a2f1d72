"""Precision and recall of (date, place) pairs against samples/reports/eval/labels.csv.

    python extract_score.py LABELS.csv REPORTS_ROOT caravan-events.csv [peer.csv ...] [--details]

A predicted pair is right when its document and its first and last day equal a labelled event's
and its place matches one of the label's names. Places match after lower-casing and dropping
everything but letters and the generic words (region, oblast, district, область, района, г. …),
when equal, or when one starts with the other and the shorter has 4 letters or more (Russian case
endings: "Ташкентской" ~ "Ташкентская"). Each label is matched at most once; a system's pairs are
counted once per (document, days, place). caravan's place is its match_name (the gazetteer's) or
its place_text (as written), either may match; a peer's is the text it found.
"""
import csv
import os
import re
import sys
from collections import defaultdict

GENERIC = r"\b(region|oblast|province|district|city|village|velayat|viloyati|autonomous|области|область|района|районе|район|города|город|г)\b"


def norm(s):
    s = s.lower().replace("ё", "е")
    s = re.sub(GENERIC, " ", s)
    return re.sub(r"[^a-zа-я]", "", s)


def same_place(a, b):
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and long_.startswith(short):
        return True
    # Cyrillic case and gender endings ("ташкентской" ~ "ташкентская", "хороге" ~ "хорог"):
    # the same stem when the two differ only in their last two letters.
    cyrillic = all("а" <= ch <= "я" for ch in a + b)
    return cyrillic and len(short) >= 5 and len(long_) - len(short) <= 2 and long_[:len(short) - 2] == short[:-2]


def lang_of(doc):
    return doc.split("/")[0]


def load_labels(path):
    out = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        out.append((r["document"], r["date_start"], r["date_end"], r["place"].split("|")))
    return out


def load_system(path, root):
    """→ system name, [(document, start, end, [place strings])]"""
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    if rows and "system" in rows[0]:
        return rows[0]["system"], [(r["document"], r["date_start"], r["date_end"], [r["place"]]) for r in rows]
    out = []
    for r in rows:
        doc = os.path.relpath(os.path.abspath(r["document"]), os.path.abspath(root))
        out.append((doc, r["date_start"], r["date_end"], [r.get("match_name") or "", r.get("place_text") or ""]))
    return "caravan", out


def score(labels, preds):
    seen, uniq = set(), []
    for d, a, b, places in preds:
        key = (d, a, b, norm(places[-1]) if places else "")
        if key not in seen:
            seen.add(key)
            uniq.append((d, a, b, places))
    used = set()
    tp, wrong = 0, []
    for d, a, b, places in uniq:
        hit = next((i for i, (ld, la, lb, lp) in enumerate(labels)
                    if i not in used and ld == d and la == a and lb == b and any(same_place(p, q) for p in places if p for q in lp)), None)
        if hit is None:
            wrong.append((d, a, b, places))
        else:
            used.add(hit)
            tp += 1
    missed = [labels[i] for i in range(len(labels)) if i not in used]
    return tp, len(uniq), len(labels), wrong, missed


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    details = "--details" in sys.argv
    labels = load_labels(args[0])
    root = args[1]
    systems = [load_system(p, root) for p in args[2:]]
    print("| system | language | labelled | pairs given | right | precision | recall |")
    print("|---|---|---:|---:|---:|---:|---:|")
    notes = []
    for name, preds in systems:
        for lang in ("en", "ru", "all"):
            ls = [l for l in labels if lang == "all" or lang_of(l[0]) == lang]
            ps = [p for p in preds if lang == "all" or lang_of(p[0]) == lang]
            if not ps and lang != "all" and name == "natasha" and lang == "en":
                continue
            tp, n, m, wrong, missed = score(ls, ps)
            p = tp / n if n else 0.0
            r = tp / m if m else 0.0
            print(f"| {name} | {lang} | {m} | {n} | {tp} | {p:.2f} | {r:.2f} |")
            if lang == "all":
                notes.append((name, wrong, missed))
    if details:
        for name, wrong, missed in notes:
            print(f"\n{name}: {len(wrong)} wrong pairs, {len(missed)} labelled events missed")
            for d, a, b, places in wrong:
                print(f"- wrong: {d} {a}…{b} {' / '.join(places)}")
            for d, a, b, places in missed:
                print(f"- missed: {d} {a}…{b} {places[0]}")


if __name__ == "__main__":
    main()
