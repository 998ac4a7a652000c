// Fuzz target: a dG(G, V) table CSV (device/device_table.hpp), read as a potentiation and
// as a depression table, and viewed as the table device's parameters when accepted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "device/device_table.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = memsnn::fuzz::write_temp("table_dG.csv", data, size);
  memsnn::fuzz::expect_documented_errors([&] {
    memsnn::read_dg_table_csv(path, memsnn::DgSign::kNonNegative, 1e-6);
  });
  memsnn::fuzz::expect_documented_errors([&] {
    memsnn::read_dg_table_csv(path, memsnn::DgSign::kNonPositive, 1e-6);
  });
  // Both signs at once: an all-zero table is both; it must also load as a pair.
  memsnn::fuzz::expect_documented_errors([&] {
    const auto table = memsnn::load_device_table(path, path, 1e-6, 1e-6, 1e-6, 1e-4);
    table->view();
  });
  return 0;
}
