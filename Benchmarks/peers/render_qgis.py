"""Peer for `caravan render`: QGIS's own renderer (QgsMapRendererSequentialJob, headless) drawing
the same layers at the same size — the route-density GeoTIFF in five discrete classes (zero
transparent) and the 3,000 seizures as circles sized by amount_kg — over the shipped country
outlines, written to a PNG. The work a PyQGIS user's script does for one map.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 render_qgis.py DENSITY.tif EVENTS.gpkg COUNTRIES.shp OUT.png [WIDTHxHEIGHT]
"""
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsRasterLayer, QgsVectorLayer, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsColorRampShader, QgsRasterShader, QgsSingleBandPseudoColorRenderer, QgsMarkerSymbol,
                       QgsProperty, QgsSymbolLayer, QgsSingleSymbolRenderer, QgsFillSymbol, QgsCoordinateReferenceSystem)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

density, events, countries, out = sys.argv[1:5]
w, h = (int(v) for v in (sys.argv[5] if len(sys.argv) > 5 else "1920x1080").split("x"))
app = QgsApplication([], False)
app.initQgis()

r = QgsRasterLayer(density, "density")
stats = r.dataProvider().bandStatistics(1)
top = stats.maximumValue
breaks = [0.071, 0.166, 0.355, 0.9, top]   # the classes caravan's natural breaks give on this grid
ramp = ["#FFFFCC", "#A1DAB4", "#41B6C4", "#2C7FB8", "#253494"]
shader_fn = QgsColorRampShader(0, top)
shader_fn.setColorRampType(QgsColorRampShader.Discrete)
items = [QgsColorRampShader.ColorRampItem(0, QColor(255, 255, 255, 0), "0")]
items += [QgsColorRampShader.ColorRampItem(b, QColor(c), "") for b, c in zip(breaks, ramp)]
shader_fn.setColorRampItemList(items)
shader = QgsRasterShader()
shader.setRasterShaderFunction(shader_fn)
r.setRenderer(QgsSingleBandPseudoColorRenderer(r.dataProvider(), 1, shader))

e = QgsVectorLayer(events, "events", "ogr")
sym = QgsMarkerSymbol.createSimple({"name": "circle", "color": "178,24,43,140", "outline_color": "178,24,43,240", "outline_width": "0.2"})
sym.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertySize,
                                          QgsProperty.fromExpression("1 + 0.08 * sqrt(coalesce(\"amount_kg\", 0))"))
e.setRenderer(QgsSingleSymbolRenderer(sym))

c = QgsVectorLayer(countries, "countries", "ogr")
c.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "247,241,222,255", "outline_color": "90,90,90,255", "outline_width": "0.3"})))

s = QgsMapSettings()
s.setLayers([e, r, c])   # top first
s.setDestinationCrs(r.crs())
s.setOutputSize(QSize(w, h))
s.setBackgroundColor(QColor(221, 234, 243))
s.setExtent(r.extent())
job = QgsMapRendererSequentialJob(s)
job.start()
job.waitForFinished()
job.renderedImage().save(out, "png")
print("rendered %dx%d to %s" % (w, h, out))
sys.stdout.flush()
os._exit(0)   # QGIS 3.22's exitQgis() may crash at teardown; the picture is written
