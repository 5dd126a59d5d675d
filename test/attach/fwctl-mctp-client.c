/*
 * A small fwctl and AF_MCTP client for the attach tests. It uses only what a real tool uses
 * (open, ioctl, socket, bind, sendto, recvfrom, poll, the system's <linux/mctp.h>), so whatever
 * it prints it would print against a kernel. fwctl's uAPI is restated below: Debian's headers
 * predate include/uapi/fwctl/fwctl.h. One line of output per action.
 *
 *   open:PATH             open a node (closes the previous one); list:DIR lists a directory
 *   fstat                 type and device numbers of the open node
 *   info:K=V,...          FWCTL_INFO; keys: size, flags, len (device_data_len), data=bad, arg=bad
 *   rpc:K=V,...           FWCTL_RPC; keys: size, scope, in (hex), inlen, out (out_len), extra
 *                         (a non-zero byte past the struct), inptr=bad, outptr=bad, arg=bad
 *   ioctl:0xNNNN          any ioctl number on the open node
 *   tainted               /proc/sys/kernel/tainted, through stdio
 *   msock[:TYPE,PROTO]    socket(AF_MCTP, TYPE (default SOCK_DGRAM), PROTO (default 0))
 *   bind:K=V,...          keys: net, eid, type, family, len, pad
 *   send:K=V,...          sendto; keys: net, eid, type, tag, msg (hex), family, len, noaddr
 *   sendmsg:K=V,...       the same through sendmsg with two iovecs (header, rest)
 *   recv:K=V,...          recvfrom; keys: len (buffer), flags=trunc|peek|dontwait|oob
 *   recvmsg:K=V,...       recvmsg; keys as recv
 *   poll:MS               poll the socket for input
 *   alloctag:EID / droptag:EID,TAG    SIOCMCTPALLOCTAG / SIOCMCTPDROPTAG
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mctp.h>
#include <dirent.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

struct fwctl_info {
  uint32_t size, flags, out_device_type, device_data_len;
  uint64_t out_device_data;
};
struct fwctl_rpc {
  uint32_t size, scope, in_len, out_len;
  uint64_t in, out;
};
#define FWCTL_INFO _IO(0x9A, 0)
#define FWCTL_RPC _IO(0x9A, 1)
#define BAD_PTR ((uint64_t)8)

static int fd = -1, sd = -1;

static const char *ename(int e) {
  static char buf[16];
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case EMSGSIZE: return "EMSGSIZE";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: snprintf(buf, sizeof buf, "E%d", e); return buf;
  }
}

static void hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && s[0] != ',' && n < cap) {
    unsigned v;
    sscanf(s, "%2x", &v);
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

/* Calls f(key, value) for each K=V of a comma list. */
static void each(const char *spec, void (*f)(const char *, const char *, void *), void *ctx) {
  char buf[8192];
  snprintf(buf, sizeof buf, "%s", spec);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    if (eq) *eq = 0;
    f(tok, eq ? eq + 1 : "", ctx);
  }
}

struct info_args { struct fwctl_info i; int bad_data, bad_arg; };
static void info_kv(const char *k, const char *v, void *c) {
  struct info_args *a = c;
  unsigned long x = strtoul(v, NULL, 0);
  if (!strcmp(k, "size")) a->i.size = (uint32_t)x;
  else if (!strcmp(k, "flags")) a->i.flags = (uint32_t)x;
  else if (!strcmp(k, "len")) a->i.device_data_len = (uint32_t)x;
  else if (!strcmp(k, "data")) a->bad_data = 1;
  else if (!strcmp(k, "arg")) a->bad_arg = 1;
}

static void do_info(const char *spec) {
  static uint8_t data[64];
  struct { struct info_args a; uint8_t tail[8]; } w;
  memset(&w, 0, sizeof w);
  memset(data, 0xee, sizeof data);
  w.a.i.size = sizeof w.a.i;
  w.a.i.out_device_type = 0x55;
  each(spec, info_kv, &w.a);
  w.a.i.out_device_data = w.a.bad_data ? BAD_PTR : (uint64_t)(uintptr_t)data;
  int r = ioctl(fd, FWCTL_INFO, w.a.bad_arg ? (void *)(uintptr_t)BAD_PTR : (void *)&w.a.i);
  printf("info:%s -> ", spec);
  if (r < 0) return (void)printf("%s\n", ename(errno));
  printf("type=%u len=%u data=", w.a.i.out_device_type, w.a.i.device_data_len);
  hex(data, w.a.i.device_data_len == 0 && !w.a.bad_data ? 8 : 0);
  printf("\n");
}

