"""Generate samples/events/seizures.csv: SYNTHETIC seizure records for exercises.

Seeded and reproducible (python3 make_seizures.py OUT.csv). Places are concentrated along the
known corridors and near the border crossings (weights below), written as officers type them:
English and Russian, transliteration variants, decorations ("г.", "near", "district"), some
typos, and a few coordinate pairs near crossings. Standard library only.

Two trends are built in, for the emerging hot spot exercise (caravan emerging):
- a NEW CORRIDOR in 2023: every seizure at Ishkashim and Murghab (the Pamir road from the
  Wakhan to the Kyrgyz border) falls in 2023, more of them each month;
- a DIMINISHING CROSSING: seizures at Termez and Hairatan (the Friendship Bridge) are frequent
  in 2021 and fall off steadily to 2023 (an operation and a new scanner, in the story).
Every other place's dates are uniform over 2021-2023. The trends only move dates: places,
spellings, drugs and amounts are drawn exactly as before (the trend dates come from a second,
separately seeded generator), so every row still geocodes as it did.
"""
import csv, random, sys

random.seed(20221209)
out = sys.argv[1] if len(sys.argv) > 1 else "seizures.csv"

# (country, weight, spellings...) — weights favour border towns on the corridors.
PLACES = [
    ("UZ", 9, "Termez", "Termiz", "Термез", "г. Термез", "near Termez", "Termez city"),
    ("AF", 5, "Hairatan", "Hayratan", "Хайратан"),
    ("TJ", 7, "Panj", "Pyanj", "Пяндж", "Panj district", "Nizhny Panj"),
    ("TJ", 5, "Panji Poyon", "Нижний Пяндж"),
    ("AF", 4, "Sherkhan Bandar", "Shir Khan Bandar"),
    ("AF", 5, "Kunduz", "Kondoz", "Кундуз"),
    ("AF", 4, "Mazar-i-Sharif", "Mazar-e Sharif", "Мазари-Шариф"),
    ("TJ", 8, "Dushanbe", "Душанбе", "г. Душанбе", "Dushanbe city"),
    ("TJ", 6, "Khorog", "Khorugh", "Хорог", "Khorog (GBAO)"),
    ("TJ", 3, "Ishkashim", "Ishkoshim", "Ишкашим"),
    ("TJ", 3, "Murghab", "Murghob", "Мургаб"),
    ("TJ", 5, "Bokhtar", "Kurgan-Tyube", "Курган-Тюбе", "Qurghonteppa"),
    ("TJ", 4, "Kulob", "Kulyab", "Куляб"),
    ("TJ", 3, "Khujand", "Худжанд", "Leninabad"),
    ("KG", 7, "Osh", "Ош", "г. Ош", "Osh city"),
    ("KG", 4, "Batken", "Баткен"),
    ("KG", 6, "Bishkek", "Бишкек", "Frunze", "г. Бишкек"),
    ("KG", 2, "Karakol", "Каракол"),
    ("KZ", 6, "Almaty", "Алматы", "Alma-Ata", "Алма-Ата"),
    ("KZ", 4, "Korday", "Kordai", "Кордай"),
    ("KZ", 5, "Shymkent", "Chimkent", "Шымкент"),
    ("KZ", 4, "Saryagash", "Saryaghash", "Сарыагаш"),
    ("KZ", 3, "Kyzylorda", "Кызылорда"),
    ("KZ", 2, "Aktobe", "Aktyubinsk", "Актобе"),
    ("KZ", 3, "Khorgos", "Хоргос"),
    ("KZ", 2, "Astana", "Nur-Sultan", "Астана"),
    ("UZ", 7, "Tashkent", "Toshkent", "Ташкент", "г. Ташкент"),
    ("UZ", 4, "Samarkand", "Samarqand", "Самарканд"),
    ("UZ", 3, "Karshi", "Qarshi", "Карши"),
    ("UZ", 3, "Bukhara", "Buxoro", "Бухара"),
    ("UZ", 2, "Nukus", "Нукус"),
    ("UZ", 2, "Andijan", "Andijon", "Андижан"),
    ("TM", 5, "Ashgabat", "Ashkhabad", "Ашхабад", "Akhshabad"),
    ("TM", 4, "Serhetabat", "Kushka", "Кушка"),
    ("TM", 4, "Turkmenabat", "Chardzhou", "Туркменабат"),
    ("TM", 3, "Mary", "Мары"),
    ("TM", 3, "Farap", "Фарап"),
    ("TM", 3, "Sarakhs", "Серахс"),
    ("TM", 2, "Turkmenbashi", "Krasnovodsk", "Туркменбаши"),
    ("AF", 3, "Herat", "Герат"),
    ("AF", 2, "Torghundi", "Turgundi"),
]
# Coordinates near crossings, for the rows an officer filled in with a GPS fix.
FIXES = [(37.23, 67.41), (37.18, 68.60), (37.50, 71.52), (39.68, 73.95), (43.00, 74.71), (41.43, 69.35), (35.27, 62.35), (39.30, 63.70)]
DRUGS = [("heroin", 30), ("opium", 20), ("hashish", 25), ("methamphetamine", 8), ("new psychoactive substances", 7), ("acetic anhydride", 6), ("cannabis", 4)]
AGENCIES = {
    "UZ": ["State Customs Committee", "Border Troops of the SSS", "MIA Counter Narcotics"],
    "TJ": ["Drug Control Agency", "Border Troops of the SCNS", "Customs Service"],
    "KG": ["MIA Counter Narcotics Service", "Border Service of the SCNS", "State Customs Service"],
    "KZ": ["MIA Counter Narcotics", "Border Service of the NSC", "State Revenue Committee (customs)"],
    "TM": ["State Border Service", "State Customs Service", "MIA"],
    "AF": ["Counter Narcotics Police", "Border Police"],
}

