/* spawnbench.c: run several command variants interleaved, many rounds, and record
 * wall time, CPU time, peak RSS and exit status of every run (one TSV line each).
 *
 * Usage: spawnbench -n ROUNDS [-w WARMUP] [-o OUT.tsv] SPECFILE
 *
 * SPECFILE: one variant per line, fields separated by TABs:
 *   NAME  OPTIONS  ARGV0  ARG1 ...
 * OPTIONS is "-" or a comma-separated list of
 *   cwd=DIR          run in DIR
 *   fdN=PATH:r|w     open PATH (read or write) as descriptor N in the child
 *   inner            the command prints a number (seconds) as its last stdout
 *                    line: record it as the run's "inner" time
 *   stdout=PATH      send stdout to PATH (default /dev/null)
 *   stderr=PATH      append stderr to PATH (default: inherited)
 *   sockpair=N       give the child one end of a fresh AF_UNIX socketpair as
 *                    descriptor N; this process holds the other end until the
 *                    child is reaped (a stand-in for a peer that is listening)
 *   hold=N           give the child one end of a fresh AF_UNIX socketpair as
 *                    descriptor N; this process holds the other end, silent,
 *                    until the child is reaped (a stand-in for ringfence's end
 *                    of the lifeline: init ends the sandbox on end-of-file)
 *   landlock=N       give the child a fresh Landlock ruleset as descriptor N,
 *                    handling the write rights of the running ABI, with no rule
 *                    (a stand-in for the one ringfence hands the bwrap backend's
 *                    init, which adds its /dev rules and enforces it)
 * Round r starts with variant (r mod V) and goes round the list, so that no
 * variant always follows the same one.  Warm-up rounds are run and discarded.
 *
 * Timing is CLOCK_MONOTONIC from just before fork() to just after wait4() in
 * this small process, so the only overhead common to all variants is one
 * fork+exec from a ~1 MiB parent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VARIANTS 64
#define MAX_FDS 8

typedef struct {
  int num;
  char *path;
  int write;
} fd_spec;

typedef struct {
  char *name;
  char *cwd;
  char *stdout_path;
  char *stderr_path;
  int inner;
  fd_spec fds[MAX_FDS];
  int n_fds;
  int sockpair_fd; /* -1: none */
  int hold_fd;     /* -1: none */
  int landlock_fd; /* -1: none */
  char **argv;
} variant;

static variant variants[MAX_VARIANTS];
static int n_variants;

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void parse_options(variant *v, char *opts) {
  if (strcmp(opts, "-") == 0)
    return;
  for (char *save = NULL, *tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (strncmp(tok, "cwd=", 4) == 0)
      v->cwd = strdup(tok + 4);
    else if (strncmp(tok, "stdout=", 7) == 0)
      v->stdout_path = strdup(tok + 7);
    else if (strncmp(tok, "sockpair=", 9) == 0)
      v->sockpair_fd = atoi(tok + 9);
    else if (strncmp(tok, "hold=", 5) == 0)
      v->hold_fd = atoi(tok + 5);
    else if (strncmp(tok, "landlock=", 9) == 0)
      v->landlock_fd = atoi(tok + 9);
    else if (strncmp(tok, "stderr=", 7) == 0)
      v->stderr_path = strdup(tok + 7);
    else if (strcmp(tok, "inner") == 0)
      v->inner = 1;
    else if (strncmp(tok, "fd", 2) == 0 && strchr(tok, '=')) {
      if (v->n_fds >= MAX_FDS) {
        fprintf(stderr, "spawnbench: too many fds in %s\n", v->name);
        exit(2);
      }
      fd_spec *f = &v->fds[v->n_fds++];
      f->num = atoi(tok + 2);
      char *eq = strchr(tok, '=');
      char *colon = strrchr(eq, ':');
      f->write = colon && colon[1] == 'w';
      if (colon)
        *colon = '\0';
      f->path = strdup(eq + 1);
    } else {
      fprintf(stderr, "spawnbench: unknown option '%s'\n", tok);
      exit(2);
    }
  }
}

static void read_spec(const char *file) {
  FILE *f = fopen(file, "re");
  if (!f)
    die(file);
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n')
      line[--len] = '\0';
    if (len == 0 || line[0] == '#')
      continue;
    if (n_variants >= MAX_VARIANTS) {
      fprintf(stderr, "spawnbench: too many variants\n");
      exit(2);
    }
    variant *v = &variants[n_variants++];
    char **fields = NULL;
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
      fields = realloc(fields, (n + 2) * sizeof(char *));
      fields[n++] = strdup(tok);
    }
    if (n < 3) {
      fprintf(stderr, "spawnbench: bad spec line (need NAME OPTIONS ARGV...)\n");
      exit(2);
    }
    fields[n] = NULL;
    v->name = fields[0];
    v->sockpair_fd = -1;
    v->hold_fd = -1;
    v->landlock_fd = -1;
    parse_options(v, fields[1]);
    v->argv = fields + 2;
  }
  free(line);
  fclose(f);
}

static double inner_time(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  char buf[512], last[512] = "";
  while (fgets(buf, sizeof(buf), f))
    if (buf[0] != '\n')
      memcpy(last, buf, sizeof(last));
  fclose(f);
  char *end = NULL;
  double value = strtod(last, &end);
  return end == last ? -1 : value;
}

