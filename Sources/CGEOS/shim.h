#ifndef CARAVAN_CGEOS_SHIM_H
#define CARAVAN_CGEOS_SHIM_H
/* Only the reentrant _r API: the global-context API cannot even be called by mistake. */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#endif
