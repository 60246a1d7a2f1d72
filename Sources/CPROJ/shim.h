#ifndef CARAVAN_CPROJ_SHIM_H
#define CARAVAN_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>
#include <proj_experimental.h>
#endif
