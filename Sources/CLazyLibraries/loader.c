// The resolver behind the trampolines of trampolines.S (see include/lazy_libraries.h).
#include "lazy_libraries.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { LIBRARY_COUNT = 2 };

/* The Debian 12 sonames first (the ABI the headers belong to), then the -dev package's link. */
static const char *const sonames[LIBRARY_COUNT][3] = {
    {"libgdal.so.32", "libgdal.so", NULL},
    {"libproj.so.25", "libproj.so", NULL},
};
static const char *const titles[LIBRARY_COUNT] = {"GDAL", "PROJ"};
static const char *const packages[LIBRARY_COUNT] = {"libgdal32", "libproj25"};

static void *handles[LIBRARY_COUNT];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int caravan_lazy_library_loaded(int library) {
    if (library < 0 || library >= LIBRARY_COUNT) return 0;
    return __atomic_load_n(&handles[library], __ATOMIC_ACQUIRE) != NULL;
}

/* Called by a trampoline's first call: `slot` is its function pointer, `record` the library's
   number followed by the function's name. Stores and returns the function. */
__attribute__((visibility("hidden")))
void *caravan_lazy_resolve(void **slot, const unsigned char *record) {
    int library = record[0];
    const char *name = (const char *)record + 1;
    pthread_mutex_lock(&lock);
    void *function = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (handles[library] == NULL) {
        const char *why = "not found";
        void *h = NULL;
        for (int i = 0; sonames[library][i] != NULL && h == NULL; i++) {
            h = dlopen(sonames[library][i], RTLD_LAZY | RTLD_GLOBAL);
            if (h == NULL && i == 0) why = dlerror();
        }
        if (h == NULL) {
            fprintf(stderr, "caravan: %s is needed for this and cannot be loaded (%s): install it (apt-get install %s, or make deps)\n",
                    titles[library], why, packages[library]);
            exit(69);
        }
        if (getenv("CARAVAN_TRACE_LIBRARIES") != NULL) fprintf(stderr, "caravan: loaded %s for %s\n", titles[library], name);
        __atomic_store_n(&handles[library], h, __ATOMIC_RELEASE);
    }
    /* (Another thread may have resolved it meanwhile: the slot then no longer holds the resolver,
       but dlsym gives the same answer.) */
    function = dlsym(handles[library], name);
    if (function == NULL) {
        fprintf(stderr, "caravan: %s has no function %s: caravan was built against another version of it; rebuild caravan (make build)\n",
                titles[library], name);
        exit(69);
    }
    __atomic_store_n(slot, function, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&lock);
    return function;
}
