/* ctime-change.h: whether a directory's ctime is sure to change once it was looked at (multigrain timestamps), so a later walk may trust it. */
#pragma once

#include <glib.h>

/*
 * TRUE when, on the filesystem of the open descriptor |fd|, any change to a directory made after
 * a stat of it (an entry created, renamed, linked or removed; its mode or owner changed) gives it
 * a ctime different from the one that stat returned.  That holds where the kernel stamps inodes
 * with multigrain timestamps (Linux 6.13 and later): once a ctime has been queried, the next
 * change gets a fine-grained timestamp, later than the one seen.  Only the filesystem types
 * shown to keep it for every change of a directory (tests/unit/test-ctime-change.c): ext4,
 * named by the kernel itself (statmount), not by its magic number (ext2 and ext3 mounts share
 * ext4's and do not opt in).  Not tmpfs: it opts in, but a link or a removal copies the file's
 * coarse ctime to the directory.  FALSE anywhere else, and whenever it cannot be told: the
 * caller then lists the directory again.
 */
gboolean rf_ctime_shows_changes(int fd);

/* The test behind it, for tests and the benchmark: TRUE when the running kernel stamps with
 * multigrain timestamps (6.13 or later). */
gboolean rf_ctime_kernel_is_multigrain(void);
