/*
 * cxlemu-preload: AF_MCTP sockets (see cxlemu-preload.h), answered by emulator/attach/mctp-socket.ts.
 *
 * socket(AF_MCTP = 45, SOCK_DGRAM, 0) gives a Unix stream socket connected to the broker's MCTP
 * path (CXLEMU_ATTACH_MCTP) and bound to an abstract name that identifies it there. The broker
 * writes each received message to it as a frame (u32 length, struct sockaddr_mctp, body), so
 * poll/select/epoll, O_NONBLOCK, SO_RCVTIMEO, dup, fork and close need nothing from us.
 * bind, sendto, sendmsg and the tag ioctls travel on short control connections.
 *
 * struct sockaddr_mctp (<linux/mctp.h>, 12 bytes): u16 smctp_family, u16 __smctp_pad0,
 * u32 smctp_network, u8 smctp_addr, u8 smctp_type, u8 smctp_tag, u8 __smctp_pad1. As on a kernel
 * socket the buffer a program sends or receives is the message after its type byte: the type
 * travels in smctp_type (bit 7 the integrity-check flag).
 */
#include "cxlemu-preload.h"
#include <stdatomic.h>
#include <poll.h>
#include <stddef.h>

#define CXLEMU_AF_MCTP 45
enum { OP_MCTP_HELLO = 32, OP_MCTP_BIND = 33, OP_MCTP_SEND = 34, OP_MCTP_ALLOCTAG = 35, OP_MCTP_DROPTAG = 36 };
#define SIOC_ALLOCTAG 0x89E0UL /* SIOCPROTOPRIVATE + 0 */
#define SIOC_DROPTAG 0x89E1UL
#define NAME_PREFIX "cxlemu-mctp:"
#define MAX_MSG (1u << 20)

static const char *mctp_path(void) { return sock_path() ? getenv("CXLEMU_ATTACH_MCTP") : NULL; }

static int connect_path(int fd, const char *path) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  return connect(fd, (struct sockaddr *)&a, sizeof a);
}

/* Ours: connected to the MCTP path. Our name (abstract, after the NUL) into `name`. */
static int mctp_name(int fd, char name[108]) {
  const char *mp = mctp_path();
  if (!mp || fd < 0) return 0;
  struct sockaddr_un a;
  socklen_t al = sizeof a;
  int saved = errno, ok = 0;
  memset(&a, 0, sizeof a);
  if (getpeername(fd, (struct sockaddr *)&a, &al) == 0 && a.sun_family == AF_UNIX && strncmp(a.sun_path, mp, sizeof a.sun_path) == 0) {
    al = sizeof a;
    memset(&a, 0, sizeof a);
    if (getsockname(fd, (struct sockaddr *)&a, &al) == 0 && a.sun_path[0] == 0) {
      memcpy(name, a.sun_path + 1, 107);
      name[107] = 0;
      ok = strncmp(name, NAME_PREFIX, sizeof NAME_PREFIX - 1) == 0;
    }
  }
  errno = saved;
  return ok;
}

/* One control exchange for socket `name`: the broker's errno, and its body in *body. */
static int control(const char *name, uint32_t op, const void *payload, size_t len, uint8_t **body, uint32_t *blen) {
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0) return EIO;
  uint32_t n = (uint32_t)strlen(name);
  uint8_t *req = malloc(4 + n + len);
  if (!req) return close(c), ENOMEM;
  memcpy(req, &n, 4);
  memcpy(req + 4, name, n);
  if (len) memcpy(req + 4 + n, payload, len);
  int32_t err = 0;
  *body = NULL;
  int t = connect_path(c, mctp_path()) < 0 ? -1 : transact(c, op, req, (uint32_t)(4 + n + len), &err, body, blen);
  free(req);
  close(c);
  if (t < 0) return free(*body), *body = NULL, EIO;
  return err;
}

