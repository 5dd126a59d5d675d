/* cxlemu-preload: the broker wire, open of the nodes, and their ioctls (see cxlemu-preload.h). */
#include "cxlemu-preload.h"

const char *sock_path(void) { return getenv("CXLEMU_ATTACH_SOCK"); }

/* Is `name` (e.g. "mem0") one of the broker's nodes? */
int known_node(const char *name) {
  const char *list = getenv(strncmp(name, "fwctl", 5) == 0 ? "CXLEMU_ATTACH_FWCTL" : "CXLEMU_ATTACH_DEVICES");
  size_t n = strlen(name);
  if (!list || n == 0) return 0;
  for (const char *p = list; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

/* "/dev/cxl/mem0" -> "mem0"; NULL when the path is not under /dev/cxl/. */
const char *node_of(const char *path) {
  static const char prefix[] = "/dev/cxl/", fw[] = "/dev/fwctl/";
  if (path && sock_path() && strncmp(path, fw, sizeof fw - 1) == 0) return strncmp(path + sizeof fw - 1, "fwctl", 5) == 0 ? path + sizeof fw - 1 : NULL;
  if (!path || !sock_path() || strncmp(path, prefix, sizeof prefix - 1) != 0) return NULL;
  const char *n = path + sizeof prefix - 1;
  return (strncmp(n, "mem", 3) == 0 || strncmp(n, "switch", 6) == 0) ? n : NULL;
}

/* 1: /dev/cxl, 2: /dev/fwctl, 0: neither. */
int is_cxl_dir(const char *path) {
  if (!path || !sock_path()) return 0;
  if (strcmp(path, "/dev/cxl") == 0 || strcmp(path, "/dev/cxl/") == 0) return 1;
  return (strcmp(path, "/dev/fwctl") == 0 || strcmp(path, "/dev/fwctl/") == 0) ? 2 : 0;
}

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, len -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len) {
    ssize_t r = read(fd, p, len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r, len -= (size_t)r;
  }
  return 0;
}

/*
 * One request/reply. The reply's body (after the errno word) is malloc'd into *body. Threads of
 * one process may share a descriptor, as they may share a kernel file: one exchange at a time.
 */
static pthread_mutex_t wire_lock = PTHREAD_MUTEX_INITIALIZER;
static int transact_locked(int fd, uint32_t op, const void *req, uint32_t len, int32_t *err, uint8_t **body, uint32_t *body_len);
int transact(int fd, uint32_t op, const void *req, uint32_t len, int32_t *err, uint8_t **body, uint32_t *body_len) {
  pthread_mutex_lock(&wire_lock);
  int r = transact_locked(fd, op, req, len, err, body, body_len);
  pthread_mutex_unlock(&wire_lock);
  return r;
}
static int transact_locked(int fd, uint32_t op, const void *req, uint32_t len, int32_t *err, uint8_t **body, uint32_t *body_len) {
  uint32_t hdr[2] = {len + 4, op};
  if (write_all(fd, hdr, sizeof hdr) || (len && write_all(fd, req, len))) return -1;
  uint32_t rlen;
  if (read_all(fd, &rlen, 4) || rlen < 4 || rlen > (64u << 20)) return -1;
  if (read_all(fd, err, 4)) return -1;
  *body_len = rlen - 4;
  *body = malloc(*body_len ? *body_len : 1);
  if (!*body || read_all(fd, *body, *body_len)) {
    /* The callers free *body whatever the result: leave nothing behind for them to free twice. */
    free(*body);
    *body = NULL;
    return -1;
  }
  return 0;
}

/* Ours when the descriptor is a socket connected to the broker. */
int is_ours(int fd) {
  const char *sp = sock_path();
  if (!sp || fd < 0) return 0;
  struct sockaddr_un a;
  socklen_t al = sizeof a;
  int saved = errno, ok = 0;
  memset(&a, 0, sizeof a);
  if (getpeername(fd, (struct sockaddr *)&a, &al) == 0 && a.sun_family == AF_UNIX) ok = strncmp(a.sun_path, sp, sizeof a.sun_path) == 0;
  errno = saved;
  return ok;
}

/*
 * copy_from_user / copy_to_user: EFAULT on a bad address instead of a crash. Where a sandbox
 * forbids process_vm_readv/writev (ENOSYS, EPERM), fall back to a plain copy: a bad pointer then
 * crashes the caller as it would in any library, rather than failing every good call.
 */
int copy_in(void *dst, uint64_t src, size_t len) {
  if (!len) return 0;
  struct iovec l = {dst, len}, r = {(void *)(uintptr_t)src, len};
  ssize_t n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
  if (n < 0 && (errno == ENOSYS || errno == EPERM)) return memcpy(dst, (void *)(uintptr_t)src, len), 0;
  return n == (ssize_t)len ? 0 : -1;
}
int copy_out(uint64_t dst, const void *src, size_t len) {
  if (!len) return 0;
  struct iovec l = {(void *)src, len}, r = {(void *)(uintptr_t)dst, len};
  ssize_t n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
  if (n < 0 && (errno == ENOSYS || errno == EPERM)) return memcpy((void *)(uintptr_t)dst, src, len), 0;
  return n == (ssize_t)len ? 0 : -1;
}

/* A fresh connection to the broker: each descriptor we hand out is one (see the header). */
int connect_broker(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, sock_path(), sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int open_node(const char *node) {
  if (!known_node(node)) return errno = ENOENT, -1;
  int fd = connect_broker();
  if (fd < 0) {
    /* Out of descriptors or memory is the caller's to see; no broker is "no such device". */
    if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM) errno = ENXIO;
    return -1;
  }
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  if (transact(fd, OP_OPEN, node, (uint32_t)strlen(node), &err, &body, &blen) < 0) {
    close(fd);
    return errno = ENXIO, -1;
  }
  free(body);
  if (err) return close(fd), errno = err, -1;
  return fd;
}

/* ---- open family ------------------------------------------------------------------------- */

/* An open of one of our nodes or of the taint file: its descriptor (or -1 with errno set), or
 * NOT_OURS for any other path, which goes to libc. */
#define NOT_OURS (-2)
static int open_ours(const char *path) {
  const char *n = node_of(path);
  if (n) return open_node(n);
  if (is_taint_path(path)) return taint_open();
  return NOT_OURS;
}
/* The mode argument exists only with O_CREAT or O_TMPFILE; va_start must run in the caller. */
#define MODE_ARG(flags, mode)                                           \
  do {                                                                  \
    va_list ap;                                                         \
    va_start(ap, flags);                                                \
    mode = ((flags) & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;  \
    va_end(ap);                                                         \
  } while (0)

int open(const char *path, int flags, ...) {
  int fd = open_ours(path);
  if (fd != NOT_OURS) return fd;
  mode_t mode;
  MODE_ARG(flags, mode);
  REAL(open);
  return real_open(path, flags, mode);
}
int open64(const char *path, int flags, ...) {
  int fd = open_ours(path);
  if (fd != NOT_OURS) return fd;
  mode_t mode;
  MODE_ARG(flags, mode);
  REAL(open64);
  return real_open64(path, flags, mode);
}
int openat(int dirfd, const char *path, int flags, ...) {
  int fd = open_ours(path);
  if (fd != NOT_OURS) return fd;
  mode_t mode;
  MODE_ARG(flags, mode);
  REAL(openat);
  return real_openat(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  int fd = open_ours(path);
  if (fd != NOT_OURS) return fd;
  mode_t mode;
  MODE_ARG(flags, mode);
  REAL(openat64);
  return real_openat64(dirfd, path, flags, mode);
}
/* _FORTIFY_SOURCE callers reach these instead of open(). */
int __open_2(const char *path, int flags) { return open(path, flags); }
int __open64_2(const char *path, int flags) { return open64(path, flags); }
int __openat_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
int __openat64_2(int dirfd, const char *path, int flags) { return openat64(dirfd, path, flags); }

/* ---- ioctl ------------------------------------------------------------------------------- */

static int do_query(int fd, void *arg) {
  uint32_t hdr[2];
  if (copy_in(hdr, (uintptr_t)arg, sizeof hdr)) return errno = EFAULT, -1;
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  if (transact(fd, OP_QUERY, &hdr[0], 4, &err, &body, &blen) < 0) return errno = EIO, -1;
  if (err) return free(body), errno = err, -1;
  uint32_t n_out, n_entries;
  if (blen < 8) return free(body), errno = EIO, -1;
  memcpy(&n_out, body, 4);
  memcpy(&n_entries, body + 4, 4);
  int bad = blen < 8 + 16ull * n_entries || copy_out((uintptr_t)arg + 8, body + 8, 16ull * n_entries) || copy_out((uintptr_t)arg, &n_out, 4);
  free(body);
  return bad ? (errno = EFAULT, -1) : 0;
}

/* Request: u32 id, flags, raw opcode|rsvd, retval(ignored), in.size, in.rsvd, out.size, out.rsvd,
 * u32 in_fault, then in.size payload bytes (or none when in_fault). */
static int do_send(int fd, void *arg) {
  uint8_t s[48];
  if (copy_in(s, (uintptr_t)arg, sizeof s)) return errno = EFAULT, -1;
  uint32_t in_size, out_size;
  uint64_t in_ptr, out_ptr;
  memcpy(&in_size, s + 16, 4);
  memcpy(&in_ptr, s + 24, 8);
  memcpy(&out_size, s + 32, 4);
  memcpy(&out_ptr, s + 40, 8);
  /* More than the largest mailbox (1 MiB) is refused by the broker with EINVAL before any copy. */
  uint32_t copy = in_size <= (1u << 20) ? in_size : 0;
  uint8_t *req = malloc(36 + (size_t)copy);
  if (!req) return errno = ENOMEM, -1;
  uint32_t words[9];
  memcpy(words, s, 8);            /* id, flags */
  memcpy(&words[2], s + 8, 4);    /* raw opcode + rsvd */
  memcpy(&words[3], s + 12, 4);   /* retval (output only) */
  words[4] = in_size;
  memcpy(&words[5], s + 20, 4);   /* in.rsvd */
  words[6] = out_size;
  memcpy(&words[7], s + 36, 4);   /* out.rsvd */
  words[8] = copy_in(req + 36, in_ptr, copy) ? 1 : 0;
  memcpy(req, words, 36);
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  int t = transact(fd, OP_SEND, req, 36 + (words[8] ? 0 : copy), &err, &body, &blen);
  free(req);
  if (t < 0) return errno = EIO, -1;
  if (err) return free(body), errno = err, -1;
  uint32_t retval, n;
  if (blen < 8) return free(body), errno = EIO, -1;
  memcpy(&retval, body, 4);
  memcpy(&n, body + 4, 4);
  if (blen < 8 + n || copy_out(out_ptr, body + 8, n)) return free(body), errno = EFAULT, -1;
  free(body);
  memcpy(s + 12, &retval, 4);
  memcpy(s + 32, &n, 4);
  return copy_out((uintptr_t)arg, s, sizeof s) ? (errno = EFAULT, -1) : 0;
}

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  int mrc;
  if (mctp_ioctl(fd, req, arg, &mrc)) return mrc;
  if (is_ours(fd)) {
    /* The syscall takes the request as an unsigned int: a caller that passes a negative int
     * (libcxl does) has it sign-extended here, and the kernel would not see the high half. */
    if ((uint32_t)req == (uint32_t)CXLEMU_QUERY_COMMANDS) return do_query(fd, arg);
    if ((uint32_t)req == (uint32_t)CXLEMU_SEND_COMMAND) return do_send(fd, arg);
    if ((uint32_t)req == 0x9A00u || (uint32_t)req == 0x9A01u) return fwctl_ioctl(fd, req, arg); /* FWCTL_INFO, FWCTL_RPC */
    /* Recorded by the broker, answered as the kernel answers an ioctl it does not know. */
    uint32_t r = (uint32_t)req;
    int32_t err = 0;
    uint8_t *body = NULL;
    uint32_t blen = 0;
    if (transact(fd, OP_IOCTL_OTHER, &r, 4, &err, &body, &blen) == 0) free(body);
    return errno = ENOTTY, -1;
  }
  REAL(ioctl);
  return real_ioctl(fd, req, arg);
}
