"""Loads caravan's styled outputs in a real QGIS (Debian's python3-qgis, headless) and checks
that each opens with caravan's renderer, classes and colours, then renders a hot-spot layer
with QGIS's own renderer and reads the colour of a known hot cell.

Usage (run by Tests/CaravanKitTests/Render/QGISStyleTests.swift):
  QT_QPA_PLATFORM=offscreen /usr/bin/python3 Tests/qgis/check_styles.py CHECKS.json
CHECKS.json: a list of {"path", "kind": "vector"|"raster", "renderer", "attr", "classes": [[value, "#RRGGBB"]...],
  "ranges": [[lower, upper, "#RRGGBB"]...], "pixel": {"lon", "lat", "colour"}}
Prints one line per check; exits 1 on the first failure with what QGIS saw.
"""
import json, sys, os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsVectorLayer, QgsRasterLayer, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsPointXY, QgsRectangle)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()

def fail(msg):
    print("FAIL: " + msg)
    sys.stdout.flush()
    os._exit(1)  # QGIS 3.22 may crash while tearing down; the verdict is already printed

def hexof(c):
    return "#%02X%02X%02X" % (c.red(), c.green(), c.blue())

checks = json.load(open(sys.argv[1]))
for c in checks:
    path = c["path"]
    if c["kind"] == "raster":
        layer = QgsRasterLayer(path, "r")
        if not layer.isValid(): fail("QGIS cannot open %s" % path)
        r = layer.renderer()
        if r.type() != c["renderer"]: fail("%s: renderer %s, expected %s" % (path, r.type(), c["renderer"]))
        items = r.shader().rasterShaderFunction().colorRampItemList()
        got = [(i.value, hexof(i.color), i.color.alpha()) for i in items]
        want = c["items"]
        if len(got) != len(want): fail("%s: %d colour items %s, expected %d" % (path, len(got), got, len(want)))
        for (gv, gc, ga), (wv, wc, wa) in zip(got, want):
            if (wv != "inf" and abs(gv - wv) > 1e-6 * max(1, abs(wv))) or gc != wc.upper() or ga != wa:
                fail("%s: item %s, expected %s" % (path, (gv, gc, ga), (wv, wc, wa)))
        print("ok raster %s: %s with %d items" % (os.path.basename(path), r.type(), len(got)))
        continue
    layer = QgsVectorLayer(path, "v", "ogr")
    if not layer.isValid(): fail("QGIS cannot open %s" % path)
    r = layer.renderer()
    if r.type() != c["renderer"]: fail("%s: renderer %s, expected %s (the style was not applied on load)" % (path, r.type(), c["renderer"]))
    if "attr" in c and r.classAttribute() != c["attr"]: fail("%s: classified by %s, expected %s" % (path, r.classAttribute(), c["attr"]))
    if "classes" in c:
        got = [(str(cat.value()), hexof(cat.symbol().color())) for cat in r.categories()]
        want = [(v, h.upper()) for v, h in c["classes"]]
        if got != want: fail("%s: classes %s, expected %s" % (path, got, want))
    if "ranges" in c:
        got = [(rg.lowerValue(), rg.upperValue(), hexof(rg.symbol().color())) for rg in r.ranges()]
        want = c["ranges"]
        if len(got) != len(want): fail("%s: %d ranges, expected %d" % (path, len(got), len(want)))
        for g, w in zip(got, want):
            if abs(g[0] - w[0]) > 1e-9 or abs(g[1] - w[1]) > 1e-9 * max(1, abs(w[1])) or g[2] != w[2].upper():
                fail("%s: range %s, expected %s" % (path, g, w))
    print("ok vector %s: %s on %s, %d classes" % (os.path.basename(path), r.type(), c.get("attr", "-"),
                                                 len(c.get("classes", c.get("ranges", [])))))
    if "pixel" in c:
        p = c["pixel"]
        s = QgsMapSettings()
        s.setLayers([layer])
        s.setDestinationCrs(layer.crs())
        s.setOutputSize(QSize(400, 400))
        s.setBackgroundColor(QColor(255, 255, 255))
        t = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), layer.crs(), QgsProject.instance())
        centre = t.transform(QgsPointXY(p["lon"], p["lat"]))
        e = layer.extent()
        s.setExtent(e)
        job = QgsMapRendererSequentialJob(s)
        job.start(); job.waitForFinished()
        img = job.renderedImage()
        # The pixel of the known cell's centre, through the map settings' own transform.
        dev = s.mapToPixel().transform(centre)
        got = hexof(QColor(img.pixel(int(dev.x()), int(dev.y()))))
        if got != p["colour"].upper(): fail("%s: QGIS drew %s at %s, expected %s" % (path, got, (p["lon"], p["lat"]), p["colour"]))
        print("ok QGIS render of %s: %s at the known cell" % (os.path.basename(path), got))
print("all %d QGIS checks passed" % len(checks))
sys.stdout.flush()
os._exit(0)  # exitQgis() segfaults on Debian's 3.22 with layers alive; nothing is left to clean
