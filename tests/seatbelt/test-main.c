/* test-main.c: runs the Seatbelt backend's CUnit suites (profile generation, checker, goldens, plugin, launch path). */
#include "fixtures.h"

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  add_escape_tests();
  add_profile_tests();
  add_hardening_tests();
  add_checker_tests();
  add_golden_tests();
  add_plugin_tests();
  add_supervise_tests();
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned int failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
  CU_cleanup_registry();
  return failures == 0 ? 0 : 1;
}
