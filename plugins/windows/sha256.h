/* sha256.h: a small SHA-256 (FIPS 180-4) used only to derive stable capability SIDs. */
#ifndef RF_WIN_SHA256_H
#define RF_WIN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define RF_WIN_SHA256_LEN 32

/* Hashes |len| bytes at |data| into |out|.  Pure; no allocation. */
void rf_win_sha256(const void *data, size_t len, uint8_t out[RF_WIN_SHA256_LEN]);

#endif /* RF_WIN_SHA256_H */
