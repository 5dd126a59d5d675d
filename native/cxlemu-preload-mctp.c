/* cxlemu-preload: AF_MCTP sockets (written next). */
#include "cxlemu-preload.h"
