/*
 * cxlemu-preload: an LD_PRELOAD library that gives one process the kernel's CXL character
 * devices (/dev/cxl/memN, /dev/cxl/switchN) backed by a cxlemu broker, so an unmodified program
 * that opens them and issues CXL_MEM_QUERY_COMMANDS / CXL_MEM_SEND_COMMAND reaches the emulator.
 *
 * Environment (set by `cxlemu attach`):
 *   CXLEMU_ATTACH_SOCK     path of the broker's Unix socket
 *   CXLEMU_ATTACH_DEVICES  comma-separated node names, e.g. "mem0,mem1,switch0"
 *
 * Each open() of a node is a fresh connection to the broker, so the descriptor is a real one:
 * close, dup, fork and poll behave. A descriptor is recognised as ours by its peer address (the
 * broker path), so dup'd and inherited copies work too. The broker does every kernel check; this
 * file only moves bytes and copies user memory the way copy_from_user/copy_to_user would (a bad
 * pointer is EFAULT, found with process_vm_readv/writev on ourselves rather than by crashing).
 *
 * Struct layouts restated from the Linux uAPI include/uapi/linux/cxl_mem.h (fixed sizes, host
 * endian): struct cxl_command_info is 16 bytes, struct cxl_send_command 48 bytes.
 */
#define _GNU_SOURCE
/* Callers may pass NULL where glibc declares nonnull: check anyway. */
#pragma GCC diagnostic ignored "-Wnonnull-compare"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

/* _IOR(0xCE, 1, 8-byte struct) and _IOWR(0xCE, 2, 48-byte struct), spelled out. */
#define CXLEMU_QUERY_COMMANDS 0x8008CE01UL
#define CXLEMU_SEND_COMMAND 0xC030CE02UL

/* Broker operations (emulator/attach/wire.ts restates them). */
enum { OP_OPEN = 1, OP_QUERY = 2, OP_SEND = 3, OP_STAT = 4, OP_IOCTL_OTHER = 5 };

/* Major numbers are allocated dynamically by a real kernel; these are fixed so runs repeat. */
#define CXLEMU_MEM_MAJOR 250
#define CXLEMU_SWITCH_MAJOR 251

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static const char *sock_path(void) { return getenv("CXLEMU_ATTACH_SOCK"); }