int socket(int domain, int type, int protocol) {
  REAL(socket);
  if (domain != CXLEMU_AF_MCTP || !sock_path()) return real_socket(domain, type, protocol);
  /* mctp_pf_create: the family exists only with a link; then protocol, then type. */
  if (!mctp_path()) return errno = EAFNOSUPPORT, -1;
  if (protocol != 0) return errno = EPROTONOSUPPORT, -1;
  if ((type & 0xf) != SOCK_DGRAM) return errno = ESOCKTNOSUPPORT, -1;
  int fd = real_socket(AF_UNIX, SOCK_STREAM | (type & (SOCK_NONBLOCK | SOCK_CLOEXEC)), 0);
  if (fd < 0) return -1;
  static atomic_uint counter;
  struct sockaddr_un me;
  memset(&me, 0, sizeof me);
  me.sun_family = AF_UNIX;
  int n = snprintf(me.sun_path + 1, sizeof me.sun_path - 1, NAME_PREFIX "%d:%u", (int)getpid(), atomic_fetch_add(&counter, 1));
  uint32_t hello[3];
  if (bind(fd, (struct sockaddr *)&me, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 || connect_path(fd, mctp_path()) < 0) return close(fd), errno = ENOMEM, -1;
  /* HELLO: frame length, op, name length, name; its reply is the only one on this connection. */
  uint32_t nl = (uint32_t)n, ack[2];
  hello[0] = 8 + nl, hello[1] = OP_MCTP_HELLO, hello[2] = nl;
  if (write(fd, hello, sizeof hello) != sizeof hello || write(fd, me.sun_path + 1, nl) != (ssize_t)nl) return close(fd), errno = ENOMEM, -1;
  REAL(recv);
  ssize_t got;
  struct pollfd p = {fd, POLLIN, 0};
  /* A SOCK_NONBLOCK socket still waits here: the acknowledgement is part of creating it. */
  while ((got = real_recv(fd, ack, sizeof ack, MSG_WAITALL)) < 0 && (errno == EAGAIN || errno == EINTR)) poll(&p, 1, -1);
  if (got != sizeof ack || ack[1] != 0) return close(fd), errno = ENOMEM, -1;
  return fd;
}

/* u32 addrlen then 12 address bytes (zero when absent or short). */
static int pack_addr(uint8_t out[16], const struct sockaddr *addr, socklen_t len) {
  uint32_t l = addr ? (uint32_t)len : 0;
  memset(out, 0, 16);
  memcpy(out, &l, 4);
  if (l > sizeof(struct sockaddr_storage)) return EINVAL;
  if (l && copy_in(out + 4, (uintptr_t)addr, l < 12 ? l : 12)) return EFAULT;
  return 0;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(bind);
    return real_bind(fd, addr, len);
  }
  uint8_t a[16], *body = NULL;
  uint32_t blen = 0;
  int e = pack_addr(a, addr, len);
  if (!e) e = control(name, OP_MCTP_BIND, a, 16, &body, &blen);
  free(body);
  return e ? (errno = e, -1) : 0;
}

static ssize_t send_gather(const char *name, const struct iovec *iov, size_t iovcnt, const struct sockaddr *addr, socklen_t alen) {
  size_t total = 0;
  for (size_t i = 0; i < iovcnt; i++) total += iov[i].iov_len;
  if (total > MAX_MSG) return errno = EMSGSIZE, -1;
  uint8_t *req = malloc(16 + total), *body = NULL;
  if (!req) return errno = ENOMEM, -1;
  int e = pack_addr(req, addr, alen);
  size_t off = 16;
  for (size_t i = 0; !e && i < iovcnt; off += iov[i].iov_len, i++)
    if (copy_in(req + off, (uintptr_t)iov[i].iov_base, iov[i].iov_len)) e = EFAULT;
  uint32_t blen = 0, sent = 0;
  if (!e) e = control(name, OP_MCTP_SEND, req, 16 + total, &body, &blen);
  free(req);
  if (!e && blen >= 4) memcpy(&sent, body, 4);
  free(body);
  return e ? (errno = e, -1) : (ssize_t)sent;
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t alen) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(sendto);
    return real_sendto(fd, buf, n, flags, addr, alen);
  }
  struct iovec v = {(void *)buf, n};
  return send_gather(name, &v, 1, addr, alen);
}
ssize_t send(int fd, const void *buf, size_t n, int flags) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(send);
    return real_send(fd, buf, n, flags);
  }
  return sendto(fd, buf, n, flags, NULL, 0);
}
ssize_t sendmsg(int fd, const struct msghdr *m, int flags) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(sendmsg);
    return real_sendmsg(fd, m, flags);
  }
  return send_gather(name, m->msg_iov, m->msg_iovlen, (const struct sockaddr *)m->msg_name, m->msg_namelen);
}

/*
 * mctp_recvmsg: one frame is one message. Only MSG_DONTWAIT, MSG_TRUNC and MSG_PEEK are known
 * (else EOPNOTSUPP); a short buffer truncates the message and the rest is gone, as on a datagram
 * socket; MSG_TRUNC returns the full length. The address is copied out, its length set to 12.
 */
