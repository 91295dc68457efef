/* Timeline events: see timeline.h. */
#include "harness/core/timeline.h"
