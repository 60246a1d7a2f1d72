"""Emerging Hot Spot Analysis in numpy: the reference peer of `caravan emerging`.

    python emerging_numpy.py generate N OUT.csv            # N seeded events over 36 months (2021-2023)
    python emerging_numpy.py run EVENTS.csv CELL_M BAND_M CRS OUT.csv [--step-months 1] [--window 1]
    python emerging_numpy.py compare PEER.csv CARAVAN.csv  # agreement of patterns, trend z, hot/cold counts
    python emerging_numpy.py mk-check                      # our Mann-Kendall against pymannkendall, if installed

The same definitions as ANALYSIS.md §7, written independently: pandas reads the CSV and the
dates, pyproj projects, numpy does the rest — the cube by bincount, space-time Gi* by a disk
convolution of the dense (y, x, t) grid (shifted-slice sums) and a cumulative sum over time,
Benjamini-Hochberg per level, Mann-Kendall vectorised over locations (pairs of steps as array
operations, ties from sorted rows), and the pattern table.
"""
import sys, math, random
import numpy as np


def generate(n, out):
    random.seed(36)
    hubs = [(67.41, 37.23), (68.60, 37.18), (71.52, 37.50), (73.95, 39.68), (74.71, 43.00), (69.35, 41.43), (62.35, 35.27), (63.70, 39.30)]
    start = np.datetime64("2021-01-01")
    with open(out, "w") as f:
        f.write("id,date,lon,lat\n")
        for i in range(1, n + 1):
            r = random.random()
            if r < 0.6:
                h = random.randrange(len(hubs))
                x, y = hubs[h]; x += random.gauss(0, 0.3); y += random.gauss(0, 0.2)
                # Hub 0 fades, hub 2 grows, hub 5 only in the last year: trends to find.
                if h == 0:
                    day = int(1095 * (1 - math.sqrt(random.random())))
                elif h == 2:
                    day = int(1095 * math.sqrt(random.random()))
                elif h == 5:
                    day = random.randrange(730, 1095)
                else:
                    day = random.randrange(1095)
            else:
                x, y = random.uniform(55, 80), random.uniform(35, 50)
                day = random.randrange(1095)
            f.write(f"{i},{start + np.timedelta64(day, 'D')},{x:.5f},{y:.5f}\n")


def normal_p(z):
    from scipy.special import erfc
    return erfc(np.abs(z) / math.sqrt(2))


def mann_kendall(z):
    """Rows of z (NaN = skipped): S, Var(S) with ties, Z, p — pymannkendall's original_test."""
    L, T = z.shape
    finite = np.isfinite(z)
    S = np.zeros(L)
    for i in range(T - 1):
        d = np.sign(z[:, i + 1:] - z[:, i:i + 1])
        ok = finite[:, i + 1:] & finite[:, i:i + 1]
        S += np.where(ok, d, 0).sum(axis=1)
    n = finite.sum(axis=1).astype(float)
    srt = np.sort(np.where(finite, z, np.inf), axis=1)
    ties = np.zeros(L)
    run = np.ones(L)
    for j in range(1, T):
        same = (srt[:, j] == srt[:, j - 1]) & np.isfinite(srt[:, j])
        ended = ~same
        ties += np.where(ended & (run > 1), run * (run - 1) * (2 * run + 5), 0)
        run = np.where(same, run + 1, 1)
    ties += np.where(run > 1, run * (run - 1) * (2 * run + 5), 0)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = np.where(var > 0, np.where(S > 0, (S - 1) / np.sqrt(var), np.where(S < 0, (S + 1) / np.sqrt(var), 0)), 0)
    p = np.where(var > 0, normal_p(Z), 1.0)
    return S, var, Z, p


def fdr_bins(z, p):
    valid = np.isfinite(p)
    pv = p[valid]
    order = np.argsort(pv, kind="stable")
    m = len(pv)
    level = np.zeros(m, dtype=int)
    ranks = np.arange(1, m + 1)
    for alpha, lv in ((0.10, 1), (0.05, 2), (0.01, 3)):
        ok = pv[order] <= alpha * ranks / m
        k = ranks[ok].max() if ok.any() else 0
        level[order[:k]] = lv
    out = np.zeros(p.shape, dtype=int)
    out[valid] = np.sign(z[valid]).astype(int) * level
    return out


