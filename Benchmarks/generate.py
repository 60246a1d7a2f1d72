"""Large seeded inputs for the benchmarks (not committed: written to Benchmarks/data/).

  python3 generate.py routes N_VERTICES OUT.gpkg     route network of random-walk lines over the region
  python3 generate.py events N_ROWS OUT.csv           event table (lon, lat, weight) clustered near crossings
  python3 generate.py places N_ROWS OUT.csv           free-text place names as officers type them
  python3 generate.py exact N_ROWS OUT.csv GAZETTEER  exact names of places over 20,000 people (the peer's draw)

Routes: lines of 1,000 vertices, steps of ~1–2 km wandering between Central Asian towns, written
as GeoJSON sequence and loaded into a GeoPackage with ogr2ogr. Standard library only.
"""
import math, os, random, subprocess, sys

random.seed(1979)
TOWNS = [(69.22, 41.26), (76.91, 43.25), (74.59, 42.87), (68.78, 38.54), (58.38, 37.95), (67.28, 37.22),
         (72.80, 40.53), (71.55, 37.49), (65.51, 44.85), (63.58, 39.07), (61.83, 37.59), (69.60, 42.31),
         (62.20, 34.35), (68.86, 36.73), (80.39, 44.22), (57.21, 50.28), (51.17, 43.66), (66.96, 39.65)]

def routes(n_vertices, out):
    tmp = out + ".geojsonl"
    per = 1000
    with open(tmp, "w") as f:
        for k in range(max(1, n_vertices // per)):
            (x, y), (tx, ty) = random.sample(TOWNS, 2)
            coords = []
            heading = math.atan2(ty - y, tx - x)
            for i in range(per):
                heading = 0.8 * heading + 0.2 * math.atan2(ty - y, tx - x) + random.gauss(0, 0.3)
                step = random.uniform(0.008, 0.02)
                x += step * math.cos(heading); y += step * math.sin(heading) * 0.75
                coords.append(f"[{x:.6f},{y:.6f}]")
            f.write('{"type":"Feature","properties":{"id":%d,"kind":"%s","weight":%.2f},"geometry":{"type":"LineString","coordinates":[%s]}}\n'
                    % (k + 1, random.choice(("road", "track", "rail")), random.uniform(0.5, 3), ",".join(coords)))
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(["ogr2ogr", "-f", "GPKG", out, tmp, "-nln", "routes", "-a_srs", "EPSG:4326", "-nlt", "LINESTRING",
                    "-gt", "65536"], check=True)
    os.remove(tmp)

def events(n, out):
    hubs = [(67.41, 37.23), (68.60, 37.18), (71.52, 37.50), (73.95, 39.68), (74.71, 43.00), (69.35, 41.43), (62.35, 35.27), (63.70, 39.30)]
    with open(out, "w") as f:
        f.write("id,lon,lat,weight\n")
        for i in range(1, n + 1):
            if random.random() < 0.6:
                x, y = random.choice(hubs); x += random.gauss(0, 0.3); y += random.gauss(0, 0.2)
            else:
                x, y = random.uniform(55, 80), random.uniform(35, 50)
            f.write(f"{i},{x:.5f},{y:.5f},{random.lognormvariate(0, 1):.3f}\n")

def places(n, out):
    """A table of place strings as officers type them (for the geocoding benchmark)."""
    spellings = ["Tashkent", "Toshkent", "Ташкент", "г. Ташкент", "Alma-Ata", "Almaty", "Алматы", "Bishkek", "Frunze",
                 "Dushanbe", "Душанбе", "Khorog (GBAO)", "near Termez", "Termez", "Akhshabad", "Ashgabat", "Osh", "Ош",
                 "Kunduz", "Mazar-i-Sharif", "Samarkand", "Bukhara", "Shymkent", "Chimkent", "Kulyab", "Kurgan-Tyube",
                 "Panj", "Pyanj", "Hairatan", "Torghundi", "Serhetabat", "Farap", "Tashknet", "Dushnabe", "N/A", "heroin",
                 "41.3, 69.2", "Madrid", "Vienna", "Moscow"]
    with open(out, "w") as f:
        f.write("id,place,amount_kg\n")
        for i in range(1, n + 1):
            p = random.choice(spellings)
            f.write(f'{i},"{p}",{random.lognormvariate(0, 1):.3f}\n')

def exact(n, out, gazetteer):
    """A table of exact GeoNames names (places over 20,000 people, as the Python peer draws them)."""
    big = []
    for line in open(gazetteer, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        if int(f[6] or 0) > 20000:
            big.append(f[1])
    with open(out, "w", encoding="utf-8") as f:
        f.write("id,place,amount_kg\n")
        for i in range(1, n + 1):
            p = random.choice(big).replace('"', '""')
            f.write(f'{i},"{p}",{random.lognormvariate(0, 1):.3f}\n')

if __name__ == "__main__":
    kind, n, out = sys.argv[1], int(float(sys.argv[2])), sys.argv[3]
    if kind == "exact":
        exact(n, out, sys.argv[4])
    else:
        {"routes": routes, "events": events, "places": places}[kind](n, out)
    print(f"wrote {out}", file=sys.stderr)