static ssize_t recv_scatter(int fd, const struct iovec *iov, size_t iovcnt, int flags, void *addr, socklen_t *alen, int *msg_flags) {
  if (flags & ~(MSG_DONTWAIT | MSG_TRUNC | MSG_PEEK)) return errno = EOPNOTSUPP, -1;
  REAL(recv);
  uint32_t len;
  int dw = flags & MSG_DONTWAIT;
  ssize_t r = real_recv(fd, &len, 4, MSG_PEEK | MSG_WAITALL | dw);
  if (r <= 0) return r;
  if (r < 4 || len < 12 || len > MAX_MSG + 16) return errno = EIO, -1;
  uint8_t *frame = malloc(4 + (size_t)len);
  if (!frame) return errno = ENOMEM, -1;
  r = real_recv(fd, frame, 4 + (size_t)len, MSG_WAITALL | (flags & MSG_PEEK) | dw);
  if (r != (ssize_t)(4 + len)) return free(frame), errno = EIO, -1;
  size_t msglen = len - 12, off = 0, want = 0;
  for (size_t i = 0; i < iovcnt; i++) want += iov[i].iov_len;
  size_t copy = want < msglen ? want : msglen;
  int bad = 0;
  for (size_t i = 0; i < iovcnt && off < copy; i++) {
    size_t n = iov[i].iov_len < copy - off ? iov[i].iov_len : copy - off;
    bad |= copy_out((uintptr_t)iov[i].iov_base, frame + 16 + off, n);
    off += n;
  }
  if (addr && alen) {
    socklen_t ul;
    if (copy_in(&ul, (uintptr_t)alen, sizeof ul)) bad = 1;
    else {
      bad |= copy_out((uintptr_t)addr, frame + 4, ul < 12 ? ul : 12);
      ul = 12;
      bad |= copy_out((uintptr_t)alen, &ul, sizeof ul);
    }
  }
  free(frame);
  if (bad) return errno = EFAULT, -1;
  if (msg_flags) *msg_flags = msglen > want ? MSG_TRUNC : 0;
  return (ssize_t)((flags & MSG_TRUNC) ? msglen : copy);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *alen) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(recvfrom);
    return real_recvfrom(fd, buf, n, flags, addr, alen);
  }
  struct iovec v = {buf, n};
  return recv_scatter(fd, &v, 1, flags, addr, alen, NULL);
}
ssize_t recv(int fd, void *buf, size_t n, int flags) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(recv);
    return real_recv(fd, buf, n, flags);
  }
  struct iovec v = {buf, n};
  return recv_scatter(fd, &v, 1, flags, NULL, NULL, NULL);
}
ssize_t recvmsg(int fd, struct msghdr *m, int flags) {
  char name[108];
  if (!mctp_name(fd, name)) {
    REAL(recvmsg);
    return real_recvmsg(fd, m, flags);
  }
  socklen_t al = m->msg_namelen;
  int mf = 0;
  ssize_t r = recv_scatter(fd, m->msg_iov, m->msg_iovlen, flags, m->msg_name, m->msg_name ? &al : NULL, &mf);
  if (r >= 0) {
    m->msg_namelen = m->msg_name ? al : 0;
    m->msg_flags = mf;
    m->msg_controllen = 0;
  }
  return r;
}
/* _FORTIFY_SOURCE callers reach these. */
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags) { (void)buflen; return recv(fd, buf, n, flags); }
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags, struct sockaddr *addr, socklen_t *alen) { (void)buflen; return recvfrom(fd, buf, n, flags, addr, alen); }

/* SIOCMCTPALLOCTAG / SIOCMCTPDROPTAG on an AF_MCTP socket; 1 when handled (result in *rc). */
int mctp_ioctl(int fd, unsigned long req, void *arg, int *rc) {
  char name[108];
  if ((req != SIOC_ALLOCTAG && req != SIOC_DROPTAG) || !mctp_name(fd, name)) return 0;
  uint8_t ctl[4], *body = NULL;
  uint32_t blen = 0;
  if (copy_in(ctl, (uintptr_t)arg, 4)) return errno = EFAULT, *rc = -1, 1;
  int e = control(name, req == SIOC_ALLOCTAG ? OP_MCTP_ALLOCTAG : OP_MCTP_DROPTAG, ctl, 4, &body, &blen);
  if (!e && (blen < 4 || copy_out((uintptr_t)arg, body, 4))) e = EFAULT;
  free(body);
  return e ? (errno = e, *rc = -1, 1) : (*rc = 0, 1);
}
