/* guid.h: GUID text -> fields, for the stable WFP keys in the setup plan. */
#ifndef RF_WIN_GUID_H
#define RF_WIN_GUID_H

#include <stdint.h>

/* Same layout as the Windows GUID struct. */
typedef struct rf_win_guid {
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
} rf_win_guid;

/* Parses "{2a7bf985-e29b-4115-bdb9-244353cf2782}"; 0 or -1. */
int rf_win_guid_parse(const char *s, rf_win_guid *g);

#endif /* RF_WIN_GUID_H */
