/* notify-decode.h: decoders of what a sandboxed caller hands the supervisors (addresses, messages, control data, times, paths, sock_diag dumps).
 *
 * Everything here is pure: input is bytes already copied out of the caller
 * (or received from a socket the sandbox could reach), output is a validated
 * view or a negative errno, with no system call and no allocation, so each
 * decoder is unit-tested and fuzzed without a sandbox (tests/unit/test-decode.c,
 * tests/fuzz/notify-*-fuzz.c).  Both Linux supervisors use these; none of
 * these decisions is written anywhere else.
 *
 * The rules (docs/security.md, "Sandbox input in the supervisors"):
 *   - every length, count and offset is bounded against the buffer it
 *     describes before it is used; what does not fit is refused, never
 *     truncated;
 *   - the errno is the one the kernel gives for the same input where it has
 *     a rule (EINVAL, EMSGSIZE, ENOBUFS, EFAULT), so a caller sees no
 *     difference between the supervisor and the kernel;
 *   - a well-formed request the supervisor will not perform on the caller's
 *     behalf (control messages the kernel would judge against ringfence's own
 *     credentials) is EPERM.
 * Layouts are the native ones: the notify filters kill any other
 * architecture (SCMP_FLTATR_ACT_BADARCH), so no 32-bit msghdr reaches here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

/* ---- socket addresses (connect, bind, sendto, msg_name) ------------------- */

enum {
  RF_ADDR_PASS = 0,      /* not a unix name: the kernel looks it up in the socket's own namespace */
  RF_ADDR_UNIX_PATH,     /* a pathname unix address: resolve |path| in the caller's view */
  RF_ADDR_UNIX_ABSTRACT, /* an abstract unix name: |name| (leading NUL included) */
};

typedef struct {
  int kind;
  int family;
  /* RF_ADDR_UNIX_PATH: sun_path up to its first NUL or the address's end,
   * NUL-terminated (108 bytes without a NUL is legal). */
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  /* RF_ADDR_UNIX_ABSTRACT: offset into the input of the name, and its length. */
  size_t name_offset, name_len;
} rf_sockaddr_view;

/* |bytes| is the address copied out of the caller, |len| the length the
 * caller passed, |domain| the socket's (SO_DOMAIN of the copied socket).
 * -EINVAL: |len| beyond sockaddr_storage or below a family, or a unix address
 * longer than sockaddr_un (what the kernel says). */
int rf_decode_sockaddr(int domain, const void *bytes, size_t len, rf_sockaddr_view *out);

/* ---- sendmsg: the message header, its iovecs, its control data ----------- */

#define RF_UIO_MAXIOV 1024     /* the kernel's UIO_MAXIOV: more iovecs are EMSGSIZE */
#define RF_CONTROL_MAX 4096    /* control bytes copied at most: more are ENOBUFS */
#define RF_SCM_MAX_FD 253      /* the kernel's SCM_MAX_FD: more descriptors in one message are EINVAL */

typedef struct {
  uint64_t name, iov, control; /* addresses in the caller */
  size_t name_len;             /* 0 when there is no name */
  size_t iov_count;            /* <= RF_UIO_MAXIOV */
  size_t control_len;          /* <= RF_CONTROL_MAX, 0 when there is none */
} rf_msg_view;

/* |bytes| is a struct msghdr (or the head of a struct mmsghdr) copied out of
 * the caller; |len| must be sizeof(struct msghdr).  -EINVAL (name longer than
 * sockaddr_storage), -EMSGSIZE (too many iovecs), -ENOBUFS (control longer than
 * RF_CONTROL_MAX), -EFAULT (a length without its buffer). */
int rf_decode_msghdr(const void *bytes, size_t len, rf_msg_view *out);

typedef struct {
  size_t wanted; /* what the caller asked to send (saturates at SSIZE_MAX) */
  size_t taken;  /* what fits in |limit|: sum of take[] */
} rf_iov_plan;

/* Plans copying |n| iovecs into a buffer of |limit| bytes: take[i] (if not
 * NULL, |n| entries) is how much of iov[i] to copy, in order.  -EINVAL when an
 * iov_len does not fit in ssize_t (the kernel's rule). */
int rf_decode_iovecs(const struct iovec *iov, size_t n, size_t limit, size_t *take,
                     rf_iov_plan *out);

