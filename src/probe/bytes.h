/*
 * bytes: little-endian reads and writes of the wire formats Microsoft's
 * protocols use (SMB, NTLMSSP). The caller has checked the bounds.
 */
#ifndef NC_BYTES_H
#define NC_BYTES_H

#include <stdint.h>

static inline uint16_t bytes_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t bytes_le32(const uint8_t *p)
{
	return (uint32_t)bytes_le16(p) | (uint32_t)bytes_le16(p + 2) << 16;
}

static inline void bytes_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void bytes_put32(uint8_t *p, uint32_t v)
{
	bytes_put16(p, (uint16_t)v);
	bytes_put16(p + 2, (uint16_t)(v >> 16));
}

#endif