def typo(s):
    if len(s) < 5 or not s.isascii():
        return s
    i = random.randrange(1, len(s) - 2)
    kind = random.choice(("swap", "drop", "double"))
    if kind == "swap":
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if kind == "drop":
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]

NEW_CORRIDOR = {"Ishkashim", "Murghab"}
DIMINISHING = {"Termez", "Hairatan"}
trend = random.Random(2023)

def trend_date(name, y, m, d):
    """The date of a seizure at a place with a built-in trend (else the uniform date)."""
    if name in NEW_CORRIDOR:
        m = trend.choices(range(1, 13), weights=range(1, 13))[0]      # 2023 only, rising month by month
        return 2023, m, trend.randint(1, 28)
    if name in DIMINISHING:
        k = trend.choices(range(36), weights=[54 - i for i in range(36)])[0]   # falling steadily to a third over the 36 months
        return 2021 + k // 12, k % 12 + 1, trend.randint(1, 28)
    return y, m, d

weights = [p[1] for p in PLACES]
drug_w = [d[1] for d in DRUGS]
rows = []
for n in range(1, 3001):
    y = random.choice((2021, 2022, 2023)); m = random.randint(1, 12); d = random.randint(1, 28)
    drug = random.choices([d[0] for d in DRUGS], drug_w)[0]
    if random.random() < 0.03:
        lat, lon = random.choice(FIXES)
        lat += random.gauss(0, 0.05); lon += random.gauss(0, 0.05)
        place = f"{lat:.4f}, {lon:.4f}"
        country = ""
        agency = "Border Troops"
    else:
        p = random.choices(PLACES, weights)[0]
        country = p[0]
        if random.random() < 0.06:
            place = typo(p[2])          # officers misspell the name itself, not "city"
        else:
            place = random.choice(p[2:])
        agency = random.choice(AGENCIES.get(country, ["Customs"]))
        y, m, d = trend_date(p[2], y, m, d)
    scale = {"heroin": 3, "opium": 8, "hashish": 10, "methamphetamine": 1, "new psychoactive substances": 0.5,
             "acetic anhydride": 200, "cannabis": 15}[drug]
    amount = round(random.lognormvariate(0, 1.2) * scale, 3)
    rows.append([n, f"{y}-{m:02d}-{d:02d}", place, country, drug, amount, agency])
rows.sort(key=lambda r: (r[1], r[0]))
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "date", "place", "country", "drug", "amount_kg", "agency"])
    w.writerows(rows)
print(f"wrote {len(rows)} synthetic rows to {out}", file=sys.stderr)
