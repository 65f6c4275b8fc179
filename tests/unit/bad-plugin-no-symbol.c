/* bad-plugin-no-symbol.c: a test plugin that exports no entry symbol, so the loader must refuse it. */
int rf_backend_entry_misspelled(void);
__attribute__((visibility("default"))) int rf_backend_entry_misspelled(void) {
  return 0;
}