NAMES = {1: "New Hot Spot", 2: "Consecutive Hot Spot", 3: "Intensifying Hot Spot", 4: "Persistent Hot Spot",
         5: "Diminishing Hot Spot", 6: "Sporadic Hot Spot", 7: "Oscillating Hot Spot", 8: "Historical Hot Spot",
         -1: "New Cold Spot", -2: "Consecutive Cold Spot", -3: "Intensifying Cold Spot", -4: "Persistent Cold Spot",
         -5: "Diminishing Cold Spot", -6: "Sporadic Cold Spot", -7: "Oscillating Cold Spot", -8: "Historical Cold Spot",
         0: "No Pattern Detected"}


def classify(hot, cold, trend):
    L, T = hot.shape
    H, C = hot.sum(axis=1), cold.sum(axis=1)
    # Length of the final run of hot (cold) steps.
    run_h = np.argmin(np.concatenate([hot[:, ::-1], np.zeros((L, 1), bool)], axis=1), axis=1)
    run_c = np.argmin(np.concatenate([cold[:, ::-1], np.zeros((L, 1), bool)], axis=1), axis=1)
    last_h, last_c = hot[:, -1], cold[:, -1]
    h90, c90 = 10 * H >= 9 * T, 10 * C >= 9 * T
    cat = np.zeros(L, dtype=int)
    hot_cat = np.select([h90 & (trend > 0), h90 & (trend < 0), h90, C > 0, H == 1, run_h == H], [3, 5, 4, 7, 1, 2], 6)
    cold_cat = np.select([c90 & (trend < 0), c90 & (trend > 0), c90, H > 0, C == 1, run_c == C], [-3, -5, -4, -7, -1, -2], -6)
    neither = np.select([h90, c90], [8, -8], 0)
    cat = np.where(last_h, hot_cat, np.where(last_c, cold_cat, neither))
    return cat