/* Is `name` (e.g. "mem0") one of the broker's nodes? */
static int known_node(const char *name) {
  const char *list = getenv("CXLEMU_ATTACH_DEVICES");
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
static const char *node_of(const char *path) {
  static const char prefix[] = "/dev/cxl/";
  if (!path || !sock_path() || strncmp(path, prefix, sizeof prefix - 1) != 0) return NULL;
  const char *n = path + sizeof prefix - 1;
  return (strncmp(n, "mem", 3) == 0 || strncmp(n, "switch", 6) == 0) ? n : NULL;
}

static int is_cxl_dir(const char *path) {
  return path && sock_path() && (strcmp(path, "/dev/cxl") == 0 || strcmp(path, "/dev/cxl/") == 0);
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
static int transact(int fd, uint32_t op, const void *req, uint32_t len, int32_t *err, uint8_t **body, uint32_t *body_len) {
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
  if (!*body || read_all(fd, *body, *body_len)) return free(*body), -1;
  return 0;
}

/* Ours when the descriptor is a socket connected to the broker. */
static int is_ours(int fd) {
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
static int copy_in(void *dst, uint64_t src, size_t len) {
  if (!len) return 0;
  struct iovec l = {dst, len}, r = {(void *)(uintptr_t)src, len};
  ssize_t n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
  if (n < 0 && (errno == ENOSYS || errno == EPERM)) return memcpy(dst, (void *)(uintptr_t)src, len), 0;
  return n == (ssize_t)len ? 0 : -1;
}
static int copy_out(uint64_t dst, const void *src, size_t len) {
  if (!len) return 0;
  struct iovec l = {(void *)src, len}, r = {(void *)(uintptr_t)dst, len};
  ssize_t n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
  if (n < 0 && (errno == ENOSYS || errno == EPERM)) return memcpy((void *)(uintptr_t)dst, src, len), 0;
  return n == (ssize_t)len ? 0 : -1;
}

static int open_node(const char *node) {
  if (!known_node(node)) return errno = ENOENT, -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, sock_path(), sizeof a.sun_path - 1);
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 || transact(fd, OP_OPEN, node, (uint32_t)strlen(node), &err, &body, &blen) < 0) {
    close(fd);
    return errno = ENXIO, -1;
  }
  free(body);
  if (err) return close(fd), errno = err, -1;
  return fd;
}

/* ---- open family ------------------------------------------------------------------------- */

int open(const char *path, int flags, ...) {
  const char *n = node_of(path);
  if (n) return open_node(n);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
  va_end(ap);
  REAL(open);
  return real_open(path, flags, mode);
}
int open64(const char *path, int flags, ...) {
  const char *n = node_of(path);
  if (n) return open_node(n);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
  va_end(ap);
  REAL(open64);
  return real_open64(path, flags, mode);
}
int openat(int dirfd, const char *path, int flags, ...) {
  const char *n = node_of(path);
  if (n) return open_node(n);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
  va_end(ap);
  REAL(openat);
  return real_openat(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  const char *n = node_of(path);
  if (n) return open_node(n);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
  va_end(ap);
  REAL(openat64);
  return real_openat64(dirfd, path, flags, mode);
}
/* _FORTIFY_SOURCE callers reach these instead of open(). */
int __open_2(const char *path, int flags) { return open(path, flags); }
int __open64_2(const char *path, int flags) { return open64(path, flags); }
int __openat_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
int __openat64_2(int dirfd, const char *path, int flags) { return openat64(dirfd, path, flags); }

/* ---- stat family ------------------------------------------------------------------------- */

static int node_index(const char *node, int *is_switch) {
  *is_switch = strncmp(node, "switch", 6) == 0;
  return atoi(node + (*is_switch ? 6 : 3));
}

static void fill_chr(struct stat *st, int is_switch, int index) {
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFCHR | 0600;
  st->st_nlink = 1;
  st->st_rdev = makedev(is_switch ? CXLEMU_SWITCH_MAJOR : CXLEMU_MEM_MAJOR, (unsigned)index);
  st->st_dev = makedev(0, 5);
  st->st_ino = (ino_t)(0x1000 + (is_switch ? 0x100 : 0) + index);
  st->st_blksize = 4096;
  st->st_uid = getuid();
  st->st_gid = getgid();
}

/* 1: answered (st filled or errno set, *rc is the result); 0: not ours. */
static int fake_path_stat(const char *path, struct stat *st, int *rc) {
  if (is_cxl_dir(path)) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
    st->st_ino = 0x1000;
    st->st_dev = makedev(0, 5);
    return *rc = 0, 1;
  }
  const char *n = node_of(path);
  if (!n) return 0;
  if (!known_node(n)) return errno = ENOENT, *rc = -1, 1;
  int sw, idx = node_index(n, &sw);
  fill_chr(st, sw, idx);
  return *rc = 0, 1;
}

static int fake_fd_stat(int fd, struct stat *st, int *rc) {
  if (!is_ours(fd)) return 0;
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  if (transact(fd, OP_STAT, NULL, 0, &err, &body, &blen) < 0 || (!err && blen < 8)) {
    free(body);
    return errno = EIO, *rc = -1, 1;
  }
  if (err) return free(body), errno = err, *rc = -1, 1;
  uint32_t kind, index;
  memcpy(&kind, body, 4);
  memcpy(&index, body + 4, 4);
  free(body);
  fill_chr(st, kind == 1, (int)index);
  return *rc = 0, 1;
}

/* On x86_64 and aarch64 struct stat and struct stat64 share one layout. */
#define PATH_STAT(fn, st_t)                                  \
  int fn(const char *path, st_t *st) {                       \
    int rc;                                                  \
    if (fake_path_stat(path, (struct stat *)st, &rc)) return rc; \
    REAL(fn);                                                \
    return real_##fn(path, st);                              \
  }
PATH_STAT(stat, struct stat)
PATH_STAT(stat64, struct stat64)
PATH_STAT(lstat, struct stat)
PATH_STAT(lstat64, struct stat64)

#define FD_STAT(fn, st_t)                                    \
  int fn(int fd, st_t *st) {                                 \
    int rc;                                                  \
    if (fake_fd_stat(fd, (struct stat *)st, &rc)) return rc; \
    REAL(fn);                                                \
    return real_##fn(fd, st);                                \
  }
FD_STAT(fstat, struct stat)
FD_STAT(fstat64, struct stat64)

#define AT_STAT(fn, st_t)                                                        \
  int fn(int dirfd, const char *path, st_t *st, int flags) {                     \
    int rc;                                                                      \
    if ((flags & AT_EMPTY_PATH) && path && !*path && fake_fd_stat(dirfd, (struct stat *)st, &rc)) return rc; \
    if (path && path[0] == '/' && fake_path_stat(path, (struct stat *)st, &rc)) return rc; \
    REAL(fn);                                                                    \
    return real_##fn(dirfd, path, st, flags);                                    \
  }
AT_STAT(fstatat, struct stat)
AT_STAT(fstatat64, struct stat64)

/* glibc before 2.33 routes stat() through these versioned entry points. */
int __xstat(int ver, const char *path, struct stat *st) {
  int rc;
  if (fake_path_stat(path, st, &rc)) return rc;
  static int (*r)(int, const char *, struct stat *);
  if (!r) r = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__xstat");
  return r ? r(ver, path, st) : (errno = ENOSYS, -1);
}
int __xstat64(int ver, const char *path, struct stat64 *st) { return __xstat(ver, path, (struct stat *)st); }
int __lxstat(int ver, const char *path, struct stat *st) { return __xstat(ver, path, st); }
int __lxstat64(int ver, const char *path, struct stat64 *st) { return __xstat(ver, path, (struct stat *)st); }
int __fxstat(int ver, int fd, struct stat *st) {
  int rc;
  if (fake_fd_stat(fd, st, &rc)) return rc;
  static int (*r)(int, int, struct stat *);
  if (!r) r = (int (*)(int, int, struct stat *))dlsym(RTLD_NEXT, "__fxstat");
  return r ? r(ver, fd, st) : (errno = ENOSYS, -1);
}
int __fxstat64(int ver, int fd, struct stat64 *st) { return __fxstat(ver, fd, (struct stat *)st); }

/* coreutils and newer tools ask statx (glibc 2.28+). */
int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx) {
  struct stat st;
  int rc, hit = 0;
  if ((flags & AT_EMPTY_PATH) && path && !*path) hit = fake_fd_stat(dirfd, &st, &rc);
  else if (path && path[0] == '/') hit = fake_path_stat(path, &st, &rc);
  if (!hit) {
    REAL(statx);
    return real_statx(dirfd, path, flags, mask, sx);
  }
  if (rc < 0) return rc;
  memset(sx, 0, sizeof *sx);
  sx->stx_mask = STATX_BASIC_STATS;
  sx->stx_blksize = (uint32_t)st.st_blksize;
  sx->stx_nlink = (uint32_t)st.st_nlink;
  sx->stx_uid = st.st_uid;
  sx->stx_gid = st.st_gid;
  sx->stx_mode = (uint16_t)st.st_mode;
  sx->stx_ino = st.st_ino;
  sx->stx_rdev_major = major(st.st_rdev);
  sx->stx_rdev_minor = minor(st.st_rdev);
  sx->stx_dev_major = major(st.st_dev);
  sx->stx_dev_minor = minor(st.st_dev);
  return 0;
}