struct rpc_args { struct fwctl_rpc r; uint8_t tail[8]; int bad_in, bad_out, bad_arg, inlen_set; uint32_t inlen; };
static uint8_t rpc_in[1 << 16];
static void rpc_kv(const char *k, const char *v, void *c) {
  struct rpc_args *a = c;
  unsigned long x = strtoul(v, NULL, 0);
  if (!strcmp(k, "size")) a->r.size = (uint32_t)x;
  else if (!strcmp(k, "scope")) a->r.scope = (uint32_t)x;
  else if (!strcmp(k, "in")) a->r.in_len = (uint32_t)unhex(v, rpc_in, sizeof rpc_in);
  else if (!strcmp(k, "inlen")) a->inlen_set = 1, a->inlen = (uint32_t)x;
  else if (!strcmp(k, "out")) a->r.out_len = (uint32_t)x;
  else if (!strcmp(k, "extra")) a->tail[0] = 1;
  else if (!strcmp(k, "inptr")) a->bad_in = 1;
  else if (!strcmp(k, "outptr")) a->bad_out = 1;
  else if (!strcmp(k, "arg")) a->bad_arg = 1;
}

static void do_rpc(const char *spec) {
  static uint8_t out[1 << 16];
  struct rpc_args a;
  memset(&a, 0, sizeof a);
  memset(out, 0xee, sizeof out);
  a.r.size = sizeof a.r;
  each(spec, rpc_kv, &a);
  if (a.tail[0] && a.r.size == sizeof a.r) a.r.size += sizeof a.tail;
  if (a.inlen_set) a.r.in_len = a.inlen;
  uint32_t asked = a.r.out_len;
  a.r.in = a.bad_in ? BAD_PTR : (uint64_t)(uintptr_t)rpc_in;
  a.r.out = a.bad_out ? BAD_PTR : (uint64_t)(uintptr_t)out;
  int r = ioctl(fd, FWCTL_RPC, a.bad_arg ? (void *)(uintptr_t)BAD_PTR : (void *)&a.r);
  printf("rpc:%s -> ", spec);
  if (r < 0) return (void)printf("%s\n", ename(errno));
  printf("out_len=%u out=", a.r.out_len);
  hex(out, a.r.out_len < asked ? a.r.out_len : asked);
  printf("\n");
}

static void do_list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return (void)printf("list:%s -> %s\n", dir, ename(errno));
  printf("list:%s ->", dir);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &st) == 0) printf(" %s:%s:%u:%u", e->d_name, S_ISCHR(st.st_mode) ? "chr" : "other", major(st.st_rdev), minor(st.st_rdev));
  }
  closedir(d);
  printf("\n");
}

/* ---- AF_MCTP ------------------------------------------------------------------------------ */

struct addr_args { struct sockaddr_mctp a; socklen_t len; int noaddr; uint8_t msg[8192]; size_t n; };
static void addr_kv(const char *k, const char *v, void *c) {
  struct addr_args *a = c;
  unsigned long x = strtoul(v, NULL, 0);
  if (!strcmp(k, "net")) a->a.smctp_network = (unsigned)x;
  else if (!strcmp(k, "eid")) a->a.smctp_addr.s_addr = (uint8_t)x;
  else if (!strcmp(k, "type")) a->a.smctp_type = (uint8_t)x;
  else if (!strcmp(k, "tag")) a->a.smctp_tag = (uint8_t)x;
  else if (!strcmp(k, "family")) a->a.smctp_family = (uint16_t)x;
  else if (!strcmp(k, "pad")) a->a.__smctp_pad1 = (uint8_t)x;
  else if (!strcmp(k, "len")) a->len = (socklen_t)x;
  else if (!strcmp(k, "noaddr")) a->noaddr = 1;
  else if (!strcmp(k, "msg")) a->n = unhex(v, a->msg, sizeof a->msg);
}
static void parse_addr(const char *spec, struct addr_args *a) {
  memset(a, 0, sizeof *a);
  a->a.smctp_family = AF_MCTP;
  a->len = sizeof a->a;
  each(spec, addr_kv, a);
}

static int recv_flags(const char *spec, size_t *len) {
  int flags = 0;
  *len = 4096;
  if (strstr(spec, "trunc")) flags |= MSG_TRUNC;
  if (strstr(spec, "peek")) flags |= MSG_PEEK;
  if (strstr(spec, "dontwait")) flags |= MSG_DONTWAIT;
  if (strstr(spec, "oob")) flags |= MSG_OOB;
  const char *l = strstr(spec, "len=");
  if (l) *len = strtoul(l + 4, NULL, 0);
  return flags;
}

static void print_from(ssize_t r, const uint8_t *buf, size_t cap, const struct sockaddr_mctp *a, socklen_t alen) {
  printf("n=%zd from=%u:%u type=0x%02x tag=0x%02x alen=%u data=", r, a->smctp_network, a->smctp_addr.s_addr, a->smctp_type, a->smctp_tag, (unsigned)alen);
  hex(buf, (size_t)r < cap ? (size_t)r : cap);
  printf("\n");
}