def run(events, cell, band, crs, out, step_months=1, window=1):
    import pandas as pd
    from pyproj import Transformer
    df = pd.read_csv(events, usecols=["date", "lon", "lat"])
    t = pd.to_datetime(df["date"], format="%Y-%m-%d").values.astype("datetime64[s]").astype(np.int64)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(df["lon"].values, df["lat"].values)
    # END_TIME monthly breaks, the day clamped (pandas' DateOffset clamps).
    tmin, tmax = t.min(), t.max()
    end = pd.Timestamp(tmax, unit="s")
    breaks = [tmax]
    k = 1
    while breaks[-1] >= tmin:
        breaks.append(int((end - pd.DateOffset(months=k * step_months)).value // 10**9)); k += 1
    breaks = np.array(breaks[::-1])
    T = len(breaks) - 1
    step = np.searchsorted(breaks, t, side="left") - 1           # b_j < t <= b_{j+1}
    col = np.floor(x / cell).astype(np.int64); row = np.floor(y / cell).astype(np.int64)
    c0, r0 = col.min(), row.min()
    W, Hh = col.max() - c0 + 1, row.max() - r0 + 1
    flat = (row - r0) * W + (col - c0)
    grid = np.bincount(flat * T + step, minlength=Hh * W * T).reshape(Hh, W, T).astype(float)
    present = grid.sum(axis=2) > 0
    L = int(present.sum())
    n = L * T
    vals = grid[present]                                        # (L, T), row-major (row, col) order
    mean = vals.sum() / n
    S = math.sqrt((vals ** 2).sum() / n - mean ** 2)
    # Disk convolution over the grid (neighbouring locations within the band).
    R = int(band // cell)
    offs = [(dy, dx) for dy in range(-R, R + 1) for dx in range(-R, R + 1) if (dx * dx + dy * dy) * cell * cell <= band * band * (1 + 1e-12)]
    sx = np.zeros_like(grid); cnt = np.zeros((Hh, W))
    pad = np.pad(grid, ((R, R), (R, R), (0, 0))); padm = np.pad(present.astype(float), R)
    for dy, dx in offs:
        sx += pad[R + dy:R + dy + Hh, R + dx:R + dx + W]
        cnt += padm[R + dy:R + dy + Hh, R + dx:R + dx + W]
    cs = np.cumsum(sx, axis=2)
    win = cs.copy()
    win[:, :, window + 1:] -= cs[:, :, :-(window + 1)]
    steps_in = np.minimum(np.arange(T), window) + 1
    sw = cnt[:, :, None] * steps_in[None, None, :]
    inner = (n * sw - sw * sw) / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where((sw > 1) & (inner > 0), (win - mean * sw) / (S * np.sqrt(inner)), np.nan)
    z = z[present]
    p = np.where(np.isfinite(z), normal_p(z), np.nan)
    bins = fdr_bins(z.ravel(), p.ravel()).reshape(L, T)
    _, _, TZ, TP = mann_kendall(z)
    trend = np.where(TP < 0.10, np.sign(TZ), 0).astype(int)
    cat = classify(bins >= 1, bins <= -1, trend)
    rr, cc = np.nonzero(present)
    with open(out, "w") as f:
        f.write("col,row,CATEGORY,PATTERN,TREND_Z,TREND_P,NUM_HOT,NUM_COLD\n")
        for i in range(L):
            f.write(f"{cc[i] + c0},{rr[i] + r0},{cat[i]},{NAMES[cat[i]]},{TZ[i]:.12g},{TP[i]:.12g},{(bins[i] >= 1).sum()},{(bins[i] <= -1).sum()}\n")
    print(f"{len(t)} events, {L} locations x {T} steps; " + ", ".join(f"{NAMES[c]} {int((cat == c).sum())}" for c in sorted(set(cat.tolist()))), file=sys.stderr)


def compare(peer, caravan):
    import csv
    a = {(r["col"], r["row"]): r for r in csv.DictReader(open(peer))}
    b = {(r["col"], r["row"]): r for r in csv.DictReader(open(caravan))}
    same_loc = set(a) == set(b)
    keys = sorted(set(a) & set(b))
    pat = sum(a[k]["PATTERN"] == b[k]["PATTERN"] for k in keys)
    hot = sum(a[k]["NUM_HOT"] == b[k]["NUM_HOT"] and a[k]["NUM_COLD"] == b[k]["NUM_COLD"] for k in keys)
    dz = max(abs(float(a[k]["TREND_Z"]) - float(b[k]["TREND_Z"])) for k in keys)
    print(f"locations identical: {same_loc} ({len(keys)}); same PATTERN {pat}/{len(keys)}; same NUM_HOT and NUM_COLD {hot}/{len(keys)}; max |ΔTREND_Z| {dz:.2e}")


def mk_check():
    try:
        import pymannkendall as pmk
    except ImportError:
        print("pymannkendall not installed"); return
    rng = np.random.default_rng(1)
    series = [rng.integers(0, 4, size=rng.integers(5, 40)).astype(float) for _ in range(300)]
    worst = 0.0
    for s in series:
        _, _, Z, p = mann_kendall(s[None, :])
        r = pmk.original_test(s)
        worst = max(worst, abs(Z[0] - r.z), abs(p[0] - r.p))
    print(f"numpy Mann-Kendall vs pymannkendall.original_test on 300 tied integer series: max difference {worst:.2e}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "generate":
        generate(int(float(sys.argv[2])), sys.argv[3])
    elif cmd == "run":
        a = sys.argv[2:]
        sm = int(a[a.index("--step-months") + 1]) if "--step-months" in a else 1
        w = int(a[a.index("--window") + 1]) if "--window" in a else 1
        run(a[0], float(a[1]), float(a[2]), a[3], a[4], sm, w)
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif cmd == "mk-check":
        mk_check()
