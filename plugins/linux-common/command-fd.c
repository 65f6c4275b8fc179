/* command-fd.c: writes and reads the command-line memfd ringfence-sandbox-init runs the command from (format in command-fd.h). */
#include "command-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t count_strings(const char *const *v) {
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

int rf_command_fd_create(const char *const *argv, const char *const *envp, char *err,
                         size_t err_len) {
  size_t argc = count_strings(argv), envc = count_strings(envp);
  if (argc == 0) {
    snprintf(err, err_len, "no command to run");
    return -EINVAL;
  }
  char header[48];
  int header_len = snprintf(header, sizeof(header), "%zu%c%zu%c", argc, '\0', envc, '\0');
  size_t total = (size_t)header_len;
  for (size_t i = 0; i < argc; i++)
    total += strlen(argv[i]) + 1;
  for (size_t i = 0; i < envc; i++)
    total += strlen(envp[i]) + 1;
  if (total > RF_COMMAND_FD_MAX_BYTES) {
    snprintf(err, err_len,
             "the command line and environment take %zu bytes, more than the %u ringfence "
             "hands to the sandbox (no kernel would run it either)",
             total, RF_COMMAND_FD_MAX_BYTES);
    return -E2BIG;
  }
  char *blob = malloc(total);
  if (!blob) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  size_t used = 0;
  memcpy(blob, header, (size_t)header_len);
  used += (size_t)header_len;
  for (size_t i = 0; i < argc + envc; i++) {
    const char *s = i < argc ? argv[i] : envp[i - argc];
    size_t n = strlen(s) + 1;
    memcpy(blob + used, s, n);
    used += n;
  }

  int fd = memfd_create("ringfence-command", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int e = errno;
    free(blob);
    snprintf(err, err_len, "memfd_create for the command line failed: %s", strerror(e));
    return -e;
  }
  size_t done = 0;
  while (done < total) {
    ssize_t n = write(fd, blob + done, total - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      free(blob);
      close(fd);
      snprintf(err, err_len, "cannot write the command line to its memfd: %s", strerror(e));
      return -e;
    }
    done += (size_t)n;
  }
  free(blob);
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
      lseek(fd, 0, SEEK_SET) != 0) {
    int e = errno;
    close(fd);
    snprintf(err, err_len, "cannot seal the command line's memfd: %s", strerror(e));
    return -e;
  }
  return fd;
}

/* A count: decimal digits only, no sign, at most 9 digits. */
static int parse_count(const char *s, size_t *out) {
  size_t len = strlen(s);
  if (len == 0 || len > 9)
    return -1;
  size_t value = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    value = value * 10 + (size_t)(s[i] - '0');
  }
  *out = value;
  return 0;
}

int rf_command_fd_read(int fd, char ***argv_out, char ***envp_out, void **block_out, char *err,
                       size_t err_len) {
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    snprintf(err, err_len, "reading the command line: %s", strerror(e));
    return -e;
  }
  if (st.st_size <= 0) {
    snprintf(err, err_len, "the command line's descriptor is empty or not a file");
    return -EINVAL;
  }
  if ((unsigned long long)st.st_size > RF_COMMAND_FD_MAX_BYTES) {
    snprintf(err, err_len, "the command line takes %lld bytes, more than %u",
             (long long)st.st_size, RF_COMMAND_FD_MAX_BYTES);
    return -E2BIG;
  }
  size_t size = (size_t)st.st_size;
  char *data = malloc(size);
  if (!data) {
    snprintf(err, err_len, "out of memory for the command line");
    return -ENOMEM;
  }
  size_t got = 0;
  while (got < size) {
    ssize_t n = pread(fd, data + got, size - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      free(data);
      snprintf(err, err_len, "reading the command line: %s", n < 0 ? strerror(e) : "short read");
      return -e;
    }
    got += (size_t)n;
  }

  /* Every string ends in NUL; count them, then check them against the header. */
  size_t n_strings = 0;
  for (size_t i = 0; i < size; i++)
    n_strings += data[i] == '\0';
  size_t argc = 0, envc = 0;
  const char *second = data[size - 1] == '\0' && n_strings >= 2 ? data + strlen(data) + 1 : NULL;
  if (!second || parse_count(data, &argc) < 0 || parse_count(second, &envc) < 0 || argc == 0 ||
      n_strings != 2 + argc + envc) {
    free(data);
    snprintf(err, err_len, "the command line's descriptor holds no well-formed command line");
    return -EINVAL;
  }

  /* One allocation: the two pointer arrays, then the strings. */
  size_t pointers = (argc + 1 + envc + 1) * sizeof(char *);
  char **block = malloc(pointers + size);
  if (!block) {
    free(data);
    snprintf(err, err_len, "out of memory for the command line");
    return -ENOMEM;
  }
  char *strings = (char *)block + pointers;
  memcpy(strings, data, size);
  free(data);
  char *p = strings + strlen(strings) + 1;
  p += strlen(p) + 1;
  char **argv = block, **envp = block + argc + 1;
  for (size_t i = 0; i < argc + envc; i++) {
    if (i < argc)
      argv[i] = p;
    else
      envp[i - argc] = p;
    p += strlen(p) + 1;
  }
  argv[argc] = NULL;
  envp[envc] = NULL;
  *argv_out = argv;
  *envp_out = envp;
  *block_out = block;
  return 0;
}