typedef struct {
  size_t n_fds;                    /* <= RF_SCM_MAX_FD */
  size_t fd_offset[RF_SCM_MAX_FD]; /* byte offset in the control buffer of each descriptor number */
} rf_control_view;

/* Walks the control messages in |control| (|len| <= RF_CONTROL_MAX bytes,
 * aligned for struct cmsghdr: a local copy) with CMSG_FIRSTHDR/CMSG_NXTHDR.
 * -EINVAL: a cmsg_len below CMSG_LEN(0) or past the buffer, more than
 * RF_SCM_MAX_FD descriptors, a header the walk cannot reach; -EPERM: a
 * control message outside the allowed list (SCM_CREDENTIALS, SO_MARK,
 * SO_PRIORITY ... which the kernel would check against ringfence's own
 * credentials and capabilities, not the caller's). */
int rf_decode_control(const void *control, size_t len, rf_control_view *out);

/* 1 when (level, type) may be sent on the caller's behalf. */
int rf_control_allowed(int level, int type);

/* ---- utime, utimes/futimesat, utimensat ------------------------------------ */

enum { RF_TIMES_UTIMBUF = 1, RF_TIMES_TIMEVAL, RF_TIMES_TIMESPEC };

/* Bytes the caller's times argument of |kind| takes. */
size_t rf_times_size(int kind);
/* -EINVAL: a short buffer, microseconds outside [0, 1e6) or nanoseconds
 * outside [0, 1e9) other than UTIME_NOW/UTIME_OMIT (the kernel's rules). */
int rf_decode_times(int kind, const void *bytes, size_t len, struct timespec ts[2]);

/* ---- strings and paths ---------------------------------------------------- */

/* The length of the NUL-terminated string at the start of |bytes| (|n| bytes
 * read so far), or -1 when no NUL is among them. */
ssize_t rf_decode_string(const void *bytes, size_t n);

/* "LISTENER DIAG\n" from ringfence-sandbox-init: two descriptor numbers.
 * -EINVAL unless exactly two decimal numbers in [0, INT_MAX], one space, a newline. */
int rf_decode_fd_pair(const char *text, size_t n, int *first, int *second);

/* ringfence-fs-proxy: "/proc/self", "/proc/thread-self" and the /dev/fd,
 * /dev/std* aliases name the caller, not the proxy: rewritten in place to
 * /proc/PID[/task/TID] (unchanged if the result would not fit in |cap|).
 * |path| is NUL-terminated within |cap|. */
void rf_path_rewrite_self(char *path, size_t cap, int32_t pid, int32_t tid);

/* When |path| (NUL-terminated) starts with a magic link to the caller's own
 * descriptor N (/dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N, /proc/thread-self/fd/N, /proc/NS_PID/fd/N, N < 2^24),
 * returns N and points *rest into |path| at what follows the link, leading
 * slashes skipped ("" or a relative path); else -1.  Under the bwrap
 * backend's Landlock layer ringfence-fs-proxy may not look into the caller's
 * /proc/PID/fd, so such paths travel as a copy of descriptor N instead. */
int rf_path_own_descriptor(const char *path, int32_t ns_pid, const char **rest);

/* Splits |path| (NUL-terminated, trailing slashes removed in place) into its
 * parent directory, written to |parent| (cap |parent_cap|), and its last
 * component, returned through |last| (pointing into |path|).  -ENOENT for an
 * empty path, -ENAMETOOLONG when the parent does not fit. */
int rf_path_split(char *path, char *parent, size_t parent_cap, char **last);

/* ---- sock_diag dumps (NETLINK_SOCK_DIAG, AF_UNIX) ------------------------- */

typedef struct {
  int by_name;                    /* else by the socket file's inode */
  int listening_only;             /* only sockets in TCP_LISTEN count */
  unsigned int dev_major, dev_minor;
  uint32_t ino;                   /* sock_diag reports 32 bits */
  const char *name;               /* abstract name, leading NUL included */
  size_t name_len;
} rf_diag_query;

typedef struct {
  int found;
  uint64_t cookie; /* the matching socket's (the last one, if several) */
} rf_diag_match;

/* Scans one recv() of a dump (|buf| aligned for struct nlmsghdr, |n| bytes)
 * for sockets matching |q|, updating |m|.  1: the dump ended (NLMSG_DONE);
 * 0: more follows; -EIO: an error message or a buffer not aligned. */
int rf_decode_unix_diag(const void *buf, size_t n, const rf_diag_query *q, rf_diag_match *m);
