/* What GDAL itself needs to iterate a layer's features and get their coordinates into arrays:
 * the floor that Caravan's reader is measured against.  usage: ogr_iterate FILE */
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: ogr_iterate FILE\n"); return 2; }
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(argv[1], GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    size_t cap = 1 << 16, vertices = 0, features = 0;
    double *xy = malloc(cap * 2 * sizeof(double)), sum = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g) {
            int n = OGR_G_GetPointCount(g);
            if ((size_t)n > cap) { cap = n; xy = realloc(xy, cap * 2 * sizeof(double)); }
            OGR_G_GetPoints(g, xy, 16, xy + 1, 16, NULL, 0);
            for (int i = 0; i < n; i++) sum += xy[2 * i];
            vertices += n;
        }
        features++;
        OGR_F_Destroy(f);
    }
    printf("%zu features, %zu vertices (checksum %.3f)\n", features, vertices, sum);
    GDALClose(ds);
    free(xy);
    return 0;
}
