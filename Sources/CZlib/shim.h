#ifndef PARAMIKO_CZLIB_SHIM_H
#define PARAMIKO_CZLIB_SHIM_H

#include <zlib.h>

/* deflateInit and inflateInit are macros over the versioned functions. */
static inline int paramiko_deflate_init(z_stream *stream, int level) {
    return deflateInit(stream, level);
}

static inline int paramiko_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}

#endif
