/*
 * cxlemu-preload: fwctl's ioctls on /dev/fwctl/fwctlN and the kernel's taint word in
 * /proc/sys/kernel/tainted (see cxlemu-preload.h). The broker (emulator/attach/fwctl.ts) makes
 * every check; this file copies user memory as the fwctl core would and moves bytes.
 *
 * Restated from include/uapi/fwctl/fwctl.h (Debian's headers predate it), host order:
 *   FWCTL_INFO _IO(0x9A, 0): struct fwctl_info { u32 size, flags, out_device_type,
 *                            device_data_len; u64 out_device_data; }          24 bytes
 *   FWCTL_RPC  _IO(0x9A, 1): struct fwctl_rpc { u32 size, scope, in_len, out_len; u64 in, out; } 32
 */
#include "cxlemu-preload.h"
#include <sys/mman.h>

enum { OP_FWCTL_INFO = 16, OP_FWCTL_RPC = 17, OP_TAINT = 18 };
#define FWCTL_INFO_NR 0x9A00UL
#define MAX_STRUCT 4096u
#define MAX_RPC_LEN (2u << 20)
#define CAP_SYS_RAWIO_BIT 17

/*
 * The struct as copy_struct_from_user sees it: the size word (EFAULT if unreadable, -1 here),
 * then min(size, MAX_STRUCT) bytes; when those are not all readable only the size word goes, and
 * the broker answers EFAULT for a size it would otherwise accept.
 */
static int read_struct(uint64_t arg, uint8_t *buf, uint32_t *len) {
  uint32_t size;
  if (copy_in(&size, arg, 4)) return -1;
  uint32_t n = size < MAX_STRUCT ? size : MAX_STRUCT;
  if (n > 4 && copy_in(buf, arg, n) == 0) return *len = n, 0;
  memcpy(buf, &size, 4);
  return *len = 4, 0;
}

/* Zero `len` bytes of user memory (clear_user), in pieces. */
static int clear_user(uint64_t dst, uint64_t len) {
  static const uint8_t zero[65536];
  while (len) {
    size_t n = len < sizeof zero ? (size_t)len : sizeof zero;
    if (copy_out(dst, zero, n)) return -1;
    dst += n, len -= n;
  }
  return 0;
}

static int fw_info(int fd, uint64_t arg) {
  uint8_t s[MAX_STRUCT];
  uint32_t len;
  if (read_struct(arg, s, &len)) return errno = EFAULT, -1;
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  if (transact(fd, OP_FWCTL_INFO, s, len, &err, &body, &blen) < 0) return errno = EIO, -1;
  if (err) return free(body), errno = err, -1;
  if (blen < 4 || len < 24) return free(body), errno = EIO, -1;
  uint32_t clear;
  uint64_t data;
  memcpy(&clear, body, 4);
  memcpy(&data, s + 16, 8);
  int bad = (clear && clear_user(data, clear)) || copy_out(arg, body + 4, blen - 4);
  free(body);
  return bad ? (errno = EFAULT, -1) : 0;
}

/* capable(CAP_SYS_RAWIO) of the calling task: bit 17 of CapEff. */
static uint32_t cap_sys_rawio(void) {
  char buf[4096];
  int f = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (f < 0) return 0;
  ssize_t n = read(f, buf, sizeof buf - 1);
  close(f);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char *p = strstr(buf, "CapEff:");
  if (!p) return 0;
  unsigned long long eff = strtoull(p + 7, NULL, 16);
  return (eff >> CAP_SYS_RAWIO_BIT) & 1;
}

/* current->comm, for the kernel's "has requested full access" line. */
static void comm(char out[16]) {
  memset(out, 0, 16);
  int f = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
  if (f < 0) return;
  ssize_t n = read(f, out, 15);
  close(f);
  for (ssize_t i = 0; i < n; i++)
    if (out[i] == '\n') out[i] = 0;
}

