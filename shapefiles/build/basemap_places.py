"""Writes Sources/CaravanKit/Resources/basemap_places.tsv: the towns `caravan render` may label,
with their Russian names, from the prepared GeoNames extract (CC BY 4.0).

Towns of 50,000 people or more inside lon 20..120, lat 10..70, plus every capital of the region.
Districts within ~15 km of a bigger town are left out. The English name is GeoNames' ASCII name.
The Russian name is the GeoNames alternate name written only in Russian letters (Kazakh, Uzbek,
Tajik, Kyrgyz, Ukrainian and Serbian letters excluded), the one that is most often repeated and,
among those, the one closest to the English name's length; a few are fixed by hand below.
Usage: python3 shapefiles/build/basemap_places.py /work/shared/data/central_asia_gazetteer.tsv
"""
import sys, re, collections

CAPITALS = {("Astana", "KZ"), ("Nur-Sultan", "KZ"), ("Bishkek", "KG"), ("Dushanbe", "TJ"), ("Ashgabat", "TM"),
            ("Tashkent", "UZ"), ("Kabul", "AF"), ("Tehran", "IR"), ("Islamabad", "PK"), ("Beijing", "CN"),
            ("Moscow", "RU"), ("Ulaanbaatar", "MN"), ("Baku", "AZ"), ("Tbilisi", "GE"), ("Yerevan", "AM"),
            ("New Delhi", "IN"), ("Baghdad", "IQ"), ("Ankara", "TR"), ("Kathmandu", "NP"), ("Riyadh", "SA"),
            ("Kuwait City", "KW"), ("Thimphu", "BT"), ("Dhaka", "BD"), ("Muscat", "OM"), ("Doha", "QA"),
            ("Abu Dhabi", "AE"), ("Manama", "BH"), ("Damascus", "SY")}
FIXED = {"Almaty": "Алматы", "Astana": "Астана", "Nur-Sultan": "Астана", "Tashkent": "Ташкент", "Bishkek": "Бишкек",
         "Dushanbe": "Душанбе", "Ashgabat": "Ашхабад", "Kabul": "Кабул", "Shymkent": "Шымкент", "Osh": "Ош",
         "Samarkand": "Самарканд", "Bukhara": "Бухара", "Namangan": "Наманган", "Andijan": "Андижан",
         "Khujand": "Худжанд", "Mazar-e Sharif": "Мазари-Шариф", "Herat": "Герат", "Kandahar": "Кандагар",
         "Tehran": "Тегеран", "Mashhad": "Мешхед", "Urumqi": "Урумчи", "Karaganda": "Караганда",
         "Aktobe": "Актобе", "Taraz": "Тараз", "Pavlodar": "Павлодар", "Oskemen": "Усть-Каменогорск",
         "Semey": "Семей", "Atyrau": "Атырау", "Kostanay": "Костанай", "Kyzylorda": "Кызылорда",
         "Oral": "Уральск", "Petropavl": "Петропавловск", "Aktau": "Актау", "Türkmenabat": "Туркменабад",
         "Dashoguz": "Дашогуз", "Mary": "Мары", "Nukus": "Нукус", "Termez": "Термез", "Qarshi": "Карши",
         "Fergana": "Фергана", "Kokand": "Коканд", "Jalal-Abad": "Джалал-Абад", "Karakol": "Каракол",
         "Kunduz": "Кундуз", "Jalalabad": "Джелалабад", "Peshawar": "Пешавар", "Islamabad": "Исламабад",
         "Quetta": "Кветта", "Kashgar": "Кашгар", "Novosibirsk": "Новосибирск", "Omsk": "Омск",
         "Orenburg": "Оренбург", "Astrakhan": "Астрахань", "Baku": "Баку", "Turkestan": "Туркестан",
         "Ekibastuz": "Экибастуз", "Temirtau": "Темиртау", "Kokshetau": "Кокшетау", "Taldykorgan": "Талдыкорган",
         "Balkanabat": "Балканабат", "Navoiy": "Навои", "Jizzax": "Джизак", "Urganch": "Ургенч",
         "Kulob": "Куляб", "Bokhtar": "Бохтар", "Istaravshan": "Истаравшан", "Tokmok": "Токмок",
         "Ghazni": "Газни", "Lashkar Gah": "Лашкаргах", "Pul-e Khumri": "Пули-Хумри", "Taloqan": "Талукан",
         "Fayzabad": "Файзабад", "Barnaul": "Барнаул", "Chelyabinsk": "Челябинск", "Yekaterinburg": "Екатеринбург",
         "Samara": "Самара", "Saratov": "Саратов", "Volgograd": "Волгоград", "Lahore": "Лахор",
         "Karachi": "Карачи", "Rawalpindi": "Равалпинди", "Faisalabad": "Фейсалабад", "Multan": "Мултан", "Beijing": "Пекин", "Moscow": "Москва", "Dhaka": "Дакка",
         "Abu Dhabi": "Абу-Даби", "Damascus": "Дамаск", "New Delhi": "Нью-Дели", "Ust-Kamenogorsk": "Усть-Каменогорск",
         "Dasoguz": "Дашогуз", "Jalal-Abad": "Джалал-Абад", "Manas": "Джалал-Абад", "Riyadh": "Эр-Рияд", "Kuwait City": "Эль-Кувейт",
         "Turkmenabat": "Туркменабад", "Tirmiz": "Термез", "Qo'qon": "Коканд"}
RENAMED = {"1528249": "Jalal-Abad"}  # GeoNames calls it "Manas" (see Gazetteer.corrections)
ONLY_RUSSIAN = re.compile(r"^[А-ЯЁа-яё][А-ЯЁа-яё\- ]*$")

def main(src, out):
    rows = []
    with open(src, encoding="utf-8") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            gid, name, alt, lat, lon, cc, pop = p[0], p[2] or p[1], p[3], float(p[4]), float(p[5]), p[6], int(p[8] or 0)
            name = RENAMED.get(gid, name)
            capital = (name, cc) in CAPITALS
            if not (20 <= lon <= 120 and 10 <= lat <= 70): continue
            if pop < 50000 and not capital: continue
            cands = [a for a in alt.split("|") if ONLY_RUSSIAN.match(a)]
            ru = FIXED.get(name)
            if ru is None and cands:
                counts = collections.Counter(cands)
                ru = sorted(counts, key=lambda a: (-counts[a], abs(len(a) - len(name))))[0]
            rows.append((gid, name, ru or name, lon, lat, cc, pop, int(capital)))
    rows.sort(key=lambda r: (-r[7], -r[6]))
    # A district of a bigger town (Tashkent's Yunusobod, Chilanzar) is not labelled apart from it.
    kept = []
    for r in rows:
        if any(abs(r[3] - k[3]) * 0.75 < 0.2 and abs(r[4] - k[4]) < 0.15 for k in kept): continue
        kept.append(r)
    rows = sorted(kept, key=lambda r: -r[6])
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Towns caravan render may label. Contains data from GeoNames (geonames.org), CC BY 4.0.\n")
        f.write("# Built by shapefiles/build/basemap_places.py. Columns: geonameid, name, name_ru, lon, lat, country, population, capital\n")
        for r in rows:
            f.write("%s\t%s\t%s\t%.5f\t%.5f\t%s\t%d\t%d\n" % r)
    print("wrote %d places to %s" % (len(rows), out))

main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "Sources/CaravanKit/Resources/basemap_places.tsv")
