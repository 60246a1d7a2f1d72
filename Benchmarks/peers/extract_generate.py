"""Seeded report pages for the extract benchmark (not committed: written to Benchmarks/data/).

    python3 extract_generate.py N OUT_DIR

N report files of about a page each (~2,500 characters): two in three English news items in the
style of the regional centre's news, one in three Russian field reports; each holds 3-5 dated
events at towns, provinces or checkpoints of the region, seizures with amounts, and filler
sentences with no event. Standard library only.
"""
import os
import random
import sys

random.seed(2023)
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"]
EN_PLACES = ["Tashkent", "Almaty", "Bishkek", "Dushanbe", "Ashgabat", "Osh", "Khorog", "Termez", "Samarkand", "Bukhara", "Shymkent",
             "Khujand", "Kulob", "Panj", "Ishkashim", "Batken", "Naryn", "Taraz", "Turkmenabat", "Mary", "Serhetabat", "Isfara",
             "Jalal-Abad", "Karakol", "Nukus", "Andijan", "Fergana", "Namangan", "Kokand", "Darvoz"]
RU_PLACES = ["Ташкенте", "Алматы", "Бишкеке", "Душанбе", "Ашхабаде", "Оше", "Хороге", "Термезе", "Самарканде", "Бухаре",
             "Шымкенте", "Худжанде", "Кулябе", "Таразе", "Нарыне", "Караколе", "Нукусе", "Андижане", "Фергане", "Намангане"]
RU_PROVINCES = ["Сурхандарьинской области", "Хатлонской области", "Согдийской области", "Баткенской области", "Ошской области",
                "Туркестанской области", "Кашкадарьинской области", "Джалал-Абадской области"]
EN_DRUGS = ["heroin", "hashish", "opium", "methamphetamine", "cannabis", "mephedrone"]
RU_DRUGS = ["героина", "гашиша", "опия", "метамфетамина", "марихуаны", "мефедрона"]
EN_FILLER = [
    "The participants noted the practical value of the exchange of experience and expressed the hope for further cooperation.",
    "The parties discussed the current drug situation in the region and the prospects for joint work of the competent authorities.",
    "During the training, the participants were given theoretical knowledge and practical skills in strategic analysis.",
    "The Centre continues to strengthen cooperation with its international partners and the competent authorities of member states.",
    "Special attention was paid to the use of modern information technologies and to the protection of personal data.",
    "The delegates were briefly informed about the main activities of the Centre and the analytical products it prepares.",
    "At the end of the event, the participants were awarded certificates and thanked the organisers for the well-prepared programme.",
    "The investigation is continuing, and the circle of persons involved in the illegal activity is being established.",
]
RU_FILLER = [
    "Участники отметили важность обмена опытом и выразили надежду на дальнейшее сотрудничество.",
    "Стороны обсудили текущую наркоситуацию в регионе и перспективы совместной работы компетентных органов.",
    "Возбуждено уголовное дело, проводятся оперативно-следственные мероприятия по установлению соучастников.",
    "Особое внимание было уделено вопросам применения современных информационных технологий.",
    "Задержанный водитель дал признательные показания, изъятое направлено на экспертизу.",
    "По итогам мероприятия участникам вручены сертификаты о прохождении обучения.",
]


def en_event(y):
    m, d = random.randrange(12), random.randint(1, 28)
    p = random.choice(EN_PLACES)
    k = random.randrange(5)
    if k == 0:
        return f"On {d} {EN_MONTHS[m]} {y}, officers seized {random.randint(1, 400)} kg of {random.choice(EN_DRUGS)} from a vehicle near {p}."
    if k == 1:
        return f"From {d} to {d + random.randint(1, 3)} {EN_MONTHS[m]} {y}, a regional training on risk analysis was held in {p} for border officers."
    if k == 2:
        return f"On {EN_MONTHS[m]} {d}, {y}, a working meeting of the heads of the analytical units took place in {p}."
    if k == 3:
        return f"In {EN_MONTHS[m]} {y}, CARICC specialists conducted an assessment mission to {p}."
    return f"On {d} {EN_MONTHS[m]} {y}, the delegation visited the border checkpoint in {p} and met the local officers."


def ru_event(y):
    m, d = random.randrange(12), random.randint(1, 28)
    k = random.randrange(4)
    if k == 0:
        return (f"{d} {RU_MONTHS[m]} {y} г. сотрудниками ПС ГКНБ на КПП «Айритом» {random.choice(RU_PROVINCES)} задержан грузовой "
                f"автомобиль, в котором обнаружено {random.randint(1, 300)} кг {random.choice(RU_DRUGS)}.")
    if k == 1:
        return f"{d:02d}.{m + 1:02d}.{y} в {random.choice(RU_PLACES)} задержан гражданин, у которого изъято {random.randint(100, 900)} граммов {random.choice(RU_DRUGS)}."
    if k == 2:
        return f"С {d} по {d + 2} {RU_MONTHS[m]} {y} года в {random.choice(RU_PLACES)} прошёл семинар для сотрудников таможенных органов."
    return f"{d} {RU_MONTHS[m]} {y} года в {random.choice(RU_PLACES)} состоялось рабочее совещание представителей компетентных органов."


def page(i):
    y = random.randint(2019, 2024)
    ru = i % 3 == 2
    lines = ["Оперативная сводка" if ru else "Breaking news", ""]
    size = 0
    while size < 2400:
        para = [ru_event(y) if ru else en_event(y)] if random.random() < 0.35 else []
        para += random.sample(RU_FILLER if ru else EN_FILLER, 2)
        random.shuffle(para)
        text = " ".join(para)
        lines += [text, ""] + ([] if ru else ["Rate this item", "(0 votes)", ""])
        size += len(text)
    return "\n".join(lines)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        with open(os.path.join(out, f"report-{i:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(page(i))


if __name__ == "__main__":
    main()
