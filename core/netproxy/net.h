/* net.h: socket I/O with deadlines (monotonic milliseconds) for the client threads: read, write all, connect. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "address.h"

int64_t np_now_ms(void);
/* Reads what is there (at most len), waiting until the deadline.  >0 bytes,
 * 0 at end of file, -ETIMEDOUT, or -errno. */
ssize_t np_read_until(int fd, void *buf, size_t len, int64_t deadline_ms);
/* Writes all of buf before the deadline.  0, -ETIMEDOUT or -errno. */
int np_write_all(int fd, const void *buf, size_t len, int64_t deadline_ms);
/* A non-blocking TCP connection to addr:port, established before the deadline.
 * The fd (close-on-exec, non-blocking) or -errno. */
int np_connect(const np_addr *addr, uint16_t port, int64_t deadline_ms);
/* Sets O_NONBLOCK.  0 or -errno. */
int np_set_nonblock(int fd);
