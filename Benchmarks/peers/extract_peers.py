"""Peers of `caravan extract`: (date, place) pairs from report files, one CSV row per pair.

    python extract_peers.py SYSTEM REPORTS_DIR OUT.csv

SYSTEM is one of
  geotext    dateparser's search_dates (English and Russian) for dates, geotext (regex over the
             GeoNames cities of 15,000+) for places; English text only finds Latin-script places.
  natasha    natasha (Russian): its DatesExtractor (yargy rules) for dates and its NER (slovnet
             news model, bundled) for LOC spans, lemmatised by its MorphVocab.

Both peers are paired the way caravan pairs: text cleaned (HTML tags, Markdown marks), split
into sentences; per sentence, the dates found and the places found; a sentence with several
dates and several places pairs each date with the first place after it (before the next date),
else its first date with its first place. A date without a year takes the document's first
year; relative dates are resolved against the document's first full date (dateparser's
RELATIVE_BASE); a month alone ("May 2023") becomes the month's first and last day. Places that
are only a country are dropped (caravan's rule: too coarse for a point). Output columns:
system, document, date_start, date_end, place.
"""
import calendar
import csv
import datetime as dt
import html
import os
import re
import sys

COUNTRIES = {"kazakhstan", "kyrgyzstan", "kyrgyz republic", "tajikistan", "turkmenistan", "uzbekistan", "afghanistan",
             "russia", "china", "iran", "austria", "germany", "latvia", "korea", "republic of korea", "pakistan"}
RU_COUNTRY_STEMS = ("казахстан", "кыргызстан", "киргизи", "кыргызск", "таджикистан", "туркменистан", "узбекистан", "афганистан",
                    "росси", "китай", "иран", "республик")


def clean(path):
    raw = open(path, encoding="utf-8", errors="replace").read()
    if path.endswith((".html", ".htm")):
        raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?i)</(p|div|h[1-6]|li|article)>|<br\s*/?>", "\n\n", raw)
        raw = re.sub(r"<[^>]+>", "", raw)
        raw = html.unescape(raw)
    elif path.endswith(".md"):
        raw = re.sub(r"(\*\*|__|\*|`)", "", raw)
        raw = re.sub(r"(?m)^#{1,6}\s*", "", raw)
    return raw


SENT = re.compile(r"(?<=[.!?…])[\"”»')]*\s+(?=[A-ZА-ЯЁ0-9\"“«(])")


def sentences(text):
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if para:
            yield from (s for s in SENT.split(para) if len(s) >= 3)


def month_range(y, m):
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def pair(dates, places):
    """dates: [(pos, start, end)], places: [(pos, text)] → [(start, end, place)]"""
    if not dates or not places:
        return []
    if len(dates) > 1 and len(places) > 1:
        out = []
        for k, (p, a, b) in enumerate(dates):
            nxt = dates[k + 1][0] if k + 1 < len(dates) else 10 ** 9
            after = [t for q, t in places if p < q < nxt]
            if after:
                out.append((a, b, after[0]))
        if out:
            return out
    return [(dates[0][1], dates[0][2], places[0][1])]


class GeotextDateparser:
    name = "geotext+dateparser"

    def __init__(self):
        from dateparser.search import search_dates
        from dateparser.date import DateDataParser
        from geotext import GeoText
        self.search_dates, self.GeoText = search_dates, GeoText
        self.ddp = {l: DateDataParser(languages=[l]) for l in ("en", "ru")}

    def document(self, text):
        lang = "ru" if len(re.findall("[А-Яа-яЁё]", text)) > len(re.findall("[A-Za-z]", text)) else "en"
        base = None
        out = []
        for s in sentences(text):
            settings = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
            if base:
                settings["RELATIVE_BASE"] = base
            try:
                found = self.search_dates(s, languages=[lang], settings=settings) or []
            except Exception:
                found = []
            dates = []
            for sub, when in found:
                # Bare numbers and words dateparser reads as dates ("2", "on") are not dates of events.
                if not re.search(r"\d", sub) and not re.search(r"(?i)yesterday|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|вчера|сегодня|накануне", sub):
                    continue
                if re.fullmatch(r"\s*\d{1,4}\s*", sub):
                    continue
                period = "day"
                try:
                    data = self.ddp[lang].get_date_data(sub)
                    period = data.period or "day"
                except Exception:
                    pass
                d = when.date()
                a, b = month_range(d.year, d.month) if period == "month" else (d, d)
                if base is None and period == "day" and re.search(r"\d{4}", sub):
                    base = when
                dates.append((s.find(sub), a, b))
            places = []
            for city in self.GeoText(s).cities:
                if city.lower() not in COUNTRIES:
                    places.append((s.find(city), city))
            places.sort()
            out += pair(sorted(dates, key=lambda x: x[0]), places)
        return out


class Natasha:
    name = "natasha"

    def __init__(self):
        from natasha import Segmenter, MorphVocab, NewsEmbedding, NewsNERTagger, NewsMorphTagger, Doc, DatesExtractor
        self.Doc = Doc
        self.segmenter, self.morph_vocab = Segmenter(), MorphVocab()
        emb = NewsEmbedding()
        self.ner, self.morph = NewsNERTagger(emb), NewsMorphTagger(emb)
        self.dates = DatesExtractor(self.morph_vocab)

    def document(self, text):
        if len(re.findall("[А-Яа-яЁё]", text)) <= len(re.findall("[A-Za-z]", text)):
            return []  # a Russian tool
        year = None
        m = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", text)
        if m:
            year = int(m.group(0))
        # natasha runs once on the whole text (its segmenter, morphology and NER), then its
        # dates and LOC spans are given to the sentences they fall in.
        doc = self.Doc(text)
        doc.segment(self.segmenter)
        doc.tag_morph(self.morph)
        doc.tag_ner(self.ner)
        spans = []
        for span in doc.spans:
            if span.type != "LOC":
                continue
            span.normalize(self.morph_vocab)
            norm = (span.normal or span.text).lower()
            if norm.startswith(RU_COUNTRY_STEMS) or norm in COUNTRIES:
                continue
            spans.append((span.start, span.normal or span.text))
        found = []
        for match in self.dates(text):
            f = match.fact
            y = f.year or year
            if not y or not f.month:
                continue
            try:
                a, b = (dt.date(y, f.month, f.day),) * 2 if f.day else month_range(y, f.month)
            except ValueError:
                continue
            found.append((match.start, a, b))
        out = []
        pos = 0
        for s in sentences(text):
            start = text.find(s, pos)
            if start < 0:
                continue
            end = start + len(s)
            pos = end
            dates = [(p - start, a, b) for p, a, b in found if start <= p < end]
            places = [(p - start, t) for p, t in spans if start <= p < end]
            out += pair(dates, places)
        return out


def files(root):
    for d, _, names in sorted(os.walk(root)):
        for n in sorted(names):
            if n.endswith((".txt", ".md", ".html", ".htm")):
                yield os.path.join(d, n)


def main():
    system, root, out = sys.argv[1:4]
    peer = {"geotext": GeotextDateparser, "natasha": Natasha}[system]()
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["system", "document", "date_start", "date_end", "place"])
        for path in files(root):
            for a, b, place in peer.document(clean(path)):
                w.writerow([peer.name, os.path.relpath(path, root), a.isoformat(), b.isoformat(), place])


if __name__ == "__main__":
    main()
