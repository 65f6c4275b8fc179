/* guarantees.h: what the core's own files need of guarantees.c (the rest is public: ringfence.h). */
#pragma once

#include <ringfence/ringfence.h>

/* The RF_CAP_* guarantees |plan| asks for, before the platform is known. */
guint64 rf_guarantees_required(const RfPlan *plan);
