#ifndef CARAVAN_LAZY_LIBRARIES_H
#define CARAVAN_LAZY_LIBRARIES_H

/* GDAL and PROJ are loaded on first use, not at start-up (GDAL brings 114 shared libraries, which
   take 40-50 ms to load and bind, a third of a CSV table's geocoding). Every GDAL and PROJ function
   caravan calls is a small trampoline here (trampolines.S, listed in symbols.def): its first call
   loads the library (dlopen) and finds the function (dlsym); later calls jump straight to it.
   A function missing from symbols.def is a link error ("undefined reference"): add it there
   (scripts/lazy-symbols.sh lists what the objects need).
   CARAVAN_TRACE_LIBRARIES=1 in the environment prints a line to stderr when a library loads. */

/* Whether the library (0 GDAL, 1 PROJ) is loaded. */
int caravan_lazy_library_loaded(int library);

#endif
