#ifndef CARAVAN_CGDAL_SHIM_H
#define CARAVAN_CGDAL_SHIM_H
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

/* CPLError is variadic and does not import into Swift. */
static inline void caravan_cpl_error(CPLErr level, const char *message) {
    CPLError(level, CPLE_AppDefined, "%s", message);
}
#endif
