"""A Python geocoding baseline over the same gazetteer (Caravan's compact file): a dict for exact
normal forms, rapidfuzz's extractOne (WRatio) over every name for misspellings.
usage: geocode_rapidfuzz.py GAZETTEER.tsv N
       geocode_rapidfuzz.py table GAZETTEER.tsv IN.csv COLUMN OUT.csv   (whole process: read, match, write)"""
import csv, random, sys, time, unicodedata

def norm(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c)).replace("-", " ")

if sys.argv[1] == "table":
    # The whole-process peer of `caravan geocode`: the table read with the csv module, every row's
    # place looked up in a dict of the gazetteer's normal forms (name and aliases, the most populous
    # place first), every input column written as read plus the match columns and lon/lat.
    gaz, src, column, dst = sys.argv[2:6]
    exact = {}
    rows = []
    for line in open(gaz, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        rows.append((int(f[6] or 0), f))
    rows.sort(key=lambda r: -r[0])
    for _, f in rows:
        for nm in [f[7]] + (f[8].split("|") if f[8] else []):
            exact.setdefault(nm, (f[1], f[4], f[3], f[2]))
    with open(src, newline="", encoding="utf-8-sig") as fi, open(dst, "w", newline="", encoding="utf-8") as fo:
        r = csv.reader(fi)
        w = csv.writer(fo, lineterminator="\n")
        header = next(r)
        k = header.index(column)
        w.writerow(header + ["match_status", "match_name", "match_country", "match_score", "lon", "lat"])
        for row in r:
            m = exact.get(norm(row[k]).strip())
            w.writerow(row + (["matched", m[0], m[1], "1", m[2], m[3]] if m else ["unmatched", "", "", "0", "", ""]))
    sys.exit(0)

from rapidfuzz import process, fuzz
from rapidfuzz.distance import OSA

path, n = sys.argv[1], int(sys.argv[2])
t0 = time.time()
names, owner, places = [], [], []
for line in open(path, encoding="utf-8"):
    if line.startswith("#"):
        continue
    f = line.rstrip("\n").split("\t")
    places.append((f[1], int(f[6] or 0)))
    for nm in [f[7]] + (f[8].split("|") if f[8] else []):
        names.append(nm); owner.append(len(places) - 1)
exact = {}
for nm, o in zip(names, owner):
    exact.setdefault(nm, o)
load = time.time() - t0
big = [p[0] for p in places if p[1] > 20000]
random.seed(1)
qs = [random.choice(big) for _ in range(n)]
def typo(s):
    c = list(s)
    if len(c) > 4:
        i = random.randrange(1, len(c) - 2); c[i], c[i + 1] = c[i + 1], c[i]
    return "".join(c)
fq = [typo(random.choice(big)) for _ in range(max(1, n // 100))]
t = time.time(); m = sum(1 for q in qs if norm(q) in exact); er = len(qs) / (time.time() - t)
t = time.time(); fm = sum(1 for q in fq if process.extractOne(norm(q), names, scorer=fuzz.WRatio, score_cutoff=85) is not None); fr = len(fq) / (time.time() - t)
# A fairer second form, closer to Caravan's own filter: only names with the query's first letter
# and length within 3, scored by the same OSA distance (rapidfuzz's C++ bit-parallel code).
by_first = {}
for nm in set(names):
    if nm:
        by_first.setdefault(nm[0], []).append(nm)
fq2 = [typo(random.choice(big)) for _ in range(max(1, n // 20))]
def osa_lookup(q):
    q = norm(q)
    cands = [c for c in by_first.get(q[:1], []) if abs(len(c) - len(q)) <= 3]
    return process.extractOne(q, cands, scorer=OSA.distance, score_cutoff=2)
t = time.time(); fm2 = sum(1 for q in fq2 if osa_lookup(q) is not None); fr2 = len(fq2) / (time.time() - t)
print(f"load {load*1000:.0f} ms; exact {er:.0f} queries/s ({m}/{len(qs)}); rapidfuzz fuzzy (WRatio over every name) {fr:.1f} queries/s ({fm}/{len(fq)}); "
      f"rapidfuzz OSA within the first letter {fr2:.0f} queries/s ({fm2}/{len(fq2)})")
