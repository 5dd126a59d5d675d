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
 *
 * Split in two: cxlemu-preload.c (the broker wire, open, ioctl) and cxlemu-preload-fs.c (stat,
 * statx, xattr, access and the /dev/cxl directory); this header is what they share.
 */
#ifndef CXLEMU_PRELOAD_H
#define CXLEMU_PRELOAD_H
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
#define CXLEMU_FWCTL_MAJOR 252

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

/* Shared between the two files; hidden so they never clash with a symbol of the program. */
#define CXLEMU_HIDDEN __attribute__((visibility("hidden")))
CXLEMU_HIDDEN const char *sock_path(void);
CXLEMU_HIDDEN int known_node(const char *name);
CXLEMU_HIDDEN const char *node_of(const char *path);
CXLEMU_HIDDEN int is_cxl_dir(const char *path);
CXLEMU_HIDDEN int is_ours(int fd);
CXLEMU_HIDDEN int transact(int fd, uint32_t op, const void *req, uint32_t len, int32_t *err, uint8_t **body, uint32_t *body_len);
CXLEMU_HIDDEN int copy_in(void *dst, uint64_t src, size_t len);
CXLEMU_HIDDEN int copy_out(uint64_t dst, const void *src, size_t len);

/* fwctl, the taint file and AF_MCTP (cxlemu-preload-fwctl.c, cxlemu-preload-mctp.c). */
CXLEMU_HIDDEN int connect_broker(void);
CXLEMU_HIDDEN int fwctl_ioctl(int fd, unsigned long req, void *arg);
CXLEMU_HIDDEN int is_taint_path(const char *path);
CXLEMU_HIDDEN int taint_open(void);
CXLEMU_HIDDEN int mctp_ioctl(int fd, unsigned long req, void *arg, int *rc);

#endif
