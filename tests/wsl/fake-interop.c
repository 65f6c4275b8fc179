/* fake-interop.c: a stand-in for WSL's interop, both halves: the binfmt_misc interpreter that hands a .exe to "Windows" over a unix socket, and that "Windows" side (--serve), which logs each request and writes a marker. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/*
 * Interpreter (what binfmt_misc runs for a file starting with "MZ"):
 *   fake-interop FILE.exe [ARG]...
 * Like WSL's /init it asks the socket named in $WSL_INTEROP to run FILE on the other side;
 * being an attacker too, it also tries every entry of /run/WSL and the path written on the
 * second line of FILE (the test writes the real socket there, so even a command that knows
 * the path gets nowhere), and says whether it could create a vsock socket (WSL's other way to
 * Windows; never connected).  Prints what it did on stderr, one "fake-interop:" line each;
 * exits 0 when a request was accepted, 3 when none was.
 *
 * Windows side:  fake-interop --serve SOCKET LOG MARKER
 * Listens on SOCKET (mode 0777), and for each connection reads one line, appends it to LOG
 * and writes MARKER ("ran on the host"), then answers "ok".  Runs until killed.
 */

static int try_socket(const char *path, const char *exe) {
  if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
    return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "fake-interop: socket(AF_UNIX): %s\n", strerror(errno));
    return -1;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  memcpy(addr.sun_path, path, strlen(path) + 1);
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    fprintf(stderr, "fake-interop: connect %s: %s\n", path, strerror(errno));
    close(fd);
    return -1;
  }
  char line[4200];
  int n = snprintf(line, sizeof(line), "run %s uid %d\n", exe, (int)getuid());
  char reply[16] = "";
  int ok = write(fd, line, (size_t)n) == n && read(fd, reply, sizeof(reply) - 1) > 0;
  close(fd);
  fprintf(stderr, "fake-interop: connected to %s: %s\n", path, ok ? "request accepted" : "no answer");
  return ok ? 0 : -1;
}

static int interpret(int argc, char **argv) {
  const char *exe = argc > 1 ? argv[1] : "?";
  fprintf(stderr, "fake-interop: running %s as uid %d\n", exe, (int)getuid());
  int accepted = 0;
  const char *env = getenv("WSL_INTEROP");
  if (env) {
    fprintf(stderr, "fake-interop: WSL_INTEROP=%s\n", env);
    accepted |= try_socket(env, exe) == 0;
  } else {
    fprintf(stderr, "fake-interop: WSL_INTEROP unset\n");
  }
  DIR *dir = opendir("/run/WSL");
  if (!dir) {
    fprintf(stderr, "fake-interop: opendir /run/WSL: %s\n", strerror(errno));
  } else {
    struct dirent *d;
    while ((d = readdir(dir))) {
      if (d->d_name[0] == '.')
        continue;
      char path[512];
      snprintf(path, sizeof(path), "/run/WSL/%s", d->d_name);
      accepted |= try_socket(path, exe) == 0;
    }
    closedir(dir);
  }
  FILE *f = fopen(exe, "re");
  char known[512] = "";
  if (f) {
    char magic[64];
    if (fgets(magic, sizeof(magic), f) && fgets(known, sizeof(known), f))
      known[strcspn(known, "\n")] = '\0';
    fclose(f);
  }
  if (known[0] == '/')
    accepted |= try_socket(known, exe) == 0;
  int vsock = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (vsock < 0) {
    fprintf(stderr, "fake-interop: socket(AF_VSOCK): %s\n", strerror(errno));
  } else {
    fprintf(stderr, "fake-interop: socket(AF_VSOCK) created\n");
    close(vsock);
  }
  return accepted ? 0 : 3;
}

static int serve(const char *path, const char *log, const char *marker) {
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
    perror("fake-interop --serve: socket");
    return 1;
  }
  memcpy(addr.sun_path, path, strlen(path) + 1);
  unlink(path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0777) < 0 ||
      listen(fd, 16) < 0) {
    fprintf(stderr, "fake-interop --serve: %s: %s\n", path, strerror(errno));
    return 1;
  }
  for (;;) {
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR)
        continue;
      perror("fake-interop --serve: accept");
      return 1;
    }
    char line[4200];
    ssize_t n = read(c, line, sizeof(line) - 1);
    line[n > 0 ? n : 0] = '\0';
    int l = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (l >= 0) {
      if (write(l, n > 0 ? line : "(empty request)\n", n > 0 ? (size_t)n : 16) < 0)
        perror("fake-interop --serve: log");
      close(l);
    }
    int m = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m >= 0) {
      if (write(m, "ran on the host\n", 16) < 0)
        perror("fake-interop --serve: marker");
      close(m);
    }
    if (write(c, "ok\n", 3) < 0)
      perror("fake-interop --serve: reply");
    close(c);
  }
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "--serve") == 0)
    return serve(argv[2], argv[3], argv[4]);
  return interpret(argc, argv);
}