static void do_mctp(const char *a) {
  if (!strncmp(a, "msock", 5)) {
    int type = SOCK_DGRAM, proto = 0;
    if (a[5] == ':') sscanf(a + 6, "%d,%d", &type, &proto);
    if (sd >= 0) close(sd);
    sd = socket(AF_MCTP, type, proto);
    printf("%s -> %s\n", a, sd < 0 ? ename(errno) : "ok");
  } else if (!strncmp(a, "bind:", 5)) {
    struct addr_args x;
    parse_addr(a + 5, &x);
    int r = bind(sd, (struct sockaddr *)&x.a, x.len);
    printf("%s -> %s\n", a, r < 0 ? ename(errno) : "ok");
  } else if (!strncmp(a, "send:", 5) || !strncmp(a, "sendmsg:", 8)) {
    struct addr_args x;
    int msg = a[4] == 'm';
    parse_addr(a + (msg ? 8 : 5), &x);
    ssize_t r;
    if (msg) {
      size_t h = x.n < 4 ? x.n : 4;
      struct iovec iov[2] = {{x.msg, h}, {x.msg + h, x.n - h}};
      struct msghdr m = {.msg_name = x.noaddr ? NULL : &x.a, .msg_namelen = x.noaddr ? 0 : x.len, .msg_iov = iov, .msg_iovlen = 2};
      r = sendmsg(sd, &m, 0);
    } else {
      r = sendto(sd, x.msg, x.n, 0, x.noaddr ? NULL : (struct sockaddr *)&x.a, x.noaddr ? 0 : x.len);
    }
    if (r < 0) printf("%s -> %s\n", a, ename(errno));
    else printf("%s -> %zd\n", a, r);
  } else if (!strncmp(a, "recv", 4)) {
    static uint8_t buf[65536];
    size_t len;
    int flags = recv_flags(a, &len);
    struct sockaddr_mctp from;
    socklen_t alen = sizeof from;
    memset(&from, 0, sizeof from);
    ssize_t r;
    if (!strncmp(a, "recvmsg", 7)) {
      struct iovec iov = {buf, len};
      struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
      r = recvmsg(sd, &m, flags);
      alen = m.msg_namelen;
      if (r >= 0 && (m.msg_flags & MSG_TRUNC)) printf("[MSG_TRUNC] ");
    } else {
      r = recvfrom(sd, buf, len, flags, (struct sockaddr *)&from, &alen);
    }
    printf("%s -> ", a);
    if (r < 0) return (void)printf("%s\n", ename(errno));
    print_from(r, buf, len, &from, alen);
  } else if (!strncmp(a, "poll:", 5)) {
    struct pollfd p = {sd, POLLIN, 0};
    int r = poll(&p, 1, atoi(a + 5));
    printf("%s -> %s\n", a, r < 0 ? ename(errno) : r == 0 ? "timeout" : (p.revents & POLLIN) ? "readable" : "other");
  } else if (!strncmp(a, "alloctag:", 9) || !strncmp(a, "droptag:", 8)) {
    struct mctp_ioc_tag_ctl c;
    memset(&c, 0, sizeof c);
    unsigned eid = 0, tag = 0;
    int alloc = a[0] == 'a';
    sscanf(a + (alloc ? 9 : 8), "%u,%u", &eid, &tag);
    c.peer_addr = (uint8_t)eid;
    c.tag = (uint8_t)tag;
    int r = ioctl(sd, alloc ? SIOCMCTPALLOCTAG : SIOCMCTPDROPTAG, &c);
    if (r < 0) printf("%s -> %s\n", a, ename(errno));
    else printf("%s -> tag=0x%02x\n", a, c.tag);
  } else if (!strcmp(a, "mclose")) {
    printf("mclose -> %s\n", close(sd) < 0 ? ename(errno) : "ok");
    sd = -1;
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strncmp(a, "open:", 5)) {
      if (fd >= 0) close(fd);
      fd = open(a + 5, O_RDWR | O_CLOEXEC);
      printf("%s -> %s\n", a, fd < 0 ? ename(errno) : "ok");
    } else if (!strncmp(a, "list:", 5)) do_list(a + 5);
    else if (!strcmp(a, "fstat")) {
      struct stat st;
      if (fstat(fd, &st) < 0) printf("fstat -> %s\n", ename(errno));
      else printf("fstat -> %s %u:%u\n", S_ISCHR(st.st_mode) ? "chr" : "other", major(st.st_rdev), minor(st.st_rdev));
    } else if (!strncmp(a, "info:", 5)) do_info(a + 5);
    else if (!strncmp(a, "rpc:", 4)) do_rpc(a + 4);
    else if (!strncmp(a, "ioctl:", 6)) {
      int r = ioctl(fd, strtoul(a + 6, NULL, 0), NULL);
      printf("%s -> %s\n", a, r < 0 ? ename(errno) : "ok");
    } else if (!strcmp(a, "tainted")) {
      FILE *f = fopen("/proc/sys/kernel/tainted", "r");
      unsigned long v = 0;
      if (!f || fscanf(f, "%lu", &v) != 1) printf("tainted -> %s\n", ename(errno));
      else printf("tainted -> %lu\n", v);
      if (f) fclose(f);
    } else if (!strncmp(a, "msock", 5) || !strncmp(a, "bind:", 5) || !strncmp(a, "send", 4) || !strncmp(a, "recv", 4) || !strncmp(a, "poll:", 5) || !strncmp(a, "alloctag:", 9) || !strncmp(a, "droptag:", 8) || !strcmp(a, "mclose")) {
      do_mctp(a);
    } else {
      fprintf(stderr, "unknown action %s\n", a);
      return 2;
    }
  }
  return 0;
}
