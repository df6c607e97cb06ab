/* Test helper: TCP listeners on loopback that never accept.
 *
 *   listen ADDR:PORT[/full] ...      (IPv6: [::1]:PORT)
 *
 * A plain listener has a large backlog, so connects to it succeed ("open"). A /full one has
 * its accept queue filled (backlog 0 plus one connection), so the kernel drops further SYNs
 * and connects to it hang ("timeout", as a filtered port). Prints "ready" once everything
 * listens, then waits to be killed (or 300 s). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len, int *full) {
  char buf[128], *port, *slash;
  snprintf(buf, sizeof(buf), "%s", spec);
  *full = 0;
  if ((slash = strrchr(buf, '/')) && strcmp(slash, "/full") == 0) {
    *full = 1;
    *slash = '\0';
  }
  if (!(port = strrchr(buf, ':'))) return -1;
  *port++ = '\0';
  memset(ss, 0, sizeof(*ss));
  if (buf[0] == '[') {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    buf[strlen(buf) - 1] = '\0';
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((unsigned short)atoi(port));
    *len = sizeof(*a);
    return inet_pton(AF_INET6, buf + 1, &a->sin6_addr) == 1 ? 0 : -1;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)atoi(port));
    *len = sizeof(*a);
    return inet_pton(AF_INET, buf, &a->sin_addr) == 1 ? 0 : -1;
  }
}

int main(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++) {
    struct sockaddr_storage ss;
    socklen_t len;
    int full, fd, one = 1;
    if (parse(argv[i], &ss, &len, &full) < 0) {
      fprintf(stderr, "listen: bad address %s\n", argv[i]);
      return 1;
    }
    int tries = 0, bound = -1;
    fd = socket(ss.ss_family, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* The same test may be running in another build tree right now: wait for its turn. */
    while (fd >= 0 && (bound = bind(fd, (struct sockaddr *)&ss, len)) < 0 && errno == EADDRINUSE &&
           ++tries < 200)
      usleep(50000);
    if (fd < 0 || bound < 0 || listen(fd, full ? 0 : 4096) < 0) {
      perror(argv[i]);
      return 1;
    }
    if (full) {
      int c = socket(ss.ss_family, SOCK_STREAM, 0);
      if (connect(c, (struct sockaddr *)&ss, len) < 0) {
        perror(argv[i]);
        return 1;
      }
    }
  }
  usleep(20000); /* the filling connections reach the accept queues */
  alarm(300);    /* never outlive a test killed by its timeout for long */
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