/* `ls -l` asks for ACLs and security labels: our nodes have none. */
static int ours_path(const char *path) { return is_cxl_dir(path) || (node_of(path) && known_node(node_of(path))); }
#define NO_XATTR(fn)                                                          \
  ssize_t fn(const char *path, const char *name, void *value, size_t size) { \
    if (ours_path(path)) return errno = ENODATA, -1;                          \
    REAL(fn);                                                                 \
    return real_##fn(path, name, value, size);                                \
  }
NO_XATTR(getxattr)
NO_XATTR(lgetxattr)
#define NO_XATTR_LIST(fn)                                    \
  ssize_t fn(const char *path, char *list, size_t size) {    \
    if (ours_path(path)) return 0;                           \
    REAL(fn);                                                \
    return real_##fn(path, list, size);                      \
  }
NO_XATTR_LIST(listxattr)
NO_XATTR_LIST(llistxattr)

int access(const char *path, int mode) {
  int rc;
  struct stat st;
  if (fake_path_stat(path, &st, &rc)) return rc;
  REAL(access);
  return real_access(path, mode);
}

/* ---- /dev/cxl directory ------------------------------------------------------------------ */

/* Our DIR: a list of names and a cursor. Told apart from glibc's DIR by the magic word. */
#define FAKE_DIR_MAGIC 0x43584c44u /* "CXLD" */
struct fake_dir {
  uint32_t magic;
  int pos, count;
  char names[64][32];
  struct dirent64 ent;
};

