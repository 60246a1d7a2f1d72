#ifndef CARAVAN_CGDAL_SHIM_H
#define CARAVAN_CGDAL_SHIM_H
/* GDAL's headers by their folder (Debian's /usr/include/gdal): the package asks pkg-config for no
   flags, as the library is not linked but loaded on first use (Sources/CLazyLibraries). */
#include <gdal/gdal.h>
#include <gdal/gdal_utils.h>
#include <gdal/ogr_api.h>
#include <gdal/ogr_srs_api.h>
#include <gdal/cpl_error.h>
#include <gdal/cpl_conv.h>
#include <gdal/cpl_string.h>
#include <gdal/cpl_vsi.h>

/* CPLError is variadic and does not import into Swift. */
static inline void caravan_cpl_error(CPLErr level, const char *message) {
    CPLError(level, CPLE_AppDefined, "%s", message);
}
#endif