/* A ruleset handling the write rights (write_file .. make_sym, refer from
 * ABI 2, truncate from ABI 3), as ringfence creates for the bwrap backend. */
static int landlock_ruleset(void) {
  long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1u /* VERSION */);
  if (abi < 2)
    return -1;
  struct {
    unsigned long long fs, net, scoped;
  } attr = {0, 0, 0};
  for (int bit = 1; bit <= 14; bit++)
    if (bit != 2 && bit != 3 && (bit != 14 || abi >= 3))
      attr.fs |= 1ull << bit;
  size_t size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
  return (int)syscall(444, &attr, size, 0);
}

static void run_one(FILE *out, int round, int warm, variant *v, const char *tmpout) {
  struct timespec t0, t1;
  const char *stdout_path = v->inner ? tmpout : v->stdout_path ? v->stdout_path : "/dev/null";
  int pair[2] = {-1, -1}, held[2] = {-1, -1};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (v->sockpair_fd >= 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    die("socketpair");
  if (v->hold_fd >= 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, held) != 0)
    die("socketpair");
  pid_t pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int o = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in < 0 || o < 0)
      _exit(121);
    dup2(in, 0);
    dup2(o, 1);
    if (v->stderr_path) {
      int e = open(v->stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (e < 0)
        _exit(121);
      dup2(e, 2);
    }
    /* Descriptors go to their numbers; open them all above the targets first. */
    if (pair[0] >= 0)
      pair[0] = fcntl(pair[0], F_DUPFD, 100);
    if (held[0] >= 0)
      held[0] = fcntl(held[0], F_DUPFD, 100);
    int tmp[MAX_FDS];
    for (int i = 0; i < v->n_fds; i++) {
      int fd = open(v->fds[i].path, v->fds[i].write ? O_WRONLY : O_RDONLY);
      if (fd < 0)
        _exit(122);
      tmp[i] = fcntl(fd, F_DUPFD, 100);
      close(fd);
    }
    for (int i = 0; i < v->n_fds; i++)
      if (dup2(tmp[i], v->fds[i].num) < 0)
        _exit(123);
    for (int i = 0; i < v->n_fds; i++)
      close(tmp[i]);
    if (pair[0] >= 0 && dup2(pair[0], v->sockpair_fd) < 0)
      _exit(123);
    if (held[0] >= 0 && dup2(held[0], v->hold_fd) < 0)
      _exit(123);
    if (v->landlock_fd >= 0) {
      int ruleset = landlock_ruleset();
      if (ruleset < 0 || dup2(ruleset, v->landlock_fd) < 0)
        _exit(125);
    }
    if (v->cwd && chdir(v->cwd) != 0)
      _exit(124);
    execv(v->argv[0], v->argv);
    _exit(127);
  }
  if (pair[0] >= 0)
    close(pair[0]);
  if (held[0] >= 0)
    close(held[0]);
  if (pair[1] >= 0) {
    /* ringfence-sandbox-init writes the listener's number and waits for one
     * byte back (the supervisor copies the listener meanwhile); the by-hand
     * run answers without copying anything. */
    char c;
    ssize_t n;
    while ((n = read(pair[1], &c, 1)) == 1 && c != '\n')
      ;
    if (n == 1 && write(pair[1], "A", 1) != 1) {
      /* bwrap went away: nothing to answer */
    }
  }
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      die("wait4");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (pair[1] >= 0)
    close(pair[1]);
  if (held[1] >= 0)
    close(held[1]);
  double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
  double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  double inner = v->inner ? inner_time(tmpout) : -1;
  if (!warm)
    fprintf(out, "%s\t%d\t%.9f\t%.6f\t%.6f\t%ld\t%d\t%.9f\n", v->name, round, wall, user, sys,
            ru.ru_maxrss, code, inner);
  fflush(out);
}

int main(int argc, char **argv) {
  int rounds = 10, warmup = 1;
  const char *outfile = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "n:w:o:")) != -1) {
    switch (opt) {
    case 'n': rounds = atoi(optarg); break;
    case 'w': warmup = atoi(optarg); break;
    case 'o': outfile = optarg; break;
    default:
      fprintf(stderr, "usage: spawnbench -n ROUNDS [-w WARMUP] [-o OUT.tsv] SPECFILE\n");
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "usage: spawnbench -n ROUNDS [-w WARMUP] [-o OUT.tsv] SPECFILE\n");
    return 2;
  }
  read_spec(argv[optind]);
  FILE *out = outfile ? fopen(outfile, "we") : stdout;
  if (!out)
    die(outfile);
  char tmpout[] = "/tmp/spawnbench-out-XXXXXX";
  int tfd = mkstemp(tmpout);
  if (tfd < 0)
    die("mkstemp");
  close(tfd);
  fprintf(out, "variant\tround\twall_s\tuser_s\tsys_s\tmaxrss_kb\texit\tinner_s\n");
  for (int r = 0; r < warmup + rounds; r++)
    for (int k = 0; k < n_variants; k++)
      run_one(out, r - warmup, r < warmup, &variants[(r + k) % n_variants], tmpout);
  unlink(tmpout);
  if (out != stdout)
    fclose(out);
  return 0;
}