static struct fake_dir *as_fake(void *d) {
  /* glibc's DIR starts with an fd (small int); ours with the magic word. */
  return d && *(uint32_t *)d == FAKE_DIR_MAGIC ? (struct fake_dir *)d : NULL;
}

DIR *opendir(const char *path) {
  if (!is_cxl_dir(path)) {
    REAL(opendir);
    return real_opendir(path);
  }
  struct fake_dir *d = calloc(1, sizeof *d);
  if (!d) return errno = ENOMEM, NULL;
  d->magic = FAKE_DIR_MAGIC;
  strcpy(d->names[d->count++], ".");
  strcpy(d->names[d->count++], "..");
  const char *list = getenv("CXLEMU_ATTACH_DEVICES");
  for (const char *p = list ? list : ""; *p && d->count < 64;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len && len < 32) memcpy(d->names[d->count++], p, len);
    if (!e) break;
    p = e + 1;
  }
  return (DIR *)d;
}

struct dirent64 *readdir64(DIR *dir) {
  struct fake_dir *d = as_fake(dir);
  if (!d) {
    REAL(readdir64);
    return real_readdir64(dir);
  }
  if (d->pos >= d->count) return NULL;
  const char *n = d->names[d->pos];
  memset(&d->ent, 0, sizeof d->ent);
  d->ent.d_ino = (ino_t)(0x1000 + d->pos);
  d->ent.d_off = ++d->pos;
  d->ent.d_reclen = sizeof d->ent;
  d->ent.d_type = n[0] == '.' ? DT_DIR : DT_CHR;
  strncpy(d->ent.d_name, n, sizeof d->ent.d_name - 1);
  return &d->ent;
}

/* struct dirent and struct dirent64 share one layout on 64-bit glibc. */
struct dirent *readdir(DIR *dir) {
  if (!as_fake(dir)) {
    REAL(readdir);
    return real_readdir(dir);
  }
  return (struct dirent *)readdir64(dir);
}

int closedir(DIR *dir) {
  if (as_fake(dir)) return free(dir), 0;
  REAL(closedir);
  return real_closedir(dir);
}

void rewinddir(DIR *dir) {
  struct fake_dir *d = as_fake(dir);
  if (d) {
    d->pos = 0;
    return;
  }
  REAL(rewinddir);
  real_rewinddir(dir);
}

int dirfd(DIR *dir) {
  if (as_fake(dir)) return errno = ENOTSUP, -1;
  REAL(dirfd);
  return real_dirfd(dir);
}

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
  if (is_ours(fd)) {
    if (req == CXLEMU_QUERY_COMMANDS) return do_query(fd, arg);
    if (req == CXLEMU_SEND_COMMAND) return do_send(fd, arg);
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
