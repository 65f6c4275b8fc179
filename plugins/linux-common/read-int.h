/* read-int.h: one integer read from a small kernel file (/proc/sys, /sys), for the probes. */
#pragma once

/* The first integer in |path|, or -1 when the file is missing, unreadable or holds none. */
int rf_read_int_file(const char *path);