/* Request: u32 cap, u32 pid, comm[16], u32 struct length, struct, u32 in fault, input. */
static int fw_rpc(int fd, uint64_t arg) {
  uint8_t s[MAX_STRUCT];
  uint32_t len;
  if (read_struct(arg, s, &len)) return errno = EFAULT, -1;
  uint32_t in_len = 0, out_len = 0;
  uint64_t in_ptr = 0, out_ptr = 0;
  if (len >= 32) {
    memcpy(&in_len, s + 8, 4);
    memcpy(&out_len, s + 12, 4);
    memcpy(&in_ptr, s + 16, 8);
    memcpy(&out_ptr, s + 24, 8);
  }
  uint32_t copy = len >= 32 && in_len <= MAX_RPC_LEN ? in_len : 0;
  uint8_t *req = malloc(32 + (size_t)len + copy);
  if (!req) return errno = ENOMEM, -1;
  uint32_t head[2] = {cap_sys_rawio(), (uint32_t)getpid()};
  memcpy(req, head, 8);
  comm((char *)req + 8);
  memcpy(req + 24, &len, 4);
  memcpy(req + 28, s, len);
  uint32_t fault = copy_in(req + 32 + len, in_ptr, copy) ? 1 : 0;
  memcpy(req + 28 + len, &fault, 4);
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0;
  int t = transact(fd, OP_FWCTL_RPC, req, 32 + len + (fault ? 0 : copy), &err, &body, &blen);
  free(req);
  if (t < 0) return errno = EIO, -1;
  if (err) return free(body), errno = err, -1;
  uint32_t n;
  if (blen < 36) return free(body), errno = EIO, -1;
  memcpy(&n, body + 32, 4);
  if (blen < 36 + n) return free(body), errno = EIO, -1;
  /* copy_to_user of min(out_len, driver's length), then the struct with the driver's out_len. */
  int bad = copy_out(out_ptr, body + 36, n < out_len ? n : out_len) || copy_out(arg, body, 32);
  free(body);
  return bad ? (errno = EFAULT, -1) : 0;
}

int fwctl_ioctl(int fd, unsigned long req, void *arg) {
  return req == FWCTL_INFO_NR ? fw_info(fd, (uintptr_t)arg) : fw_rpc(fd, (uintptr_t)arg);
}

/* ---- /proc/sys/kernel/tainted -------------------------------------------------------------- */

int is_taint_path(const char *path) {
  return path && sock_path() && strcmp(path, "/proc/sys/kernel/tainted") == 0;
}

/* The emulated kernel's taint word (what this run set: W from RAW, J from fwctl), as the file reads. */
int taint_open(void) {
  int c = connect_broker();
  if (c < 0) return errno = EIO, -1;
  int32_t err = 0;
  uint8_t *body = NULL;
  uint32_t blen = 0, value = 0;
  int t = transact(c, OP_TAINT, NULL, 0, &err, &body, &blen);
  close(c);
  if (t < 0 || err || blen < 4) return free(body), errno = EIO, -1;
  memcpy(&value, body, 4);
  free(body);
  int m = memfd_create("tainted", MFD_CLOEXEC);
  if (m < 0) return -1;
  char text[16];
  int n = snprintf(text, sizeof text, "%u\n", value);
  if (write(m, text, (size_t)n) != n) return close(m), errno = EIO, -1;
  lseek(m, 0, SEEK_SET);
  return m;
}

/* stdio's fopen reaches the kernel without our open(): catch the taint file here too. */
FILE *fopen(const char *path, const char *mode) {
  if (is_taint_path(path)) {
    int fd = taint_open();
    return fd < 0 ? NULL : fdopen(fd, mode);
  }
  REAL(fopen);
  return real_fopen(path, mode);
}
FILE *fopen64(const char *path, const char *mode) {
  if (is_taint_path(path)) return fopen(path, mode);
  REAL(fopen64);
  return real_fopen64(path, mode);
}
