/*
 * A small CXL ioctl client for the attach tests: it uses only what a real tool uses (the system's
 * <linux/cxl_mem.h>, open, fstat, opendir, ioctl), so whatever it prints it would print against a
 * kernel. One line of output per action; the tests compare those lines.
 *
 *   cxl-ioctl-client ACTION [ACTION...]
 *   list                         entries of /dev/cxl with type and device numbers
 *   open:NODE                    open /dev/cxl/NODE (closes the previous one)
 *   fstat                        fstat of the open node
 *   query:N                      CXL_MEM_QUERY_COMMANDS with n_commands = N (0: count only)
 *   send:K=V,...                 CXL_MEM_SEND_COMMAND; keys: id, op (raw opcode), in (hex),
 *                                out (size), flags, rsvd (raw.rsvd), inrsvd, outrsvd,
 *                                inptr=bad, outptr=bad, arg=bad
 *   dup                          replace the open descriptor by a dup of it
 *   ioctl:0xNNNN                 an unknown ioctl number on the node
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/cxl_mem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define BAD_PTR ((uint64_t)8) /* never mapped */

static int fd = -1;

static const char *ename(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return "E?";
  }
}

static void hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && n < cap) {
    unsigned v;
    sscanf(s, "%2x", &v);
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static void do_list(void) {
  DIR *d = opendir("/dev/cxl");
  if (!d) {
    printf("list -> %s\n", ename(errno));
    return;
  }
  printf("list ->");
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, "/dev/cxl/%s", e->d_name);
    if (stat(path, &st) == 0) printf(" %s:%s:%u:%u", e->d_name, S_ISCHR(st.st_mode) ? "chr" : "other", major(st.st_rdev), minor(st.st_rdev));
    else printf(" %s:%s", e->d_name, ename(errno));
  }
  closedir(d);
  printf("\n");
}

static void do_query(unsigned n) {
  size_t sz = sizeof(struct cxl_mem_query_commands) + (size_t)n * sizeof(struct cxl_command_info);
  struct cxl_mem_query_commands *q = calloc(1, sz);
  q->n_commands = n;
  if (ioctl(fd, CXL_MEM_QUERY_COMMANDS, q) < 0) {
    printf("query:%u -> %s\n", n, ename(errno));
  } else {
    printf("query:%u -> n=%u", n, q->n_commands);
    for (unsigned i = 0; i < n; i++) {
      struct cxl_command_info *c = &q->commands[i];
      if (c->id || c->flags) printf(" [%u f=%u in=%d out=%d]", c->id, c->flags, (int)c->size_in, (int)c->size_out);
    }
    printf("\n");
  }
  free(q);
}

static void do_send(const char *spec) {
  struct cxl_send_command c;
  static uint8_t in[1 << 20], out[1 << 20];
  memset(&c, 0, sizeof c);
  memset(out, 0xee, sizeof out);
  int bad_in = 0, bad_out = 0, bad_arg = 0;
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", spec);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    if (!eq) continue;
    *eq = 0;
    const char *v = eq + 1;
    unsigned long x = strtoul(v, NULL, 0);
    if (!strcmp(tok, "id")) c.id = (uint32_t)x;
    else if (!strcmp(tok, "op")) c.raw.opcode = (uint16_t)x;
    else if (!strcmp(tok, "rsvd")) c.raw.rsvd = (uint16_t)x;
    else if (!strcmp(tok, "flags")) c.flags = (uint32_t)x;
    else if (!strcmp(tok, "inrsvd")) c.in.rsvd = (uint32_t)x;
    else if (!strcmp(tok, "outrsvd")) c.out.rsvd = (uint32_t)x;
    else if (!strcmp(tok, "out")) c.out.size = (uint32_t)x;
    else if (!strcmp(tok, "insize")) c.in.size = (uint32_t)x;
    else if (!strcmp(tok, "in")) c.in.size = (uint32_t)unhex(v, in, sizeof in);
    else if (!strcmp(tok, "inptr")) bad_in = 1;
    else if (!strcmp(tok, "outptr")) bad_out = 1;
    else if (!strcmp(tok, "arg")) bad_arg = 1;
  }
  c.in.payload = bad_in ? BAD_PTR : (uint64_t)(uintptr_t)in;
  c.out.payload = bad_out ? BAD_PTR : (uint64_t)(uintptr_t)out;
  int r = ioctl(fd, CXL_MEM_SEND_COMMAND, bad_arg ? (void *)(uintptr_t)BAD_PTR : (void *)&c);
  printf("send:%s -> ", spec);
  if (r < 0) {
    printf("%s\n", ename(errno));
    return;
  }
  printf("retval=0x%04x size=%u out=", c.retval, c.out.size);
  hex(out, c.out.size);
  printf("\n");
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "list")) do_list();
    else if (!strncmp(a, "open:", 5)) {
      char path[300];
      if (fd >= 0) close(fd);
      snprintf(path, sizeof path, "/dev/cxl/%s", a + 5);
      fd = open(path, O_RDWR | O_CLOEXEC);
      printf("%s -> %s\n", a, fd < 0 ? ename(errno) : "ok");
    } else if (!strcmp(a, "fstat")) {
      struct stat st;
      if (fstat(fd, &st) < 0) printf("fstat -> %s\n", ename(errno));
      else printf("fstat -> %s %u:%u\n", S_ISCHR(st.st_mode) ? "chr" : "other", major(st.st_rdev), minor(st.st_rdev));
    } else if (!strncmp(a, "query:", 6)) do_query((unsigned)strtoul(a + 6, NULL, 0));
    else if (!strncmp(a, "send:", 5)) do_send(a + 5);
    else if (!strcmp(a, "dup")) {
      int d = dup(fd);
      close(fd);
      fd = d;
      printf("dup -> %s\n", d < 0 ? ename(errno) : "ok");
    } else if (!strncmp(a, "ioctl:", 6)) {
      int r = ioctl(fd, strtoul(a + 6, NULL, 0), NULL);
      printf("%s -> %s\n", a, r < 0 ? ename(errno) : "ok");
    } else {
      fprintf(stderr, "unknown action %s\n", a);
      return 2;
    }
  }
  if (fd >= 0) close(fd);
  return 0;
}
