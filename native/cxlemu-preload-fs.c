/* cxlemu-preload: what makes the nodes look like files: stat, statx, xattr, access, /dev/cxl. */
#include "cxlemu-preload.h"

/* ---- stat family ------------------------------------------------------------------------- */

/* kind: 0 mem, 1 switch, 2 fwctl (the broker's STAT answers the same codes). */
static int node_index(const char *node, int *kind) {
  *kind = strncmp(node, "switch", 6) == 0 ? 1 : strncmp(node, "fwctl", 5) == 0 ? 2 : 0;
  return atoi(node + (*kind == 1 ? 6 : *kind == 2 ? 5 : 3));
}

static void fill_chr(struct stat *st, int kind, int index) {
  static const unsigned majors[] = {CXLEMU_MEM_MAJOR, CXLEMU_SWITCH_MAJOR, CXLEMU_FWCTL_MAJOR};
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFCHR | 0600;
  st->st_nlink = 1;
  st->st_rdev = makedev(majors[kind > 2 ? 0 : kind], (unsigned)index);
  st->st_dev = makedev(0, 5);
  st->st_ino = (ino_t)(0x1000 + 0x100 * kind + index);
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
  fill_chr(st, (int)kind, (int)index);
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
  const char *list = getenv(is_cxl_dir(path) == 2 ? "CXLEMU_ATTACH_FWCTL" : "CXLEMU_ATTACH_DEVICES");
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
